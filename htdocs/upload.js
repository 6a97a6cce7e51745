// The import's pages with JavaScript. Without it every form works as it
// is; with it the upload goes through XMLHttpRequest so its progress can be
// shown, a run says it is working until the report arrives, and an undo
// asks first. Handlers are on the document, so a form put in place after a
// refused upload (the server's page shown in this one) works the same.
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest) return;

  function upload(form, ev) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || !input.files.length) return; // the browser says what is missing
    ev.preventDefault();
    var bar = form.querySelector("progress");
    var status = form.querySelector("[role=status]");
    var button = form.querySelector("button[type=submit]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    if (bar) bar.hidden = false;
    if (status) status.textContent = "Uploading…";
    if (button) button.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round(100 * e.loaded / e.total);
      if (bar) bar.value = pct;
      if (status) status.textContent = "Uploading… " + pct + " %";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL && xhr.responseURL !== form.action) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // A refusal: show the page the server answered, its form included.
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.getElementById("main");
      var here = document.getElementById("main");
      if (main && here) here.replaceWith(main);
      else if (status) status.textContent = "The upload failed (" + xhr.status + ").";
    });
    xhr.addEventListener("error", function () {
      if (status) status.textContent = "The upload failed: the connection broke. Try again.";
      if (button) button.disabled = false;
    });
    xhr.send(new FormData(form));
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.id === "upload-form") {
      upload(form, ev);
    } else if (form.classList.contains("import-run")) {
      var b = ev.submitter;
      if (!b || b.value === "preview") return;
      var s = form.querySelector(".run-status");
      if (s) s.textContent = (b.value === "dry_run" ? "Checking " : "Importing ") + (form.dataset.rows || "the") +
        " rows… this page changes when it is done.";
    } else if (form.classList.contains("import-undo")) {
      if (!window.confirm("Undo this import? The contacts it created are removed and those it updated get their old values back.")) ev.preventDefault();
    }
  });
})();
