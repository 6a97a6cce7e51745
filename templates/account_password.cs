<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/account">Your account</a> ›</p>
<h1>Change your password</h1>
<?cs if:Account.Changed ?>
<p class="flash" role="status" id="changed">Your password was changed; your other sessions were ended.</p>
<p><a href="/account">Back to your account</a></p>
<?cs else ?>
<?cs if:Account.MustChange ?>
<p class="panel narrow-form" id="must-change">An administrator has set your password. Before you go on, choose a new one that only you know.</p>
<?cs /if ?>
<?cs if:Form.Error ?><p class="error banner" role="alert" id="form-error"><?cs var:Form.Error ?></p><?cs /if ?>
<form method="post" action="/account/password" class="panel narrow-form" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <?cs call:password_field("current_password", "Current password", Errors.current_password, "current-password") ?>
  <?cs call:password_field("password", "New password (" + Form.PasswordMin + " to " + Form.PasswordMax + " characters)", Errors.password, "new-password") ?>
  <?cs call:password_field("password2", "The new password again", Errors.password2, "new-password") ?>
  <p class="muted">Any characters may be used, spaces too; a few words of your own make a good one. It may not be a commonly used password or your username. Changing it ends all your sessions, on every device; this one goes on.</p>
  <div class="actions">
    <button type="submit" class="primary">Change the password</button>
    <?cs if:!Account.MustChange ?><a href="/account">Cancel</a><?cs /if ?>
  </div>
</form>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
