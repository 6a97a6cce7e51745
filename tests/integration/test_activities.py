"""Activities on a contact, through the pages: logging one (times in the
client's zone, America/New_York for the demo client), a follow-up task made
with it, the forward move of a campaign status, editing with a version,
deleting, ticking a task off and back; every refusal (the matrix: 403; a
contact or an activity out of scope or of another client: 404; a campaign
the user cannot see, an assignee who cannot see the contact, bad dates and
times: 422 with the input kept and nothing saved); the timeline's order and
pages; what a campaign-limited user sees; the audit rows."""
import datetime
import json
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from conftest import Page, location_path, sql_int, sql_str, unique

NY = ZoneInfo("America/New_York")
VIEW = ["contacts.view", "activities.view"]
LOG = VIEW + ["activities.create"]
ALL = LOG + ["activities.edit", "activities.delete", "campaigns.view"]


# ---------------------------------------------------------------- helpers

def activities_of(db, contact_id, live=True):
    """Rows of a contact's activities, oldest id first, as dicts."""
    cols = ("id", "kind", "occurred_at", "user_id", "subject", "body", "outcome", "campaign_id", "due_on",
            "assignee_id", "done_at", "follow_up_of", "deleted_at")
    rows = db.rows(f"SELECT {', '.join(cols)} FROM activities WHERE contact_id = {sql_int(contact_id)}"
                   + (" AND deleted_at IS NULL" if live else "") + " ORDER BY id")
    out = []
    for r in rows:
        d = dict(zip(cols, r))
        for k in ("id", "user_id", "campaign_id", "assignee_id", "follow_up_of"):
            d[k] = None if d[k] in (None, "NULL") else int(d[k])
        for k in ("due_on", "done_at", "deleted_at"):
            d[k] = None if d[k] in (None, "NULL") else d[k]
        out.append(d)
    return out


def log(web, contact_id, **fields):
    data = {"kind": "meeting", "occurred_at": "", "subject": unique("Subject "), "body": "", "outcome": "",
            "campaign_id": "", "campaign_status": "", "follow_up_on": "", "assignee_id": ""}
    data.update(fields)
    return web.post(f"/contacts/{contact_id}/activities", data)


def logged_id(db, contact_id):
    return db.int(f"SELECT MAX(id) FROM activities WHERE contact_id = {sql_int(contact_id)} AND follow_up_of IS NULL")


def make_campaign(admin, name=None):
    name = name or unique("Activity campaign ")
    r = admin.post("/campaigns", {"name": name})
    assert r.status_code == 303, r.status_code
    return int(re.fullmatch(r"/campaigns/(\d+)\?done=created", location_path(r)).group(1)), name


def join(admin, contact_id, campaign_id):
    r = admin.post(f"/contacts/{contact_id}/campaigns", {"campaign_id": campaign_id})
    assert r.status_code == 303, r.status_code


def status_of(db, contact_id, campaign_id):
    return db.value(f"SELECT status FROM contact_campaigns WHERE contact_id = {sql_int(contact_id)}"
                    f" AND campaign_id = {sql_int(campaign_id)}")


def limit_regions(db, client_id, user_id, *codes):
    for code in codes:
        db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) SELECT client_id, {int(user_id)}, id"
                f" FROM regions WHERE client_id = {int(client_id)} AND code = {sql_str(code)}")


def limit_campaigns(db, client_id, user_id, *campaign_ids):
    for cid in campaign_ids:
        db.rows(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id)"
                f" VALUES ({int(client_id)}, {int(user_id)}, {int(cid)})")


def insert_activity(db, client_id, contact_id, user_id, kind="note", occurred_at="2024-01-01 12:00:00",
                    subject="", campaign_id=None, due_on=None, assignee_id=None):
    return db.int(
        "INSERT INTO activities (client_id, contact_id, kind, occurred_at, user_id, subject, campaign_id, due_on,"
        f" assignee_id) VALUES ({int(client_id)}, {int(contact_id)}, {sql_str(kind)}, {sql_str(occurred_at)},"
        f" {int(user_id)}, {sql_str(subject)}, {'NULL' if campaign_id is None else int(campaign_id)},"
        f" {'NULL' if due_on is None else sql_str(due_on)}, {'NULL' if assignee_id is None else int(assignee_id)});"
        " SELECT LAST_INSERT_ID()")


