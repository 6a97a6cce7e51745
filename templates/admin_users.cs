<?cs include:"layout_top.cs" ?>
<?cs include:"admin_nav.cs" ?>
<div class="titlebar">
  <h1>Users <span class="count"><?cs var:Users.count ?></span></h1>
  <a class="button primary" href="/admin/users/new">New user</a>
</div>
<?cs if:Users.count == 0 ?>
<p class="empty">This client has no users.</p>
<?cs else ?>
<table class="list">
  <thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">User type</th><th scope="col">Status</th><th scope="col">Regions</th><th scope="col">Campaigns</th></tr></thead>
  <tbody>
  <?cs each:u = Users ?><?cs if:u.id ?>
    <tr><td><a href="/admin/users/<?cs var:u.id ?>"><?cs var:u.username ?></a></td><td><?cs var:u.display_name ?></td><td><?cs var:u.type_name ?></td><td><?cs var:u.status ?></td><td><?cs var:u.regions ?></td><td><?cs var:u.campaigns ?></td></tr>
  <?cs /if ?><?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
