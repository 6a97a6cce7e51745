"""The contact pages: the list (count, sort, filters, search, paging), the
detail page, creating, editing and deleting, compared with the database."""
import datetime
import json
import math
import re
import unicodedata
from urllib.parse import urlencode

import pytest

from conftest import (DEMO_CONTACTS, ListPage, Page, contact_form, location_path, sql_str, unhex, unique,
                      utc_now)

PAGE_SIZE = 50


def list_page(admin, **params):
    path = "/contacts" + ("?" + urlencode(params) if params else "")
    r = admin.get(path)
    assert r.status_code == 200, f"GET {path} answered {r.status_code}"
    return ListPage(r)


def all_ids(admin, max_pages=10, **params):
    """Every id a (small) filtered list shows, over all its pages."""
    first = list_page(admin, **params)
    if first.total == 0:
        return first.total, []
    assert first.pages <= max_pages, f"{params} has {first.pages} pages; the test expects a small result"
    ids = list(first.ids)
    for n in range(2, first.pages + 1):
        ids += list_page(admin, page=n, **params).ids
    assert len(ids) == first.total, f"{params}: the pages show {len(ids)} rows, the count says {first.total}"
    return first.total, ids


def db_ids(demo, order, where="1", limit=PAGE_SIZE, offset=0, join_region=False):
    join = (" LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id" if join_region else "")
    return [int(r[0]) for r in demo.db.rows(
        f"SELECT c.id FROM contacts c{join} WHERE c.client_id = {demo.client_id} AND c.deleted_at IS NULL"
        f" AND ({where}) ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}")]


def in_region(demo, code):
    """SQL condition: the contact is in the region or below it."""
    return (f"c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions a"
            f" ON a.client_id = rc.client_id AND a.id = rc.ancestor_id"
            f" WHERE a.client_id = {demo.client_id} AND a.code = {sql_str(code)})")


