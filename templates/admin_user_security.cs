<section class="panel" id="security">
  <h2>Logging on</h2>
  <dl class="details">
    <dt>Lock</dt>
    <dd id="user-lock"><?cs if:Security.locked_until ?>Locked after too many failed logons, until <?cs var:Security.locked_until ?> UTC.<?cs else ?>Not locked.<?cs /if ?></dd>
    <dt>Sessions</dt>
    <dd id="user-sessions"><?cs if:Security.sessions > 0 ?><?cs var:Security.sessions ?> live, last active <?cs var:Security.last_active ?> UTC.<?cs else ?>None: not logged in anywhere.<?cs /if ?></dd>
    <dt>Two-factor</dt>
    <dd id="user-two-factor"><?cs if:Security.TwoFactor.since ?>On since <?cs var:Security.TwoFactor.since ?> UTC; <?cs var:Security.TwoFactor.codes ?> recovery code<?cs if:Security.TwoFactor.codes != 1 ?>s<?cs /if ?> left.<?cs else ?>Not set up.<?cs /if ?><?cs if:Security.TwoFactor.required ?> Required by the user type.<?cs /if ?></dd>
  </dl>
  <?cs if:Security.locked_until || Security.sessions > 0 || Security.TwoFactor.since ?>
  <div class="actions">
    <?cs if:Security.locked_until ?>
    <form method="post" action="/admin/users/<?cs var:User.id ?>/unlock">
      <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
      <button type="submit">Unlock</button>
    </form>
    <?cs /if ?>
    <?cs if:Security.sessions > 0 ?>
    <form method="post" action="/admin/users/<?cs var:User.id ?>/sessions/end">
      <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
      <button type="submit">End all sessions</button>
    </form>
    <?cs /if ?>
    <?cs if:Security.TwoFactor.since ?>
    <form method="post" action="/admin/users/<?cs var:User.id ?>/two-factor/reset">
      <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
      <button type="submit" class="danger">Reset two-factor</button>
    </form>
    <?cs /if ?>
  </div>
  <?cs if:Security.TwoFactor.since ?>
  <p class="muted">Reset two-factor is for a user who lost their phone and recovery codes: it removes their secret and codes and ends their sessions; they set it up again.</p>
  <?cs /if ?>
  <?cs /if ?>
</section>
<section class="panel" id="tokens">
  <h2>API tokens</h2>
  <?cs include:"token_table.cs" ?>
  <?cs if:subcount(Security.Tokens) == 0 ?>
  <p id="user-tokens">This user has no API tokens.</p>
  <?cs else ?>
  <?cs call:token_table(Security.Tokens, "/admin/tokens/", "user-tokens") ?>
  <?cs /if ?>
</section>
