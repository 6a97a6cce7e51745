<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/contacts">Contacts</a> › <a href="/imports">Import</a> ›</p>
<h1><?cs var:Page.Title ?></h1>
<?cs if:Form.Error ?><p class="error banner" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<p class="muted">Uploaded <?cs var:Import.created_at ?> UTC · <?cs var:Import.file_size ?> bytes · SHA-256 <code><?cs var:Import.sha256 ?></code></p>

<?cs if:Import.run_at ?>
<section class="panel" id="report" aria-labelledby="report-title">
  <h2 class="sub" id="report-title"><?cs if:Import.status == "undone" ?>Undone <?cs var:Import.undone_at ?> UTC<?cs elif:Import.status == "imported" ?>Imported <?cs var:Import.run_at ?> UTC<?cs elif:Import.dry_run == "1" ?>Dry run <?cs var:Import.run_at ?> UTC: nothing was changed<?cs else ?>Not imported (<?cs var:Import.run_at ?> UTC): rows have errors<?cs /if ?></h2>
  <?cs if:LeftAlone.0 ?><p id="left-alone">Left as they were (changed after the import, or not yours to change): <?cs each:c = LeftAlone ?><a href="/contacts/<?cs var:c ?>"><?cs var:c ?></a> <?cs /each ?></p><?cs /if ?>
  <?cs if:Import.status == "uploaded" && Import.dry_run == "0" ?><p>All or nothing was chosen and <?cs var:Import.failed ?> rows have errors, so nothing was imported. Correct the file, or choose to import the valid rows.</p><?cs /if ?>
  <dl class="counts">
    <div><dt>Rows read</dt><dd id="count-read"><?cs var:Import.rows_read ?></dd></div>
    <div><dt><?cs if:Import.dry_run == "1" && Import.status == "uploaded" ?>Would be created<?cs else ?>Created<?cs /if ?></dt><dd id="count-created"><?cs var:Import.created ?></dd></div>
    <div><dt><?cs if:Import.dry_run == "1" && Import.status == "uploaded" ?>Would be updated<?cs else ?>Updated<?cs /if ?></dt><dd id="count-updated"><?cs var:Import.updated ?></dd></div>
    <div><dt>Restored</dt><dd id="count-restored"><?cs var:Import.restored ?></dd></div>
    <div><dt>Skipped</dt><dd id="count-skipped"><?cs var:Import.skipped ?></dd></div>
    <div><dt>Failed</dt><dd id="count-failed"><?cs var:Import.failed ?></dd></div>
  </dl>
  <?cs if:Problems.0.reason ?>
  <div class="scroll"><table class="list problems">
    <thead><tr><th scope="col">Row</th><th scope="col">Line</th><th scope="col"></th><th scope="col">Column</th><th scope="col">Problem</th></tr></thead>
    <tbody>
    <?cs each:p = Problems ?>
      <tr class="<?cs var:p.severity ?>"><td><?cs if:p.record != "0" ?><?cs var:p.record ?><?cs /if ?></td><td><?cs if:p.line != "0" ?><?cs var:p.line ?><?cs /if ?></td><td><?cs var:p.severity ?></td><td><?cs var:p.column ?></td><td><?cs var:p.reason ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table></div>
  <p><a href="/imports/<?cs var:Import.id ?>/report.csv" rel="download">Download the report (CSV)</a><?cs if:Report.shown == "500" ?> · the first 500 problems are shown here<?cs /if ?></p>
  <?cs else ?>
  <p class="muted">No problems.</p>
  <?cs /if ?>
  <?cs if:Import.status == "imported" ?>
  <form method="post" action="/imports/<?cs var:Import.id ?>/undo" class="inline-form import-undo">
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <button type="submit" class="danger">Undo this import</button>
    <span class="muted">Removes the contacts it created and gives those it updated their values back (a contact changed since is left as it is).</span>
  </form>
  <?cs /if ?>
</section>
<?cs /if ?>

