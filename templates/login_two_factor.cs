<?cs include:"layout_top.cs" ?>
<section class="panel narrow">
  <h1>Two-factor logon</h1>
  <?cs if:Login.Error ?><p class="error" role="alert" id="code-error"><?cs var:Login.Error ?></p><?cs /if ?>
  <?cs if:Login.Ended ?>
  <p><a href="/login">Log in again</a></p>
  <?cs else ?>
  <form method="post" action="/login/two-factor">
    <input type="hidden" name="csrf" value="<?cs var:Login.Csrf ?>">
    <input type="hidden" name="next" value="<?cs var:Login.Next ?>">
    <div class="field<?cs if:Login.Error ?> invalid<?cs /if ?>">
      <label for="code">Code from your authenticator app</label>
      <input type="text" id="code" name="code" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required autofocus maxlength="60"<?cs if:Login.Error ?> aria-invalid="true" aria-describedby="code-error"<?cs /if ?>>
    </div>
    <p class="muted">Lost your phone? Type one of your recovery codes instead (like ABCDEF-GHIJKL-MNOPQR-STUVWX).</p>
    <button type="submit" class="primary">Log in</button>
  </form>
  <?cs /if ?>
</section>
<?cs include:"layout_bottom.cs" ?>
