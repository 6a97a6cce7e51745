"""Organisations: linked by the triggers from the contact's organisation
field (the form, an edit, an import), listed with their live contacts in the
user's scope, searchable and paged; an organisation's page lists its
contacts in scope, and one with none in scope answers 404 without its name.
The contact's page links to its organisation."""
import re
from urllib.parse import urlencode

import pytest

from conftest import Page, contact_form, location_path, sql_str, unique
from import_support import run_form, upload, uploaded_id
from test_campaigns import MANAGE, bulk, bulk_count, create_campaign, limit_campaigns, limit_regions

VIEW = ["contacts.view"]


def org_id(db, client_id, name):
    rows = db.rows(f"SELECT id FROM organisations WHERE client_id = {int(client_id)} AND name = {sql_str(name)}")
    return int(rows[0][0]) if rows else None


def linked(db, contact_id):
    v = db.value(f"SELECT organisation_id FROM contacts WHERE id = {int(contact_id)}")
    return None if v in (None, "NULL") else int(v)


def org_list(web, **params):
    """{id: (name, contacts)} of one page of /organisations, and the page."""
    r = web.get("/organisations" + ("?" + urlencode(params) if params else ""))
    assert r.status_code == 200, r.status_code
    page = Page(r.text)
    out = {}
    for row in page.rows:
        ids = [int(m.group(1)) for h in row["links"] for m in [re.fullmatch(r"/organisations/(\d+)", h)] if m]
        out[ids[0]] = (row["cells"][0].strip(), int(row["cells"][1].strip()))
    return out, page


def org_page(web, oid, page=None):
    r = web.get(f"/organisations/{oid}" + (f"?page={page}" if page else ""))
    assert r.status_code == 200, r.status_code
    p = Page(r.text)
    ids = [int(m.group(1)) for row in p.rows for h in row["links"] for m in [re.fullmatch(r"/contacts/(\d+)", h)] if m]
    return ids, p


def test_the_form_and_an_edit_link_the_organisation(admin, demo, create_contact):
    name = unique("Committee on ")
    a = create_contact(organisation=name, last_name=unique("Aa "))
    oid = org_id(demo.db, demo.client_id, name)
    assert oid and linked(demo.db, a) == oid
    # The same name in another case and accents is the same organisation.
    b = create_contact(organisation=name.upper(), last_name=unique("Bb "))
    assert linked(demo.db, b) == oid
    # Renamed in an edit: a new organisation; emptied: none.
    other = unique("Office of ")
    edit = Page(admin.get(f"/contacts/{b}/edit").text).form(f"/contacts/{b}")["fields"]
    edit.pop("csrf", None)
    r = admin.post(f"/contacts/{b}", {**edit, "organisation": other})
    assert r.status_code == 303, r.status_code
    assert linked(demo.db, b) == org_id(demo.db, demo.client_id, other) != oid
    # The contact page links to it.
    page = Page(admin.get(f"/contacts/{a}").text)
    assert page.by_id["organisation-link"].strip() == name
    assert f'href="/organisations/{oid}"' in admin.get(f"/contacts/{a}").text
    # A contact without one shows no link.
    c = create_contact()
    assert "organisation-link" not in Page(admin.get(f"/contacts/{c}").text).by_id
    assert linked(demo.db, c) is None


def test_an_import_links_the_organisation(admin, demo):
    name = unique("Imported org ")
    last = unique("Imported ")
    csv_text = f"first_name,last_name,organisation\nIma,{last},{name}\n"
    iid = uploaded_id(upload(admin, "orgs.csv", csv_text.encode()))
    _, fields = run_form(admin, iid)
    r = admin.post(f"/imports/{iid}/run", {**fields, "action": "import"})
    assert r.status_code == 303, f"run answered {r.status_code}: {Page(r.text).text[:300]}"
    rows = demo.db.rows(f"SELECT id, organisation_id FROM contacts WHERE client_id = {demo.client_id}"
                        f" AND last_name = {sql_str(last)}")
    assert len(rows) == 1
    oid = org_id(demo.db, demo.client_id, name)
    assert oid and int(rows[0][1]) == oid
    listed, _ = org_list(admin, q=name)
    assert listed == {oid: (name, 1)}


def test_list_counts_search_and_pages(admin, demo, create_contact):
    base = unique("Zq")
    names = [f"{base} Alpha", f"{base} Beta"]
    for n in range(3):
        create_contact(organisation=names[0])
    gone = create_contact(organisation=names[1])
    listed, page = org_list(admin, q=base)
    a, b = (org_id(demo.db, demo.client_id, n) for n in names)
    assert listed == {a: (names[0], 3), b: (names[1], 1)}
    # Deleted contacts do not count; an organisation with none is not listed.
    r = admin.post(f"/contacts/{gone}/delete", Page(admin.get(f"/contacts/{gone}/delete").text)
                   .form(f"/contacts/{gone}/delete")["fields"])
    assert r.status_code == 303
    assert org_list(admin, q=base)[0] == {a: (names[0], 3)}
    assert admin.get(f"/organisations/{b}").status_code == 404
    # Words in any order, case and accents ignored; LIKE's wildcards are text.
    assert org_list(admin, q=f"alpha {base.lower()}")[0] == {a: (names[0], 3)}
    assert org_list(admin, q=f"{base}%")[0] == {}
    assert org_list(admin, q="_" + base)[0] == {}
    # The demo's chambers, and paging of the whole list.
    senate = org_id(demo.db, demo.client_id, "U.S. Senate")
    house = org_id(demo.db, demo.client_id, "U.S. House of Representatives")
    assert senate and house
    listed, _ = org_list(admin, q="U.S. Senate")
    want = demo.db.int(f"SELECT COUNT(*) FROM contacts WHERE client_id = {demo.client_id} AND live = 1"
                       f" AND organisation_id = {senate}")
    assert listed[senate] == ("U.S. Senate", want) and want > 100
    total = demo.db.int(f"SELECT COUNT(DISTINCT organisation_id) FROM contacts WHERE client_id = {demo.client_id}"
                        " AND live = 1 AND organisation_id IS NOT NULL")
    _, page = org_list(admin)
    assert page.by_id["organisations-total"].strip() == str(total)
    for bad in ("page=0", "page=x", "q=" + "x" * 201):
        assert admin.get("/organisations?" + bad).status_code == 400, bad
    assert admin.get("/organisations?page=999999").status_code == 200


