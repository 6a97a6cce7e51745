<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<div class="titlebar">
  <h1><?cs var:Page.Title ?> <span class="count" id="organisations-total"><?cs var:List.Total ?></span></h1>
</div>
<form method="get" action="/organisations" class="filters" role="search">
  <div class="field">
    <label for="q">Name</label>
    <input type="search" id="q" name="q" value="<?cs var:List.q ?>" maxlength="200" placeholder="Search organisations">
  </div>
  <div class="actions">
    <button type="submit">Search</button>
    <a href="/organisations">Clear</a>
  </div>
</form>
<?cs if:List.Total == 0 ?>
<p class="empty"><?cs if:List.q ?>No organisation matches.<?cs else ?>None of the contacts you can see belongs to an organisation.<?cs /if ?></p>
<?cs else ?>
<p class="muted" aria-live="polite">Showing <?cs var:List.From ?>–<?cs var:List.To ?> of <?cs var:List.Total ?>. Contacts are counted among those you can see.</p>
<table class="list" id="organisations">
  <thead>
    <tr>
      <th scope="col">Organisation</th>
      <th scope="col">Contacts</th>
    </tr>
  </thead>
  <tbody>
  <?cs each:o = Organisations ?>
    <tr>
      <td><a href="/organisations/<?cs var:o.id ?>"><?cs var:o.name ?></a></td>
      <td class="members"><?cs var:o.contacts ?></td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs call:pager("/organisations?" + List.Filter) ?>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
