<?cs # The activity form: logging one on a contact's page (or its page again
     after a refusal), and changing one. Names: ActivityForm.* (values),
     ActivityErrors.* (a message per field), ActivityChoices.* (options). ?>
<?cs def:activity_error(err, name) ?><?cs if:err ?><p class="error" id="activity-<?cs var:name ?>-error"><?cs var:err ?></p><?cs /if ?><?cs /def ?>
<?cs def:activity_invalid(err, name) ?><?cs if:err ?> aria-invalid="true" aria-describedby="activity-<?cs var:name ?>-error"<?cs /if ?><?cs /def ?>
<?cs if:ActivityForm.id ?>
<form method="post" action="/activities/<?cs var:ActivityForm.id ?>" id="edit-activity" class="activity-form">
  <input type="hidden" name="version" value="<?cs var:ActivityForm.version ?>">
<?cs else ?>
<form method="post" action="/contacts/<?cs var:Contact.id ?>/activities" id="log-activity" class="activity-form">
<?cs /if ?>
  <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
  <?cs if:ActivityForm.Error ?><p class="error" role="alert"><?cs var:ActivityForm.Error ?></p><?cs /if ?>
  <div class="field<?cs if:ActivityErrors.kind ?> invalid<?cs /if ?>">
    <label for="activity-kind">Kind</label>
    <select id="activity-kind" name="kind"<?cs call:activity_invalid(ActivityErrors.kind, "kind") ?>>
      <?cs each:k = ActivityChoices.Kinds ?><option value="<?cs var:k.code ?>"<?cs if:k.code == ActivityForm.kind ?> selected<?cs /if ?>><?cs var:k.label ?></option><?cs /each ?>
    </select>
    <?cs call:activity_error(ActivityErrors.kind, "kind") ?>
  </div>
  <div class="field<?cs if:ActivityErrors.occurred_at ?> invalid<?cs /if ?>">
    <label for="activity-occurred_at">When (<?cs var:ActivityForm.zone ?>)</label>
    <input type="datetime-local" id="activity-occurred_at" name="occurred_at" value="<?cs var:ActivityForm.occurred_at ?>"<?cs call:activity_invalid(ActivityErrors.occurred_at, "occurred_at") ?>>
    <?cs call:activity_error(ActivityErrors.occurred_at, "occurred_at") ?>
  </div>
  <div class="field wide<?cs if:ActivityErrors.subject ?> invalid<?cs /if ?>">
    <label for="activity-subject">Subject</label>
    <input type="text" id="activity-subject" name="subject" value="<?cs var:ActivityForm.subject ?>" maxlength="200"<?cs call:activity_invalid(ActivityErrors.subject, "subject") ?>>
    <?cs call:activity_error(ActivityErrors.subject, "subject") ?>
  </div>
  <div class="field wide<?cs if:ActivityErrors.body ?> invalid<?cs /if ?>">
    <label for="activity-body">Text</label>
    <textarea id="activity-body" name="body" rows="3" maxlength="10000"<?cs call:activity_invalid(ActivityErrors.body, "body") ?>><?cs var:ActivityForm.body ?></textarea>
    <?cs call:activity_error(ActivityErrors.body, "body") ?>
  </div>
  <div class="field wide<?cs if:ActivityErrors.outcome ?> invalid<?cs /if ?>">
    <label for="activity-outcome">Outcome</label>
    <input type="text" id="activity-outcome" name="outcome" value="<?cs var:ActivityForm.outcome ?>" maxlength="200"<?cs call:activity_invalid(ActivityErrors.outcome, "outcome") ?>>
    <?cs call:activity_error(ActivityErrors.outcome, "outcome") ?>
  </div>
  <div class="field<?cs if:ActivityErrors.campaign_id ?> invalid<?cs /if ?>">
    <label for="activity-campaign">Campaign</label>
    <select id="activity-campaign" name="campaign_id"<?cs call:activity_invalid(ActivityErrors.campaign_id, "campaign_id") ?>>
      <option value="">None</option>
      <?cs if:ActivityChoices.Current.id ?><option value="<?cs var:ActivityChoices.Current.id ?>"<?cs if:ActivityChoices.Current.id == ActivityForm.campaign_id ?> selected<?cs /if ?>><?cs var:ActivityChoices.Current.name ?></option><?cs /if ?>
      <?cs each:g = ActivityChoices.Campaigns ?><?cs if:g.id != ActivityChoices.Current.id ?><option value="<?cs var:g.id ?>"<?cs if:g.id == ActivityForm.campaign_id ?> selected<?cs /if ?>><?cs var:g.name ?> (<?cs var:g.status ?>)</option><?cs /if ?><?cs /each ?>
    </select>
    <?cs call:activity_error(ActivityErrors.campaign_id, "campaign_id") ?>
  </div>
  <?cs if:!ActivityForm.id ?>
  <div class="field<?cs if:ActivityErrors.campaign_status ?> invalid<?cs /if ?>">
    <label for="activity-status">Campaign status after this</label>
    <select id="activity-status" name="campaign_status"<?cs call:activity_invalid(ActivityErrors.campaign_status, "campaign_status") ?>>
      <option value="">Leave as it is</option>
      <?cs each:s = ActivityChoices.Statuses ?><option value="<?cs var:s.code ?>"<?cs if:s.code == ActivityForm.campaign_status ?> selected<?cs /if ?>><?cs var:s.label ?></option><?cs /each ?>
    </select>
    <?cs call:activity_error(ActivityErrors.campaign_status, "campaign_status") ?>
    <p class="hint">A status only moves forward.</p>
  </div>
  <?cs /if ?>
  <?cs if:!ActivityForm.id || ActivityForm.task == "1" ?>
  <div class="field<?cs if:ActivityErrors.follow_up_on ?> invalid<?cs /if ?>">
    <label for="activity-follow_up_on"><?cs if:ActivityForm.id ?>Due on<?cs else ?>Follow up on (a task's due date)<?cs /if ?></label>
    <input type="date" id="activity-follow_up_on" name="follow_up_on" value="<?cs var:ActivityForm.follow_up_on ?>"<?cs call:activity_invalid(ActivityErrors.follow_up_on, "follow_up_on") ?>>
    <?cs call:activity_error(ActivityErrors.follow_up_on, "follow_up_on") ?>
  </div>
  <div class="field<?cs if:ActivityErrors.assignee_id ?> invalid<?cs /if ?>">
    <label for="activity-assignee">Assigned to</label>
    <select id="activity-assignee" name="assignee_id"<?cs call:activity_invalid(ActivityErrors.assignee_id, "assignee_id") ?>>
      <?cs each:u = ActivityChoices.Assignees ?><option value="<?cs var:u.id ?>"<?cs if:u.id == ActivityForm.assignee_id ?> selected<?cs /if ?>><?cs var:u.name ?></option><?cs /each ?>
    </select>
    <?cs call:activity_error(ActivityErrors.assignee_id, "assignee_id") ?>
  </div>
  <?cs /if ?>
  <div class="buttons">
    <button type="submit" class="primary"><?cs if:ActivityForm.id ?>Save<?cs else ?>Log activity<?cs /if ?></button>
  </div>
</form>
