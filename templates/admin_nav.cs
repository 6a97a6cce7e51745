<nav class="tabs" aria-label="Administration">
  <?cs if:Allowed.users.manage ?><a href="/admin/users"<?cs if:Admin.Section == "users" ?> aria-current="page"<?cs /if ?>>Users</a>
  <a href="/admin/explain"<?cs if:Admin.Section == "explain" ?> aria-current="page"<?cs /if ?>>Who sees what</a>
  <a href="/admin/security"<?cs if:Admin.Section == "security" ?> aria-current="page"<?cs /if ?>>Security events</a><?cs /if ?>
  <?cs if:Allowed.matrix.manage ?><a href="/admin/types"<?cs if:Admin.Section == "types" ?> aria-current="page"<?cs /if ?>>User types</a>
  <a href="/admin/matrix"<?cs if:Admin.Section == "matrix" ?> aria-current="page"<?cs /if ?>>Security matrix</a><?cs /if ?>
</nav>
<?cs if:Form.Error ?><p class="error banner" role="alert" id="form-error"><?cs var:Form.Error ?></p><?cs /if ?>
