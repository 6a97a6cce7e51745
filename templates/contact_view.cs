<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/contacts">Contacts</a> ›</p>
<div class="titlebar">
  <h1><?cs var:Contact.display_name ?><?cs if:Contact.nickname ?> <span class="muted">“<?cs var:Contact.nickname ?>”</span><?cs /if ?></h1>
  <div class="actions">
    <?cs if:Can.Edit == "1" ?><a class="button primary" href="/contacts/<?cs var:Contact.id ?>/edit">Edit</a><?cs /if ?>
    <?cs if:Can.Delete == "1" ?><a class="button danger" href="/contacts/<?cs var:Contact.id ?>/delete">Delete</a><?cs /if ?>
  </div>
</div>
<section class="panel">
<dl class="details">
  <?cs call:show(Fields.title.label, Contact.title) ?>
  <?cs call:show(Fields.first_name.label, Contact.first_name) ?>
  <?cs call:show(Fields.middle_name.label, Contact.middle_name) ?>
  <?cs call:show(Fields.last_name.label, Contact.last_name) ?>
  <?cs call:show(Fields.suffix.label, Contact.suffix) ?>
  <?cs if:Contact.organisation ?><dt><?cs var:Fields.organisation.label ?></dt><dd><?cs if:Contact.organisation_id ?><a href="/organisations/<?cs var:Contact.organisation_id ?>" id="organisation-link"><?cs var:Contact.organisation ?></a><?cs else ?><?cs var:Contact.organisation ?><?cs /if ?></dd><?cs /if ?>
  <?cs call:show(Fields.party.label, Contact.party) ?>
  <?cs call:show(Fields.region.label, Contact.region_name) ?>
  <?cs if:Contact.email ?><dt><?cs var:Fields.email.label ?></dt><dd><a href="mailto:<?cs var:url_escape(Contact.email) ?>"><?cs var:Contact.email ?></a></dd><?cs /if ?>
  <?cs call:show(Fields.phone.label, Contact.phone) ?>
  <?cs each:x = Channels ?><dt><?cs if:x.kind == "email" ?>Other email<?cs else ?>Other phone<?cs /if ?><?cs if:x.types ?> (<?cs var:x.types ?>)<?cs /if ?></dt><dd><?cs if:x.kind == "email" ?><a href="mailto:<?cs var:url_escape(x.value) ?>"><?cs var:x.value ?></a><?cs else ?><?cs var:x.value ?><?cs /if ?></dd><?cs /each ?>
  <?cs if:Contact.address ?><dt><?cs var:Fields.address.label ?></dt><dd class="pre"><?cs var:Contact.address ?></dd><?cs /if ?>
  <?cs call:show(Fields.city.label, Contact.city) ?>
  <?cs call:show(Fields.address_region.label, Contact.address_region) ?>
  <?cs call:show(Fields.postal_code.label, Contact.postal_code) ?>
  <?cs call:show(Fields.country.label, Contact.country) ?>
  <?cs if:Contact.website ?><dt><?cs var:Fields.website.label ?></dt><dd><a href="<?cs var:url_validate(Contact.website) ?>" rel="noopener noreferrer"><?cs var:Contact.website ?></a></dd><?cs /if ?>
  <?cs if:Contact.contact_form ?><dt><?cs var:Fields.contact_form.label ?></dt><dd><a href="<?cs var:url_validate(Contact.contact_form) ?>" rel="noopener noreferrer"><?cs var:Contact.contact_form ?></a></dd><?cs /if ?>
  <?cs call:show(Fields.birthday.label, Contact.birthday) ?>
  <?cs if:Tags.0 ?><dt>Tags</dt><dd><?cs each:t = Tags ?><span class="badge"><?cs var:t ?></span> <?cs /each ?></dd><?cs /if ?>
  <?cs if:Contact.notes ?><dt><?cs var:Fields.notes.label ?></dt><dd class="pre"><?cs var:Contact.notes ?></dd><?cs /if ?>
