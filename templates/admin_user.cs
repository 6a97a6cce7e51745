<?cs include:"layout_top.cs" ?>
<?cs include:"admin_nav.cs" ?>
<p class="crumbs"><a href="/admin/users">Users</a> ›</p>
<div class="titlebar">
  <h1><?cs var:User.username ?><?cs if:User.display_name ?> <span class="muted"><?cs var:User.display_name ?></span><?cs /if ?></h1>
  <div class="actions">
    <a class="button primary" href="/admin/users/<?cs var:User.id ?>/edit">Edit</a>
    <a class="button" href="/admin/users/<?cs var:User.id ?>/access">Regions and campaigns</a>
    <a class="button" href="/admin/users/<?cs var:User.id ?>/password">Reset password</a>
  </div>
</div>
<section class="panel">
<dl class="details">
  <dt>User type</dt><dd id="user-type"><?cs var:User.type_name ?></dd>
  <dt>Status</dt><dd id="user-status"><?cs var:User.status ?></dd>
  <dt>Regions</dt><dd id="user-regions"><?cs if:User.all_regions == "1" ?>All regions<?cs elif:User.regions ?><?cs var:User.regions ?><?cs else ?>None (sees no contacts)<?cs /if ?></dd>
  <dt>Campaigns</dt><dd id="user-campaigns"><?cs if:User.all_campaigns == "1" ?>All campaigns<?cs elif:User.campaigns ?><?cs var:User.campaigns ?><?cs else ?>None (sees no contacts)<?cs /if ?></dd>
</dl>
</section>
<section class="panel">
  <h2>Effective access</h2>
  <p>Contacts in this user's scope: <strong id="scope-count"><?cs var:User.contacts ?></strong> live contacts.<?cs if:User.status != "active" ?> The user is disabled and cannot log in.<?cs /if ?></p>
  <?cs if:subcount(User.Functions) == 0 ?>
  <p id="functions">Functions allowed by the user type: none.</p>
  <?cs else ?>
  <p>Functions allowed by the user type <?cs var:User.type_name ?>:</p>
  <ul class="functions" id="functions"><?cs each:f = User.Functions ?><li><code><?cs var:f ?></code></li><?cs /each ?></ul>
  <?cs /if ?>
  <form method="get" action="/admin/explain" class="actions">
    <input type="hidden" name="user" value="<?cs var:User.id ?>">
    <label for="contact">Can this user see contact number</label>
    <input type="text" id="contact" name="contact" inputmode="numeric" size="10" maxlength="18">
    <button type="submit">Explain</button>
  </form>
</section>
<?cs include:"admin_user_security.cs" ?>
<?cs include:"layout_bottom.cs" ?>
