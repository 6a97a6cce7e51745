<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/contacts">Contacts</a> ›</p>
<h1><?cs var:Page.Title ?></h1>
<?cs if:Form.Error ?><p class="error banner" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<form method="post" action="/imports" enctype="multipart/form-data" class="panel" id="upload-form">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field wide">
    <label for="file">File</label>
    <input type="file" id="file" name="file" accept=".csv,.txt,.tsv,.vcf,.vcard,text/csv,text/vcard,text/plain" required>
    <p class="hint">CSV (from Excel, Google Contacts, Outlook or any other program, in UTF-8, UTF-16 or
      Windows-1252, separated by commas, semicolons or tabs) or vCard 2.1, 3.0 or 4.0; at most
      <?cs var:Import.MaxMB ?> MB. Nothing is imported yet: the next page shows how each column is read,
      a preview and a dry run.</p>
  </div>
  <div class="actions">
    <button type="submit" class="primary">Upload</button>
    <progress id="upload-progress" max="100" value="0" hidden></progress>
    <span id="upload-status" class="muted" role="status"></span>
  </div>
</form>
<script src="/static/upload.js" defer></script>
<h2 class="sub">Your imports</h2>
<?cs if:!Imports.0.id ?>
<p class="empty">No imports yet.</p>
<?cs else ?>
<table class="list imports">
  <thead>
    <tr><th scope="col">Import</th><th scope="col">File</th><th scope="col">Uploaded</th><th scope="col">State</th>
      <th scope="col">Rows</th><th scope="col">Created</th><th scope="col">Updated</th><th scope="col">Failed</th></tr>
  </thead>
  <tbody>
  <?cs each:i = Imports ?>
    <tr>
      <td><a href="/imports/<?cs var:i.id ?>"><?cs var:i.id ?></a></td>
      <td><?cs var:i.file_name ?></td>
      <td class="nowrap"><?cs var:i.created_at ?></td>
      <td><?cs if:i.status == "uploaded" && i.dry_run == "1" ?>dry run done<?cs elif:i.status == "uploaded" ?>not run<?cs else ?><?cs var:i.status ?><?cs /if ?></td>
      <td><?cs var:i.rows_read ?></td>
      <td><?cs var:i.created ?></td>
      <td><?cs var:i.updated ?></td>
      <td><?cs var:i.failed ?></td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
