<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<div class="titlebar">
  <h1>Saved views</h1>
  <a class="button" href="/contacts">Contacts</a>
</div>
<?cs if:Form.Error ?><p class="error banner" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<?cs if:New.query || Errors.name ?>
<form method="post" action="/views?<?cs var:New.query ?>" class="panel views-save" id="view-save">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field<?cs if:Errors.name ?> invalid<?cs /if ?>">
    <label for="view-name">Save the filter <code><?cs var:New.query ?></code> as</label>
    <input type="text" id="view-name" name="name" value="<?cs var:New.name ?>" maxlength="100" required<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="view-name-error"<?cs /if ?>>
    <?cs call:field_error(Errors.name, "view-name") ?>
  </div>
  <label><input type="checkbox" id="view-shared" name="shared" value="1"<?cs if:New.shared == "1" ?> checked<?cs /if ?>> Share with my user type</label>
  <button type="submit" class="primary">Save view</button>
</form>
<?cs /if ?>
<?cs if:!Views.0.id ?>
<p class="empty">No saved views yet. Filter the contact list, then use “Save this view”.</p>
<?cs else ?>
<table class="list" id="views-table">
  <thead><tr><th scope="col">Name</th><th scope="col">Filter</th><th scope="col">Shared</th><th scope="col">Open</th><th scope="col">Change</th></tr></thead>
  <tbody>
  <?cs each:v = Views ?>
    <tr id="view-<?cs var:v.id ?>">
      <td><a href="/contacts?view=<?cs var:v.id ?>"><?cs var:v.name ?></a><?cs if:v.mine == "0" ?> <span class="muted">by <?cs var:v.owner ?></span><?cs /if ?></td>
      <td><code><?cs var:v.query ?></code></td>
      <td><?cs if:v.shared == "1" ?>with my user type<?cs else ?>no<?cs /if ?></td>
      <td class="nowrap"><a href="/contacts?view=<?cs var:v.id ?>">List</a><?cs if:Allowed.reports.view ?> · <a href="/dashboard?view=<?cs var:v.id ?>">Dashboard</a><?cs /if ?><?cs if:Allowed.contacts.export ?> · <a rel="export" href="/export/contacts.csv?view=<?cs var:v.id ?>&amp;safe=1&amp;bom=1">CSV</a><?cs /if ?></td>
      <td>
      <?cs if:v.mine == "1" ?>
        <form method="post" action="/views/<?cs var:v.id ?>" class="inline-form" id="view-edit-<?cs var:v.id ?>">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <?cs if:Edit.id == v.id ?>
          <div class="field invalid">
            <label for="view-name-<?cs var:v.id ?>">Name</label>
            <input type="text" id="view-name-<?cs var:v.id ?>" name="name" value="<?cs var:Edit.name ?>" maxlength="100" required aria-invalid="true" aria-describedby="view-name-<?cs var:v.id ?>-error">
            <p class="error" id="view-name-<?cs var:v.id ?>-error"><?cs var:Edit.error ?></p>
          </div>
          <label><input type="checkbox" name="shared" value="1"<?cs if:Edit.shared == "1" ?> checked<?cs /if ?>> Shared</label>
          <?cs else ?>
          <div class="field">
            <label for="view-name-<?cs var:v.id ?>">Name</label>
            <input type="text" id="view-name-<?cs var:v.id ?>" name="name" value="<?cs var:v.name ?>" maxlength="100" required>
          </div>
          <label><input type="checkbox" name="shared" value="1"<?cs if:v.shared == "1" ?> checked<?cs /if ?>> Shared</label>
          <?cs /if ?>
          <button type="submit">Save</button>
        </form>
        <form method="post" action="/views/<?cs var:v.id ?>/delete" class="inline" id="view-delete-<?cs var:v.id ?>">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <button type="submit" class="danger">Delete</button>
        </form>
      <?cs else ?><span class="muted">Read-only (shared with you)</span><?cs /if ?>
      </td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
