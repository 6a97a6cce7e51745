<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/organisations">Organisations</a> ›</p>
<div class="titlebar">
  <h1><?cs var:Organisation.name ?> <span class="count" id="contacts-total"><?cs var:List.Total ?></span></h1>
</div>
<p class="muted" aria-live="polite">Showing <?cs var:List.From ?>–<?cs var:List.To ?> of <?cs var:List.Total ?> contacts you can see.</p>
<table class="list" id="organisation-contacts">
  <thead>
    <tr>
      <th scope="col">Name</th>
      <th scope="col">Title</th>
      <th scope="col">State / district</th>
    </tr>
  </thead>
  <tbody>
  <?cs each:c = Contacts ?>
    <tr>
      <td><a href="/contacts/<?cs var:c.id ?>"><?cs if:c.last_name || c.first_name ?><?cs var:c.last_name ?><?cs if:c.last_name && c.first_name ?>, <?cs /if ?><?cs var:c.first_name ?><?cs else ?><?cs var:Organisation.name ?><?cs /if ?></a></td>
      <td><?cs var:c.title ?></td>
      <td><?cs var:c.region ?></td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs call:pager("/organisations/" + Organisation.id + "?") ?>
<?cs include:"layout_bottom.cs" ?>
