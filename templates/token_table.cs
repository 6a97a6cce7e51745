<?cs def:token_table(tokens, action, id) ?>
<table class="list" id="<?cs var:id ?>">
  <thead><tr><th scope="col">Name</th><th scope="col">Created (UTC)</th><th scope="col">Expires (UTC)</th><th scope="col">Last used (UTC)</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
  <tbody>
  <?cs each:t = tokens ?>
    <tr id="<?cs var:id ?>-<?cs var:t.id ?>">
      <td><?cs var:t.name ?></td>
      <td class="nowrap"><?cs var:t.created ?></td>
      <td class="nowrap"><?cs var:t.expires ?></td>
      <td><?cs if:t.last_used ?><?cs var:t.last_used ?> from <?cs var:t.last_addr ?><?cs else ?>never<?cs /if ?></td>
      <td><?cs var:t.state ?></td>
      <td><?cs if:t.state == "active" ?>
        <form method="post" action="<?cs var:action ?><?cs var:t.id ?>/revoke" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <button type="submit">Revoke</button>
        </form><?cs /if ?></td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /def ?>
