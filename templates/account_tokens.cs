<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"token_table.cs" ?>
<h1>API tokens</h1>
<p class="muted">A token lets a report script read and export what you may see, without your password: it acts with
exactly your functions and your regions and campaigns, on the contact and campaign pages and the export only.
Scripts send it in a header, <code>Authorization: Bearer …</code>, never in the address.</p>
<?cs if:Created.token ?>
<section class="panel created" id="created-token" aria-labelledby="created-title">
  <h2 id="created-title">Your new token</h2>
  <p><strong>Copy it now: it is shown only this once.</strong> Only a hash of it is kept; if you lose it, revoke it
  and create another.</p>
  <pre class="secret" id="token-value"><?cs var:Created.token ?></pre>
  <p>For example, to export the contacts you may see: save this line in a file only you can read, such as
  <code>token-header.txt</code> (so that the token stays out of the command line and the shell's history),</p>
  <pre class="secret" id="token-header">Authorization: Bearer <?cs var:Created.token ?></pre>
  <p>and send the file as a header:</p>
  <pre class="secret" id="token-example">curl -sS --fail -H @token-header.txt -o contacts.csv "<?cs var:Created.base ?>/export/contacts.csv"</pre>
  <p class="muted">Add <code>--cacert FILE</code> when the server's certificate is not signed by an authority your
  system trusts.</p>
</section>
<?cs /if ?>
<?cs if:subcount(Tokens) == 0 ?>
<p class="empty">You have no API tokens.</p>
<?cs else ?>
<?cs call:token_table(Tokens, "/account/tokens/", "tokens") ?>
<?cs /if ?>
<form method="post" action="/account/tokens" class="panel narrow-form">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <h2>New token</h2>
  <?cs if:Form.Error ?><p class="error banner" id="form-error"><?cs var:Form.Error ?></p><?cs /if ?>
  <div class="field<?cs if:Errors.name ?> invalid<?cs /if ?>">
    <label for="name">Name</label>
    <input type="text" id="name" name="name" value="<?cs var:New.name ?>" maxlength="<?cs var:Limits.name ?>" required<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="name-error"<?cs /if ?>>
    <?cs call:field_error(Errors.name, "name") ?>
  </div>
  <div class="field<?cs if:Errors.days ?> invalid<?cs /if ?>">
    <label for="days">Lifetime in days (<?cs var:Limits.days_min ?> to <?cs var:Limits.days_max ?>)</label>
    <input type="number" id="days" name="days" value="<?cs var:New.days ?>" min="<?cs var:Limits.days_min ?>" max="<?cs var:Limits.days_max ?>" required<?cs if:Errors.days ?> aria-invalid="true" aria-describedby="days-error"<?cs /if ?>>
    <?cs call:field_error(Errors.days, "days") ?>
  </div>
  <button type="submit" class="primary">Create token</button>
</form>
<?cs include:"layout_bottom.cs" ?>