</dl>
<p class="muted">Created <?cs var:Contact.created_at ?> UTC · last updated <?cs var:Contact.updated_at ?> UTC</p>
</section>
<?cs if:CampaignPanel ?>
<section class="panel" id="campaigns" aria-labelledby="campaigns-title">
  <h2 class="sub" id="campaigns-title">Campaigns</h2>
  <?cs if:Memberships.0.id ?>
  <table class="list memberships">
    <thead><tr><th scope="col">Campaign</th><th scope="col">Status</th><?cs if:Allowed.campaigns.manage ?><th scope="col"><span class="skip">Change</span></th><?cs /if ?></tr></thead>
    <tbody>
    <?cs each:m = Memberships ?>
      <tr>
        <td><a href="/campaigns/<?cs var:m.id ?>"><?cs var:m.name ?></a><?cs if:m.archived_at ?> <span class="badge">archived</span><?cs /if ?></td>
        <td class="status"><?cs var:m.status_label ?></td>
        <?cs if:Allowed.campaigns.manage ?><td><?cs if:!m.archived_at ?>
          <form method="post" action="/contacts/<?cs var:Contact.id ?>/campaigns/remove" class="inline">
            <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
            <input type="hidden" name="campaign_id" value="<?cs var:m.id ?>">
            <button type="submit" class="danger">Remove</button>
          </form><?cs /if ?></td><?cs /if ?>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs else ?>
  <p class="muted">Not in any of your campaigns.</p>
  <?cs /if ?>
  <?cs if:Allowed.campaigns.manage && JoinChoices.0.id ?>
  <form method="post" action="/contacts/<?cs var:Contact.id ?>/campaigns" class="inline-form">
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <div class="field">
      <label for="join-campaign">Add to campaign</label>
      <select id="join-campaign" name="campaign_id">
        <?cs each:g = JoinChoices ?><option value="<?cs var:g.id ?>"><?cs var:g.name ?></option><?cs /each ?>
      </select>
    </div>
    <button type="submit">Add</button>
  </form>
  <?cs /if ?>
</section>
<?cs /if ?>
<?cs if:ActivityPanel ?>
<section class="panel" id="follow-ups" aria-labelledby="follow-ups-title">
  <h2 class="sub" id="follow-ups-title">Open follow-ups</h2>
  <?cs if:OpenFollowUps.0.id ?>
  <ul class="follow-ups">
  <?cs each:t = OpenFollowUps ?>
    <li id="open-follow-up-<?cs var:t.id ?>"<?cs if:t.overdue ?> class="overdue"<?cs /if ?>>
      <span class="due">Due <time datetime="<?cs var:t.due_on ?>"><?cs var:t.due_on ?></time><?cs if:t.overdue ?> <span class="badge">overdue</span><?cs /if ?></span>
      <?cs var:t.subject ?> · <?cs var:t.assignee ?><?cs if:t.campaign ?> · <?cs var:t.campaign ?><?cs /if ?>
      <?cs if:t.can_tick ?><form method="post" action="/activities/<?cs var:t.id ?>/done" class="inline">
        <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
        <button type="submit">Done</button>
      </form><?cs /if ?>
    </li>
  <?cs /each ?>
  </ul>
  <?cs else ?>
  <p class="muted">No open follow-ups.</p>
  <?cs /if ?>