def timeline_ids(page):
    return [int(k.split("-")[1]) for k in page.by_id if re.fullmatch(r"activity-[0-9]+", k)]


def audit_rows(db, mark):
    rows = db.rows(f"SELECT action, object_type, object_id, outcome, HEX(detail), id FROM audit WHERE id > {int(mark)}"
                   " ORDER BY id")
    out = []
    for a, t, o, oc, d, i in rows:
        links = [int(x[0]) for x in db.rows(f"SELECT contact_id FROM audit_contacts WHERE audit_id = {int(i)}")]
        out.append({"action": a, "object_type": None if t in (None, "NULL") else t,
                    "object_id": None if o in (None, "NULL") else int(o), "outcome": int(oc),
                    "detail": None if d in (None, "NULL", "") else json.loads(bytes.fromhex(d).decode()),
                    "contacts": links})
    return out


def target(r):
    """The local target of a redirect with its fragment."""
    u = urlsplit(r.headers["Location"])
    return u.path + ("?" + u.query if u.query else "") + ("#" + u.fragment if u.fragment else "")


def mark(db):
    return db.int("SELECT COALESCE(MAX(id), 0) FROM audit")


# ---------------------------------------------------------------- logging, editing, deleting

def test_log_a_meeting_in_the_clients_zone_and_see_it_on_the_timeline(admin, demo, db, create_contact):
    assert db.value(f"SELECT time_zone FROM clients WHERE id = {demo.client_id}") == "America/New_York"
    cid = create_contact(last_name=unique("Timeline"))
    page = Page(admin.get(f"/contacts/{cid}").text)
    assert "activities" in page.by_id and "follow-ups" in page.by_id and "log-activity" in page.by_id
    form = page.form(f"/contacts/{cid}/activities")["fields"]
    # The defaults: a call, now in New York, assigned to me.
    now_ny = datetime.datetime.now(NY).replace(tzinfo=None)
    shown = datetime.datetime.strptime(form["occurred_at"], "%Y-%m-%dT%H:%M")
    assert abs((shown - now_ny).total_seconds()) < 120, (form["occurred_at"], now_ny)
    assert form["kind"] == "call" and form["assignee_id"] == str(demo.user_id)

    m = mark(db)
    r = log(admin, cid, kind="meeting", occurred_at="2024-03-05T14:30", subject="Water bill",
            body="Talked about\nthe bill.", outcome="Supportive")
    assert r.status_code == 303 and target(r) == f"/contacts/{cid}?activity=logged#activities"
    [a] = activities_of(db, cid)
    # 14:30 EST is 19:30 UTC.
    assert a["kind"] == "meeting" and a["occurred_at"].startswith("2024-03-05 19:30:00")
    assert (a["subject"], a["outcome"], a["user_id"]) == ("Water bill", "Supportive", demo.user_id)
    [row] = audit_rows(db, m)
    assert row["action"] == "activity.create" and (row["object_type"], row["object_id"]) == ("activity", a["id"])
    assert row["contacts"] == [cid] and row["outcome"] == 303
    assert row["detail"] == {"contact": cid, "changes": {
        "kind": {"old": None, "new": "meeting"}, "occurred_at": {"old": None, "new": "2024-03-05 19:30:00"},
        "subject": {"old": None, "new": "Water bill"}, "body": {"old": None, "new": "Talked about\nthe bill."},
        "outcome": {"old": None, "new": "Supportive"}}}

    page = Page(admin.get(f"/contacts/{cid}?activity=logged").text)
    assert "The activity was logged." in page.text
    item = page.by_id[f"activity-{a['id']}"]
    assert "2024-03-05 14:30" in item and "Water bill" in item and "Meeting" in item and "Supportive" in item
    # The activity shows in the contact's history.
    assert "activity.create" in page.by_id["history"]


