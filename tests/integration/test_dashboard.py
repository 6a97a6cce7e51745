"""The dashboard: every number matches the database within the user's scope
(an unlimited user, a user limited to Ohio, a user limited to a campaign),
a filter and a saved view change the numbers, the SVG routes answer SVG
with the security headers, and a user without reports.view is refused."""
import base64
import re
from datetime import datetime, timedelta, timezone

from conftest import Page, sql_str, unique

STATES_SQL = ("SELECT g.code, COUNT(*) FROM contacts c JOIN region_closure rc ON rc.client_id = c.client_id"
              " AND rc.descendant_id = c.region_id JOIN regions g ON g.client_id = rc.client_id"
              " AND g.id = rc.ancestor_id AND g.kind = 'state' WHERE c.client_id = {client}"
              " AND c.deleted_at IS NULL AND ({where}) GROUP BY g.code")
IN_OHIO = ("c.region_id IN (SELECT rc2.descendant_id FROM region_closure rc2 JOIN regions g2 ON g2.id ="
           " rc2.ancestor_id WHERE g2.code = 'US-OH')")


def states_table(html):
    """{code: count} from the table of contacts by state."""
    t = html[html.index('id="states-table"'):]
    t = t[:t.index("</table>")]
    return {code: int(n) for code, n in re.findall(
        r'<tr><th scope="row">[^<]*</th><td>(US-[A-Z]{2})[^<]*</td><td class="num">(\d+)</td></tr>', t)}


def funnel_row(html, cid):
    m = re.search(rf'<tr id="funnel-row-{cid}">.*?<td class="num">(\d+)</td><td class="num">(\d+) \([^)]*\)</td>'
                  rf'<td class="num">(\d+) \([^)]*\)</td>', html)
    return tuple(int(x) for x in m.groups()) if m else None


def weeks_total(html):
    return int(re.search(r'id="weeks-heading">Activities per week <span class="count">(\d+)</span>', html).group(1))


def map_svg(html):
    m = re.search(r'<img class="chart" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="Map', html)
    return base64.b64decode(m.group(1)).decode("utf-8")


def db_states(db, client, where="1"):
    return {code: int(n) for code, n in db.rows(STATES_SQL.format(client=client, where=where))}


def new_campaign(db, client, member_where, statuses=("targeted", "contacted", "responded", "declined")):
    cid = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({client}, {sql_str(unique('Clean Water '))});"
                 " SELECT LAST_INSERT_ID()")
    case = "ELT(1 + c.id MOD 4, " + ", ".join(sql_str(s) for s in statuses) + ")"
    db.run(f"INSERT INTO contact_campaigns (client_id, campaign_id, contact_id, status) SELECT c.client_id, {cid},"
           f" c.id, {case} FROM contacts c WHERE c.client_id = {client} AND c.deleted_at IS NULL AND ({member_where})")
    return cid


def db_funnel(db, client, cid, where="1"):
    r = db.rows("SELECT COUNT(*), COUNT(s.stage IN ('contacted','responded','declined') OR NULL),"
                " COUNT(s.stage = 'responded' OR NULL) FROM contact_campaigns cc JOIN contacts c ON c.client_id ="
                " cc.client_id AND c.id = cc.contact_id LEFT JOIN campaign_statuses s ON s.client_id = cc.client_id"
                f" AND s.code = cc.status WHERE cc.client_id = {client} AND cc.campaign_id = {cid}"
                f" AND c.deleted_at IS NULL AND ({where})")[0]
    return tuple(int(x) for x in r)


def ohio_contact(db, client):
    return db.int(f"SELECT c.id FROM contacts c WHERE c.client_id = {client} AND c.deleted_at IS NULL AND {IN_OHIO}"
                  " ORDER BY c.id LIMIT 1")


def log_activity(db, client, contact, user, kind="meeting", days_ago=0, campaign=None, due=None, assignee=None):
    db.run("INSERT INTO activities (client_id, contact_id, kind, occurred_at, user_id, campaign_id, due_on,"
           f" assignee_id) VALUES ({client}, {contact}, {sql_str(kind)}, UTC_TIMESTAMP() - INTERVAL {days_ago} DAY,"
           f" {user}, {campaign or 'NULL'}, {sql_str(due) if due else 'NULL'}, {assignee or 'NULL'})")


