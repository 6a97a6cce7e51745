<?cs include:"layout_top.cs" ?>
<?cs include:"admin_nav.cs" ?>
<?cs include:"audit_rows.cs" ?>
<div class="titlebar">
  <h1>Security events</h1>
</div>
<p class="muted">Failed logons, lockouts, denied requests, refused forms and tokens, and API tokens used from a new address, for the users of your organisation; newest first.</p>
<form method="get" action="/admin/security" class="filters" role="search">
  <div class="field">
    <label for="kind">Kind</label>
    <select id="kind" name="kind">
      <?cs each:k = Kinds ?><option value="<?cs var:k.value ?>"<?cs if:k.value == Filter.kind ?> selected<?cs /if ?>><?cs var:k.label ?></option><?cs /each ?>
    </select>
  </div>
  <div class="field">
    <label for="from">From (UTC)</label>
    <input type="text" id="from" name="from" value="<?cs var:Filter.from ?>" maxlength="16" placeholder="YYYY-MM-DD or YYYY-MM-DDTHH:MM">
  </div>
  <div class="field">
    <label for="to">To (UTC, included)</label>
    <input type="text" id="to" name="to" value="<?cs var:Filter.to ?>" maxlength="16" placeholder="YYYY-MM-DD or YYYY-MM-DDTHH:MM">
  </div>
  <div class="actions">
    <button type="submit">Show</button>
    <a href="/admin/security">Clear</a>
  </div>
</form>
<?cs call:audit_results("No security events match.", "/admin/security?" + Audit.Filter) ?>
<?cs include:"layout_bottom.cs" ?>
