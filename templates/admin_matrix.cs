<?cs include:"layout_top.cs" ?>
<?cs include:"admin_nav.cs" ?>
<h1>Security matrix</h1>
<p class="muted">A checked box allows the function to the user type; an unchecked box prohibits it. Changes apply to every user of the type at their next request. Whether a type requires two-factor logon is set on the type's page.</p>
<?cs if:subcount(Matrix.Types) == 0 ?>
<p class="empty">This client has no user types yet: <a href="/admin/types">create one</a>.</p>
<?cs else ?>
<form method="post" action="/admin/matrix">
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <input type="hidden" name="types" value="<?cs var:Matrix.types ?>">
  <input type="hidden" name="version" value="<?cs var:Matrix.version ?>">
  <div class="scroll">
  <table class="list matrix">
    <thead>
      <tr><th scope="col">Function</th><?cs each:t = Matrix.Types ?><th scope="col"><a href="/admin/types/<?cs var:t.id ?>"><?cs var:t.name ?></a> <span class="muted">(<?cs var:t.users ?>)</span></th><?cs /each ?></tr>
    </thead>
    <tbody>
    <?cs each:row = Matrix.Rows ?>
      <tr><th scope="row"><code><?cs var:row.function ?></code></th><?cs each:c = row.Cells ?><td><input type="checkbox" name="t<?cs var:c.type ?>" value="<?cs var:row.function ?>" aria-label="<?cs var:c.type_name ?>: <?cs var:row.function ?>"<?cs if:c.allowed ?> checked<?cs /if ?>></td><?cs /each ?></tr>
    <?cs /each ?>
    </tbody>
    <tfoot>
      <tr><th scope="row">Two-factor logon</th><?cs each:t = Matrix.Types ?><td id="two-factor-<?cs var:t.id ?>"><?cs if:t.two_factor ?>Required<?cs else ?><span class="muted">Optional</span><?cs /if ?></td><?cs /each ?></tr>
    </tfoot>
  </table>
  </div>
  <div class="actions"><button type="submit" class="primary">Save the matrix</button><a href="/admin/matrix">Cancel</a></div>
</form>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
