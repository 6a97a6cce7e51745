<?cs include:"layout_top.cs" ?>
<?cs include:"admin_nav.cs" ?>
<h1>Administration</h1>
<section class="panel">
<dl class="details">
  <?cs if:Allowed.users.manage ?>
  <dt><a href="/admin/users">Users</a></dt>
  <dd>Create users, choose their user type, disable them, reset passwords, and limit each one to some regions and campaigns.</dd>
  <dt><a href="/admin/explain">Who sees what</a></dt>
  <dd>Can a user see a contact, and which rule decides?</dd>
  <?cs /if ?>
  <?cs if:Allowed.matrix.manage ?>
  <dt><a href="/admin/types">User types</a></dt>
  <dd>The roles of this client's users.</dd>
  <dt><a href="/admin/matrix">Security matrix</a></dt>
  <dd>Which functions each user type may use. Anything not allowed is prohibited.</dd>
  <?cs /if ?>
</dl>
</section>
<?cs if:Allowed.users.manage ?>
<section class="panel" id="client-time-zone" aria-labelledby="client-time-zone-h">
<h2 id="client-time-zone-h">Time zone</h2>
<p>Activity times are entered and shown in this zone, and a follow-up is due "today" by its calendar.</p>
<form method="post" action="/admin/time-zone" class="inline-form">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field<?cs if:Errors.time_zone ?> invalid<?cs /if ?>">
    <label for="time_zone">Time zone (IANA name)</label>
    <input type="text" id="time_zone" name="time_zone" value="<?cs var:Client.time_zone ?>" maxlength="64" autocomplete="off"<?cs if:Errors.time_zone ?> aria-invalid="true" aria-describedby="time_zone-error"<?cs /if ?>>
    <?cs if:Errors.time_zone ?><p class="error" id="time_zone-error"><?cs var:Errors.time_zone ?></p><?cs /if ?>
  </div>
  <button type="submit">Save</button>
</form>
</section>
<?cs /if ?>
<section class="panel" id="data-protection" aria-labelledby="data-protection-h">
<h2 id="data-protection-h">Data protection</h2>
<dl class="details">
  <dt>Last good backup</dt>
  <dd id="backup-last"><?cs if:Protection.Backup.at ?><?cs var:Protection.Backup.at ?> (<?cs var:Protection.Backup.age ?>)<?cs if:Protection.Backup.offsite ?>, copied off-site<?cs else ?>, <strong>not copied off-site</strong><?cs /if ?><?cs if:Protection.Backup.late ?> <strong class="error">Late: the daily backup has not succeeded for more than a day.</strong><?cs /if ?><?cs else ?><strong class="error">None recorded: no backup has succeeded yet.</strong><?cs /if ?></dd>
  <?cs if:Protection.Failed.at ?>
  <dt>Failed since</dt>
  <dd id="backup-failed" class="error">The backup of <?cs var:Protection.Failed.at ?> failed: <?cs var:Protection.Failed.error ?></dd>
  <?cs /if ?>
  <dt>Commits</dt>
  <dd id="replication-mode"><?cs if:Protection.SemiSync == "on" ?>Each commit waits until the standby has it (semi-synchronous replication).<?cs elif:Protection.SemiSync == "off" ?><strong class="error">Not protected: the primary is committing without the standby (asynchronous), so a failure of the primary now would lose recent changes.</strong><?cs else ?>Not replicated: the database has no standby.<?cs /if ?></dd>
  <?cs each:sb = Protection.Standbys ?>
  <dt>Standby<?cs if:Protection.StandbyCount > 1 ?> <?cs var:sb.number ?><?cs /if ?></dt>
  <dd class="standby"><?cs if:sb.state == "replicating" ?>Replicating, <?cs if:?sb.delay ?><?cs var:sb.delay ?> s behind<?cs else ?>delay unknown<?cs /if ?>.<?cs elif:sb.state == "away" ?><strong class="error">Not answering.</strong><?cs elif:sb.state == "idle" ?><strong class="error">Not replicating.</strong><?cs else ?><strong class="error">Replication stopped.</strong><?cs /if ?><?cs if:sb.error ?> The operator's log has the reason.<?cs /if ?></dd>
  <?cs /each ?>
</dl>
</section>
<?cs include:"layout_bottom.cs" ?>
