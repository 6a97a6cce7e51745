<?cs include:"layout_top.cs" ?>
<p class="crumbs"><a href="/contacts">Contacts</a> › <a href="/contacts/<?cs var:Contact.id ?>"><?cs var:Contact.display_name ?></a> ›</p>
<h1><?cs var:Page.Title ?></h1>
<section class="panel" id="activity-form-panel">
<?cs include:"activity_fields.cs" ?>
<p><a href="/contacts/<?cs var:Contact.id ?>#activities">Back to the contact</a></p>
</section>
<?cs include:"layout_bottom.cs" ?>