def test_edit_with_a_version_and_delete(admin, demo, db, create_contact):
    cid = create_contact(last_name=unique("Edit"))
    assert log(admin, cid, kind="call", occurred_at="2024-07-01T09:00", subject="First").status_code == 303
    aid = logged_id(db, cid)
    page = Page(admin.get(f"/activities/{aid}/edit").text)
    form = page.form(f"/activities/{aid}")["fields"]
    assert form["occurred_at"] == "2024-07-01T09:00" and form["subject"] == "First" and form["kind"] == "call"
    # A task is not offered to a call.
    assert "task" not in [o[0] for o in page.selects_by_id["activity-kind"]["options"]]
    form.pop("csrf")
    stale = dict(form)
    form.update(subject="Second", kind="email", outcome="Sent the paper")
    m = mark(db)
    r = admin.post(f"/activities/{aid}", form)
    assert r.status_code == 303 and target(r) == f"/contacts/{cid}?activity=updated#activity-{aid}"
    [a] = activities_of(db, cid)
    assert (a["subject"], a["kind"], a["outcome"]) == ("Second", "email", "Sent the paper")
    assert a["occurred_at"].startswith("2024-07-01 13:00:00")  # 09:00 EDT
    [row] = audit_rows(db, m)
    assert row["action"] == "activity.update" and row["object_id"] == aid and row["contacts"] == [cid]
    assert row["detail"] == {"contact": cid, "changes": {
        "kind": {"old": "call", "new": "email"}, "subject": {"old": "First", "new": "Second"},
        "outcome": {"old": "", "new": "Sent the paper"}}}

    # The old version is refused with the input kept (409), nothing saved.
    stale.update(subject="Third")
    r = admin.post(f"/activities/{aid}", stale)
    assert r.status_code == 409
    p = Page(r.text)
    assert "Someone else changed this activity" in p.text
    assert p.form(f"/activities/{aid}")["fields"]["subject"] == "Third"
    assert activities_of(db, cid)[0]["subject"] == "Second"

    m = mark(db)
    r = admin.post(f"/activities/{aid}/delete")
    assert r.status_code == 303 and target(r) == f"/contacts/{cid}?activity=deleted#activities"
    assert activities_of(db, cid) == [] and activities_of(db, cid, live=False)[0]["deleted_at"]
    [row] = audit_rows(db, m)
    assert row["action"] == "activity.delete" and row["detail"] == {"contact": cid, "kind": "email", "deleted": True}
    assert f"activity-{aid}" not in Page(admin.get(f"/contacts/{cid}").text).by_id
    # Deleted: gone for every route.
    assert admin.get(f"/activities/{aid}/edit").status_code == 404
    assert admin.post(f"/activities/{aid}/delete").status_code == 404