def test_unlimited_user_numbers_match_the_database(db, demo, people, sessions):
    user = people.user(demo.client_id, ["reports.view", "contacts.view"])
    web, _ = sessions.make(user_id=user)
    cid = new_campaign(db, demo.client_id, "c.id MOD 11 = 0")
    r = web.get("/dashboard")
    assert r.status_code == 200
    html = r.text
    want = db_states(db, demo.client_id)
    got = states_table(html)
    assert {k: v for k, v in got.items() if v} == want
    assert len(got) == db.int(f"SELECT COUNT(*) FROM regions WHERE client_id = {demo.client_id} AND kind = 'state'")
    total = db.int(f"SELECT COUNT(*) FROM contacts WHERE client_id = {demo.client_id} AND deleted_at IS NULL")
    assert f'<span class="count">{total}</span>' in html
    assert funnel_row(html, cid) == db_funnel(db, demo.client_id, cid)
    svg = map_svg(html)
    assert f"<title>OH: {want['US-OH']}</title>" in svg and 'role="img"' in svg
    assert "outside your scope</title>" not in svg
    # The nav has the dashboard first.
    nav = html[html.index('<nav aria-label="Main">'):]
    assert re.search(r'<nav aria-label="Main">\s*<a href="/dashboard">Dashboard</a>', html[html.index("<nav"):]), nav[:200]


def test_ohio_organiser_logs_a_meeting_and_sees_it(db, demo, people, sessions):
    """The issue's scenario: a field organiser limited to Ohio logs a meeting
    with an Ohio legislator for the campaign and sets a follow-up for next
    week; the funnel and the Ohio numbers change, and only Ohio is on the map."""
    client = demo.client_id
    user = people.user(client, ["reports.view", "contacts.view"], all_regions=False)
    db.run(f"INSERT INTO user_regions (client_id, user_id, region_id) SELECT client_id, {user}, id FROM regions"
           f" WHERE client_id = {client} AND code = 'US-OH'")
    web, _ = sessions.make(user_id=user)
    contact = ohio_contact(db, client)
    cid = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({client}, {sql_str(unique('Clean Water '))});"
                 " SELECT LAST_INSERT_ID()")
    db.run(f"INSERT INTO contact_campaigns (client_id, campaign_id, contact_id) SELECT c.client_id, {cid}, c.id"
           f" FROM contacts c WHERE c.client_id = {client} AND c.id MOD 9 = 0 OR c.id = {contact}")
    before = web.get("/dashboard").text
    ohio = db_states(db, client, IN_OHIO)
    assert states_table(before) == ohio and list(ohio) == ["US-OH"]
    svg = map_svg(before)
    assert re.findall(r'class="count"[^>]*>(\d+)<', svg) == [str(ohio["US-OH"])], "only OH has a number"
    assert "<title>CA: outside your scope</title>" in svg
    assert funnel_row(before, cid) == db_funnel(db, client, cid, IN_OHIO)
    weeks_before = weeks_total(before)
    # The meeting moves the contact to "contacted"; the follow-up is due next week.
    log_activity(db, client, contact, user, "meeting", campaign=cid)
    db.run(f"UPDATE contact_campaigns SET status = 'contacted' WHERE campaign_id = {cid} AND contact_id = {contact}")
    next_week = (datetime.now(timezone.utc).date() + timedelta(days=7)).isoformat()
    log_activity(db, client, contact, user, "task", due=next_week, assignee=user)
    after = web.get("/dashboard").text
    assert weeks_total(after) == weeks_before + 1
    t, c, resp = funnel_row(after, cid)
    assert (t, c, resp) == db_funnel(db, client, cid, IN_OHIO)
    assert c == funnel_row(before, cid)[1] + 1
    assert re.search(r'id="due-week"><strong>1</strong>', after)
    # An activity outside Ohio does not count for this user.
    elsewhere = db.int(f"SELECT c.id FROM contacts c WHERE c.client_id = {client} AND NOT {IN_OHIO} LIMIT 1")
    log_activity(db, client, elsewhere, user, "call")
    assert weeks_total(web.get("/dashboard").text) == weeks_before + 1


