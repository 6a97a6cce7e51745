"""My follow-ups (/follow-ups): the open tasks assigned to me, grouped
Overdue / Due today / Upcoming by the client's calendar day (its time zone,
not the server's), the tasks done in the last 14 days, the done and
not-done buttons, and only tasks on contacts (and of campaigns) in my
scope."""
import datetime
import re
from zoneinfo import ZoneInfo

from conftest import Page, location_path, recount_totals, sql_str, unique
from test_activities import VIEW, insert_activity, limit_regions

GROUPS = ("overdue", "due-today", "upcoming", "recently-done")


def day_in(zone, days=0):
    return (datetime.datetime.now(ZoneInfo(zone)).date() + datetime.timedelta(days=days)).isoformat()


def groups(web):
    """{group id: [task ids]} of the follow-ups page."""
    r = web.get("/follow-ups")
    assert r.status_code == 200, r.status_code
    out = {}
    for g in GROUPS:
        m = re.search(rf'<section class="panel" id="{g}".*?</section>', r.text, re.S)
        assert m, f"no section {g}"
        out[g] = [int(x) for x in re.findall(r'id="follow-up-([0-9]+)"', m.group(0))]
    return out


def contact(db, client_id, name=None, region=None):
    region_sql = "NULL" if region is None else (
        f"(SELECT id FROM regions WHERE client_id = {int(client_id)} AND code = {sql_str(region)})")
    cid = db.int(f"INSERT INTO contacts (client_id, last_name, region_id) VALUES ({int(client_id)},"
                 f" {sql_str(name or unique('Fu'))}, {region_sql}); SELECT LAST_INSERT_ID()")
    # The kept number of live contacts, as the application keeps it: the
    # unfiltered list of later tests shows it.
    recount_totals(db, client_id)
    return cid


def task(db, client_id, contact_id, user_id, due, **kw):
    return insert_activity(db, client_id, contact_id, user_id, kind="task", subject=unique("Task "), due_on=due,
                           assignee_id=user_id, **kw)


def test_groups_by_the_clients_day(demo, db, people, sessions):
    user = people.user(demo.client_id, VIEW)
    web, _ = sessions.make(user_id=user)
    c = contact(db, demo.client_id)
    ny = "America/New_York"
    t = {k: task(db, demo.client_id, c, user, day_in(ny, k)) for k in (-3, -1, 0, 1, 10)}
    recent = task(db, demo.client_id, c, user, day_in(ny, -5))
    old = task(db, demo.client_id, c, user, day_in(ny, -30))
    db.run(f"UPDATE activities SET done_at = UTC_TIMESTAMP(6) - INTERVAL 2 DAY WHERE id = {recent}")
    db.run(f"UPDATE activities SET done_at = UTC_TIMESTAMP(6) - INTERVAL 20 DAY WHERE id = {old}")
    # Not mine, deleted, or not a task: never listed.
    other = people.user(demo.client_id, VIEW)
    task(db, demo.client_id, c, other, day_in(ny, 0))
    gone = task(db, demo.client_id, c, user, day_in(ny, 0))
    db.run(f"UPDATE activities SET deleted_at = UTC_TIMESTAMP(6) WHERE id = {gone}")
    g = groups(web)
    assert g == {"overdue": [t[-3], t[-1]], "due-today": [t[0]], "upcoming": [t[1], t[10]],
                 "recently-done": [recent]}, g
    page = Page(web.get("/follow-ups").text)
    assert day_in(ny) in page.text and "America/New_York" in page.text
    # The nav leads here.
    assert any(link["href"] == "/follow-ups" for link in page.links)
    # Done from this page: back here, and it moves to the done group.
    r = web.post(f"/activities/{t[0]}/done", {"back": "follow-ups"})
    assert r.status_code == 303 and location_path(r) == "/follow-ups?done=1"
    g = groups(web)
    assert g["due-today"] == [] and g["recently-done"] == [t[0], recent]
    assert web.post(f"/activities/{t[0]}/undone", {"back": "follow-ups"}).status_code == 303
    assert groups(web)["due-today"] == [t[0]]


def test_today_is_the_clients_calendar_day_not_the_servers(db, people, sessions):
    # 26 hours apart: these two zones are never on the same day.
    east, west = "Pacific/Kiritimati", "Etc/GMT+12"
    assert day_in(east) != day_in(west)
    for zone, other in ((east, west), (west, east)):
        client = people.client()
        db.run(f"UPDATE clients SET time_zone = {sql_str(zone)} WHERE id = {client}")
        user = people.user(client, VIEW)
        web, _ = sessions.make(client_id=client, user_id=user)
        c = contact(db, client)
        mine = task(db, client, c, user, day_in(zone))
        theirs = task(db, client, c, user, day_in(other))
        g = groups(web)
        assert g["due-today"] == [mine], (zone, g)
        assert g["upcoming" if zone == west else "overdue"] == [theirs], (zone, g)


def test_only_tasks_in_my_scope(demo, db, people, sessions):
    user = people.user(demo.client_id, VIEW, all_regions=False)
    limit_regions(db, demo.client_id, user, "US-OH")
    web, _ = sessions.make(user_id=user)
    oh = contact(db, demo.client_id, region="US-OH-05")
    tx = contact(db, demo.client_id, region="US-TX")
    mine = task(db, demo.client_id, oh, user, day_in("America/New_York"))
    task(db, demo.client_id, tx, user, day_in("America/New_York"))
    assert groups(web)["due-today"] == [mine]
    # A task of a contact out of scope: 404 for its buttons too.
    hidden = task(db, demo.client_id, tx, user, day_in("America/New_York", 1))
    assert web.post(f"/activities/{hidden}/done").status_code == 404
