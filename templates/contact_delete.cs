<?cs include:"layout_top.cs" ?>
<section class="panel narrow">
  <h1>Delete <?cs var:Contact.display_name ?>?</h1>
  <p>The contact disappears from every list and search. Its history stays in the audit trail.</p>
  <form method="post" action="/contacts/<?cs var:Contact.id ?>/delete" class="actions">
    <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
    <button type="submit" class="danger">Delete</button>
    <a href="/contacts/<?cs var:Contact.id ?>">Cancel</a>
  </form>
</section>
<?cs include:"layout_bottom.cs" ?>