def test_campaign_limited_user(db, demo, people, sessions):
    client = demo.client_id
    mine = new_campaign(db, client, "c.id MOD 13 = 0")
    theirs = new_campaign(db, client, "c.id MOD 17 = 0")
    user = people.user(client, ["reports.view", "contacts.view"], all_campaigns=False)
    db.run(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES ({client}, {user}, {mine})")
    web, _ = sessions.make(user_id=user)
    html = web.get("/dashboard").text
    member = f"c.id IN (SELECT contact_id FROM contact_campaigns WHERE campaign_id = {mine})"
    assert {k: v for k, v in states_table(html).items() if v} == db_states(db, client, member)
    assert funnel_row(html, mine) == db_funnel(db, client, mine)
    assert funnel_row(html, theirs) is None
    # The other campaign's funnel is not theirs, even on its own route.
    assert web.get(f"/dashboard/campaigns/{theirs}/funnel.svg").status_code == 404
    r = web.get(f"/dashboard/campaigns/{mine}/funnel.svg")
    assert r.status_code == 200 and f">{db_funnel(db, client, mine)[0]} (100.0%)</text>" in r.text
    # An activity of the other campaign on a shared member is not counted.
    both = db.int(f"SELECT contact_id FROM contact_campaigns WHERE campaign_id = {mine} AND contact_id IN"
                  f" (SELECT contact_id FROM contact_campaigns WHERE campaign_id = {theirs}) LIMIT 1")
    before = weeks_total(html)
    log_activity(db, client, both, demo.user_id, "call", campaign=theirs)
    assert weeks_total(web.get("/dashboard").text) == before
    log_activity(db, client, both, demo.user_id, "call", campaign=mine)
    assert weeks_total(web.get("/dashboard").text) == before + 1


def test_filters_and_views_change_the_numbers(db, demo, people, sessions):
    client = demo.client_id
    user = people.user(client, ["reports.view", "contacts.view"])
    web, _ = sessions.make(user_id=user)
    html = web.get("/dashboard?party=Whig").text
    want = db_states(db, client, "c.party = 'Whig'")
    assert {k: v for k, v in states_table(html).items() if v} == want
    assert "party Whig" in html
    r = web.post("/views?party=Whig", {"name": unique("Whigs ")})
    vid = int(re.search(r"view=(\d+)", r.headers["Location"]).group(1))
    html = web.get(f"/dashboard?view={vid}").text
    assert {k: v for k, v in states_table(html).items() if v} == want
    assert "the saved view" in html
    # The SVG route with the same filter agrees with the page.
    svg = web.get(f"/dashboard/map.svg?view={vid}").text
    assert f"<title>NY: {want.get('US-NY', 0)}</title>" in svg
    assert web.get("/dashboard?region=nonsense!").status_code == 400
    assert web.get(f"/dashboard?view={vid}&party=Whig").status_code == 400


def test_svg_routes_content_type_and_headers(admin):
    for path in ("/dashboard/map.svg", "/dashboard/activity.svg"):
        r = admin.get(path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith("image/svg+xml"), r.headers["Content-Type"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.text.startswith("<?xml") and 'role="img"' in r.text and "<title" in r.text and "<desc" in r.text
        assert "<script" not in r.text and "style=" not in r.text
    assert admin.get("/dashboard/campaigns/999999999/funnel.svg").status_code == 404


def test_no_reports_function_is_refused(db, demo, people, sessions, anon):
    user = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    for path in ("/dashboard", "/dashboard/map.svg", "/dashboard/activity.svg"):
        assert web.get(path).status_code == 403, path
    assert 'href="/dashboard"' not in web.get("/contacts").text
    r = anon.get("/dashboard", allow_redirects=False)
    assert r.status_code in (303, 401)


def test_hostile_campaign_name_is_escaped(db, demo, admin):
    name = unique('<script>alert("x")</script> & ')
    cid = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({demo.client_id}, {sql_str(name)});"
                 " SELECT LAST_INSERT_ID()")
    html = admin.get("/dashboard").text
    assert '<script>alert("x")</script>' not in html
    svg = admin.get(f"/dashboard/campaigns/{cid}/funnel.svg").text
    assert "<script>" not in svg and "&lt;script&gt;" in svg
