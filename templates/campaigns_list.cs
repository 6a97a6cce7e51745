<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<div class="titlebar">
  <h1><?cs var:Page.Title ?> <span class="count"><?cs var:List.Count ?></span></h1>
  <nav class="tabs" aria-label="Campaigns shown">
    <?cs if:List.show == "archived" ?><a href="/campaigns">Active</a> <strong aria-current="page">Archived</strong><?cs else ?><strong aria-current="page">Active</strong> <a href="/campaigns?show=archived">Archived</a><?cs /if ?>
  </nav>
</div>
<?cs if:Form.Error ?><p class="error banner" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<?cs if:Allowed.campaigns.manage && Can.CreateCampaign == "1" ?>
<form method="post" action="/campaigns" class="panel inline-form">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field<?cs if:Errors.name ?> invalid<?cs /if ?>">
    <label for="name">New campaign</label>
    <input type="text" id="name" name="name" value="<?cs var:New.name ?>" maxlength="200" required<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="name-error"<?cs /if ?>>
    <?cs call:field_error(Errors.name, "name") ?>
  </div>
  <button type="submit" class="primary">Create</button>
</form>
<?cs /if ?>
<?cs if:List.Count == 0 ?>
<p class="empty"><?cs if:List.show == "archived" ?>No archived campaigns.<?cs else ?>No active campaigns.<?cs /if ?></p>
<?cs else ?>
<table class="list">
  <thead>
    <tr>
      <th scope="col">Name</th>
      <th scope="col">Status</th>
      <th scope="col">Members</th>
      <th scope="col">Created</th>
    </tr>
  </thead>
  <tbody>
  <?cs each:g = Campaigns ?>
    <tr>
      <td><a href="/campaigns/<?cs var:g.id ?>"><?cs var:g.name ?></a></td>
      <td><?cs if:g.archived_at ?>archived<?cs else ?>active<?cs /if ?></td>
      <td class="members"><?cs var:g.members ?></td>
      <td class="nowrap"><?cs var:string.slice(g.created_at, 0, 10) ?></td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<p class="muted">Members are counted among the contacts you can see.</p>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
