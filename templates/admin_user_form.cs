<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"admin_nav.cs" ?>
<p class="crumbs"><a href="/admin/users">Users</a> ›<?cs if:Form.Edit == "1" ?> <a href="/admin/users/<?cs var:User.id ?>"><?cs var:User.username ?></a> ›<?cs /if ?></p>
<h1><?cs var:Page.Title ?></h1>
<form method="post" action="<?cs if:Form.Edit == "1" ?>/admin/users/<?cs var:User.id ?><?cs else ?>/admin/users<?cs /if ?>" class="panel narrow-form" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <?cs if:Form.Edit == "1" ?>
  <p>Username: <strong><?cs var:User.username ?></strong></p>
  <?cs else ?>
  <div class="field<?cs if:Errors.username ?> invalid<?cs /if ?>">
    <label for="username">Username</label>
    <input type="text" id="username" name="username" value="<?cs var:User.username ?>" maxlength="100" autocomplete="off" autocapitalize="none" spellcheck="false" required<?cs if:Errors.username ?> aria-invalid="true" aria-describedby="username-error"<?cs /if ?>>
    <?cs call:field_error(Errors.username, "username") ?>
  </div>
  <?cs /if ?>
  <div class="field<?cs if:Errors.display_name ?> invalid<?cs /if ?>">
    <label for="display_name">Name</label>
    <input type="text" id="display_name" name="display_name" value="<?cs var:User.display_name ?>" maxlength="200"<?cs if:Errors.display_name ?> aria-invalid="true" aria-describedby="display_name-error"<?cs /if ?>>
    <?cs call:field_error(Errors.display_name, "display_name") ?>
  </div>
  <div class="field<?cs if:Errors.user_type ?> invalid<?cs /if ?>">
    <label for="user_type">User type</label>
    <select id="user_type" name="user_type"<?cs if:Errors.user_type ?> aria-invalid="true" aria-describedby="user_type-error"<?cs /if ?>>
      <option value="">(choose)</option>
      <?cs each:t = Types ?><option value="<?cs var:t.id ?>"<?cs if:t.chosen ?> selected<?cs /if ?>><?cs var:t.name ?></option><?cs /each ?>
    </select>
    <?cs call:field_error(Errors.user_type, "user_type") ?>
  </div>
  <?cs if:Form.Edit == "1" ?>
  <div class="field<?cs if:Errors.status ?> invalid<?cs /if ?>">
    <label for="status">Status</label>
    <select id="status" name="status"<?cs if:Errors.status ?> aria-invalid="true" aria-describedby="status-error"<?cs /if ?>>
      <option value="active"<?cs if:User.status == "active" ?> selected<?cs /if ?>>active: may log in</option>
      <option value="disabled"<?cs if:User.status == "disabled" ?> selected<?cs /if ?>>disabled: may not log in (ends their sessions)</option>
    </select>
    <?cs call:field_error(Errors.status, "status") ?>
  </div>
  <?cs else ?>
  <div class="field<?cs if:Errors.password ?> invalid<?cs /if ?>">
    <label for="password">Initial password (at least <?cs var:Form.PasswordMin ?> characters)</label>
    <input type="password" id="password" name="password" autocomplete="new-password" maxlength="1024"<?cs if:Errors.password ?> aria-invalid="true" aria-describedby="password-error"<?cs /if ?>>
    <?cs call:field_error(Errors.password, "password") ?>
  </div>
  <div class="field<?cs if:Errors.password2 ?> invalid<?cs /if ?>">
    <label for="password2">The same password again</label>
    <input type="password" id="password2" name="password2" autocomplete="new-password" maxlength="1024"<?cs if:Errors.password2 ?> aria-invalid="true" aria-describedby="password2-error"<?cs /if ?>>
    <?cs call:field_error(Errors.password2, "password2") ?>
  </div>
  <p class="muted">The user must change this password at their first logon. A new user sees no contacts until you give them regions and campaigns.</p>
  <?cs /if ?>
  <div class="actions">
    <button type="submit" class="primary"><?cs if:Form.Edit == "1" ?>Save<?cs else ?>Create<?cs /if ?></button>
    <a href="<?cs if:Form.Edit == "1" ?>/admin/users/<?cs var:User.id ?><?cs else ?>/admin/users<?cs /if ?>">Cancel</a>
  </div>
</form>
<?cs include:"layout_bottom.cs" ?>
