<?cs include:"layout_top.cs" ?>
<section class="panel narrow">
  <h1><?cs var:Error.Title ?></h1>
  <p><?cs var:Error.Message ?></p>
  <p class="muted">Error <?cs var:Error.Status ?> · reference <code><?cs var:Page.RequestId ?></code></p>
  <p><a href="/">Back to the start</a></p>
</section>
<?cs include:"layout_bottom.cs" ?>
