<?cs include:"layout_top.cs" ?>
<h1>My follow-ups</h1>
<p class="muted">The open tasks assigned to you, by their due day; today is <time datetime="<?cs var:FollowUps.Today ?>"><?cs var:FollowUps.Today ?></time> (<?cs var:FollowUps.Zone ?>).</p>
<?cs def:follow_up_group(id, title, rows, count, empty) ?>
<section class="panel" id="<?cs var:id ?>" aria-labelledby="<?cs var:id ?>-title">
  <h2 class="sub" id="<?cs var:id ?>-title"><?cs var:title ?> <span class="count">(<?cs var:count ?>)</span></h2>
  <?cs if:count == 0 ?>
  <p class="muted"><?cs var:empty ?></p>
  <?cs else ?>
  <table class="list follow-ups">
    <thead><tr><th scope="col"><?cs if:id == "recently-done" ?>Done<?cs else ?>Due<?cs /if ?></th><th scope="col">Contact</th><th scope="col">Task</th><th scope="col">Campaign</th><th scope="col"><span class="skip">Change</span></th></tr></thead>
    <tbody>
    <?cs each:t = rows ?>
      <tr id="follow-up-<?cs var:t.id ?>">
        <td class="nowrap"><?cs if:id == "recently-done" ?><?cs var:t.done_at ?><?cs else ?><time datetime="<?cs var:t.due_on ?>"><?cs var:t.due_on ?></time><?cs /if ?></td>
        <td><a href="/contacts/<?cs var:t.contact_id ?>#follow-ups"><?cs var:t.contact ?></a></td>
        <td><?cs var:t.subject ?><?cs if:t.body ?><br><span class="muted"><?cs var:t.body ?></span><?cs /if ?></td>
        <td><?cs var:t.campaign ?></td>
        <td>
          <form method="post" action="/activities/<?cs var:t.id ?>/<?cs if:id == "recently-done" ?>undone<?cs else ?>done<?cs /if ?>" class="inline">
            <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
            <input type="hidden" name="back" value="follow-ups">
            <button type="submit"><?cs if:id == "recently-done" ?>Not done<?cs else ?>Done<?cs /if ?></button>
          </form>
        </td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs /if ?>
</section>
<?cs /def ?>
<?cs call:follow_up_group("overdue", "Overdue", FollowUps.Overdue, FollowUps.Counts.Overdue, "Nothing overdue.") ?>
<?cs call:follow_up_group("due-today", "Due today", FollowUps.DueToday, FollowUps.Counts.DueToday, "Nothing due today.") ?>
<?cs call:follow_up_group("upcoming", "Upcoming", FollowUps.Upcoming, FollowUps.Counts.Upcoming, "Nothing upcoming.") ?>
<?cs call:follow_up_group("recently-done", "Done in the last 14 days", FollowUps.Done, FollowUps.Counts.Done, "Nothing done in the last 14 days.") ?>
<?cs include:"layout_bottom.cs" ?>
