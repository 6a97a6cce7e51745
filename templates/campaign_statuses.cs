<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/campaigns">Campaigns</a> ›</p>
<div class="titlebar">
  <h1><?cs var:Page.Title ?> <span class="count"><?cs var:List.Count ?></span></h1>
</div>
<?cs if:Form.Error ?><p class="error banner" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<p class="muted">Every campaign member has one of these statuses. The order is the order of the lists; a status further down is further on. The stage says what a status counts as: new members get the first status of stage targeted. A status can be deleted once no membership has it. Members are counted among the contacts and campaigns you can see.</p>
<table class="list" id="statuses">
  <thead>
    <tr>
      <th scope="col">Code</th>
      <th scope="col">Label and stage</th>
      <th scope="col">Members</th>
      <th scope="col">Order</th>
      <th scope="col">Delete</th>
    </tr>
  </thead>
  <tbody>
  <?cs each:s = Statuses ?>
    <tr id="status-<?cs var:s.code ?>">
      <td><code><?cs var:s.code ?></code></td>
      <td>
        <?cs if:Can.ChangeStatuses != "1" ?><?cs var:s.label ?> <span class="muted">(<?cs var:s.stage ?>)</span><?cs else ?>
        <form method="post" action="/campaigns/statuses/edit" class="inline-form">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <input type="hidden" name="code" value="<?cs var:s.code ?>">
          <div class="field<?cs if:s.code == Edit.code && Edit.field == "label" ?> invalid<?cs /if ?>">
            <label for="label-<?cs var:s.code ?>">Label</label>
            <input type="text" id="label-<?cs var:s.code ?>" name="label" maxlength="100" required value="<?cs if:s.code == Edit.code ?><?cs var:Edit.label ?><?cs else ?><?cs var:s.label ?><?cs /if ?>"<?cs if:s.code == Edit.code && Edit.field == "label" ?> aria-invalid="true" aria-describedby="label-<?cs var:s.code ?>-error"<?cs /if ?>>
            <?cs if:s.code == Edit.code && Edit.field == "label" ?><?cs call:field_error(Edit.error, "label-" + s.code) ?><?cs /if ?>
          </div>
          <div class="field<?cs if:s.code == Edit.code && Edit.field == "stage" ?> invalid<?cs /if ?>">
            <label for="stage-<?cs var:s.code ?>">Stage</label>
            <select id="stage-<?cs var:s.code ?>" name="stage"<?cs if:s.code == Edit.code && Edit.field == "stage" ?> aria-invalid="true" aria-describedby="stage-<?cs var:s.code ?>-error"<?cs /if ?>>
              <?cs each:g = Stages ?><option value="<?cs var:g ?>"<?cs if:(s.code == Edit.code && g == Edit.stage) || (s.code != Edit.code && g == s.stage) ?> selected<?cs /if ?>><?cs var:g ?></option><?cs /each ?>
            </select>
            <?cs if:s.code == Edit.code && Edit.field == "stage" ?><?cs call:field_error(Edit.error, "stage-" + s.code) ?><?cs /if ?>
          </div>
          <button type="submit">Save</button>
        </form>
        <?cs /if ?>
      </td>
      <td class="members" id="uses-<?cs var:s.code ?>"><?cs var:s.members ?></td>
      <td class="row-actions">
        <?cs if:Can.ChangeStatuses == "1" ?>
        <?cs if:!first(s) ?>
        <form method="post" action="/campaigns/statuses/move" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <input type="hidden" name="code" value="<?cs var:s.code ?>">
          <input type="hidden" name="direction" value="up">
          <button type="submit" aria-label="Move <?cs var:s.label ?> up">↑ Up</button>
        </form>
        <?cs /if ?>
        <?cs if:!last(s) ?>
        <form method="post" action="/campaigns/statuses/move" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <input type="hidden" name="code" value="<?cs var:s.code ?>">
          <input type="hidden" name="direction" value="down">
          <button type="submit" aria-label="Move <?cs var:s.label ?> down">↓ Down</button>
        </form>
        <?cs /if ?>
        <?cs /if ?>
      </td>
      <td class="row-actions">
        <?cs if:Can.ChangeStatuses == "1" ?>
        <form method="post" action="/campaigns/statuses/delete" class="inline">
          <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
          <input type="hidden" name="code" value="<?cs var:s.code ?>">
          <button type="submit" class="danger" aria-label="Delete <?cs var:s.label ?>"<?cs if:s.code == Edit.code && Edit.field == "delete" ?> aria-describedby="delete-<?cs var:s.code ?>-error"<?cs /if ?>>Delete</button>
        </form>
        <?cs if:s.code == Edit.code && Edit.field == "delete" ?><?cs call:field_error(Edit.error, "delete-" + s.code) ?><?cs /if ?>
        <?cs /if ?>
      </td>
    </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs if:Can.ChangeStatuses != "1" ?>
<p class="muted" id="statuses-read-only">You work in a limited set of campaigns: the statuses are the whole client's, and an administrator changes them.</p>
<?cs elif:List.Count < List.Max ?>
<form method="post" action="/campaigns/statuses" class="panel inline-form" id="add-status">
  <h2 class="sub">Add a status</h2>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <div class="field<?cs if:Errors.add_code ?> invalid<?cs /if ?>">
    <label for="add-code">Code</label>
    <input type="text" id="add-code" name="code" value="<?cs var:Add.code ?>" maxlength="40" required pattern="[a-z0-9_\-]+" aria-describedby="add-code-hint<?cs if:Errors.add_code ?> add-code-error<?cs /if ?>"<?cs if:Errors.add_code ?> aria-invalid="true"<?cs /if ?>>
    <p class="muted" id="add-code-hint">Lowercase letters, digits, _ and -; it is what exports and filters use, and it cannot change.</p>
    <?cs call:field_error(Errors.add_code, "add-code") ?>
  </div>
  <div class="field<?cs if:Errors.add_label ?> invalid<?cs /if ?>">
    <label for="add-label">Label</label>
    <input type="text" id="add-label" name="label" value="<?cs var:Add.label ?>" maxlength="100" required<?cs if:Errors.add_label ?> aria-invalid="true" aria-describedby="add-label-error"<?cs /if ?>>
    <?cs call:field_error(Errors.add_label, "add-label") ?>
  </div>
  <div class="field<?cs if:Errors.add_stage ?> invalid<?cs /if ?>">
    <label for="add-stage">Stage</label>
    <select id="add-stage" name="stage"<?cs if:Errors.add_stage ?> aria-invalid="true" aria-describedby="add-stage-error"<?cs /if ?>>
      <?cs each:g = Stages ?><option value="<?cs var:g ?>"<?cs if:g == Add.stage ?> selected<?cs /if ?>><?cs var:g ?></option><?cs /each ?>
    </select>
    <?cs call:field_error(Errors.add_stage, "add-stage") ?>
  </div>
  <button type="submit" class="primary">Add</button>
</form>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
