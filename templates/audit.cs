<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"audit_rows.cs" ?>
<?cs if:Audit.Contact ?><p class="crumbs"><a href="/contacts/<?cs var:Audit.Contact ?>">Contact <?cs var:Audit.Contact ?></a> ›</p><?cs /if ?>
<div class="titlebar">
  <h1><?cs var:Page.Title ?></h1>
  <div class="actions">
    <a class="button" rel="export-csv" href="/audit/export.csv?<?cs if:Audit.Filter ?><?cs var:Audit.Filter ?>&amp;<?cs /if ?>safe=1&amp;bom=1">Download CSV</a>
    <a class="button" rel="export-json" href="/audit/export.json<?cs if:Audit.Filter ?>?<?cs var:Audit.Filter ?><?cs /if ?>">Download JSON</a>
  </div>
</div>
<form method="get" action="/audit" class="filters wide" role="search">
  <div class="field">
    <label for="user">User</label>
    <input type="text" id="user" name="user" value="<?cs var:Filter.user ?>" maxlength="100" placeholder="username">
  </div>
  <div class="field">
    <label for="from">From (UTC)</label>
    <input type="text" id="from" name="from" value="<?cs var:Filter.from ?>" maxlength="16" placeholder="YYYY-MM-DD or YYYY-MM-DDTHH:MM">
  </div>
  <div class="field">
    <label for="to">To (UTC, included)</label>
    <input type="text" id="to" name="to" value="<?cs var:Filter.to ?>" maxlength="16" placeholder="YYYY-MM-DD or YYYY-MM-DDTHH:MM">
  </div>
  <div class="field">
    <label for="action">Action</label>
    <input type="text" id="action" name="action" value="<?cs var:Filter.action ?>" maxlength="64" placeholder="contact.update, or contact.">
  </div>
  <div class="field">
    <label for="object_type">Object type</label>
    <input type="text" id="object_type" name="object_type" value="<?cs var:Filter.object_type ?>" maxlength="32" placeholder="contact, user, campaign">
  </div>
  <div class="field">
    <label for="object_id">Object number</label>
    <input type="text" id="object_id" name="object_id" value="<?cs var:Filter.object_id ?>" maxlength="20" inputmode="numeric">
  </div>
  <div class="field">
    <label for="outcome">Outcome</label>
    <input type="text" id="outcome" name="outcome" value="<?cs var:Filter.outcome ?>" maxlength="7" placeholder="ok, denied, failed, error, 403, 4xx">
  </div>
  <div class="field">
    <label for="contact">Contact</label>
    <input type="text" id="contact" name="contact" value="<?cs var:Filter.contact ?>" maxlength="20" inputmode="numeric" placeholder="every row touching it">
  </div>
  <div class="actions">
    <button type="submit">Filter</button>
    <a href="/audit">Clear</a>
  </div>
</form>
<?cs call:audit_results("No audit rows match.", "/audit?" + Audit.Filter) ?>
<?cs include:"layout_bottom.cs" ?>
