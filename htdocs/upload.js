// The import's upload with a progress bar. Without JavaScript the form is
// sent as it is; with it, the same form goes through XMLHttpRequest so the
// bytes sent can be shown, and the page the server answers is then shown.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  form.addEventListener("submit", function (ev) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || !input.files.length) return; // the browser says what is missing
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    bar.hidden = false;
    status.textContent = "Uploading…";
    form.querySelector("button[type=submit]").disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round(100 * e.loaded / e.total);
      bar.value = pct;
      status.textContent = "Uploading… " + pct + " %";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL && xhr.responseURL !== form.action) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // A refusal: show the page the server answered.
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.getElementById("main");
      if (main) document.getElementById("main").replaceWith(main);
      else status.textContent = "The upload failed (" + xhr.status + ").";
    });
    xhr.addEventListener("error", function () {
      status.textContent = "The upload failed: the connection broke. Try again.";
      form.querySelector("button[type=submit]").disabled = false;
    });
    xhr.send(new FormData(form));
  });
  // The run: while the server imports, say so (the page answers when done).
  document.querySelectorAll("form.import-run").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      var b = ev.submitter;
      if (!b || b.value === "preview") return;
      var s = f.querySelector(".run-status");
      if (s) s.textContent = (b.value === "dry_run" ? "Checking " : "Importing ") + (f.dataset.rows || "the") +
        " rows… this page changes when it is done.";
    });
  });
})();
