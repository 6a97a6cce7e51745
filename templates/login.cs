<?cs include:"layout_top.cs" ?>
<section class="panel narrow">
  <h1>Log in</h1>
  <?cs if:Login.Error ?><p class="error" role="alert"><?cs var:Login.Error ?></p><?cs /if ?>
  <form method="post" action="/login">
    <input type="hidden" name="csrf" value="<?cs var:Login.Csrf ?>">
    <input type="hidden" name="next" value="<?cs var:Login.Next ?>">
    <div class="field">
      <label for="username">Username</label>
      <input type="text" id="username" name="username" value="<?cs var:Login.Username ?>" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus maxlength="100">
    </div>
    <div class="field">
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024">
    </div>
    <button type="submit" class="primary">Log in</button>
  </form>
</section>
<?cs include:"layout_bottom.cs" ?>