def fold(text):
    """Accent- and case-insensitive form of a text, for an oracle of the search."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()


def db_names(demo):
    """id -> (first, middle, last, nickname) for every live contact."""
    rows = demo.db.rows(
        "SELECT id, HEX(first_name), HEX(middle_name), HEX(last_name), HEX(nickname) FROM contacts"
        f" WHERE client_id = {demo.client_id} AND deleted_at IS NULL")
    return {int(r[0]): tuple(unhex(x) for x in r[1:]) for r in rows}


# ---------------------------------------------------------------- demo data

def test_demo_data_was_imported(demo):
    db = demo.db
    assert db.int(f"SELECT COUNT(*) FROM contacts WHERE client_id = {demo.client_id} AND external_id IS NOT NULL") \
        == DEMO_CONTACTS, "the demo import does not hold 12,767 legislators"
    assert db.int(f"SELECT COUNT(DISTINCT external_id) FROM contacts WHERE client_id = {demo.client_id}") \
        == DEMO_CONTACTS
    # The region tree: country > state > district, with its closure.
    tree = {r[0]: (r[1], r[2], r[3]) for r in db.rows(
        "SELECT r.code, r.kind, r.name, p.code FROM regions r LEFT JOIN regions p ON p.client_id = r.client_id"
        f" AND p.id = r.parent_id WHERE r.client_id = {demo.client_id} AND r.code IN ('US', 'US-OH', 'US-OH-05')")}
    assert tree == {"US": ("country", "United States", None), "US-OH": ("state", "Ohio", "US"),
                    "US-OH-05": ("district", "Ohio district 5", "US-OH")}, tree
    ancestors = [r[0] for r in db.rows(
        "SELECT a.code FROM region_closure rc JOIN regions d ON d.client_id = rc.client_id AND d.id = rc.descendant_id"
        " JOIN regions a ON a.client_id = rc.client_id AND a.id = rc.ancestor_id"
        f" WHERE rc.client_id = {demo.client_id} AND d.code = 'US-OH-05' ORDER BY rc.depth")]
    assert ancestors == ["US-OH-05", "US-OH", "US"], ancestors
    bad = db.int(f"SELECT COUNT(*) FROM regions WHERE client_id = {demo.client_id} AND kind = 'state'"
                 " AND code NOT REGEXP '^US-[A-Z]{2}$'")
    assert bad == 0, "state codes are not like US-OH"
    bad = db.int(f"SELECT COUNT(*) FROM regions WHERE client_id = {demo.client_id} AND kind = 'district'"
                 " AND code NOT REGEXP '^US-[A-Z]{2}-([0-9]{2}|AL)$'")
    assert bad == 0, "district codes are not like US-OH-05"
    # One legislator, field by field.
    c = demo.contact(demo.contact_by_external("L000570"))
    assert (c["first_name"], c["middle_name"], c["last_name"], c["title"], c["party"], c["birthday"], c["region"]) == \
        ("Ben", "Ray", "Luján", "Senator", "Democrat", "1972-06-07", "US-NM"), c


# ---------------------------------------------------------------- the list

def test_list_shows_the_count_and_the_first_page(admin, demo):
    lp = list_page(admin)
    expected = demo.live_count()
    assert expected >= DEMO_CONTACTS
    assert lp.total == expected, f"the list says {lp.total} contacts, the database has {expected}"
    assert len(lp.ids) == PAGE_SIZE, f"the first page has {len(lp.ids)} rows, not {PAGE_SIZE}"
    assert (lp.page_no, lp.pages) == (1, math.ceil(expected / PAGE_SIZE)), (lp.page_no, lp.pages)
    assert lp.showing == (1, PAGE_SIZE, expected), lp.showing
    assert lp.ids == db_ids(demo, "c.last_name, c.first_name, c.id"), "the first page is not the first 50 by name"


@pytest.mark.parametrize("sort, order, join", [
    ("name", "c.last_name, c.first_name, c.id", False),
    ("state", "r.sort_key, c.last_name, c.first_name, c.id", True),
    ("updated", "c.updated_at DESC, c.id DESC", False),
])
def test_list_sort_orders(sort, order, join, admin, demo):
    lp = list_page(admin, sort=sort, page=3)
    assert lp.page_no == 3
    assert lp.ids == db_ids(demo, order, offset=2 * PAGE_SIZE, join_region=join), \
        f"page 3 sorted by {sort} differs from the database's order"
    assert Page(lp.response.text).form("/contacts", method="get")["fields"].get("sort") == sort


def test_sort_by_updated_puts_a_new_contact_first(admin, create_contact):
    cid = create_contact()
    lp = list_page(admin, sort="updated")
    assert lp.ids[0] == cid, f"the contact just created ({cid}) is not first by last update: {lp.ids[:3]}"


def test_an_unknown_sort_is_refused(admin, demo):
    for sort in ("id", "name;--", "id; DROP TABLE contacts"):
        r = admin.get("/contacts?" + urlencode({"sort": sort}))
        assert r.status_code == 400, f"sort={sort!r} answered {r.status_code}"
        assert "sort order" in Page(r.text).text, f"sort={sort!r}: no message about the sort order"
    assert "must be name, state or updated" in Page(admin.get("/contacts?sort=id").text).text
    assert demo.live_count() >= DEMO_CONTACTS


def test_filter_by_state_ohio(admin, demo, create_contact):
    marker = unique("Ohio")
    cid = create_contact(last_name=marker, region="US-OH-05")
    lp = list_page(admin, region="US-OH")
    expected = demo.live_count(in_region(demo, "US-OH"))
    assert expected > 500, f"Ohio has only {expected} contacts in the database"
    assert lp.total == expected, f"the list says {lp.total} contacts in Ohio, the database {expected}"
    assert lp.ids == db_ids(demo, "c.last_name, c.first_name, c.id", in_region(demo, "US-OH"))
    regions = {row[3] for row in lp.cells}
    assert all(r == "Ohio" or r.startswith("Ohio ") for r in regions), f"rows outside Ohio: {regions}"
    # A district is inside its state, and not inside another state.
    assert all_ids(admin, q=marker, region="US-OH") == (1, [cid])
    assert all_ids(admin, q=marker, region="US-OH-05") == (1, [cid])
    assert all_ids(admin, q=marker, region="US-CA") == (0, [])
    assert list_page(admin, region="US-ZZ").total == 0, "an unknown region matches something"


def test_filter_by_party(admin, demo):
    lp = list_page(admin, party="Democrat")
    expected = demo.live_count("c.party = 'Democrat'")
    assert lp.total == expected, f"the list says {lp.total} Democrats, the database {expected}"
    assert {row[2] for row in lp.cells} == {"Democrat"}, "a row of another party in the Democrat filter"


def test_filters_combine(admin, demo):
    total, ids = all_ids(admin, region="US-CA", party="Democrat", q="ann")
    where = f"{in_region(demo, 'US-CA')} AND c.party = 'Democrat'"
    candidates = set(db_ids(demo, "c.id", where, limit=10 ** 6))
    names = db_names(demo)
    expected = sorted(i for i in candidates if any("ann" in fold(p) for p in names[i]))
    assert expected, "no Californian Democrat named like 'ann' to find"
    assert sorted(ids) == expected, f"region+party+q found {sorted(ids)}, expected {expected}"


def test_search_lujan_is_accent_and_case_insensitive(admin, demo):
    names = db_names(demo)
    expected = sorted(i for i, parts in names.items() if any("lujan" in fold(p) for p in parts))
    accented = [i for i in expected if any("Luján" in p for p in names[i])]
    assert accented, "no Luján in the database to look for"
    for q in ("lujan", "LUJAN", "Luján", "lUjÁn"):
        total, ids = all_ids(admin, q=q)
        assert sorted(ids) == expected, f"q={q!r} found {sorted(ids)}, expected {expected}"
    page = list_page(admin, q="lujan")
    assert any("Luján" in row[0] for row in page.cells), f"no Luján shown: {page.cells}"
    assert Page(page.response.text).input("q")["value"] == "lujan", "the search box does not keep the query"


def test_search_treats_like_wildcards_literally(admin, demo, create_contact):
    u = unique("Lit")
    ids = {name: create_contact(first_name="W", last_name=u + name) for name in ("%x", "Xx", "_x", "\\x", "Ax")}
    assert all_ids(admin, q=u)[0] == 5
    assert all_ids(admin, q=u + "%x") == (1, [ids["%x"]]), "% in the search matched more than a percent sign"
    assert all_ids(admin, q=u + "_x") == (1, [ids["_x"]]), "_ in the search matched more than an underscore"
    assert all_ids(admin, q=u + "\\x") == (1, [ids["\\x"]]), "a backslash in the search is not literal"
    # A lone % finds only names that contain one.
    names = db_names(demo)
    expected = sorted(i for i, parts in names.items() if any("%" in p for p in parts))
    total, found = all_ids(admin, max_pages=1000, q="%")
    assert sorted(found) == expected, f"q=% found {total} contacts; {len(expected)} names contain a %"


def test_search_by_first_and_last_name(admin, create_contact):
    """Typing "first last" finds a contact that has no middle name."""
    u = unique()
    cid = create_contact(first_name="Fn" + u, last_name="Ln" + u)
    assert all_ids(admin, q=f"Fn{u} Ln{u}") == (1, [cid]), \
        f"searching for the first and last name 'Fn{u} Ln{u}' does not find contact {cid}"


def test_paging_and_the_last_page(admin, demo):
    total = demo.live_count()
    pages = math.ceil(total / PAGE_SIZE)
    second = list_page(admin, page=2)
    assert second.ids == db_ids(demo, "c.last_name, c.first_name, c.id", offset=PAGE_SIZE)
    assert second.showing == (PAGE_SIZE + 1, 2 * PAGE_SIZE, total)
    last = list_page(admin, page=pages)
    rows_last = total - (pages - 1) * PAGE_SIZE
    assert (last.page_no, last.pages) == (pages, pages)
    assert len(last.ids) == rows_last, f"the last page has {len(last.ids)} rows, expected {rows_last}"
    assert last.showing == ((pages - 1) * PAGE_SIZE + 1, total, total)
    assert last.ids == db_ids(demo, "c.last_name, c.first_name, c.id", offset=(pages - 1) * PAGE_SIZE)
    assert last.pager("next") is None and last.pager("last") is None, "the last page links to a next page"
    # Beyond the last page: the last page.
    beyond = list_page(admin, page=pages + 500)
    assert (beyond.page_no, beyond.ids) == (pages, last.ids), f"page {pages + 500} shows page {beyond.page_no}"
    # An empty page number is page 1; anything else that is not a page is a 400.
    assert list_page(admin, page="").page_no == 1
    for bad in ("0", "-3", "abc", "1e3", "2 ", "1000001", "99999999999999999999999"):
        r = admin.get("/contacts?" + urlencode({"page": bad}))
        assert r.status_code == 400, f"page={bad!r} answered {r.status_code}"
        assert "page must be a whole number" in Page(r.text).text, f"page={bad!r}: {Page(r.text).text[:200]}"


def test_pager_links_keep_the_filters(admin, demo):
    lp = list_page(admin, region="US-CA", party="Democrat", sort="state", page=2)
    assert lp.pages >= 3, "too few Californian Democrats to page through"
    want = {"region": ["US-CA"], "party": ["Democrat"], "sort": ["state"]}
    for rel, page in (("first", "1"), ("prev", "1"), ("next", "3"), ("last", str(lp.pages))):
        q = lp.pager(rel)
        assert q is not None, f"no {rel} link on page 2"
        assert q == dict(want, page=[page]), f"the {rel} link loses or changes the filters: {q}"
    # Following "next" gives the third page of the same filtered list.
    nxt = list_page(admin, **{k: v[0] for k, v in lp.pager("next").items()})
    where = f"{in_region(demo, 'US-CA')} AND c.party = 'Democrat'"
    assert nxt.ids == db_ids(demo, "r.sort_key, c.last_name, c.first_name, c.id", where, offset=2 * PAGE_SIZE,
                             join_region=True)


def test_search_text_in_pager_links_is_encoded(admin):
    lp = list_page(admin, q="an", page=2)
    assert lp.pager("prev") == {"q": ["an"], "sort": ["name"], "page": ["1"]}, lp.pager("prev")


# ---------------------------------------------------------------- detail

def test_contact_detail_page(admin, demo):
    cid = demo.contact_by_external("L000570")
    r = admin.get(f"/contacts/{cid}")
    assert r.status_code == 200
    page = Page(r.text)
    assert page.title.startswith("Ben Luján"), f"the page title is {page.title!r}"
    assert "Ben Luján" in page.by_id.get("main", ""), "the name is not the page heading"
    for text in ("Ray", "Senator", "Democrat", "New Mexico", "202-224-6621", "1972-06-07"):
        assert text in page.text, f"{text!r} is not on the detail page of contact {cid}"
    assert any(l["href"] == "https://www.lujan.senate.gov" for l in page.links), "no link to the web site"
    assert any(l["href"] == f"/contacts/{cid}/edit" for l in page.links), "no edit link"


def test_unknown_and_malformed_ids_are_not_found(admin, demo, create_contact):
    cid = create_contact()
    top = demo.db.int("SELECT MAX(id) FROM contacts")
    paths = [
        f"/contacts/{top + 100000}",
        f"/contacts/0{cid}",
        f"/contacts/00{cid}",
        f"/contacts/{cid}x",
        f"/contacts/x{cid}",
        f"/contacts/{cid}.0",
        f"/contacts/-{cid}",
        f"/contacts/+{cid}",
        f"/contacts/%3{str(cid)[0]}{str(cid)[1:]}",
        f"/contacts/{cid}/",
        f"/contacts/{cid}%20",
        "/contacts/0",
        "/contacts/999999999999999999",
        "/contacts/1234567890123456789",
        "/contacts/99999999999999999999999999999",
        f"/contacts/{top + 100000}/edit",
        f"/contacts/0{cid}/edit",
        f"/contacts/0{cid}/delete",
    ]
    for path in paths:
        r = admin.get(path, raw_path=True)
        assert r.status_code == 404, f"GET {path} answered {r.status_code}, not 404"
    assert admin.get(f"/contacts/{cid}").status_code == 200


# ---------------------------------------------------------------- create

FULL = {
    "title": "Dr.", "first_name": "Ann", "middle_name": "B.", "suffix": "Jr.", "nickname": "Annie",
    "organisation": "Example Org", "party": "Independent", "email": "ann.b@example.org",
    "phone": "+1 (614) 555-0100 ext. 12", "address": "1 Main St\nColumbus, OH 43215",
    "website": "https://ann.example.org/about?x=1&y=2", "contact_form": "http://example.org/contact",
    "birthday": "1980-02-29", "region": "US-OH-05", "notes": "Met at the\ttown hall.\nLikes tea.",
}


def test_create_stores_exactly_what_was_sent(admin, demo, create_contact):
    sent = dict(FULL, last_name=unique("Exact"))
    before = utc_now()
    cid = create_contact(**sent)
    row = demo.contact(cid)
    assert row is not None, f"contact {cid} is not in the database"
    for field, value in sent.items():
        got = row["region"] if field == "region" else row[field]
        assert got == value, f"{field}: sent {value!r}, stored {got!r}"
    assert row["client_id"] == demo.client_id and row["deleted_at"] is None
    assert row["external_id"] is None
    created = datetime.datetime.strptime(row["created_at"], "%Y-%m-%d %H:%M:%S.%f")
    assert abs((created - before).total_seconds()) < 60, f"created_at {row['created_at']} is not now in UTC"
    page = Page(admin.get(f"/contacts/{cid}").text)
    for field in ("first_name", "last_name", "email", "phone", "party", "organisation", "birthday"):
        assert sent[field] in page.text, f"{field} {sent[field]!r} is not shown on the detail page"
    assert "Ohio district 5" in page.text, "the region is not shown by name"
    assert page.by_class.get("pre") and sent["address"] in [t.strip("\n") for t in page.by_class["pre"]], \
        "the address is not shown with its line breaks"


def test_create_trims_names_and_normalises_line_ends(admin, demo, create_contact):
    last = unique("Trim")
    cid = create_contact(first_name="  Ann\t", last_name=f" {last} ", notes="one\r\ntwo\rthree\n",
                         address="a\r\nb")
    row = demo.contact(cid)
    assert (row["first_name"], row["last_name"]) == ("Ann", last), row
    assert row["notes"] == "one\ntwo\nthree\n" and row["address"] == "a\nb", (row["notes"], row["address"])


def test_create_with_only_an_organisation(admin, demo, create_contact):
    org = unique("Org ")
    cid = create_contact(first_name="", last_name="", organisation=org)
    assert demo.contact(cid)["organisation"] == org
    page = Page(admin.get(f"/contacts/{cid}").text)
    assert org in page.title, f"the detail page is not titled with the organisation: {page.title!r}"
    # In the list (newest first) the row must show something to click on.
    lp = list_page(admin, sort="updated")
    assert lp.ids[0] == cid
    name_cell = lp.cells[0][0]
    assert org in name_cell, \
        f"the list row of an organisation-only contact shows {name_cell!r} as its name, not {org!r}"
    confirm = Page(admin.get(f"/contacts/{cid}/delete").text)
    heading = confirm.h1
    assert heading == [f"Delete {org}?"], f"the delete page of an organisation-only contact asks {heading!r}"


def test_an_uppercase_url_scheme_is_stored_lowercase_and_linked(admin, demo, create_contact):
    cid = create_contact(website="HTTPS://Example.ORG/Path?Q=1", contact_form="Http://example.org/form")
    row = demo.contact(cid)
    assert (row["website"], row["contact_form"]) == ("https://Example.ORG/Path?Q=1", "http://example.org/form"), row
    hrefs = {l["href"] for l in Page(admin.get(f"/contacts/{cid}").text).links}
    assert {"https://Example.ORG/Path?Q=1", "http://example.org/form"} <= hrefs, \
        f"the web addresses are not links on the detail page: {sorted(h for h in hrefs if h)}"


def count_marked(demo, marker):
    """Contacts (deleted or not) with the marker anywhere in a name field."""
    m = sql_str(marker)
    return demo.db.int(
        f"SELECT COUNT(*) FROM contacts WHERE client_id = {demo.client_id} AND (INSTR(first_name, {m}) > 0"
        f" OR INSTR(last_name, {m}) > 0 OR INSTR(organisation, {m}) > 0 OR INSTR(notes, {m}) > 0)")


def test_invalid_input_is_refused_and_the_form_comes_back(admin, demo):
    marker = unique("Bad")
    sent = contact_form(
        first_name="A" * 101,
        last_name=marker,
        email='x"><script>alert(1)</script>',
        birthday="2023-02-29",
        website="javascript:alert(1)",
        contact_form="data:text/html,<b>x</b>",
        region="US-ZZ",
        phone="call me",
        notes=f"notes {marker} <i>kept</i>",
    )
    total = demo.contact_count()
    r = admin.post("/contacts", sent)
    assert r.status_code == 422, f"invalid input answered {r.status_code}"
    assert demo.contact_count() == total and count_marked(demo, marker) == 0, "invalid input was written"
    page = Page(r.text)
    expected_errors = {
        "first_name": "too long",
        "email": "email address",
        "birthday": "real date",
        "website": "http",
        "contact_form": "http",
        "region": "not a known",
        "phone": "digits",
    }
    for field, words in expected_errors.items():
        msg = page.field_error(field)
        assert msg and words in msg, f"{field}: expected a message about {words!r}, got {msg!r}"
        if field != "region":
            assert page.input(field).get("aria-invalid") == "true", f"{field} is not marked aria-invalid"
    for field in ("last_name", "middle_name", "notes", "title"):
        assert page.field_error(field) is None, f"{field} is valid but marked: {page.field_error(field)}"
    form = page.form("/contacts")["fields"]
    for field in ("first_name", "last_name", "email", "birthday", "website", "contact_form", "phone", "notes"):
        assert form.get(field) == sent[field], f"{field}: the form came back with {form.get(field)!r}"
    assert "<script>alert(1)</script>" not in r.text, "the user's input is put into the page unescaped"
    assert "<i>kept</i>" not in r.text and "&lt;i&gt;kept&lt;/i&gt;" in r.text
    assert form.get("csrf") == admin.csrf, "the form came back without its CSRF token"


def test_a_contact_needs_a_name_or_an_organisation(admin, demo):
    marker = unique("NoName")
    total = demo.contact_count()
    r = admin.post("/contacts", contact_form(first_name="", last_name="  ", organisation="", notes=marker))
    assert r.status_code == 422
    page = Page(r.text)
    assert page.field_error("last_name") and "needed" in page.field_error("last_name"), page.by_id
    assert page.form("/contacts")["fields"].get("notes") == marker
    assert demo.contact_count() == total, "a contact without a name was written"


@pytest.mark.parametrize("field, good, bad", [
    ("first_name", "é" * 100, "é" * 101),
    ("suffix", "x" * 20, "x" * 21),
    ("birthday", "2024-02-29", "2023-02-29"),
    ("birthday", "2000-12-31", "2000-13-01"),
    ("birthday", "1999-04-30", "1999-04-31"),
    ("birthday", "1999-04-30", "30/04/1999"),
    ("website", "http://example.org", "javascript:alert(1)"),
    ("website", "https://example.org/a?b=c", "https://"),
    ("email", "a@b.example", "a@b"),
    ("email", "first.last+tag@example.co.uk", "a@@example.org"),
    ("phone", "+44 20 7946 0000", "<b>1</b>"),
])
def test_field_limits(field, good, bad, admin, demo, create_contact):
    cid = create_contact(**{field: good})
    stored = demo.contact(cid)[field]
    assert stored == good, f"{field}: sent {good!r}, stored {stored!r}"
    marker = unique("Limit")
    r = admin.post("/contacts", contact_form(last_name=marker, **{field: bad}))
    assert r.status_code == 422, f"{field}={bad!r} answered {r.status_code}, not 422"
    assert Page(r.text).field_error(field), f"no message next to {field} for {bad!r}"
    assert count_marked(demo, marker) == 0


METACHARS = {
    "first_name": "<script>alert(1)</script>",
    "last_name": "Robert'); DROP TABLE contacts;--",
    "nickname": "O'Brien \"Bob\" & Co",
    "organisation": "\" onmouseover=\"alert(1)",
    "notes": "</textarea><img src=x onerror=alert(1)> & &amp; &lt;",
}


def test_html_and_sql_metacharacters_are_stored_as_typed_and_shown_escaped(admin, demo, create_contact):
    marker = unique("Meta")
    sent = dict(METACHARS, middle_name=marker)
    cid = create_contact(**sent)
    row = demo.contact(cid)
    for field, value in sent.items():
        assert row[field] == value, f"{field}: sent {value!r}, stored {row[field]!r}"
    assert demo.db.int("SELECT COUNT(*) FROM contacts") > 0, "the contacts table is gone"
    pages = {
        "detail": admin.get(f"/contacts/{cid}"),
        "edit form": admin.get(f"/contacts/{cid}/edit"),
        "delete form": admin.get(f"/contacts/{cid}/delete"),
        "list": admin.get("/contacts?" + urlencode({"q": marker})),
    }
    for name, r in pages.items():
        assert r.status_code == 200, f"{name}: {r.status_code}"
        for raw in ("<script>alert(1)</script>", "<img src=x", "\" onmouseover=\"", "</textarea><img"):
            assert raw not in r.text, f"the {name} page contains {raw!r} unescaped"
        if name != "edit form":  # there the values are in the fields, compared below
            assert "<script>alert(1)</script>" in Page(r.text).text, f"the {name} page does not show the name as typed"
    edit = Page(pages["edit form"].text).form(f"/contacts/{cid}")["fields"]
    for field, value in sent.items():
        assert edit.get(field) == value, f"edit form {field}: {edit.get(field)!r} instead of {value!r}"
    assert ListPage(pages["list"]).ids == [cid]


def test_unicode_round_trips(admin, demo, create_contact):
    marker = unique("Ünï")
    sent = {"first_name": "Дарья 😀", "last_name": marker, "nickname": "دارا", "organisation": "東京 株式会社",
            "notes": "emoji 👩‍👩‍👧 and combining é"}
    cid = create_contact(**sent)
    row = demo.contact(cid)
    for field, value in sent.items():
        assert row[field] == value, f"{field}: sent {value!r}, stored {row[field]!r}"
    page = Page(admin.get(f"/contacts/{cid}").text)
    for value in sent.values():
        assert value in page.text, f"{value!r} is not shown on the detail page"
    edit = Page(admin.get(f"/contacts/{cid}/edit").text).form(f"/contacts/{cid}")["fields"]
    assert all(edit[f] == v for f, v in sent.items()), "the edit form does not show the text as stored"
    # Case-insensitive search works beyond ASCII.
    assert all_ids(admin, q=f"ДАРЬЯ 😀 {marker.lower()}") == (1, [cid]), "an upper-case Cyrillic search fails"
    assert all_ids(admin, q=marker.lower())[1] == [cid]


# ---------------------------------------------------------------- edit

def edit_form(admin, cid):
    r = admin.get(f"/contacts/{cid}/edit")
    assert r.status_code == 200, f"GET /contacts/{cid}/edit answered {r.status_code}"
    page = Page(r.text)
    assert page.input("version").get("type") == "hidden"
    return page.form(f"/contacts/{cid}")["fields"]


def test_edit_form_shows_the_stored_values_and_a_version(admin, demo, create_contact):
    cid = create_contact(**dict(FULL, last_name=unique("EditForm")))
    row = demo.contact(cid)
    form = edit_form(admin, cid)
    assert form["version"] == row["updated_at"], f"version {form['version']!r} is not updated_at {row['updated_at']}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", form["version"]), form["version"]
    for field in FULL:
        want = row["region"] if field == "region" else row[field]
        assert form[field] == want, f"{field}: the edit form shows {form[field]!r}, stored {want!r}"


def test_edit_saves_changes(admin, demo, create_contact):
    cid = create_contact(**dict(FULL, last_name=unique("Edit")))
    old = demo.contact(cid)
    form = edit_form(admin, cid)
    form.update(phone="+1 614 555 0199", region="US-CA-12", notes="changed\nnotes", birthday="")
    r = admin.post(f"/contacts/{cid}", form, csrf=False)
    assert r.status_code == 303, f"saving an edit answered {r.status_code}: {Page(r.text).by_id}"
    assert location_path(r) == f"/contacts/{cid}"
    new = demo.contact(cid)
    assert (new["phone"], new["region"], new["notes"], new["birthday"]) == \
        ("+1 614 555 0199", "US-CA-12", "changed\nnotes", None), new
    for field in ("first_name", "last_name", "email", "website", "address", "created_at"):
        assert new[field] == old[field], f"{field} changed though it was not edited"
    assert new["updated_at"] > old["updated_at"], "updated_at did not move"


def test_a_stale_version_is_a_conflict(admin, demo, create_contact):
    cid = create_contact(phone="111", last_name=unique("Stale"))
    first = edit_form(admin, cid)
    second = dict(first)
    first["phone"] = "222"
    assert admin.post(f"/contacts/{cid}", first, csrf=False).status_code == 303
    saved = demo.contact(cid)
    second["phone"] = "333"
    second["notes"] = "mine <b>too</b>"
    r = admin.post(f"/contacts/{cid}", second, csrf=False)
    assert r.status_code == 409, f"an edit of a stale version answered {r.status_code}, not 409"
    assert demo.contact(cid) == saved, "the stale edit changed the contact"
    page = Page(r.text)
    back = page.form(f"/contacts/{cid}")["fields"]
    assert (back["phone"], back["notes"]) == ("333", "mine <b>too</b>"), "the conflict page lost the user's input"
    assert "<b>too</b>" not in r.text
    assert back["version"] == saved["updated_at"], "the conflict page does not carry the current version"
    # Without any version it is a conflict too.
    no_version = {k: v for k, v in second.items() if k != "version"}
    assert admin.post(f"/contacts/{cid}", no_version, csrf=False).status_code == 409
    assert demo.contact(cid) == saved
    # Saving the conflict page again (knowingly) overwrites.
    assert admin.post(f"/contacts/{cid}", back, csrf=False).status_code == 303
    assert demo.contact(cid)["phone"] == "333"


def test_invalid_edit_changes_nothing(admin, demo, create_contact):
    cid = create_contact(email="ok@example.org", last_name=unique("BadEdit"))
    before = demo.contact(cid)
    form = edit_form(admin, cid)
    form.update(email="not an email", phone="555 0100")
    r = admin.post(f"/contacts/{cid}", form, csrf=False)
    assert r.status_code == 422
    assert Page(r.text).field_error("email")
    assert Page(r.text).form(f"/contacts/{cid}")["fields"]["email"] == "not an email"
    assert demo.contact(cid) == before, "an invalid edit changed the contact"


# ---------------------------------------------------------------- delete

def test_delete_is_a_soft_delete_that_hides_the_contact(admin, demo, create_contact):
    marker = unique("Gone")
    cid = create_contact(last_name=marker)
    confirm = admin.get(f"/contacts/{cid}/delete")
    assert confirm.status_code == 200
    form = Page(confirm.text).form(f"/contacts/{cid}/delete")
    assert form["fields"].get("csrf") == admin.csrf
    assert marker in Page(confirm.text).text
    assert demo.contact(cid)["deleted_at"] is None, "showing the confirm page deleted the contact"
    total = demo.live_count()

    r = admin.post(f"/contacts/{cid}/delete", form["fields"], csrf=False)
    assert r.status_code == 303, f"delete answered {r.status_code}"
    row = demo.contact(cid)
    assert row is not None, "the row was removed, not soft-deleted"
    assert row["deleted_at"] is not None, "deleted_at is not set"
    assert row["last_name"] == marker
    assert demo.live_count() == total - 1

    after = admin.get(location_path(r))
    assert after.status_code == 200 and "The contact was deleted." in Page(after.text).text
    assert ListPage(after).total == total - 1
    assert all_ids(admin, q=marker) == (0, []), "the deleted contact is still found by search"
    assert cid not in list_page(admin, sort="updated").ids
    for path in (f"/contacts/{cid}", f"/contacts/{cid}/edit", f"/contacts/{cid}/delete"):
        assert admin.get(path).status_code == 404, f"GET {path} of a deleted contact is not 404"
    edit = contact_form(last_name="Revived", version=row["updated_at"])
    assert admin.post(f"/contacts/{cid}", edit).status_code == 404, "a deleted contact can be edited"
    assert admin.post(f"/contacts/{cid}/delete").status_code == 404, "a deleted contact can be deleted again"
    assert demo.contact(cid) == row, "requests to a deleted contact changed it"


# ---------------------------------------------------------------- other clients

def test_clients_see_only_their_own_contacts(admin, demo, people, sessions, create_contact):
    """Every query is scoped to the session's client: a user of another
    client sees and touches only that client's contacts, and the other way
    round."""
    other = people.client()
    user = people.user(other, ["contacts.view", "contacts.create", "contacts.edit", "contacts.delete"])
    web, _ = sessions.make(client_id=other, user_id=user)
    marker = unique("Foreign")
    r = web.post("/contacts", contact_form(first_name="Secret", last_name=marker, party="Democrat"))
    assert r.status_code == 303, f"the other client's user could not create a contact: {r.status_code}"
    theirs = int(location_path(r).rsplit("/", 1)[1])
    ours = create_contact(last_name=unique("Ours"))

    # The other client's list holds exactly its one contact.
    lp = ListPage(web.get("/contacts"))
    assert (lp.total, lp.ids) == (1, [theirs]), f"the other client sees {lp.total} contacts: {lp.ids[:5]}"
    assert ListPage(web.get("/contacts?q=lujan")).total == 0, "the other client finds the demo client's contacts"
    assert ListPage(web.get("/contacts?region=US-OH")).total == 0, "the demo client's regions leak"
    # Neither reaches the other's contact, by any route.
    for client, cid, who in ((admin, theirs, "the demo admin"), (web, ours, "the other client")):
        before = demo.contact(cid)
        for path in (f"/contacts/{cid}", f"/contacts/{cid}/edit", f"/contacts/{cid}/delete"):
            r = client.get(path)
            assert r.status_code == 404, f"{who}: GET {path} of a foreign contact answered {r.status_code}"
        r = client.post(f"/contacts/{cid}", contact_form(last_name="Taken", version=before["updated_at"]))
        assert r.status_code == 404, f"{who}: editing a foreign contact answered {r.status_code}"
        assert client.post(f"/contacts/{cid}/delete").status_code == 404
        assert demo.contact(cid) == before, f"{who} changed a foreign contact"
    assert all_ids(admin, q=marker) == (0, []), "the demo admin finds the other client's contact"
    assert list_page(admin).total == demo.live_count(), "the demo client's count includes another client's contact"
    # A region code of the demo client is unknown to the other client.
    r = web.post("/contacts", contact_form(last_name=unique("NoRegion"), region="US-OH"))
    assert r.status_code == 422 and Page(r.text).field_error("region"), \
        f"the other client could use the demo client's region: {r.status_code}"


# ---------------------------------------------------------------- further emails, phones, tags

def channels_and_tags(db, cid):
    chans = db.rows(f"SELECT kind, seq, value, types FROM contact_channels WHERE contact_id = {int(cid)}"
                    " ORDER BY kind, seq")
    tags = [r[0] for r in db.rows(f"SELECT tag FROM contact_tags WHERE contact_id = {int(cid)} ORDER BY tag")]
    return [tuple(r) for r in chans], tags


def test_other_emails_phones_and_tags_on_the_form(admin, db, audit, create_contact):
    """The form takes further emails and phones ("value (types)" per line,
    as the CSV export writes them) and tags; the page shows them; an edit
    that leaves them out of the form keeps them; a bad one comes back with
    its message and nothing saved; the audit row has old and new."""
    mark = audit.mark()
    cid = create_contact(other_emails="ana@work.example.org (Work)\r\nana@home.example.org",
                         other_phones="+1 555 0100 (mobile)\n0555 010 0199 (home, fax)", tags="press, donor; press")
    assert channels_and_tags(db, cid) == (
        [("email", "1", "ana@work.example.org", "work"), ("email", "2", "ana@home.example.org", ""),
         ("phone", "1", "+1 555 0100", "cell"), ("phone", "2", "0555 010 0199", "home,fax")],
        ["donor", "press"])
    created = audit.one_since(mark, "the create")
    changes = json.loads(created["detail"])["changes"]
    assert changes["other_emails"] == {"old": None, "new": "ana@work.example.org (work)\nana@home.example.org"}
    assert changes["tags"] == {"old": None, "new": "press, donor"}
    page = Page(admin.get(f"/contacts/{cid}").text)
    assert "ana@work.example.org" in page.text and "0555 010 0199" in page.text and "donor" in page.text
    edit = Page(admin.get(f"/contacts/{cid}/edit").text)
    assert edit.by_id["other_emails"] == "ana@work.example.org (work)\nana@home.example.org"
    version = edit.input("version")["value"]
    # A form without the fields (an older client) keeps them.
    row = demo_row(db, cid)
    r = admin.post(f"/contacts/{cid}", contact_form(first_name="Ana", last_name=row["last_name"], version=version))
    assert r.status_code == 303
    assert channels_and_tags(db, cid)[1] == ["donor", "press"]
    version = Page(admin.get(f"/contacts/{cid}/edit").text).input("version")["value"]
    # A bad email comes back with its message; nothing changes.
    before = channels_and_tags(db, cid)
    r = admin.post(f"/contacts/{cid}", contact_form(first_name="Ana", last_name=row["last_name"], version=version,
                                                    other_emails="not an email", tags="x"))
    assert r.status_code == 422
    assert Page(r.text).field_error("other_emails") == '"not an email" is not an email address (like name@example.org)'
    assert channels_and_tags(db, cid) == before
    # Only the tags changed: the contact's updated_at moves, the row says what.
    updated = db.value(f"SELECT updated_at FROM contacts WHERE id = {int(cid)}")
    mark = audit.mark()
    r = admin.post(f"/contacts/{cid}", contact_form(first_name="Ana", last_name=row["last_name"], version=version,
                                                    other_emails="ana@work.example.org (work)\nana@home.example.org",
                                                    other_phones="+1 555 0100 (cell)\n0555 010 0199 (home,fax)",
                                                    tags="press"))
    assert r.status_code == 303
    assert channels_and_tags(db, cid)[1] == ["press"]
    assert db.value(f"SELECT updated_at FROM contacts WHERE id = {int(cid)}") > updated
    changes = json.loads(audit.one_since(mark, "the edit")["detail"])["changes"]
    assert changes == {"tags": {"old": "donor, press", "new": "press"}}, changes


def demo_row(db, cid):
    r = db.rows(f"SELECT last_name FROM contacts WHERE id = {int(cid)}")[0]
    return {"last_name": r[0]}
