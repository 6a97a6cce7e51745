<?cs include:"layout_top.cs" ?>
<?cs include:"macros.cs" ?>
<div class="titlebar">
  <h1>Dashboard</h1>
  <?cs if:Allowed.contacts.view ?><a class="button" href="/contacts<?cs if:Dash.Filter ?>?<?cs var:Dash.Filter ?><?cs /if ?>">Open these contacts</a><?cs /if ?>
</div>
<section class="panel" aria-labelledby="filter-heading" id="dash-filter">
  <h2 id="filter-heading">Filter</h2>
  <p id="filter-applied"><?cs if:Dash.Filter ?>Showing
    <?cs if:Filter.view_name ?>the saved view <strong>“<?cs var:Filter.view_name ?>”</strong>:<?cs /if ?>
    <?cs if:Filter.q ?>names with “<?cs var:Filter.q ?>”; <?cs /if ?>
    <?cs if:Filter.region ?>state or district <?cs var:Filter.region ?>; <?cs /if ?>
    <?cs if:Filter.party ?>party <?cs var:Filter.party ?>; <?cs /if ?>
    <?cs if:Filter.campaign ?>members of <?cs if:Filter.campaign_name ?>“<?cs var:Filter.campaign_name ?>”<?cs else ?>campaign <?cs var:Filter.campaign ?><?cs /if ?><?cs if:Filter.status ?> with status <?cs var:Filter.status ?><?cs /if ?>; <?cs /if ?>
    <?cs if:Filter.tag ?>tag <?cs var:Filter.tag ?>; <?cs /if ?>
    <?cs if:Filter.updated_since ?>changed since <?cs var:Filter.updated_since ?>; <?cs /if ?>
    always within your scope. <a href="/dashboard">Show everything in your scope</a>
  <?cs else ?>Showing every contact in your scope.<?cs /if ?></p>
  <form method="get" action="/dashboard" class="inline-form">
    <div class="field">
      <label for="dash-view">Saved view</label>
      <select id="dash-view" name="view">
        <option value="">None</option>
        <?cs each:v = Views ?><option value="<?cs var:v.id ?>"<?cs if:v.id == Filter.view_id ?> selected<?cs /if ?>><?cs var:v.name ?><?cs if:v.mine == "0" ?> (shared by <?cs var:v.owner ?>)<?cs /if ?></option><?cs /each ?>
      </select>
    </div>
    <button type="submit">Show</button>
    <a href="/views">Manage saved views</a>
  </form>
</section>

<section class="panel" aria-labelledby="due-heading" id="dash-due">
  <h2 id="due-heading">My follow-ups</h2>
  <ul class="due">
    <li id="due-overdue"><strong><?cs var:Due.overdue ?></strong> overdue</li>
    <li id="due-today"><strong><?cs var:Due.today ?></strong> due today (<?cs var:Due.date ?>)</li>
    <li id="due-week"><strong><?cs var:Due.week ?></strong> due in the next 7 days</li>
    <?cs if:Due.undated > 0 ?><li id="due-undated"><strong><?cs var:Due.undated ?></strong> without a due date</li><?cs /if ?>
  </ul>
  <p><a href="/follow-ups">See my follow-ups</a></p>
</section>

<section class="panel" aria-labelledby="map-heading" id="dash-map">
  <h2 id="map-heading">Contacts by state <span class="count"><?cs var:Dash.Total ?></span></h2>
  <img class="chart" src="data:image/svg+xml;base64,<?cs var:Dash.MapSvg ?>" alt="Map of contacts by state: the numbers are in the table below." width="570">
  <p><a href="/dashboard/map.svg<?cs if:Dash.Filter ?>?<?cs var:Dash.Filter ?><?cs /if ?>" type="image/svg+xml">The map as an SVG file</a></p>
  <details>
    <summary>Contacts by state as a table</summary>
    <table class="list numbers" id="states-table">
      <caption>Contacts in your scope by state</caption>
      <thead><tr><th scope="col">State</th><th scope="col">Code</th><th scope="col" class="num">Contacts</th></tr></thead>
      <tbody>
      <?cs each:s = Dash.States ?><tr><th scope="row"><?cs var:s.name ?></th><td><?cs var:s.code ?><?cs if:s.mapped == "0" ?> (not on the map)<?cs /if ?></td><td class="num"><?cs var:s.count ?></td></tr>
      <?cs /each ?><?cs if:Dash.NoState > 0 ?><tr><th scope="row">No state</th><td></td><td class="num"><?cs var:Dash.NoState ?></td></tr><?cs /if ?>
      </tbody>
      <tfoot><tr><th scope="row">Total</th><td></td><td class="num"><?cs var:Dash.Total ?></td></tr></tfoot>
    </table>
  </details>