</section>
<section class="panel" id="activities" aria-labelledby="activities-title">
  <h2 class="sub" id="activities-title">Activities</h2>
  <?cs if:Allowed.activities.create ?>
  <details class="log-activity"<?cs if:ActivityForm.given ?> open<?cs /if ?>>
    <summary>Log an activity</summary>
    <?cs include:"activity_fields.cs" ?>
  </details>
  <?cs /if ?>
  <?cs if:ActivityList.Total == 0 ?>
  <p class="muted">No activities yet.</p>
  <?cs else ?>
  <p class="muted" id="activities-count">Activities <?cs var:ActivityList.From ?>–<?cs var:ActivityList.To ?> of <?cs var:ActivityList.Total ?>, newest first; times in <?cs var:ActivityList.Zone ?>.</p>
  <ol class="timeline">
  <?cs each:a = Activities ?>
    <li id="activity-<?cs var:a.id ?>" class="activity kind-<?cs var:a.kind ?>">
      <p class="head"><span class="badge"><?cs var:a.kind_label ?></span> <time><?cs var:a.when ?></time> · <?cs var:a.user ?><?cs if:a.campaign ?> · <span class="campaign"><?cs var:a.campaign ?></span><?cs /if ?></p>
      <?cs if:a.subject ?><p class="subject"><strong><?cs var:a.subject ?></strong></p><?cs /if ?>
      <?cs if:a.body ?><p class="pre body"><?cs var:a.body ?></p><?cs /if ?>
      <?cs if:a.outcome ?><p class="outcome">Outcome: <?cs var:a.outcome ?></p><?cs /if ?>
      <?cs if:a.kind == "task" ?><p class="task">Due <?cs var:a.due_on ?> · assigned to <?cs var:a.assignee ?> · <?cs if:a.done_at ?>done <?cs var:a.done_at ?><?cs else ?>open<?cs /if ?></p><?cs /if ?>
      <div class="actions">
        <?cs if:a.kind == "task" && a.can_tick ?><form method="post" action="/activities/<?cs var:a.id ?>/<?cs if:a.done_at ?>undone<?cs else ?>done<?cs /if ?>" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <button type="submit"><?cs if:a.done_at ?>Not done<?cs else ?>Done<?cs /if ?></button>
        </form><?cs /if ?>
        <?cs if:Allowed.activities.edit ?><a href="/activities/<?cs var:a.id ?>/edit">Edit</a><?cs /if ?>
        <?cs if:Allowed.activities.delete ?><form method="post" action="/activities/<?cs var:a.id ?>/delete" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <button type="submit" class="danger">Delete</button>
        </form><?cs /if ?>
      </div>
    </li>
  <?cs /each ?>
  </ol>
  <?cs if:ActivityList.Pages > 1 ?>
  <nav class="pager" aria-label="Pages of activities">
    <?cs if:ActivityList.Page > 1 ?>
    <a href="/contacts/<?cs var:Contact.id ?>?activities_page=<?cs var:ActivityList.Page - 1 ?>#activities" rel="prev">‹ Newer</a>
    <?cs /if ?>
    <span>Page <?cs var:ActivityList.Page ?> of <?cs var:ActivityList.Pages ?></span>
    <?cs if:ActivityList.Page < ActivityList.Pages ?>
    <a href="/contacts/<?cs var:Contact.id ?>?activities_page=<?cs var:ActivityList.Page + 1 ?>#activities" rel="next">Older ›</a>
    <?cs /if ?>
  </nav>
  <?cs /if ?>
  <?cs /if ?>
</section>
<?cs /if ?>
<?cs if:History.Shown ?>
<section class="panel" id="history" aria-labelledby="history-title">
  <h2 class="sub" id="history-title">History</h2>
  <?cs if:History.Count == 0 ?>
  <p class="muted">No one has viewed or changed this contact yet.</p>
  <?cs else ?>
  <table class="list history">
    <thead><tr><th scope="col">Time (UTC)</th><th scope="col">User</th><th scope="col">Address</th><th scope="col">Action</th><th scope="col">Outcome</th></tr></thead>
    <tbody>
    <?cs each:h = History.Rows ?>
      <tr id="history-<?cs var:h.id ?>">
        <td class="nowrap"><time datetime="<?cs var:h.time_full ?>"><?cs var:h.time ?></time></td>
        <td><?cs if:h.user ?><?cs var:h.user ?><?cs else ?><span class="muted">nobody</span><?cs /if ?><?cs if:h.token ?> <span class="badge">token</span><?cs /if ?></td>
        <td class="nowrap"><?cs var:h.addr ?></td>
        <td><code><?cs var:h.action ?></code></td>
        <td class="nowrap"><?cs var:h.outcome ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs /if ?>
  <p><a href="/audit?contact=<?cs var:Contact.id ?>" rel="history">All of this contact's history</a></p>
</section>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
