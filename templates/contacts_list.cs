<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<div class="titlebar">
  <h1>Contacts <span class="count"><?cs var:List.Total ?></span></h1>
  <?cs if:Can.Create == "1" ?><a class="button primary" href="/contacts/new">New contact</a><?cs /if ?>
  <?cs if:Allowed.contacts.export ?><a class="button" rel="export" href="/export/contacts.csv?<?cs if:List.Filter ?><?cs var:List.Filter ?>&amp;<?cs /if ?>safe=1&amp;bom=1">Download CSV</a>
  <a class="button" rel="export" href="/export/contacts.vcf<?cs if:List.Filter ?>?<?cs var:List.Filter ?><?cs /if ?>">Download vCard</a><?cs /if ?>
  <?cs if:Allowed.contacts.import ?><a class="button" href="/imports">Import</a><?cs /if ?>
</div>
<?cs if:List.view_name ?><p class="muted" id="view-applied">Saved view: <strong><?cs var:List.view_name ?></strong> (its filter is filled in below; changing it shows a new filter, the view stays as saved).</p><?cs /if ?>
<form method="get" action="/contacts" class="filters<?cs if:Allowed.campaigns.view ?> wide<?cs /if ?>" role="search">
  <?cs call:filter_name_state() ?>
  <div class="field">
    <label for="party">Party</label>
    <select id="party" name="party">
      <option value="">All parties</option>
      <?cs each:p = Parties ?><option value="<?cs var:p ?>"<?cs if:p == List.party ?> selected<?cs /if ?>><?cs var:p ?></option><?cs /each ?>
    </select>
  </div>
  <?cs if:Allowed.campaigns.view ?>
  <div class="field">
    <label for="campaign">Campaign</label>
    <select id="campaign" name="campaign">
      <option value="">Any or none</option>
      <?cs each:g = Campaigns ?><option value="<?cs var:g.id ?>"<?cs if:g.id == List.campaign ?> selected<?cs /if ?>><?cs var:g.name ?><?cs if:g.archived == "1" ?> (archived)<?cs /if ?></option><?cs /each ?>
    </select>
  </div>
  <?cs if:List.campaign ?>
  <div class="field">
    <label for="status">Status in it</label>
    <select id="status" name="status">
      <option value="">Any status</option>
      <?cs each:s = Statuses ?><option value="<?cs var:s.code ?>"<?cs if:s.code == List.status ?> selected<?cs /if ?>><?cs var:s.label ?></option><?cs /each ?>
    </select>
  </div>
  <?cs /if ?>
  <?cs /if ?>
  <input type="hidden" name="sort" value="<?cs var:List.sort ?>">
  <?cs if:List.tag ?><input type="hidden" name="tag" value="<?cs var:List.tag ?>"><?cs /if ?>
  <div class="actions">
    <button type="submit">Filter</button>
    <a href="/contacts">Clear</a>
  </div>
</form>
<div class="panel views-save" id="views">
  <?cs if:Views.0.id ?>
  <form method="get" action="/contacts" class="inline-form" id="view-open">
    <div class="field">
      <label for="view">Saved views</label>
      <select id="view" name="view">
        <?cs each:v = Views ?><option value="<?cs var:v.id ?>"<?cs if:v.id == List.view_id ?> selected<?cs /if ?>><?cs var:v.name ?><?cs if:v.mine == "0" ?> (shared by <?cs var:v.owner ?>)<?cs /if ?></option><?cs /each ?>
      </select>
    </div>
    <button type="submit">Open</button>
  </form>
  <?cs /if ?>
  <?cs if:List.Filter ?>
  <form method="post" action="/views?<?cs var:List.Filter ?>" class="inline-form" id="view-save">
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <div class="field">
      <label for="view-name">Save this view as</label>
      <input type="text" id="view-name" name="name" maxlength="100" required>
    </div>
    <label><input type="checkbox" id="view-shared" name="shared" value="1"> Share with my user type</label>
    <button type="submit">Save this view</button>
  </form>
  <?cs /if ?>
  <a href="/views">Manage saved views</a>
</div>
<?cs if:Allowed.contacts.bulk_edit && List.Total > 0 && CampaignsActive > 0 ?>
<form method="post" action="/contacts/campaign-add?<?cs var:List.Filter ?>" id="bulk" class="panel bulk">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field">
    <label for="bulk-campaign">Campaign</label>
    <select id="bulk-campaign" name="campaign_id">
      <?cs each:g = Campaigns ?><?cs if:g.archived == "0" ?><option value="<?cs var:g.id ?>"><?cs var:g.name ?></option><?cs /if ?><?cs /each ?>
    </select>
  </div>
  <div class="actions wrap">
    <button type="submit" name="which" value="all">Add all <?cs var:List.Total ?> matching contacts</button>
    <button type="submit" name="which" value="selected">Add the ticked contacts</button>
    <button type="submit" name="which" value="all" formaction="/contacts/campaign-remove?<?cs var:List.Filter ?>">Remove all <?cs var:List.Total ?> matching contacts</button>
    <button type="submit" name="which" value="selected" formaction="/contacts/campaign-remove?<?cs var:List.Filter ?>">Remove the ticked contacts</button>
  </div>
</form>
<?cs /if ?>
<?cs if:List.Total == 0 ?>
<p class="empty">No contacts match.</p>
<?cs else ?>
<p class="muted" aria-live="polite">Showing <?cs var:List.From ?>–<?cs var:List.To ?> of <?cs var:List.Total ?></p>
<table class="list">
  <thead>
    <tr>
      <th scope="col"><?cs if:List.sort == "name" ?>Name ▲<?cs else ?><a href="/contacts?<?cs var:List.Filter ?>&amp;sort=name">Name</a><?cs /if ?></th>
      <th scope="col">Title</th>
      <th scope="col">Party</th>
      <th scope="col"><?cs if:List.sort == "state" ?>State / district ▲<?cs else ?><a href="/contacts?<?cs var:List.Filter ?>&amp;sort=state">State / district</a><?cs /if ?></th>
      <th scope="col">Phone</th>
      <th scope="col"><?cs if:List.sort == "updated" ?>Last updated ▼<?cs else ?><a href="/contacts?<?cs var:List.Filter ?>&amp;sort=updated">Last updated</a><?cs /if ?></th>
    </tr>
  </thead>
  <tbody>
  <?cs each:c = List.Rows ?>
    <tr>
      <td><?cs if:Allowed.contacts.bulk_edit && CampaignsActive > 0 ?><input type="checkbox" name="id" value="<?cs var:c.id ?>" form="bulk" aria-label="Tick this contact"> <?cs /if ?><a href="/contacts/<?cs var:c.id ?>"><?cs if:c.last_name || c.first_name ?><?cs var:c.last_name ?><?cs if:c.last_name && c.first_name ?>, <?cs /if ?><?cs var:c.first_name ?><?cs else ?><?cs var:c.organisation ?><?cs /if ?></a><?cs if:c.nickname ?> <span class="muted">“<?cs var:c.nickname ?>”</span><?cs /if ?></td>
      <td><?cs var:c.title ?></td>
      <td><?cs var:c.party ?></td>
      <td><?cs var:c.region ?></td>
      <td class="nowrap"><?cs var:c.phone ?></td>
      <td class="nowrap"><?cs var:string.slice(c.updated_at, 0, 10) ?></td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs call:pager("/contacts?" + List.FilterSort) ?>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
