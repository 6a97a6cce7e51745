<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"admin_nav.cs" ?>
<p class="crumbs"><a href="/admin/users">Users</a> › <a href="/admin/users/<?cs var:User.id ?>"><?cs var:User.username ?></a> ›</p>
<h1>Reset the password of <?cs var:User.username ?></h1>
<form method="post" action="/admin/users/<?cs var:User.id ?>/password" class="panel narrow-form" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field<?cs if:Errors.password ?> invalid<?cs /if ?>">
    <label for="password">New password (at least <?cs var:Form.PasswordMin ?> characters)</label>
    <input type="password" id="password" name="password" autocomplete="new-password" maxlength="1024"<?cs if:Errors.password ?> aria-invalid="true" aria-describedby="password-error"<?cs /if ?>>
    <?cs call:field_error(Errors.password, "password") ?>
  </div>
  <div class="field<?cs if:Errors.password2 ?> invalid<?cs /if ?>">
    <label for="password2">The same password again</label>
    <input type="password" id="password2" name="password2" autocomplete="new-password" maxlength="1024"<?cs if:Errors.password2 ?> aria-invalid="true" aria-describedby="password2-error"<?cs /if ?>>
    <?cs call:field_error(Errors.password2, "password2") ?>
  </div>
  <p class="muted">Every session of the user ends: they log in again with the new password and must then choose one of their own.</p>
  <div class="actions">
    <button type="submit" class="primary">Set the password</button>
    <a href="/admin/users/<?cs var:User.id ?>">Cancel</a>
  </div>
</form>
<?cs include:"layout_bottom.cs" ?>
