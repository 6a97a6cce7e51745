<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<h1>Two-factor logon</h1>
<?cs if:Form.Error ?><p class="error" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<?cs if:subcount(TwoFactor.NewCodes) > 0 ?>
<section class="panel" id="recovery-codes">
  <h2>Your recovery codes</h2>
  <p>Write these down or print them now, and keep them apart from your phone: <strong>they are shown only this once</strong>. Each one logs you on once instead of a code from the app, if you lose your phone.</p>
  <ol class="codes"><?cs each:c = TwoFactor.NewCodes ?><li><code><?cs var:c ?></code></li><?cs /each ?></ol>
</section>
<?cs /if ?>
<?cs if:TwoFactor.enrolled ?>
<section class="panel">
  <p id="two-factor-status">Two-factor logon is on since <?cs var:TwoFactor.since ?> UTC. You have <?cs var:TwoFactor.codes ?> unused recovery code<?cs if:TwoFactor.codes != 1 ?>s<?cs /if ?>.</p>
  <?cs if:TwoFactor.required ?><p class="muted">Your user type requires two-factor logon.</p><?cs /if ?>
</section>
<form method="post" action="/account/two-factor/recovery-codes" class="panel narrow-form" id="renew" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <h2>Make new recovery codes</h2>
  <p class="muted">The old codes stop working.</p>
  <div class="field<?cs if:Errors.renew ?> invalid<?cs /if ?>">
    <label for="renew-code">A code from your app</label>
    <input type="text" id="renew-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="20"<?cs if:Errors.renew ?> aria-invalid="true" aria-describedby="renew-code-error"<?cs /if ?>>
    <?cs call:field_error(Errors.renew, "renew-code") ?>
  </div>
  <button type="submit">Make new recovery codes</button>
</form>
<form method="post" action="/account/two-factor/off" class="panel narrow-form" id="off" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <h2>Turn two-factor logon off</h2>
  <?cs if:TwoFactor.required ?>
  <p>Your user type requires two-factor logon, so it cannot be turned off. If you lose your phone and your recovery codes, an administrator can reset it.</p>
  <?cs call:field_error(Errors.off, "off-code") ?>
  <?cs else ?>
  <div class="field<?cs if:Errors.off ?> invalid<?cs /if ?>">
    <label for="off-code">A code from your app</label>
    <input type="text" id="off-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="20"<?cs if:Errors.off ?> aria-invalid="true" aria-describedby="off-code-error"<?cs /if ?>>
    <?cs call:field_error(Errors.off, "off-code") ?>
  </div>
  <div class="field">
    <label for="off-password">or your password</label>
    <input type="password" id="off-password" name="password" autocomplete="current-password" maxlength="1024">
  </div>
  <button type="submit" class="danger">Turn off</button>
  <?cs /if ?>
</form>
<?cs elif:TwoFactor.unavailable ?>
<section class="panel">
  <p>Two-factor logon cannot be set up on this installation yet: it has no key to protect the secrets (<code>TwoFactor.KeyFile</code>). Please tell the operators.</p>
</section>
<?cs else ?>
<section class="panel">
  <?cs if:TwoFactor.required ?><p class="flash" role="status">Your user type requires two-factor logon: set it up to go on.</p><?cs /if ?>
  <p>With two-factor logon you type a code from an authenticator app on your phone (such as FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator) after your password, so that a password alone is not enough.</p>
  <ol>
    <li>In the app, add an account and scan this QR code:
      <p><img src="/account/two-factor/qr.svg" alt="QR code of your two-factor secret for <?cs var:TwoFactor.issuer ?>" class="qr" id="qr"></p>
    </li>
    <li>Or type in this secret (time-based, 6 digits, every 30 seconds):
      <p><code id="secret" class="secret"><?cs var:TwoFactor.secret ?></code></p>
    </li>
    <li>Type the code the app shows, and your password:</li>
  </ol>
  <form method="post" action="/account/two-factor" class="narrow-form" novalidate>
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <div class="field<?cs if:Errors.code ?> invalid<?cs /if ?>">
      <label for="code">Code from the app</label>
      <input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="20" required autofocus<?cs if:Errors.code ?> aria-invalid="true" aria-describedby="code-error"<?cs /if ?>>
      <?cs call:field_error(Errors.code, "code") ?>
    </div>
    <div class="field<?cs if:Errors.password ?> invalid<?cs /if ?>">
      <label for="enrol-password">Your password</label>
      <input type="password" id="enrol-password" name="password" autocomplete="current-password" maxlength="1024" required<?cs if:Errors.password ?> aria-invalid="true" aria-describedby="enrol-password-error"<?cs /if ?>>
      <?cs call:field_error(Errors.password, "enrol-password") ?>
    </div>
    <button type="submit" class="primary">Turn on two-factor logon</button>
  </form>
  <p class="muted">This secret is offered for <?cs var:TwoFactor.pending_minutes ?> minutes; after that the page shows a new one.</p>
</section>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