def test_organisation_page_lists_contacts_by_name_50_a_page(admin, demo):
    house = org_id(demo.db, demo.client_id, "U.S. House of Representatives")
    expected = [int(r[0]) for r in demo.db.rows(
        f"SELECT id FROM contacts WHERE client_id = {demo.client_id} AND live = 1 AND organisation_id = {house}"
        " ORDER BY last_name, first_name, id")]
    assert len(expected) > 100
    ids, page = org_page(admin, house)
    assert ids == expected[:50]
    assert page.h1[0].startswith("U.S. House of Representatives")
    ids, _ = org_page(admin, house, page=2)
    assert ids == expected[50:100]
    assert admin.get(f"/organisations/{house}?page=0").status_code == 400
    assert admin.get("/organisations/999999999").status_code == 404


def test_region_limited_user(admin, demo, people, sessions, create_contact):
    name = unique("Two states org ")
    oh = create_contact(organisation=name, region="US-OH")
    ca = create_contact(organisation=name, region="US-CA")
    only_ca = unique("California only ")
    create_contact(organisation=only_ca, region="US-CA")
    oid, ca_oid = org_id(demo.db, demo.client_id, name), org_id(demo.db, demo.client_id, only_ca)
    user = people.user(demo.client_id, VIEW, all_regions=False)
    limit_regions(demo.db, demo.client_id, user, "US-OH")
    web, _ = sessions.make(user_id=user)
    assert org_list(web, q=name)[0] == {oid: (name, 1)}
    ids, _ = org_page(web, oid)
    assert ids == [oh]
    # The other state's organisation: not listed, 404, and its name nowhere.
    assert org_list(web, q=only_ca)[0] == {}
    r = web.get(f"/organisations/{ca_oid}")
    assert r.status_code == 404 and only_ca not in r.text
    # The demo's chambers count only Ohio's members for them.
    senate = org_id(demo.db, demo.client_id, "U.S. Senate")
    want = demo.db.int(
        f"SELECT COUNT(*) FROM contacts c WHERE c.client_id = {demo.client_id} AND c.live = 1"
        f" AND c.organisation_id = {senate} AND c.region_id IN (SELECT rc.descendant_id FROM region_closure rc"
        f" JOIN regions a ON a.client_id = rc.client_id AND a.id = rc.ancestor_id WHERE a.client_id ="
        f" {demo.client_id} AND a.code = 'US-OH')")
    assert org_list(web, q="U.S. Senate")[0][senate] == ("U.S. Senate", want)
    assert ca not in org_page(web, oid)[0]


def test_campaign_limited_user(admin, demo, people, sessions, create_contact):
    name = unique("Campaign org ")
    inside = create_contact(organisation=name)
    outside = create_contact(organisation=name)
    cid, _ = create_campaign(admin)
    assert bulk_count(bulk(admin, "add", cid, which="selected", ids=[inside])) == 1
    oid = org_id(demo.db, demo.client_id, name)
    user = people.user(demo.client_id, VIEW, all_campaigns=False)
    limit_campaigns(demo.db, demo.client_id, user, cid)
    web, _ = sessions.make(user_id=user)
    assert org_list(web, q=name)[0] == {oid: (name, 1)}
    assert org_page(web, oid)[0] == [inside]
    # With no campaign at all: nothing, and 404.
    nobody = people.user(demo.client_id, VIEW, all_campaigns=False)
    nweb, _ = sessions.make(user_id=nobody)
    assert org_list(nweb)[0] == {}
    r = nweb.get(f"/organisations/{oid}")
    assert r.status_code == 404 and name not in r.text
    assert outside


def test_other_client_and_functions(admin, demo, people, sessions, create_contact):
    name = unique("Ours ")
    create_contact(organisation=name)
    oid = org_id(demo.db, demo.client_id, name)
    client = people.client()
    web, _ = sessions.make(client_id=client, user_id=people.user(client, VIEW))
    assert web.get(f"/organisations/{oid}").status_code == 404
    assert org_list(web)[0] == {}
    no, _ = sessions.make(user_id=people.user(demo.client_id, ["campaigns.view"]))
    assert no.get("/organisations").status_code == 403
    assert no.get(f"/organisations/{oid}").status_code == 403
    assert 'href="/organisations"' not in no.get("/campaigns").text
    assert 'href="/organisations"' in admin.get("/contacts").text