def test_a_follow_up_makes_a_task_that_is_done_and_undone(admin, demo, db, create_contact):
    cid = create_contact(last_name=unique("Follow"))
    due = (datetime.datetime.now(NY).date() + datetime.timedelta(days=7)).isoformat()
    m = mark(db)
    r = log(admin, cid, kind="call", subject="Asked for a meeting", follow_up_on=due)
    assert r.status_code == 303
    call, task = activities_of(db, cid)
    assert task["kind"] == "task" and task["follow_up_of"] == call["id"] and task["due_on"] == due
    assert task["assignee_id"] == demo.user_id and task["subject"] == "Follow up: Asked for a meeting"
    assert call["due_on"] is None and call["assignee_id"] is None
    [row] = audit_rows(db, m)
    assert row["detail"]["follow_up"] == {"id": task["id"], "due_on": due, "assignee_id": demo.user_id}

    page = Page(admin.get(f"/contacts/{cid}").text)
    assert f"open-follow-up-{task['id']}" in page.by_id and due in page.by_id["follow-ups"]
    m = mark(db)
    r = admin.post(f"/activities/{task['id']}/done")
    assert r.status_code == 303 and target(r) == f"/contacts/{cid}?activity=done#follow-ups"
    assert activities_of(db, cid)[1]["done_at"]
    [row] = audit_rows(db, m)
    assert row["action"] == "activity.done" and row["detail"] == {"contact": cid,
                                                                 "changes": {"done": {"old": False, "new": True}}}
    assert f"open-follow-up-{task['id']}" not in Page(admin.get(f"/contacts/{cid}").text).by_id
    # Done twice changes nothing.
    assert admin.post(f"/activities/{task['id']}/done").status_code == 303
    m = mark(db)
    r = admin.post(f"/activities/{task['id']}/undone", {"back": "follow-ups"})
    assert r.status_code == 303 and location_path(r) == "/follow-ups?undone=1"
    assert activities_of(db, cid)[1]["done_at"] is None
    [row] = audit_rows(db, m)
    assert row["action"] == "activity.undone" and row["detail"]["changes"] == {"done": {"old": True, "new": False}}
    # Only a task is done.
    assert admin.post(f"/activities/{call['id']}/done").status_code == 422


def test_a_task_itself_and_its_due_date(admin, demo, db, create_contact):
    cid = create_contact(last_name=unique("Task"))
    r = log(admin, cid, kind="task", subject="Send the report", follow_up_on="2030-02-03")
    assert r.status_code == 303
    [t] = activities_of(db, cid)
    assert (t["kind"], t["due_on"], t["assignee_id"], t["follow_up_of"]) == ("task", "2030-02-03", demo.user_id, None)
    # Its edit form keeps it a task and changes the date.
    page = Page(admin.get(f"/activities/{t['id']}/edit").text)
    assert [o[0] for o in page.selects_by_id["activity-kind"]["options"]] == ["task"]
    form = page.form(f"/activities/{t['id']}")["fields"]
    form.pop("csrf")
    form["follow_up_on"] = "2030-02-10"
    assert admin.post(f"/activities/{t['id']}", form).status_code == 303
    assert activities_of(db, cid)[0]["due_on"] == "2030-02-10"
    # A task needs its date.
    r = log(admin, cid, kind="task", subject="No date")
    assert r.status_code == 422 and Page(r.text).field_error("activity-follow_up_on")


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("fields,field,message", [
    ({"occurred_at": "2024-13-01T10:00"}, "occurred_at", "must be a date and time"),
    ({"occurred_at": "yesterday"}, "occurred_at", "must be a date and time"),
    # New York skipped 02:00-03:00 on 10 March 2024.
    ({"occurred_at": "2024-03-10T02:30"}, "occurred_at", "does not exist in America/New_York"),
    # In New York the last evening of 9999 is already the year 10000 in UTC
    # (this once failed with a database error, a 500).
    ({"occurred_at": "9999-12-31T23:59"}, "occurred_at", "is too late"),
    ({"occurred_at": "0000-00-00T00:00"}, "occurred_at", "must be a date and time"),
    ({"follow_up_on": "0000-00-00"}, "follow_up_on", "must be a date"),
    ({"follow_up_on": "2024-02-30"}, "follow_up_on", "must be a date"),
    ({"kind": "visit"}, "kind", "must be a call"),
    ({"subject": "", "body": ""}, "subject", "is needed"),
    ({"subject": "x" * 201}, "subject", "too long"),
    ({"campaign_id": "abc"}, "campaign_id", "is not one of the campaigns offered"),
    ({"assignee_id": "999999999", "follow_up_on": "2030-01-01"}, "assignee_id", "cannot see this contact"),
])
def test_bad_input_comes_back_with_the_values_and_nothing_saved(admin, db, create_contact, fields, field, message):
    cid = create_contact(last_name=unique("Bad"))
    data = {"subject": "Kept subject", "body": "Kept text"}
    data.update(fields)
    r = log(admin, cid, **data)
    assert r.status_code == 422, r.status_code
    page = Page(r.text)
    err = page.field_error(f"activity-{field}")
    assert err and message in err, err
    f = page.form(f"/contacts/{cid}/activities")["fields"]
    assert f["subject"] == data["subject"] and f["body"] == data["body"]
    if "occurred_at" in fields:
        assert f["occurred_at"] == fields["occurred_at"]
    assert activities_of(db, cid, live=False) == []


