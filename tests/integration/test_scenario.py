"""The "done when" walk-through, end to end, with its audit trail."""
import json
import os
from urllib.parse import urlencode

from conftest import DEMO_CONTACTS, ListPage, Page, contact_form, location_path, unique


def test_done_when_scenario(login_gate, demo, audit):
    mark = audit.mark()

    # 1. Log in.
    web, r = login_gate.post({"username": os.environ["CTRACK_ADMIN_USER"],
                              "password": os.environ["CTRACK_ADMIN_PASSWORD"]})
    assert r.status_code == 303 and location_path(r) == "/contacts", f"login: {r.status_code}"

    # 2. The list shows about 12,800 contacts.
    home = web.get("/contacts")
    assert home.status_code == 200
    lp = ListPage(home)
    assert lp.total >= DEMO_CONTACTS and lp.total == demo.live_count(), \
        f"the list shows {lp.total} contacts (database: {demo.live_count()})"
    web.csrf = Page(home.text).form("/logout")["fields"]["csrf"]

    # 3. Searching "lujan" finds Luján.
    found = web.get("/contacts?q=lujan")
    assert found.status_code == 200
    names = [row[0] for row in ListPage(found).cells]
    assert any("Luján" in n for n in names), f"q=lujan shows {names}"

    # 4. Filter Ohio.
    ohio = ListPage(web.get("/contacts?region=US-OH"))
    in_ohio = demo.live_count(
        "c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions a ON a.client_id = rc.client_id"
        f" AND a.id = rc.ancestor_id WHERE a.client_id = {demo.client_id} AND a.code = 'US-OH')")
    assert ohio.total == in_ohio, f"Ohio shows {ohio.total}, the database has {in_ohio}"

    # 5. A contact of our own in Ohio, found by the Ohio filter.
    last = unique("Buckeye")
    created = web.post("/contacts", contact_form(first_name="Ada", last_name=last, region="US-OH-05",
                                                 phone="614-555-0100"))
    assert created.status_code == 303
    cid = int(location_path(created).rsplit("/", 1)[1])
    mine = ListPage(web.get("/contacts?" + urlencode({"region": "US-OH", "q": last})))
    assert mine.ids == [cid], f"the new Ohio contact is not in the Ohio list: {mine.ids}"

    # 6. Edit its phone number.
    form_page = web.get(f"/contacts/{cid}/edit")
    assert form_page.status_code == 200
    form = Page(form_page.text).form(f"/contacts/{cid}")["fields"]
    form["phone"] = "614-555-0199"
    saved = web.post(f"/contacts/{cid}", form, csrf=False)
    assert saved.status_code == 303 and location_path(saved) == f"/contacts/{cid}"
    assert demo.contact(cid)["phone"] == "614-555-0199"
    shown = web.get(f"/contacts/{cid}")
    assert "614-555-0199" in Page(shown.text).text

    # 7. One audit row per request, in order, the edit with old and new phone.
    rows = audit.since(mark)
    expected = [
        ("POST", "/login", "login", 303),
        ("GET", "/contacts", "contact.list", 200),
        ("GET", "/contacts", "contact.list", 200),
        ("GET", "/contacts", "contact.list", 200),
        ("POST", "/contacts", "contact.create", 303),
        ("GET", "/contacts", "contact.list", 200),
        ("GET", f"/contacts/{cid}/edit", "contact.edit_form", 200),
        ("POST", f"/contacts/{cid}", "contact.update", 303),
        ("GET", f"/contacts/{cid}", "contact.view", 200),
    ]
    got = [(r["method"], r["path"], r["action"], r["outcome"]) for r in rows]
    assert got == expected, "the audit trail of the scenario:\n" + "\n".join(map(str, got))
    assert all((r["client_id"], r["user_id"]) == (demo.client_id, demo.user_id) for r in rows), \
        "a row of the scenario is not attributed to the admin"
    filters = [json.loads(rows[i]["detail"])["filter"] for i in (2, 3)]
    assert filters[0]["q"] == "lujan" and filters[1]["region"] == "US-OH", filters
    assert rows[4]["object_id"] == cid
    edit = rows[7]
    assert edit["object_id"] == cid
    assert json.loads(edit["detail"]) == {"changes": {"phone": {"old": "614-555-0100", "new": "614-555-0199"}}}, \
        f"the edit's audit detail is {edit['detail']}"