<?cs if:Import.status == "uploaded" ?>
<?cs if:Preview.Error ?>
<p class="error banner" role="alert"><?cs var:Preview.Error ?></p>
<?cs /if ?>
<form method="post" action="/imports/<?cs var:Import.id ?>/run" class="panel import-run" data-rows="<?cs var:Preview.rows ?>">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <?cs if:!Preview.Error ?>
  <p>Read as <strong><?cs var:Preview.format ?></strong>, <?cs var:Preview.encoding ?><?cs if:Preview.delimiter ?>, separated by <?cs var:Preview.delimiter ?><?cs /if ?>: <?cs if:Preview.more ?>more than <?cs /if ?><strong id="preview-rows"><?cs var:Preview.rows ?></strong> rows<?cs if:Preview.bad != "0" ?>, <strong id="preview-bad"><?cs var:Preview.bad ?></strong> of <?cs if:Preview.more ?>the first ones<?cs else ?>them<?cs /if ?> with errors of their own<?cs /if ?><?cs if:Preview.more ?> (the dry run counts them all)<?cs /if ?>.</p>
  <?cs if:Preview.BrokenAt ?><p class="error" role="alert">The file cannot be read beyond this point: <?cs var:Preview.BrokenAt ?></p><?cs /if ?>
  <?cs /if ?>
  <fieldset>
    <legend>Reading the file</legend>
    <div class="field">
      <label for="encoding">Encoding</label>
      <select id="encoding" name="encoding">
        <option value="auto"<?cs if:Options.encoding == "auto" ?> selected<?cs /if ?>>detect</option>
        <option value="utf-8"<?cs if:Options.encoding == "UTF-8" ?> selected<?cs /if ?>>UTF-8</option>
        <option value="utf-16le"<?cs if:Options.encoding == "UTF-16LE" ?> selected<?cs /if ?>>UTF-16LE</option>
        <option value="utf-16be"<?cs if:Options.encoding == "UTF-16BE" ?> selected<?cs /if ?>>UTF-16BE</option>
        <option value="windows-1252"<?cs if:Options.encoding == "Windows-1252" ?> selected<?cs /if ?>>Windows-1252</option>
      </select>
    </div>
    <?cs if:Preview.format != "vCard" ?>
    <div class="field">
      <label for="delimiter">Delimiter</label>
      <select id="delimiter" name="delimiter">
        <option value="auto"<?cs if:Options.delimiter == "auto" ?> selected<?cs /if ?>>detect</option>
        <option value=","<?cs if:Options.delimiter == "," ?> selected<?cs /if ?>>comma</option>
        <option value=";"<?cs if:Options.delimiter == ";" ?> selected<?cs /if ?>>semicolon</option>
        <option value="tab"<?cs if:Options.delimiter == "tab" ?> selected<?cs /if ?>>tab</option>
        <option value="|"<?cs if:Options.delimiter == "|" ?> selected<?cs /if ?>>bar</option>
      </select>
    </div>
    <?cs /if ?>
    <div class="field">
      <label for="dates">Dates like 03/04/1990</label>
      <select id="dates" name="dates">
        <option value="iso"<?cs if:Options.dates == "iso" ?> selected<?cs /if ?>>only YYYY-MM-DD (others are errors)</option>
        <option value="mdy"<?cs if:Options.dates == "mdy" ?> selected<?cs /if ?>>MM/DD/YYYY (US)</option>
        <option value="dmy"<?cs if:Options.dates == "dmy" ?> selected<?cs /if ?>>DD/MM/YYYY</option>
      </select>
    </div>
  </fieldset>
  <?cs if:Columns.0.header || Preview.ncolumns != "0" ?>
  <fieldset>
    <legend>Columns</legend>
    <table class="list mapping">
      <thead><tr><th scope="col">Column</th><th scope="col">Imported as</th></tr></thead>
      <tbody>
      <?cs each:c = Columns ?>
        <tr>
          <td><label for="col-<?cs var:c.index ?>"><?cs if:c.header ?><?cs var:c.header ?><?cs else ?><span class="muted">(no header)</span><?cs /if ?></label></td>
          <td><select id="col-<?cs var:c.index ?>" name="col.<?cs var:c.index ?>">
            <?cs each:t = Targets ?><option value="<?cs var:t.code ?>"<?cs if:t.code == c.code ?> selected<?cs /if ?>><?cs var:t.label ?></option><?cs /each ?>
          </select><?cs if:c.why && c.why != "not imported" ?> <span class="muted"><?cs var:c.why ?></span><?cs /if ?></td>
        </tr>
      <?cs /each ?>
      </tbody>
    </table>
  </fieldset>
  <?cs /if ?>
  <fieldset>
    <legend>What to do</legend>
    <div class="field">
      <label for="mode">Contacts</label>
      <select id="mode" name="mode">
        <option value="create"<?cs if:Options.mode == "create" ?> selected<?cs /if ?>>create new ones only (rows that match a contact are skipped)</option>
        <option value="create_update"<?cs if:Options.mode == "create_update" ?> selected<?cs /if ?>>create new ones and update those that match</option>
      </select>
    </div>
    <div class="field">
      <label for="match">Match on</label>
      <select id="match" name="match">
        <option value="email"<?cs if:Options.match == "email" ?> selected<?cs /if ?>>email (ignoring case and surrounding spaces)</option>
        <option value="external_id"<?cs if:Options.match == "external_id" ?> selected<?cs /if ?>>external id</option>
      </select>
    </div>
    <div class="field">
      <label for="deleted">A row matching a deleted contact</label>
      <select id="deleted" name="deleted">
        <option value="skip"<?cs if:Options.deleted == "skip" ?> selected<?cs /if ?>>is skipped</option>
        <option value="restore"<?cs if:Options.deleted == "restore" ?> selected<?cs /if ?>>restores it</option>
      </select>
    </div>
    <div class="field">
      <label for="rows">When rows have errors</label>
      <select id="rows" name="rows">
        <option value="all"<?cs if:Options.rows == "all" ?> selected<?cs /if ?>>import nothing (all or nothing)</option>
        <option value="valid"<?cs if:Options.rows == "valid" ?> selected<?cs /if ?>>import the valid rows</option>
      </select>
    </div>
  </fieldset>
  <div class="actions">
    <button type="submit" name="action" value="preview">Update the preview</button>
    <button type="submit" name="action" value="dry_run">Dry run</button>
    <button type="submit" name="action" value="import" class="primary">Import</button>
    <span class="run-status muted" role="status"></span>
  </div>
