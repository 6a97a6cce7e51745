<?cs include:"layout_top.cs" ?>
<h1>Your account</h1>
<section class="panel">
<dl class="details">
  <dt>Username</dt><dd id="account-username"><?cs var:Account.username ?></dd>
  <dt>Name</dt><dd id="account-name"><?cs if:Account.display_name ?><?cs var:Account.display_name ?><?cs else ?><span class="muted">none given</span><?cs /if ?></dd>
  <dt>Client</dt><dd id="account-client"><?cs var:Account.client ?></dd>
  <dt>User type</dt><dd id="account-type"><?cs var:Account.type_name ?></dd>
</dl>
</section>
<nav class="panel" aria-label="Account" id="account-links">
  <ul>
    <li><a href="/account/password">Password</a>: change your password.</li>
    <li><a href="/account/sessions">Sessions</a>: where you are logged in; end the others.</li>
    <li><a href="/account/two-factor">Two-factor</a>: a code from an authenticator app at logon.</li>
    <?cs if:Allowed.tokens.manage ?><li><a href="/account/tokens">API tokens</a>: read-only access for scripts.</li><?cs /if ?>
  </ul>
</nav>
<?cs include:"layout_bottom.cs" ?>