def test_the_campaign_must_be_one_the_contact_is_in_and_active(admin, db, create_contact):
    cid = create_contact(last_name=unique("Camp"))
    other, _ = make_campaign(admin)
    r = log(admin, cid, campaign_id=other)
    assert r.status_code == 422 and "is not a campaign of yours this contact is in" in \
        Page(r.text).field_error("activity-campaign_id")
    join(admin, cid, other)
    assert admin.post(f"/campaigns/{other}/archive").status_code == 303
    r = log(admin, cid, campaign_id=other)
    assert r.status_code == 422 and "archived" in Page(r.text).field_error("activity-campaign_id")
    assert activities_of(db, cid) == []


# ---------------------------------------------------------------- the forward move

def test_logging_with_a_campaign_moves_the_status_forward_never_back(admin, demo, db, create_contact):
    cid = create_contact(last_name=unique("Funnel"))
    gid, name = make_campaign(admin)
    join(admin, cid, gid)
    page = Page(admin.get(f"/contacts/{cid}").text)
    # A targeted member: the form proposes "contacted".
    form = page.form(f"/contacts/{cid}/activities")["fields"]
    assert form["campaign_status"] == "contacted"
    m = mark(db)
    r = log(admin, cid, campaign_id=gid, campaign_status="responded")
    assert r.status_code == 303 and target(r) == f"/contacts/{cid}?activity=moved#activities"
    assert status_of(db, cid, gid) == "responded"
    [row] = audit_rows(db, m)
    assert row["detail"]["status"] == {"campaign": {"id": gid, "name": name}, "old": "targeted", "new": "responded"}
    assert row["detail"]["changes"]["campaign_id"] == {"old": None, "new": gid}
    # Backwards: logged, not applied, and said so.
    m = mark(db)
    r = log(admin, cid, campaign_id=gid, campaign_status="contacted")
    assert r.status_code == 303 and target(r) == f"/contacts/{cid}?activity=kept#activities"
    assert status_of(db, cid, gid) == "responded"
    [row] = audit_rows(db, m)
    assert row["detail"]["status_ignored"] == {"campaign": {"id": gid, "name": name}, "current": "responded",
                                               "asked": "contacted"}
    assert "status" not in row["detail"]
    assert "only moves forward" in Page(admin.get(f"/contacts/{cid}?activity=kept").text).text
    # Not a member status at all.
    r = log(admin, cid, campaign_id=gid, campaign_status="won")
    assert r.status_code == 422 and Page(r.text).field_error("activity-campaign_status")
    assert len(activities_of(db, cid)) == 2


# ---------------------------------------------------------------- the timeline

def test_timeline_is_newest_first_twenty_a_page(admin, demo, db, create_contact):
    cid = create_contact(last_name=unique("Pages"))
    ids = [insert_activity(db, demo.client_id, cid, demo.user_id, occurred_at=f"2023-05-{d:02d} 15:00:00",
                           subject=f"Day {d}") for d in range(1, 26)]
    # Two at the same time: the later id first.
    same = insert_activity(db, demo.client_id, cid, demo.user_id, occurred_at="2023-05-25 15:00:00", subject="Same")
    newest_first = [same] + list(reversed(ids))
    p1 = Page(admin.get(f"/contacts/{cid}").text)
    assert timeline_ids(p1) == newest_first[:20]
    assert "Activities 1–20 of 26" in p1.by_id["activities-count"]
    assert p1.link("next") == f"/contacts/{cid}?activities_page=2#activities"
    p2 = Page(admin.get(f"/contacts/{cid}?activities_page=2").text)
    assert timeline_ids(p2) == newest_first[20:]
    assert p2.link("prev") == f"/contacts/{cid}?activities_page=1#activities"
    # Past the end: the last page; nonsense: the first.
    assert timeline_ids(Page(admin.get(f"/contacts/{cid}?activities_page=99").text)) == newest_first[20:]
    assert timeline_ids(Page(admin.get(f"/contacts/{cid}?activities_page=x").text)) == newest_first[:20]
    # 11:00 EDT shown for 15:00 UTC.
    assert "2023-05-25 11:00" in p1.by_id[f"activity-{same}"]