</form>
<?cs if:Rows.0.record ?>
<section class="panel" aria-labelledby="preview-title">
  <h2 class="sub" id="preview-title">Preview: the first rows as they would be imported</h2>
  <div class="scroll"><table class="list preview">
    <thead><tr><th scope="col">Row</th><th scope="col">First name</th><th scope="col">Last name</th><th scope="col">Organisation</th><th scope="col">Email</th><th scope="col">Phone</th><th scope="col">City</th><th scope="col">Region</th><th scope="col">Birthday</th><th scope="col">More</th><th scope="col">Problems</th></tr></thead>
    <tbody>
    <?cs each:w = Rows ?>
      <tr>
        <td><?cs var:w.record ?></td><td><?cs var:w.first_name ?></td><td><?cs var:w.last_name ?></td><td><?cs var:w.organisation ?></td>
        <td class="email"><?cs var:w.email ?></td><td class="phone"><?cs var:w.phone ?></td><td><?cs var:w.city ?></td><td><?cs var:w.region ?></td><td><?cs var:w.birthday ?></td>
        <td><?cs var:w.more ?><?cs if:w.tags ?> <span class="muted">tags: <?cs var:w.tags ?></span><?cs /if ?></td>
        <td><?cs each:p = w.problems ?><div class="<?cs var:p.severity ?>"><?cs if:p.column ?><?cs var:p.column ?>: <?cs /if ?><?cs var:p.reason ?></div><?cs /each ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table></div>
</section>
<?cs /if ?>
<?cs /if ?>
<script src="/static/upload.js" defer></script>
<?cs include:"layout_bottom.cs" ?>
