"""The security matrix as an administrator sets it up and a field organiser
lives it, all through the pages: the administrator of Example Advocacy
makes the campaign "Clean Water" and fills it, makes the user type "Field
organiser" allowed only contacts.view and activities.create, and a user of
that type limited to Ohio and Clean Water; that user logs in and sees exactly
the Ohio contacts of Clean Water everywhere, gets 403 on the export and 404
on the address of any other contact."""
import re
from urllib.parse import urlencode

import pytest

from conftest import ListPage, Page, location_path, recount_totals, sql_str, unique

PASSWORD = "clean water field work 2026"
CHOSEN = "my own clean water password"


def created(response, prefix):
    assert response.status_code == 303, f"{response.status_code}: {Page(response.text).text[:300]}"
    m = re.fullmatch(re.escape(prefix) + r"/([1-9][0-9]*)(\?.*)?", location_path(response))
    assert m, location_path(response)
    return int(m.group(1))


def all_listed(web, **params):
    first = ListPage(web.get("/contacts?" + urlencode(params)))
    ids = list(first.ids)
    for n in range(2, (first.pages or 1) + 1):
        ids += ListPage(web.get("/contacts?" + urlencode(dict(params, page=n)))).ids
    assert len(ids) == first.total
    return first.total, set(ids)


@pytest.fixture(scope="module")
def organiser(admin, demo, login_gate):
    """The set-up, through the administrator's pages; yields the logged-in
    organiser and what the database says they should see."""
    db, cid = demo.db, demo.client_id
    name = unique("Clean Water ")
    camp = created(admin.post("/campaigns", {"name": name}), "/campaigns")

    # Members: Ohio's Democrats in bulk from the filtered list, one Texas
    # contact and one Ohio Republican by hand.
    r = admin.post("/contacts/campaign-add?" + urlencode({"region": "US-OH", "party": "Democrat"}),
                   {"campaign_id": str(camp), "which": "all"})
    assert r.status_code == 303, r.status_code
    ohio = (f"c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions g"
            f" ON g.client_id = rc.client_id AND g.id = rc.ancestor_id WHERE g.client_id = {cid} AND g.code = 'US-OH')")
    texan = db.int(f"SELECT c.id FROM contacts c JOIN regions g ON g.client_id = c.client_id AND g.id = c.region_id"
                   f" WHERE c.client_id = {cid} AND c.deleted_at IS NULL AND g.code LIKE 'US-TX%' ORDER BY c.id LIMIT 1")
    republican = db.int(f"SELECT c.id FROM contacts c WHERE c.client_id = {cid} AND c.deleted_at IS NULL"
                        f" AND c.party = 'Republican' AND {ohio} ORDER BY c.id LIMIT 1")
    for contact in (texan, republican):
        r = admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": str(camp)})
        assert r.status_code == 303, r.status_code

    # The user type and its row of the matrix.
    tname = unique("Field organiser ")
    type_id = created(admin.post("/admin/types", {"name": tname}), "/admin/types")
    page = Page(admin.get("/admin/matrix").text)
    form = page.form("/admin/matrix")["fields"]
    data = [("types", form["types"]), ("version", form["version"])]
    data += [(i["name"], i["value"]) for i in page.inputs
             if re.fullmatch(r"t\d+", i.get("name", "")) and "checked" in i]
    data += [(f"t{type_id}", "contacts.view"), (f"t{type_id}", "activities.create")]
    r = admin.post("/admin/matrix", data)
    assert r.status_code == 303, Page(r.text).text[:300]
    assert sorted(x[0] for x in db.rows(f"SELECT function_name FROM user_type_functions WHERE client_id = {cid}"
                                        f" AND user_type_id = {type_id}")) == ["activities.create", "contacts.view"]

    # The user, limited to Ohio and Clean Water.
    username = unique("organiser-")
    user_id = created(admin.post("/admin/users", {
        "username": username, "display_name": "Field Organiser", "user_type": str(type_id),
        "password": PASSWORD, "password2": PASSWORD}), "/admin/users")
    r = admin.post(f"/admin/users/{user_id}/regions", {"regions_mode": "some", "region": "US-OH"})
    assert r.status_code == 303, Page(r.text).text[:300]
    r = admin.post(f"/admin/users/{user_id}/campaigns", {"campaigns_mode": "some", "campaign": str(camp)})
    assert r.status_code == 303, Page(r.text).text[:300]

    expected = {int(x[0]) for x in db.rows(
        f"SELECT c.id FROM contacts c JOIN contact_campaigns m ON m.client_id = c.client_id AND m.contact_id = c.id"
        f" WHERE c.client_id = {cid} AND c.deleted_at IS NULL AND m.campaign_id = {camp} AND {ohio}")}
    assert republican in expected and texan not in expected and len(expected) > 3
    # The administrator chose the password: the organiser replaces it first.
    web = login_gate.first_login(username, PASSWORD, CHOSEN)
    others = {
        "the Texan in Clean Water": texan,
        "an Ohio contact outside Clean Water": db.int(
            f"SELECT c.id FROM contacts c WHERE c.client_id = {cid} AND c.deleted_at IS NULL AND {ohio}"
            f" AND c.id NOT IN (SELECT contact_id FROM contact_campaigns WHERE campaign_id = {camp})"
            " ORDER BY c.id LIMIT 1"),
        "a contact of no region": db.int(
            f"INSERT INTO contacts (client_id, last_name) VALUES ({cid}, {sql_str(unique('Nowhere'))});"
            " SELECT LAST_INSERT_ID()"),
    }
    db.run(f"INSERT INTO contact_campaigns (client_id, campaign_id, contact_id)"
           f" VALUES ({cid}, {camp}, {others['a contact of no region']})")
    recount_totals(db, cid)
    yield {"web": web, "expected": expected, "others": others, "campaign": camp, "user_id": user_id,
           "type_id": type_id}
    db.run(f"UPDATE contacts SET deleted_at = UTC_TIMESTAMP(6) WHERE id = {others['a contact of no region']}")
    recount_totals(db, cid)


