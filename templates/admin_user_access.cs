<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<?cs include:"admin_nav.cs" ?>
<p class="crumbs"><a href="/admin/users">Users</a> › <a href="/admin/users/<?cs var:User.id ?>"><?cs var:User.username ?></a> ›</p>
<h1>Regions and campaigns of <?cs var:User.username ?></h1>
<p class="muted">A user sees a contact only when both limits let them: its region is under one of their regions (or they have all regions), and it is in one of their campaigns (or they have all campaigns).</p>
<form method="post" action="/admin/users/<?cs var:User.id ?>/regions" class="panel" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <fieldset<?cs if:Errors.regions ?> class="invalid" aria-describedby="regions-error"<?cs /if ?>>
    <legend>Geography</legend>
    <?cs call:field_error(Errors.regions, "regions") ?>
    <label class="choice"><input type="radio" name="regions_mode" value="all"<?cs if:Access.regions_mode == "all" ?> checked<?cs /if ?>> All regions, now and later</label>
    <label class="choice"><input type="radio" name="regions_mode" value="some"<?cs if:Access.regions_mode == "some" ?> checked<?cs /if ?>> Only the regions checked below (a region includes everything under it; none checked: sees no contacts)</label>
    <div class="regions">
      <?cs each:g = Access.Top ?><label class="choice"><input type="checkbox" name="region" value="<?cs var:g.code ?>"<?cs if:g.chosen ?> checked<?cs /if ?>> <?cs var:g.name ?> <span class="muted">(<?cs var:g.code ?>)</span></label><?cs /each ?>
      <?cs each:s = Access.States ?>
      <details<?cs if:s.open ?> open<?cs /if ?>>
        <summary><label class="choice"><input type="checkbox" name="region" value="<?cs var:s.code ?>"<?cs if:s.chosen ?> checked<?cs /if ?>> <?cs var:s.name ?> <span class="muted">(<?cs var:s.code ?>)</span></label></summary>
        <div class="under"><?cs each:g = s.Under ?><label class="choice"><input type="checkbox" name="region" value="<?cs var:g.code ?>"<?cs if:g.chosen ?> checked<?cs /if ?>> <?cs var:g.name ?> <span class="muted">(<?cs var:g.code ?>)</span></label><?cs /each ?></div>
      </details>
      <?cs /each ?>
    </div>
  </fieldset>
  <div class="actions"><button type="submit" class="primary">Save the geography</button></div>
</form>
<form method="post" action="/admin/users/<?cs var:User.id ?>/campaigns" class="panel" novalidate>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <fieldset<?cs if:Errors.campaigns ?> class="invalid" aria-describedby="campaigns-error"<?cs /if ?>>
    <legend>Campaigns</legend>
    <?cs call:field_error(Errors.campaigns, "campaigns") ?>
    <label class="choice"><input type="radio" name="campaigns_mode" value="all"<?cs if:Access.campaigns_mode == "all" ?> checked<?cs /if ?>> All campaigns, now and later</label>
    <label class="choice"><input type="radio" name="campaigns_mode" value="some"<?cs if:Access.campaigns_mode == "some" ?> checked<?cs /if ?>> Only the campaigns checked below (none checked: sees no contacts)</label>
    <?cs if:subcount(Access.Campaigns) == 0 ?><p class="muted">This client has no campaigns yet.</p><?cs /if ?>
    <?cs each:k = Access.Campaigns ?><label class="choice"><input type="checkbox" name="campaign" value="<?cs var:k.id ?>"<?cs if:k.chosen ?> checked<?cs /if ?>> <?cs var:k.name ?><?cs if:k.kind ?> <span class="muted">(<?cs var:k.kind ?>)</span><?cs /if ?></label><?cs /each ?>
  </fieldset>
  <div class="actions"><button type="submit" class="primary">Save the campaigns</button></div>
</form>
<?cs include:"layout_bottom.cs" ?>
