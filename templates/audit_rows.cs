<?cs def:audit_table(rows, with_detail) ?>
<table class="list audit">
  <thead>
    <tr>
      <th scope="col">#</th>
      <th scope="col">Time (UTC)</th>
      <th scope="col">User</th>
      <th scope="col">Address</th>
      <th scope="col">Request</th>
      <th scope="col">Action</th>
      <th scope="col">Object</th>
      <th scope="col">Outcome</th>
      <?cs if:with_detail ?><th scope="col">Detail</th><?cs /if ?>
    </tr>
  </thead>
  <tbody>
  <?cs each:a = rows ?>
    <tr id="audit-<?cs var:a.id ?>">
      <td class="nowrap"><?cs var:a.id ?></td>
      <td class="nowrap"><time datetime="<?cs var:a.time_full ?>"><?cs var:a.time ?></time></td>
      <td><?cs if:a.user ?><?cs var:a.user ?><?cs else ?><span class="muted">nobody</span><?cs /if ?><?cs if:a.token ?> <span class="badge">token <?cs var:a.token ?></span><?cs /if ?></td>
      <td class="nowrap"><?cs var:a.addr ?></td>
      <td><code><?cs var:a.method ?> <?cs var:a.path ?></code></td>
      <td><code><?cs var:a.action ?></code></td>
      <td class="nowrap"><?cs if:a.object_link ?><a href="/contacts/<?cs var:a.object_id ?>">contact <?cs var:a.object_id ?></a><?cs elif:a.object_type ?><?cs var:a.object_type ?><?cs if:a.object_id ?> <?cs var:a.object_id ?><?cs /if ?><?cs /if ?></td>
      <td class="nowrap"><?cs var:a.outcome ?></td>
      <?cs if:with_detail ?><td class="detail"><?cs if:a.hidden ?><span class="muted">hidden: outside your regions or campaigns</span><?cs elif:a.detail_short ?><details><summary><code><?cs var:a.detail_short ?>…</code></summary><code><?cs var:a.detail ?></code></details><?cs else ?><code><?cs var:a.detail ?></code><?cs /if ?></td><?cs /if ?>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /def ?>
<?cs def:audit_pager(base) ?>
<nav class="pager" aria-label="Pages">
  <?cs if:Audit.Paged ?><a href="<?cs var:base ?>" rel="first">« Newest</a><?cs /if ?>
  <?cs if:Audit.Newer ?><a href="<?cs var:base ?>&amp;after=<?cs var:Audit.Newer ?>" rel="prev">‹ Newer</a><?cs /if ?>
  <?cs if:Audit.Older ?><a href="<?cs var:base ?>&amp;before=<?cs var:Audit.Older ?>" rel="next">Older ›</a><?cs /if ?>
</nav>
<?cs /def ?>
<?cs def:audit_results(empty, base) ?>
<?cs if:Audit.Count == 0 ?>
<p class="empty"><?cs var:empty ?></p>
<?cs else ?>
<?cs call:audit_table(Audit.Rows, 1) ?>
<?cs call:audit_pager(base) ?>
<?cs /if ?>
<?cs /def ?>
