<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"admin_nav.cs" ?>
<p class="crumbs"><a href="/admin/types">User types</a> ›</p>
<h1><?cs var:Type.stored_name ?></h1>
<section class="panel">
  <p><?cs var:Type.users ?> user<?cs if:Type.users != 1 ?>s<?cs /if ?> of this type.</p>
  <?cs if:subcount(Type.Functions) == 0 ?>
  <p>Allowed: nothing (every function is prohibited).</p>
  <?cs else ?>
  <p>Allowed:</p>
  <ul class="functions"><?cs each:f = Type.Functions ?><li><code><?cs var:f ?></code></li><?cs /each ?></ul>
  <?cs /if ?>
  <p><a href="/admin/matrix">Change in the security matrix</a></p>
</section>
<form method="post" action="/admin/types/<?cs var:Type.id ?>/two-factor" class="panel narrow-form" id="two-factor">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <h2>Two-factor logon</h2>
  <div class="field">
    <label><input type="checkbox" name="require_two_factor" value="1"<?cs if:Type.require_two_factor ?> checked<?cs /if ?>> Require two-factor logon (TOTP) of this type's users</label>
  </div>
  <p class="muted">Users of the type who have not set it up are led to set it up at their next request, and can do nothing else until they have.</p>
  <button type="submit">Save</button>
</form>
<form method="post" action="/admin/types/<?cs var:Type.id ?>" class="panel narrow-form">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <h2>Rename</h2>
  <div class="field<?cs if:Errors.name ?> invalid<?cs /if ?>">
    <label for="name">Name</label>
    <input type="text" id="name" name="name" value="<?cs var:Type.name ?>" maxlength="100" required<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="name-error"<?cs /if ?>>
    <?cs call:field_error(Errors.name, "name") ?>
  </div>
  <button type="submit" class="primary">Rename</button>
</form>
<section class="panel narrow-form">
  <h2>Delete</h2>
  <?cs if:Type.users == 0 ?>
  <form method="post" action="/admin/types/<?cs var:Type.id ?>/delete" class="actions">
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <button type="submit" class="danger">Delete this user type</button>
  </form>
  <?cs else ?>
  <p>A user type can be deleted only when no user has it: give its users another type first.</p>
  <?cs /if ?>
</section>
<?cs include:"layout_bottom.cs" ?>
