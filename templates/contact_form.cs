<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<p class="crumbs"><a href="/contacts">Contacts</a> ›<?cs if:Contact.id ?> <a href="/contacts/<?cs var:Contact.id ?>">Contact</a> ›<?cs /if ?></p>
<h1><?cs var:Page.Title ?></h1>
<?cs if:Form.Error ?><p class="error banner" role="alert"><?cs var:Form.Error ?></p><?cs /if ?>
<form method="post" action="<?cs if:Contact.id ?>/contacts/<?cs var:Contact.id ?><?cs else ?>/contacts<?cs /if ?>" class="panel grid" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <?cs if:Contact.id ?><input type="hidden" name="version" value="<?cs var:Contact.version ?>"><?cs /if ?>
  <fieldset>
    <legend>Name</legend>
    <?cs call:text_field(Fields.title, Contact.title, Errors.title, "text") ?>
    <?cs call:text_field(Fields.first_name, Contact.first_name, Errors.first_name, "text") ?>
    <?cs call:text_field(Fields.middle_name, Contact.middle_name, Errors.middle_name, "text") ?>
    <?cs call:text_field(Fields.last_name, Contact.last_name, Errors.last_name, "text") ?>
    <?cs call:text_field(Fields.suffix, Contact.suffix, Errors.suffix, "text") ?>
    <?cs call:text_field(Fields.nickname, Contact.nickname, Errors.nickname, "text") ?>
  </fieldset>
  <fieldset>
    <legend>Affiliation</legend>
    <?cs call:text_field(Fields.organisation, Contact.organisation, Errors.organisation, "text") ?>
    <?cs call:text_field(Fields.party, Contact.party, Errors.party, "text") ?>
    <div class="field<?cs if:Errors.region ?> invalid<?cs /if ?>">
      <label for="region"><?cs var:Fields.region.label ?></label>
      <select id="region" name="region"<?cs if:Errors.region ?> aria-invalid="true" aria-describedby="region-error"<?cs /if ?>>
        <option value="">(none)</option>
        <?cs each:g = Regions ?><option value="<?cs var:g.code ?>"<?cs if:g.code == Contact.region ?> selected<?cs /if ?>><?cs if:g.kind == "district" ?>&nbsp;&nbsp;&nbsp;&nbsp;<?cs elif:g.kind == "state" ?>&nbsp;&nbsp;<?cs /if ?><?cs var:g.name ?></option><?cs /each ?>
      </select>
      <?cs call:field_error(Errors.region, "region") ?>
    </div>
    <?cs if:Form.NeedCampaign ?>
    <div class="field<?cs if:Errors.campaign ?> invalid<?cs /if ?>">
      <label for="campaign">Campaign</label>
      <select id="campaign" name="campaign" required<?cs if:Errors.campaign ?> aria-invalid="true" aria-describedby="campaign-error"<?cs /if ?>>
        <option value="">(choose one of your campaigns)</option>
        <?cs each:g = NewCampaigns ?><option value="<?cs var:g.id ?>"<?cs if:g.id == Contact.campaign ?> selected<?cs /if ?>><?cs var:g.name ?></option><?cs /each ?>
      </select>
      <?cs call:field_error(Errors.campaign, "campaign") ?>
    </div>
    <?cs /if ?>
  </fieldset>
  <fieldset>
    <legend>Reaching them</legend>
    <?cs call:text_field(Fields.email, Contact.email, Errors.email, "email") ?>
    <?cs call:text_field(Fields.phone, Contact.phone, Errors.phone, "tel") ?>
    <div class="field wide<?cs if:Errors.other_emails ?> invalid<?cs /if ?>">
      <label for="other_emails">Other emails</label>
      <textarea id="other_emails" name="other_emails" rows="2" aria-describedby="other_emails-hint<?cs if:Errors.other_emails ?> other_emails-error<?cs /if ?>"<?cs if:Errors.other_emails ?> aria-invalid="true"<?cs /if ?>><?cs var:Contact.other_emails ?></textarea>
      <p class="hint" id="other_emails-hint">One a line, with its kind in brackets if you like: <code>ana@work.example.org (work)</code></p>
      <?cs call:field_error(Errors.other_emails, "other_emails") ?>
    </div>
    <div class="field wide<?cs if:Errors.other_phones ?> invalid<?cs /if ?>">
      <label for="other_phones">Other phones</label>
      <textarea id="other_phones" name="other_phones" rows="2" aria-describedby="other_phones-hint<?cs if:Errors.other_phones ?> other_phones-error<?cs /if ?>"<?cs if:Errors.other_phones ?> aria-invalid="true"<?cs /if ?>><?cs var:Contact.other_phones ?></textarea>
      <p class="hint" id="other_phones-hint">One a line: <code>+1 555 0100 (cell)</code>; kinds: home, work, cell, voice, fax, pager, text, video, main, other</p>
      <?cs call:field_error(Errors.other_phones, "other_phones") ?>
    </div>
    <?cs call:area_field(Fields.address, Contact.address, Errors.address) ?>
    <?cs call:text_field(Fields.city, Contact.city, Errors.city, "text") ?>
    <?cs call:text_field(Fields.address_region, Contact.address_region, Errors.address_region, "text") ?>
    <?cs call:text_field(Fields.postal_code, Contact.postal_code, Errors.postal_code, "text") ?>
    <?cs call:text_field(Fields.country, Contact.country, Errors.country, "text") ?>
    <?cs call:text_field(Fields.website, Contact.website, Errors.website, "url") ?>
    <?cs call:text_field(Fields.contact_form, Contact.contact_form, Errors.contact_form, "url") ?>
  </fieldset>
  <fieldset>
    <legend>More</legend>
    <?cs call:text_field(Fields.birthday, Contact.birthday, Errors.birthday, "text") ?>
    <div class="field wide<?cs if:Errors.tags ?> invalid<?cs /if ?>">
      <label for="tags">Tags</label>
      <input type="text" id="tags" name="tags" value="<?cs var:Contact.tags ?>" aria-describedby="tags-hint<?cs if:Errors.tags ?> tags-error<?cs /if ?>"<?cs if:Errors.tags ?> aria-invalid="true"<?cs /if ?>>
      <p class="hint" id="tags-hint">Separated by commas: <code>press, donor</code></p>
      <?cs call:field_error(Errors.tags, "tags") ?>
    </div>
    <?cs call:area_field(Fields.notes, Contact.notes, Errors.notes) ?>
  </fieldset>
  <div class="actions">
    <button type="submit" class="primary">Save</button>
    <a href="<?cs if:Contact.id ?>/contacts/<?cs var:Contact.id ?><?cs else ?>/contacts<?cs /if ?>">Cancel</a>
  </div>
</form>
<?cs include:"layout_bottom.cs" ?>
