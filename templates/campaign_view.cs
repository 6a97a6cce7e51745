<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/campaigns">Campaigns</a> ›</p>
<div class="titlebar">
  <h1><?cs var:Campaign.name ?><?cs if:Campaign.archived_at ?> <span class="badge">archived</span><?cs /if ?></h1>
  <div class="actions">
    <?cs if:Allowed.contacts.view ?><a class="button" href="/contacts?campaign=<?cs var:Campaign.id ?>">Show in the contact list</a><?cs /if ?>
    <?cs if:Allowed.campaigns.manage ?>
    <form method="post" action="/campaigns/<?cs var:Campaign.id ?>/<?cs if:Campaign.archived_at ?>unarchive<?cs else ?>archive<?cs /if ?>" class="inline">
      <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
      <button type="submit"><?cs if:Campaign.archived_at ?>Unarchive<?cs else ?>Archive<?cs /if ?></button>
    </form>
    <?cs /if ?>
  </div>
</div>
<?cs if:Form.Error ?><p class="error banner" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<section class="panel">
  <h2 class="sub">Members <span class="count" id="members-total"><?cs var:Campaign.members ?></span></h2>
  <ul class="status-counts">
    <?cs each:s = Counts ?><li><a href="/campaigns/<?cs var:Campaign.id ?>?status=<?cs var:url_escape(s.code) ?>"><?cs var:s.label ?></a> <span class="count" id="count-<?cs var:s.code ?>"><?cs var:s.count ?></span></li><?cs /each ?>
  </ul>
  <p class="muted">Created <?cs var:string.slice(Campaign.created_at, 0, 19) ?> UTC<?cs if:Campaign.archived_at ?> · archived <?cs var:string.slice(Campaign.archived_at, 0, 19) ?> UTC: its members do not change until it is unarchived<?cs /if ?>. Members are counted among the contacts you can see.<?cs if:Allowed.campaigns.manage ?> <a href="/campaigns/statuses" id="manage-statuses">Manage the statuses</a>.<?cs /if ?></p>
  <?cs if:Allowed.campaigns.manage ?>
  <form method="post" action="/campaigns/<?cs var:Campaign.id ?>" class="inline-form">
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <div class="field<?cs if:Errors.name ?> invalid<?cs /if ?>">
      <label for="name">Name</label>
      <input type="text" id="name" name="name" value="<?cs var:Edit.name ?>" maxlength="200" required<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="name-error"<?cs /if ?>>
      <?cs call:field_error(Errors.name, "name") ?>
    </div>
    <button type="submit">Rename</button>
  </form>
  <?cs /if ?>
</section>
<form method="get" action="/campaigns/<?cs var:Campaign.id ?>" class="filters" role="search">
  <div class="field">
    <label for="q">Name</label>
    <input type="search" id="q" name="q" value="<?cs var:List.q ?>" maxlength="100" placeholder="Search names">
  </div>
  <div class="field">
    <label for="region">State or district</label>
    <select id="region" name="region" aria-describedby="region-hint">
      <option value="">All regions</option>
      <?cs if:States.0.code ?><optgroup label="States"><?cs each:g = States ?><option value="<?cs var:g.code ?>"<?cs if:g.code == List.region ?> selected<?cs /if ?>><?cs var:g.name ?></option><?cs /each ?></optgroup><?cs /if ?>
      <?cs if:Districts.0.code ?><optgroup label="Districts"><?cs each:g = Districts ?><option value="<?cs var:g.code ?>"<?cs if:g.code == List.region ?> selected<?cs /if ?>><?cs var:g.name ?></option><?cs /each ?></optgroup><?cs /if ?>
    </select>
    <p class="muted" id="region-hint">Filter by a state to choose among its districts.</p>
  </div>
  <div class="field">
    <label for="status">Status</label>
    <select id="status" name="status">
      <option value="">All statuses</option>
      <?cs each:s = Statuses ?><option value="<?cs var:s.code ?>"<?cs if:s.code == List.status ?> selected<?cs /if ?>><?cs var:s.label ?></option><?cs /each ?>
    </select>
  </div>
  <div class="actions">
    <button type="submit">Filter</button>
    <a href="/campaigns/<?cs var:Campaign.id ?>">Clear</a>
  </div>
</form>
<?cs if:List.Total == 0 ?>
<p class="empty">No members match.</p>
<?cs else ?>
<p class="muted" aria-live="polite">Showing <?cs var:List.From ?>–<?cs var:List.To ?> of <?cs var:List.Total ?></p>
<table class="list">
  <thead>
    <tr>
      <th scope="col">Name</th>
      <th scope="col">State / district</th>
      <th scope="col">Status</th>
      <th scope="col">Since</th>
      <?cs if:Allowed.campaigns.manage && !Campaign.archived_at ?><th scope="col">Change</th><?cs /if ?>
    </tr>
  </thead>
  <tbody>
  <?cs each:m = Members ?>
    <tr>
      <td><?cs if:Allowed.campaigns.manage && !Campaign.archived_at ?><input type="checkbox" name="id" value="<?cs var:m.id ?>" form="bulk-status" id="tick-<?cs var:m.id ?>" aria-label="Tick this member"> <?cs /if ?><a href="/contacts/<?cs var:m.id ?>"><?cs if:m.last_name || m.first_name ?><?cs var:m.last_name ?><?cs if:m.last_name && m.first_name ?>, <?cs /if ?><?cs var:m.first_name ?><?cs else ?><?cs var:m.organisation ?><?cs /if ?></a></td>
      <td><?cs var:m.region ?></td>
      <td class="status" data-code="<?cs var:m.status ?>"><?cs var:m.status_label ?></td>
      <td class="nowrap"><?cs var:string.slice(m.updated_at, 0, 10) ?></td>
      <?cs if:Allowed.campaigns.manage && !Campaign.archived_at ?>
      <td class="row-actions">
        <form method="post" action="/campaigns/<?cs var:Campaign.id ?>/members/status" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <input type="hidden" name="contact_id" value="<?cs var:m.id ?>">
          <select name="status" aria-label="Status of this member">
            <?cs each:s = Statuses ?><option value="<?cs var:s.code ?>"<?cs if:s.code == m.status ?> selected<?cs /if ?>><?cs var:s.label ?></option><?cs /each ?>
          </select>
          <button type="submit">Set</button>
        </form>
        <form method="post" action="/campaigns/<?cs var:Campaign.id ?>/members/remove" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <input type="hidden" name="contact_id" value="<?cs var:m.id ?>">
          <button type="submit" class="danger">Remove</button>
        </form>
      </td>
      <?cs /if ?>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:Allowed.campaigns.manage && !Campaign.archived_at ?>
<form method="post" action="/campaigns/<?cs var:Campaign.id ?>/members/bulk-status?<?cs var:List.Filter ?>" id="bulk-status" class="panel inline-form">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field">
    <label for="bulk-to">New status</label>
    <select id="bulk-to" name="to">
      <?cs each:s = Statuses ?><option value="<?cs var:s.code ?>"><?cs var:s.label ?></option><?cs /each ?>
    </select>
  </div>
  <button type="submit" name="which" value="selected" id="bulk-selected">Set status of the ticked members</button>
  <button type="submit" name="which" value="all" id="bulk-all">Set status of all <?cs var:List.Total ?> matching members</button>
</form>
<?cs /if ?>
<?cs call:pager("/campaigns/" + Campaign.id + "?" + List.Filter) ?>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