# ---------------------------------------------------------------- refusals

def test_the_matrix_refuses_with_403(admin, demo, db, people, sessions, create_contact):
    cid = create_contact(last_name=unique("Matrix"))
    assert log(admin, cid, kind="task", subject="Task", follow_up_on="2030-01-01").status_code == 303
    aid = logged_id(db, cid)
    web, _ = sessions.make(user_id=people.user(demo.client_id, VIEW))
    assert log(web, cid).status_code == 403
    assert web.get(f"/activities/{aid}/edit").status_code == 403
    assert web.post(f"/activities/{aid}", {"subject": "x"}).status_code == 403
    assert web.post(f"/activities/{aid}/delete").status_code == 403
    # Not the assignee and without activities.edit: no ticking off.
    r = web.post(f"/activities/{aid}/done")
    assert r.status_code == 403 and activities_of(db, cid)[0]["done_at"] is None
    # The page shows the timeline, but no form, no edit or delete.
    page = Page(web.get(f"/contacts/{cid}").text)
    assert "activities" in page.by_id and "log-activity" not in page.by_id
    assert f"/activities/{aid}/edit" not in page.source
    # Without activities.view: no panels, no follow-ups.
    web2, _ = sessions.make(user_id=people.user(demo.client_id, ["contacts.view"]))
    page = Page(web2.get(f"/contacts/{cid}").text)
    assert "activities" not in page.by_id and "follow-ups" not in page.by_id
    assert web2.get("/follow-ups").status_code == 403


def test_the_assignee_without_edit_may_tick_their_task(admin, demo, db, people, sessions, create_contact):
    cid = create_contact(last_name=unique("Assignee"))
    user = people.user(demo.client_id, VIEW)
    r = log(admin, cid, kind="task", subject="For the assignee", follow_up_on="2030-01-01", assignee_id=user)
    assert r.status_code == 303
    aid = logged_id(db, cid)
    web, _ = sessions.make(user_id=user)
    assert web.post(f"/activities/{aid}/done").status_code == 303
    assert activities_of(db, cid)[0]["done_at"]
    assert web.post(f"/activities/{aid}/undone").status_code == 303


