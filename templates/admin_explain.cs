<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"admin_nav.cs" ?>
<h1>Who sees what</h1>
<form method="get" action="/admin/explain" class="filters explain" novalidate>
  <div class="field<?cs if:Errors.user ?> invalid<?cs /if ?>">
    <label for="user">User</label>
    <select id="user" name="user"<?cs if:Errors.user ?> aria-invalid="true" aria-describedby="user-error"<?cs /if ?>>
      <option value="">(choose)</option>
      <?cs each:u = Users ?><option value="<?cs var:u.id ?>"<?cs if:u.chosen ?> selected<?cs /if ?>><?cs var:u.username ?><?cs if:u.display_name ?> (<?cs var:u.display_name ?>)<?cs /if ?></option><?cs /each ?>
    </select>
    <?cs call:field_error(Errors.user, "user") ?>
  </div>
  <div class="field<?cs if:Errors.contact ?> invalid<?cs /if ?>">
    <label for="contact">Contact number</label>
    <input type="text" id="contact" name="contact" value="<?cs var:Explain.contact ?>" inputmode="numeric" maxlength="18"<?cs if:Errors.contact ?> aria-invalid="true" aria-describedby="contact-error"<?cs /if ?>>
    <?cs call:field_error(Errors.contact, "contact") ?>
  </div>
  <div class="actions"><button type="submit" class="primary">Explain</button></div>
</form>
<?cs if:Explain.Answer ?>
<section class="panel answer <?cs if:Explain.Visible == "1" ?>yes<?cs else ?>no<?cs /if ?>" aria-live="polite">
  <h2>Can <a href="/admin/users/<?cs var:Explain.user_id ?>"><?cs var:Explain.username ?></a> see contact <?cs var:Explain.contact_id ?>?</h2>
  <p id="answer" data-rule="<?cs var:Explain.Rule ?>"><?cs var:Explain.Answer ?></p>
  <?cs if:Explain.Disabled ?><p class="muted" id="disabled-note">Note: this user is disabled and cannot log in at all.</p><?cs /if ?>
  <?cs if:Explain.NoView ?><p class="muted" id="noview-note">Note: the user type <?cs var:Explain.NoView ?> does not allow contacts.view, so no contact page opens for this user.</p><?cs /if ?>
</section>
<?cs /if ?>
<?cs include:"layout_bottom.cs" ?>
