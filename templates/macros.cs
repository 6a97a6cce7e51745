<?cs def:field_error(err, name) ?><?cs if:err ?><p class="error" id="<?cs var:name ?>-error"><?cs var:err ?></p><?cs /if ?><?cs /def ?>
<?cs def:text_field(f, value, err, type) ?>
<div class="field<?cs if:err ?> invalid<?cs /if ?>">
  <label for="<?cs var:f.name ?>"><?cs var:f.label ?></label>
  <input type="<?cs var:type ?>" id="<?cs var:f.name ?>" name="<?cs var:f.name ?>" value="<?cs var:value ?>" maxlength="<?cs var:f.max ?>"<?cs if:err ?> aria-invalid="true" aria-describedby="<?cs var:f.name ?>-error"<?cs /if ?>>
  <?cs call:field_error(err, f.name) ?>
</div>
<?cs /def ?>
<?cs def:area_field(f, value, err) ?>
<div class="field wide<?cs if:err ?> invalid<?cs /if ?>">
  <label for="<?cs var:f.name ?>"><?cs var:f.label ?></label>
  <textarea id="<?cs var:f.name ?>" name="<?cs var:f.name ?>" rows="3" maxlength="<?cs var:f.max ?>"<?cs if:err ?> aria-invalid="true" aria-describedby="<?cs var:f.name ?>-error"<?cs /if ?>><?cs var:value ?></textarea>
  <?cs call:field_error(err, f.name) ?>
</div>
<?cs /def ?>
<?cs def:show(label, value) ?><?cs if:value ?><dt><?cs var:label ?></dt><dd><?cs var:value ?></dd><?cs /if ?><?cs /def ?>
<?cs def:filter_name_state() ?>
  <div class="field">
    <label for="q">Name</label>
    <input type="search" id="q" name="q" value="<?cs var:List.q ?>" maxlength="100" placeholder="Search names">
  </div>
  <div class="field">
    <label for="region">State</label>
    <select id="region" name="region">
      <option value="">All states</option>
      <?cs each:s = States ?><option value="<?cs var:s.code ?>"<?cs if:s.code == List.region ?> selected<?cs /if ?>><?cs var:s.name ?></option><?cs /each ?>
    </select>
  </div>
<?cs /def ?>
<?cs def:pager(base) ?>
<nav class="pager" aria-label="Pages">
  <?cs if:List.Page > 1 ?>
  <a href="<?cs var:base ?>&amp;page=1" rel="first">« First</a>
  <a href="<?cs var:base ?>&amp;page=<?cs var:List.Page - 1 ?>" rel="prev">‹ Previous</a>
  <?cs /if ?>
  <span>Page <?cs var:List.Page ?> of <?cs var:List.Pages ?></span>
  <?cs if:List.Page < List.Pages ?>
  <a href="<?cs var:base ?>&amp;page=<?cs var:List.Page + 1 ?>" rel="next">Next ›</a>
  <a href="<?cs var:base ?>&amp;page=<?cs var:List.Pages ?>" rel="last">Last »</a>
  <?cs /if ?>
</nav>
<?cs /def ?>
<?cs def:password_field(name, label, err, autocomplete) ?>
<div class="field<?cs if:err ?> invalid<?cs /if ?>">
  <label for="<?cs var:name ?>"><?cs var:label ?></label>
  <input type="password" id="<?cs var:name ?>" name="<?cs var:name ?>" autocomplete="<?cs var:autocomplete ?>" maxlength="1024"<?cs if:err ?> aria-invalid="true" aria-describedby="<?cs var:name ?>-error"<?cs /if ?>>
  <?cs call:field_error(err, name) ?>
</div>
<?cs /def ?>