def test_an_ohio_organiser_sees_and_logs_only_in_ohio(admin, demo, db, people, sessions, create_contact):
    oh = create_contact(last_name=unique("Ohio"), region="US-OH-05")
    tx = create_contact(last_name=unique("Texas"), region="US-TX")
    assert log(admin, tx, subject="Texan call").status_code == 303
    tx_aid = logged_id(db, tx)
    user = people.user(demo.client_id, ALL, all_regions=False)
    limit_regions(db, demo.client_id, user, "US-OH")
    web, _ = sessions.make(user_id=user)
    # Out of scope: 404 for GET and POST, nothing saved.
    assert web.get(f"/contacts/{tx}").status_code == 404
    assert log(web, tx).status_code == 404
    for path in (f"/activities/{tx_aid}", f"/activities/{tx_aid}/delete"):
        assert web.post(path, {"subject": "x"}).status_code == 404
    assert web.get(f"/activities/{tx_aid}/edit").status_code == 404
    assert len(activities_of(db, tx)) == 1 and activities_of(db, tx)[0]["subject"] == "Texan call"
    # In scope: logged, with a follow-up for themself.
    due = (datetime.datetime.now(NY).date() + datetime.timedelta(days=7)).isoformat()
    assert log(web, oh, follow_up_on=due).status_code == 303
    assert [a["kind"] for a in activities_of(db, oh)] == ["meeting", "task"]
    # An assignee who cannot see the contact is refused; the picker does not offer them.
    texan = people.user(demo.client_id, VIEW, all_regions=False)
    limit_regions(db, demo.client_id, texan, "US-TX")
    page = Page(web.get(f"/contacts/{oh}").text)
    offered = [o[0] for o in page.selects_by_id["activity-assignee"]["options"]]
    assert str(user) in offered and str(texan) not in offered and offered[0] == str(user)
    r = log(web, oh, follow_up_on=due, assignee_id=texan)
    assert r.status_code == 422 and "cannot see this contact" in Page(r.text).field_error("activity-assignee_id")
    # A disabled user, or one without activities.view, is refused too.
    for other in (people.user(demo.client_id, VIEW, status="disabled"), people.user(demo.client_id, ["contacts.view"])):
        assert log(web, oh, follow_up_on=due, assignee_id=other).status_code == 422
    assert len(activities_of(db, oh)) == 2


def test_an_activity_of_another_client_is_not_found(admin, demo, db, people):
    client = people.client()
    user = people.user(client, VIEW)
    contact = db.int(f"INSERT INTO contacts (client_id, last_name) VALUES ({client}, 'Elsewhere');"
                     " SELECT LAST_INSERT_ID()")
    aid = insert_activity(db, client, contact, user, kind="task", due_on="2030-01-01", assignee_id=user)
    assert admin.get(f"/activities/{aid}/edit").status_code == 404
    for path in (f"/activities/{aid}", f"/activities/{aid}/delete", f"/activities/{aid}/done",
                 f"/activities/{aid}/undone"):
        assert admin.post(path, {"subject": "x"}).status_code == 404, path
    assert log(admin, contact).status_code == 404
    assert db.value(f"SELECT done_at FROM activities WHERE id = {aid}") in (None, "NULL")


def test_a_campaign_limited_user_sees_only_activities_of_their_campaigns(admin, demo, db, people, sessions,
                                                                        create_contact):
    cid = create_contact(last_name=unique("Limited"))
    mine, _ = make_campaign(admin)
    theirs, _ = make_campaign(admin)
    join(admin, cid, mine)
    join(admin, cid, theirs)
    a_mine = insert_activity(db, demo.client_id, cid, demo.user_id, subject="Mine", campaign_id=mine)
    a_theirs = insert_activity(db, demo.client_id, cid, demo.user_id, subject="Theirs", campaign_id=theirs)
    a_none = insert_activity(db, demo.client_id, cid, demo.user_id, subject="No campaign")
    user = people.user(demo.client_id, ALL, all_campaigns=False)
    limit_campaigns(db, demo.client_id, user, mine)
    web, _ = sessions.make(user_id=user)
    page = Page(web.get(f"/contacts/{cid}").text)
    assert sorted(timeline_ids(page)) == sorted([a_mine, a_none])
    assert web.get(f"/activities/{a_theirs}/edit").status_code == 404
    assert web.post(f"/activities/{a_theirs}/delete").status_code == 404
    assert web.get(f"/activities/{a_mine}/edit").status_code == 200
    # Their form offers only their campaign; the other one is refused.
    assert [o[0] for o in page.selects_by_id["activity-campaign"]["options"]] == ["", str(mine)]
    r = log(web, cid, campaign_id=theirs)
    assert r.status_code == 422 and Page(r.text).field_error("activity-campaign_id")
    assert log(web, cid, campaign_id=mine, campaign_status="contacted").status_code == 303
    assert status_of(db, cid, mine) == "contacted" and status_of(db, cid, theirs) == "targeted"
