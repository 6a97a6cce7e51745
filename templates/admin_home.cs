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
<?cs include:"layout_bottom.cs" ?>
