<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"admin_nav.cs" ?>
<h1>User types</h1>
<?cs if:subcount(Types) == 0 ?>
<p class="empty">This client has no user types yet.</p>
<?cs else ?>
<table class="list">
  <thead><tr><th scope="col">Name</th><th scope="col">Users</th><th scope="col">Functions allowed</th></tr></thead>
  <tbody>
  <?cs each:t = Types ?>
    <tr><td><a href="/admin/types/<?cs var:t.id ?>"><?cs var:t.name ?></a></td><td><?cs var:t.users ?></td><td><?cs var:t.functions ?> of <?cs var:Catalogue.count ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<form method="post" action="/admin/types" class="panel narrow-form">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <h2>New user type</h2>
  <div class="field<?cs if:Errors.name ?> invalid<?cs /if ?>">
    <label for="name">Name</label>
    <input type="text" id="name" name="name" value="<?cs var:New.name ?>" maxlength="100" required<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="name-error"<?cs /if ?>>
    <?cs call:field_error(Errors.name, "name") ?>
  </div>
  <p class="muted">A new user type is allowed nothing until you allow it functions in the <a href="/admin/matrix">security matrix</a>.</p>
  <button type="submit" class="primary">Create</button>
</form>
<?cs include:"layout_bottom.cs" ?>