</section>

<section class="panel" aria-labelledby="weeks-heading" id="dash-weeks">
  <h2 id="weeks-heading">Activities per week <span class="count"><?cs var:Dash.WeeksTotal ?></span></h2>
  <img class="chart" src="data:image/svg+xml;base64,<?cs var:Dash.WeeksSvg ?>" alt="Bar chart of activities per week over the last 52 weeks: the numbers are in the table below.">
  <p><a href="/dashboard/activity.svg<?cs if:Dash.Filter ?>?<?cs var:Dash.Filter ?><?cs /if ?>" type="image/svg+xml">The chart as an SVG file</a></p>
  <details>
    <summary>Activities per week as a table</summary>
    <table class="list numbers" id="weeks-table">
      <caption>Calls, meetings, letters, emails and notes per week (weeks start on Monday), newest first</caption>
      <thead><tr><th scope="col">Week starting</th><th scope="col" class="num">Activities</th></tr></thead>
      <tbody>
      <?cs each:w = Dash.Weeks ?><tr><th scope="row"><?cs var:w.start ?></th><td class="num"><?cs var:w.count ?></td></tr>
      <?cs /each ?></tbody>
    </table>
  </details>
</section>

<section class="panel" aria-labelledby="funnels-heading" id="dash-funnels">
  <h2 id="funnels-heading">Campaigns</h2>
  <?cs if:Dash.FunnelCount == 0 ?>
  <p class="empty">No active campaign to show.</p>
  <?cs else ?>
  <table class="list numbers" id="funnels-table">
    <caption>Each active campaign's members in your scope: targeted (every member), contacted (reached, whatever the answer), responded</caption>
    <thead><tr><th scope="col">Campaign</th><th scope="col" class="num">Targeted</th><th scope="col" class="num">Contacted</th><th scope="col" class="num">Responded</th></tr></thead>
    <tbody>
    <?cs each:g = Dash.Funnels ?><tr id="funnel-row-<?cs var:g.id ?>"><th scope="row"><?cs if:Allowed.campaigns.view ?><a href="/campaigns/<?cs var:g.id ?>"><?cs var:g.name ?></a><?cs else ?><?cs var:g.name ?><?cs /if ?></th><td class="num"><?cs var:g.targeted ?></td><td class="num"><?cs var:g.contacted ?> (<?cs var:g.contacted_pct ?>)</td><td class="num"><?cs var:g.responded ?> (<?cs var:g.responded_pct ?>)</td></tr>
    <?cs /each ?></tbody>
  </table>
  <div class="funnels">
  <?cs each:g = Dash.Funnels ?>
    <figure id="funnel-<?cs var:g.id ?>">
      <img class="chart" src="data:image/svg+xml;base64,<?cs var:g.svg ?>" alt="Funnel of <?cs var:g.name ?>: <?cs var:g.targeted ?> targeted, <?cs var:g.contacted ?> contacted (<?cs var:g.contacted_pct ?>), <?cs var:g.responded ?> responded (<?cs var:g.responded_pct ?>).">
      <figcaption><?cs var:g.name ?> · <a href="/dashboard/campaigns/<?cs var:g.id ?>/funnel.svg<?cs if:Dash.Filter ?>?<?cs var:Dash.Filter ?><?cs /if ?>" type="image/svg+xml">SVG file</a></figcaption>
    </figure>
  <?cs /each ?>
  </div>
  <?cs /if ?>
</section>
<?cs include:"layout_bottom.cs" ?>