def test_the_organiser_sees_exactly_ohio_in_clean_water(organiser):
    web, expected = organiser["web"], organiser["expected"]
    assert all_listed(web) == (len(expected), expected)
    for sort in ("state", "updated"):
        assert all_listed(web, sort=sort) == (len(expected), expected)
    # a state filter inside the scope, one outside it, and a search
    assert all_listed(web, region="US-OH") == (len(expected), expected)
    assert all_listed(web, region="US-TX") == (0, set())
    some = sorted(expected)[0]
    name = Page(web.get(f"/contacts/{some}").text).h1[0]
    word = max(name.replace(",", " ").split(), key=len)
    total, ids = all_listed(web, q=word)
    assert some in ids and ids <= expected


def test_the_organiser_opens_their_contacts_and_no_other(organiser):
    web = organiser["web"]
    for contact in sorted(organiser["expected"])[:5]:
        assert web.get(f"/contacts/{contact}").status_code == 200
    for what, contact in organiser["others"].items():
        assert web.get(f"/contacts/{contact}").status_code == 404, what


def test_the_organiser_is_refused_what_the_matrix_does_not_allow(organiser):
    web = organiser["web"]
    some = sorted(organiser["expected"])[0]
    assert web.get("/export/contacts.csv").status_code == 403
    assert web.get("/export/contacts.csv?region=US-OH").status_code == 403
    for path in ("/contacts/new", f"/contacts/{some}/edit", f"/contacts/{some}/delete", "/campaigns",
                 f"/campaigns/{organiser['campaign']}", "/admin/users", "/admin/matrix"):
        assert web.get(path).status_code == 403, path
    r = web.post(f"/contacts/{some}/delete", {})
    assert r.status_code == 403
    # and nothing it may not do is offered
    page = Page(web.get("/contacts").text)
    hrefs = {link["href"] for link in page.links}
    assert "/contacts" in hrefs
    assert not hrefs & {"/campaigns", "/admin", "/contacts/new"}, hrefs
    assert not any(h.startswith("/export/") for h in hrefs), hrefs
    assert not [f for f in page.forms if f["action"].startswith("/contacts/campaign-")]


def test_the_administrator_sees_the_organisers_access(organiser, admin):
    text = Page(admin.get(f"/admin/users/{organiser['user_id']}").text).text
    assert re.search(rf"\b{len(organiser['expected'])}\b", text), "the user page does not show the scope's count"
    assert "contacts.view" in text and "activities.create" in text and "contacts.export" not in text
