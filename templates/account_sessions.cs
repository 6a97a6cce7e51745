<?cs include:"layout_top.cs" ?>
<p class="crumbs"><a href="/account">Your account</a> ›</p>
<div class="titlebar">
  <h1>Your sessions <span class="count" id="session-count"><?cs var:Sessions.count ?></span></h1>
  <?cs if:Sessions.count > 1 ?>
  <form method="post" action="/account/sessions/end-others" class="inline">
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <button type="submit" class="primary">End all other sessions</button>
  </form>
  <?cs /if ?>
</div>
<p class="muted">Every browser where you are logged in. A session ends after <?cs var:Sessions.idle_minutes ?> minutes without use and <?cs var:Sessions.absolute_hours ?> hours after logon at the latest. Times are UTC.<?cs if:Sessions.count > Sessions.shown ?> The <?cs var:Sessions.shown ?> most recently used are shown.<?cs /if ?></p>
<table class="list" id="sessions">
  <thead><tr><th scope="col">Started</th><th scope="col">Last active</th><th scope="col">Address</th><th scope="col">Browser</th><th scope="col">End</th></tr></thead>
  <tbody>
  <?cs each:s = Sessions ?><?cs if:s.id ?>
    <tr id="session-<?cs var:s.id ?>"<?cs if:s.current ?> class="current"<?cs /if ?>>
      <td class="nowrap"><?cs var:s.created_at ?></td>
      <td class="nowrap"><?cs var:s.last_seen ?></td>
      <td><?cs var:s.remote_addr ?></td>
      <td><?cs if:s.user_agent ?><?cs var:s.user_agent ?><?cs else ?><span class="muted">unknown</span><?cs /if ?></td>
      <td class="nowrap"><?cs if:s.current ?><strong>This session</strong><?cs /if ?>
        <form method="post" action="/account/sessions/<?cs var:s.id ?>/end" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <button type="submit" class="link"><?cs if:s.current ?>Log out<?cs else ?>End<?cs /if ?></button>
        </form>
      </td>
    </tr>
  <?cs /if ?><?cs /each ?>
  </tbody>
</table>
<?cs include:"layout_bottom.cs" ?>
