"""The audit viewer (/audit), a contact's history and the trail's exports.

A client of its own (people.client) with users made for the tests, so that
every audit row of the client is one the tests caused and the expected rows
can be read straight from the table: each page, filter and export must show
exactly those ids, newest first, and never a row of another client. A
contact's history is the rows whose object is the contact and the rows that
list it in audit_contacts (exports, bulk actions).
"""
import csv
import io
import json
import re

import pytest

from conftest import Page, Sessions, recount_totals, sql_int, sql_str, unique
from test_tokens import Tokens, bearer

PAGE = 50
VIEWER_FUNCTIONS = ["audit.view", "contacts.view", "contacts.edit", "contacts.export"]


class Org:
    pass


@pytest.fixture(scope="module")
def org(db, demo, people, base_url, cert):
    """Client A: a viewer (audit.view and contact functions), a plain user
    (contacts.view only), a viewer limited to no region (audit.view, but no
    contact in scope), two contacts; client B: a viewer and a contact."""
    o = Org()
    o.sessions = Sessions(db, demo, base_url, cert)
    o.a = people.client()
    o.b = people.client()
    o.viewer_id = people.user(o.a, VIEWER_FUNCTIONS)
    o.plain_id = people.user(o.a, ["contacts.view"])
    o.limited_id = people.user(o.a, ["audit.view", "contacts.view"], all_regions=False)
    o.b_viewer_id = people.user(o.b, VIEWER_FUNCTIONS)
    for name in ("viewer", "plain", "limited", "b_viewer"):
        uid = getattr(o, name + "_id")
        setattr(o, name + "_name", db.value(f"SELECT username FROM users WHERE id = {uid}"))
        setattr(o, name, o.sessions.make(o.a if name != "b_viewer" else o.b, uid)[0])
    o.c1, o.c2 = (db.int(
        "INSERT INTO contacts (client_id, first_name, last_name) VALUES"
        f" ({o.a}, 'Audit', {sql_str(unique('Viewer'))}); SELECT LAST_INSERT_ID()") for _ in range(2))
    o.cb = db.int("INSERT INTO contacts (client_id, first_name, last_name) VALUES"
                  f" ({o.b}, 'Other', {sql_str(unique('Client'))}); SELECT LAST_INSERT_ID()")
    recount_totals(db, o.a)
    recount_totals(db, o.b)
    # Some activity in both clients.
    assert o.viewer.get(f"/contacts/{o.c1}").status_code == 200
    assert o.plain.get(f"/contacts/{o.c2}").status_code == 200
    assert o.plain.get(f"/contacts/{o.c1}").status_code == 200
    assert o.plain.get("/contacts/999999999").status_code == 404
    assert o.b_viewer.get(f"/contacts/{o.cb}").status_code == 200
    assert o.b_viewer.get("/audit").status_code == 200
    yield o
    o.sessions.remove()


@pytest.fixture(scope="module")
def admin(org, people):
    """An administrator of client A, for its security events."""
    return org.sessions.make(org.a, people.user(org.a, ["users.manage"]))[0]


def sql_ids(db, client, where="1"):
    return [int(r[0]) for r in db.rows(
        f"SELECT a.id FROM audit a WHERE a.client_id = {sql_int(client)} AND ({where}) ORDER BY a.id DESC")]


def history_where(org, contact):
    return (f"a.id IN (SELECT audit_id FROM audit_contacts WHERE client_id = {org.a} AND contact_id = {contact})"
            f" OR (a.object_type = 'contact' AND a.object_id = {contact})")


def page_ids(web, query=""):
    """(ids, Page) of one viewer page."""
    r = web.get("/audit" + ("?" + query if query else ""))
    assert r.status_code == 200, f"/audit?{query} answered {r.status_code}: {Page(r.text).text[:400]}"
    return [int(x) for x in re.findall(r'<tr id="audit-(\d+)"', r.text)], Page(r.text)


def csv_rows(response):
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["id", "at", "user", "address", "token_id", "method", "path", "action", "object_type",
                       "object_id", "outcome", "detail", "request_id"], rows[0]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def json_rows(response):
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.text)


# ---------------------------------------------------------------- who may

def test_a_user_without_audit_view_is_refused_and_the_refusal_is_audited(org, audit):
    for path in ("/audit", "/audit?contact=%d" % org.c1, "/audit/export.csv", "/audit/export.json"):
        mark = audit.mark()
        r = org.plain.get(path)
        assert r.status_code == 403, f"{path} answered {r.status_code} to a user without audit.view"
        row = audit.one_since(mark, "the refusal")
        assert (row["action"], row["outcome"], row["client_id"], row["user_id"], row["path"]) == \
            ("access.denied", 403, org.a, org.plain_id, path.split("?")[0]), row


def test_the_history_panel_is_only_for_audit_view(org):
    assert 'id="history"' not in org.plain.get(f"/contacts/{org.c1}").text
    assert 'id="history"' in org.viewer.get(f"/contacts/{org.c1}").text


# ---------------------------------------------------------------- the client boundary

def test_the_viewer_shows_its_clients_rows_only(org, db):
    want = sql_ids(db, org.a)[:PAGE]
    ids, page = page_ids(org.viewer)
    assert ids == want
    b_ids = set(sql_ids(db, org.b))
    assert b_ids and not b_ids & set(ids)
    # And the other way round.
    want_b = sql_ids(db, org.b)[:PAGE]
    ids_b, _ = page_ids(org.b_viewer)
    assert ids_b == want_b and not set(ids_b) & set(sql_ids(db, org.a))


def export_ids(web, db, audit, client, fmt, query="", where="1"):
    """(ids exported, ids expected): the rows of the filter up to the
    export's own first audit row, which commits before the rows are read."""
    mark = audit.mark()
    r = web.get(f"/audit/export.{fmt}" + ("?" + query if query else ""))
    got = [int(x["id"]) for x in (csv_rows(r) if fmt == "csv" else json_rows(r))]
    opening = db.int(f"SELECT MIN(id) FROM audit WHERE id > {mark} AND client_id = {sql_int(client)}"
                     " AND action = 'audit.export'")
    return got, sql_ids(db, client, f"({where}) AND a.id <= {opening}")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_exports_hold_the_clients_rows_only(org, db, audit, fmt):
    got, want = export_ids(org.viewer, db, audit, org.a, fmt)
    assert got == want and len(got) > 5
    assert not set(got) & set(sql_ids(db, org.b))
    got, want = export_ids(org.b_viewer, db, audit, org.b, fmt)
    assert got == want and not set(got) & set(sql_ids(db, org.a))


def test_another_clients_contact_has_no_history_here(org):
    assert org.viewer.get(f"/audit?contact={org.cb}").status_code == 404
    assert org.viewer.get(f"/audit/export.csv?contact={org.cb}").status_code == 404


def test_a_contact_outside_the_scope_is_refused_as_its_page_is(org):
    page = org.limited.get(f"/contacts/{org.c1}")
    history = org.limited.get(f"/audit?contact={org.c1}")
    assert page.status_code == 404 and history.status_code == 404
    assert org.limited.get(f"/audit/export.json?contact={org.c1}").status_code == 404


NO_SUCH_CONTACT = "There is no such contact, or it is not one you may see."


def refused_as(web, audit, path, status, action):
    """The response to path, after checking that it is refused with status
    and that its audit row is the only row written."""
    mark = audit.mark()
    r = web.get(path)
    assert r.status_code == status, f"{path} answered {r.status_code}: {Page(r.text).text[:300]}"
    got = audit.since(mark)
    assert [(x["action"], x["outcome"]) for x in got] == [(action, status)], got
    r.row = got[0]
    return r


@pytest.mark.parametrize("path, action", [("/audit", "audit.view"), ("/audit/export.csv", "audit.export"),
                                          ("/audit/export.json", "audit.export")])
def test_the_object_filter_on_a_contact_outside_the_scope_is_refused_as_contact_is(org, db, audit, path, action):
    assert sql_ids(db, org.a, f"a.object_type = 'contact' AND a.object_id = {org.c1}"), "no rows to leak"
    by_contact = refused_as(org.limited, audit, f"{path}?contact={org.c1}", 404, action)
    by_object = refused_as(org.limited, audit, f"{path}?object_type=contact&object_id={org.c1}", 404, action)
    assert NO_SUCH_CONTACT in Page(by_object.text).text
    def answer(r):  # the error page, without its request's reference
        return re.sub(r"reference [0-9a-f]+", "reference", Page(r.text).text)
    assert answer(by_object) == answer(by_contact)
    assert org.viewer_name not in by_object.text and "audit-" not in by_object.text
    # Another client's contact, for a viewer of every region: the same.
    r = refused_as(org.viewer, audit, f"{path}?object_type=contact&object_id={org.cb}", 404, action)
    assert NO_SUCH_CONTACT in Page(r.text).text
    # Other object types are not contacts: no scope applies.
    assert org.limited.get(f"{path}?object_type=user&object_id={org.viewer_id}").status_code == 200


# ---------------------------------------------------------------- filters

def test_each_filter_narrows_to_exactly_its_rows(org, db, audit):
    # A denial and an edit form, so that every filter below has rows.
    org.plain.get("/audit")
    minute = db.value(f"SELECT DATE_FORMAT(MAX(at), '%Y-%m-%dT%H:%i') FROM audit WHERE client_id = {org.a}")
    cases = {
        f"user={org.plain_name}": f"a.user_id = {org.plain_id}",
        "action=contact.view": "a.action = 'contact.view'",
        "action=contact.": "a.action LIKE 'contact.%'",
        f"object_type=contact&object_id={org.c2}": f"a.object_type = 'contact' AND a.object_id = {org.c2}",
        "object_type=user": "a.object_type = 'user'",
        "outcome=404": "a.outcome = 404",
        "outcome=4xx": "a.outcome BETWEEN 400 AND 499",
        "outcome=denied": "a.outcome IN (401, 403)",
        "outcome=ok": "a.outcome < 400",
        f"from={minute}": f"a.at >= '{minute.replace('T', ' ')}:00'",
        f"to={minute}": f"a.at < '{minute.replace('T', ' ')}:00' + INTERVAL 1 MINUTE",
        "from=2000-01-01&to=2000-01-02": "0",
        f"contact={org.c1}": history_where(org, org.c1),
        f"user={org.plain_name}&action=contact.view&outcome=200": f"a.user_id = {org.plain_id}"
                                                                  " AND a.action = 'contact.view' AND a.outcome = 200",
    }
    for query, where in cases.items():
        want = sql_ids(db, org.a, where)[:PAGE]
        ids, _ = page_ids(org.viewer, query)
        assert ids == want, f"{query}: {ids} != {want}"
        if query not in ("from=2000-01-01&to=2000-01-02", "object_type=user"):
            assert ids, f"{query} matched nothing: a filter that matches nothing proves nothing"
        if not query.startswith(("from=", "to=")):  # the rows may all lie in one minute
            assert len(ids) < len(sql_ids(db, org.a)), f"{query} did not narrow"
        # The exports take the same filters.
        got, want = export_ids(org.viewer, db, audit, org.a, "csv", query, where)
        assert got == want, query


@pytest.mark.parametrize("query, field", [
    ("from=2024-13-01", "from"),
    ("from=yesterday", "from"),
    ("to=2024-01-01T25:00", "to"),
    ("from=2024-02-02&to=2024-02-01", "to"),
    ("action=Contact View", "action"),
    ("action=" + "a" * 65, "action"),
    ("object_type=con'tact", "object type"),
    ("object_id=abc&object_type=contact", "object id"),
    ("object_id=5", "object id"),
    ("outcome=teapot", "outcome"),
    ("outcome=99", "outcome"),
    ("outcome=6xx", "outcome"),
    ("contact=abc", "contact"),
    ("contact=0", "contact"),
    ("user=nobody-" + "x" * 8, "user"),
    ("before=abc", "before"),
    ("before=5&after=6", "before"),
])
def test_a_bad_filter_is_400_naming_the_field(org, audit, query, field):
    mark = audit.mark()
    r = org.viewer.get("/audit?" + query)
    assert r.status_code == 400, f"{query} answered {r.status_code}"
    assert f"The filter {field}" in Page(r.text).text, Page(r.text).text[:500]
    row = audit.one_since(mark, "the refused filter")
    assert (row["action"], row["outcome"], row["user_id"]) == ("audit.view", 400, org.viewer_id), row
    if not query.startswith("before"):
        mark = audit.mark()
        r = org.viewer.get("/audit/export.csv?" + query)
        assert r.status_code == 400 and f"The filter {field}" in Page(r.text).text, (query, r.status_code)
        assert [x["action"] for x in audit.since(mark)] == ["audit.export"]


def test_an_unknown_export_parameter_is_400(org, audit):
    mark = audit.mark()
    r = org.viewer.get("/audit/export.json?acton=contact.view")
    assert r.status_code == 400 and "Unknown parameter" in Page(r.text).text
    assert [(x["action"], x["outcome"]) for x in audit.since(mark)] == [("audit.export", 400)]


# A value over the cap (200 bytes) is an error naming the field, never an
# absent filter (which would answer with the whole trail).
LONG = "a" * 1000


@pytest.mark.parametrize("name, label", [
    ("contact", "contact"), ("user", "user"), ("from", "from"), ("to", "to"), ("action", "action"),
    ("object_type", "object type"), ("object_id", "object id"), ("outcome", "outcome"),
])
@pytest.mark.parametrize("path, action", [("/audit", "audit.view"), ("/audit/export.csv", "audit.export"),
                                          ("/audit/export.json", "audit.export")])
def test_an_over_long_filter_is_400_naming_the_field(org, audit, name, label, path, action):
    query = f"{name}={LONG}" + ("&object_type=contact" if name == "object_id" else "")
    mark = audit.mark()
    r = org.viewer.get(f"{path}?{query}")
    assert r.status_code == 400, f"{path}?{name}=<1000 bytes> answered {r.status_code}"
    assert f"The filter {label} is longer than 200 characters" in Page(r.text).text, Page(r.text).text[:500]
    got = audit.since(mark)
    assert [(x["action"], x["outcome"], x["user_id"]) for x in got] == [(action, 400, org.viewer_id)], got
    assert json.loads(got[0]["detail"]) == {"invalid": True}


@pytest.mark.parametrize("name", ["kind", "from", "to"])
def test_an_over_long_security_filter_is_400_naming_the_field(org, audit, admin, name):
    r = refused_as(admin, audit, f"/admin/security?{name}={LONG}", 400, "security.view")
    assert f"The filter {name} is longer than 200 characters" in Page(r.text).text, Page(r.text).text[:500]


def test_a_filter_of_exactly_200_characters_is_judged_on_its_value(org, audit):
    r = refused_as(org.viewer, audit, "/audit?contact=" + "1" * 200, 400, "audit.view")
    text = Page(r.text).text
    assert "The filter contact must be a contact number" in text and "longer than" not in text


# Every page of the trail refuses a parameter that is not its own, or one
# given twice, instead of ignoring it.
VIEWER_REFUSALS = [
    ("client_id=1", "Unknown parameter client_id"),
    ("user[]=x", "Unknown parameter user[]"),
    ("kind=logon", "Unknown parameter kind"),
    ("user=a&user=b", "The parameter user is given more than once"),
    ("contact=1&action=contact.view&contact=2", "The parameter contact is given more than once"),
    ("outcome=200&outcome=", "The parameter outcome is given more than once"),
]


@pytest.mark.parametrize("query, message", VIEWER_REFUSALS + [
    ("safe=1", "Unknown parameter safe"),
    ("before=5&before=6", "The parameter before is given more than once"),
])
def test_the_viewer_refuses_unknown_and_repeated_parameters(org, audit, query, message):
    r = refused_as(org.viewer, audit, "/audit?" + query, 400, "audit.view")
    assert message in Page(r.text).text, Page(r.text).text[:500]
    assert json.loads(r.row["detail"]) == {"invalid": True}


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("query, message", VIEWER_REFUSALS + [
    ("before=5", "Unknown parameter before"),
    ("safe=1&safe=1", "The parameter safe is given more than once"),
])
def test_the_exports_refuse_unknown_and_repeated_parameters(org, audit, fmt, query, message):
    r = refused_as(org.viewer, audit, f"/audit/export.{fmt}?{query}", 400, "audit.export")
    assert message in Page(r.text).text, Page(r.text).text[:500]


@pytest.mark.parametrize("query, message", [
    ("client_id=1", "Unknown parameter client_id"),
    ("user=x", "Unknown parameter user"),
    ("kind[]=logon", "Unknown parameter kind[]"),
    ("kind=logon&kind=login.fail", "The parameter kind is given more than once"),
    ("from=2024-01-01&from=2024-01-02", "The parameter from is given more than once"),
])
def test_the_security_events_refuse_unknown_and_repeated_parameters(audit, admin, query, message):
    r = refused_as(admin, audit, "/admin/security?" + query, 400, "security.view")
    assert message in Page(r.text).text, Page(r.text).text[:500]


def test_the_products_own_links_and_forms_are_accepted(org, admin):
    """The filter form sent with every field (empty ones too), the export
    buttons and the pager links of the viewer and the security events."""
    page = Page(org.viewer.get(f"/audit?user={org.plain_name}").text)
    form = page.form("/audit", "get")["fields"]
    assert set(form) == {"user", "from", "to", "action", "object_type", "object_id", "outcome", "contact"}
    r = org.viewer.get("/audit", params=form)
    assert r.status_code == 200, Page(r.text).text[:300]
    empty = {k: "" for k in form}
    assert org.viewer.get("/audit", params=empty).status_code == 200
    links = {l["rel"]: l["href"] for l in page.links if l["rel"]}
    assert csv_rows(org.viewer.get(links["export-csv"]))
    assert json_rows(org.viewer.get(links["export-json"]))
    links = {l["rel"]: l["href"] for l in Page(org.viewer.get("/audit").text).links if l["rel"]}
    assert csv_rows(org.viewer.get(links["export-csv"])) and json_rows(org.viewer.get(links["export-json"]))
    nxt = links["next"]
    assert org.viewer.get(nxt).status_code == 200
    for rel in ("prev", "first"):
        href = {l["rel"]: l["href"] for l in Page(org.viewer.get(nxt).text).links if l["rel"]}[rel]
        assert org.viewer.get(href).status_code == 200, href
    page = Page(admin.get("/admin/security").text)
    form = page.form("/admin/security", "get")["fields"]
    assert set(form) == {"kind", "from", "to"}
    assert admin.get("/admin/security", params=form).status_code == 200
    assert admin.get("/admin/security", params={**form, "kind": "logon"}).status_code == 200


# ---------------------------------------------------------------- paging

def test_paging_returns_every_row_once(org, db):
    for _ in range(PAGE + 5 - len(sql_ids(db, org.a, f"a.user_id = {org.plain_id}"))):
        assert org.plain.get(f"/contacts/{org.c2}").status_code == 200
    query = f"user={org.plain_name}"
    want = sql_ids(db, org.a, f"a.user_id = {org.plain_id}")
    assert len(want) > PAGE
    seen, pages, q = [], [], query
    while True:
        ids, page = page_ids(org.viewer, q)
        pages.append(ids)
        seen += ids
        nxt = page.link("next")
        if not nxt:
            break
        assert re.search(r"[?&]before=\d+", nxt), nxt
        q = nxt.split("?", 1)[1]
        assert len(pages) < 10
    assert seen == want, "the pages do not hold every row exactly once, newest first"
    assert len(pages) >= 2 and len(pages[0]) == PAGE
    # The newer link of the second page leads back to the first.
    _, page = page_ids(org.viewer, q)
    prev = page.link("prev")
    assert prev and "after=" in prev
    assert page_ids(org.viewer, prev.split("?", 1)[1])[0] == pages[0]


# ---------------------------------------------------------------- a contact's history

def test_the_contact_history_shows_the_view_and_edit_just_done(org, db):
    web = org.viewer
    assert web.get(f"/contacts/{org.c1}").status_code == 200
    form = Page(web.get(f"/contacts/{org.c1}/edit").text).form(f"/contacts/{org.c1}")["fields"]
    form["phone"] = "+1 555 0100"
    r = web.post(f"/contacts/{org.c1}", form, csrf=False)
    assert r.status_code == 303, Page(r.text).text[:300]
    want = sql_ids(db, org.a, history_where(org, org.c1))
    r = web.get(f"/contacts/{org.c1}")
    assert r.status_code == 200
    shown = [int(x) for x in re.findall(r'<tr id="history-(\d+)"', r.text)]
    assert shown == want[:10], (shown, want)
    page = Page(r.text)
    rows = [row for row in page.rows if len(row["cells"]) == 5]
    actions = [re.sub(r"\s+", " ", row["cells"][3]).strip() for row in rows]
    assert actions[:3] == ["contact.update", "contact.edit_form", "contact.view"], actions
    for row in rows[:3]:
        user, addr = (re.sub(r"\s+", " ", c).strip() for c in row["cells"][1:3])
        assert (user, addr) == (org.viewer_name, "127.0.0.1"), row
    assert any(l["rel"] == "history" and l["href"] == f"/audit?contact={org.c1}" for l in page.links)
    # The whole history on the viewer, and the page view just made is in it.
    want = sql_ids(db, org.a, history_where(org, org.c1))[:PAGE]
    ids, _ = page_ids(web, f"contact={org.c1}")
    assert ids == want
    assert ids[0] > shown[0]


def test_an_export_of_contacts_is_in_each_contacts_history(org, db):
    r = org.viewer.get("/export/contacts.csv")
    assert r.status_code == 200
    closing = db.int(f"SELECT MAX(id) FROM audit WHERE client_id = {org.a} AND action = 'contact.export'")
    for contact in (org.c1, org.c2):
        assert closing in sql_ids(db, org.a, history_where(org, contact))
        r = org.viewer.get(f"/contacts/{contact}")
        assert f'id="history-{closing}"' in r.text, f"the export is not in contact {contact}'s history"


# ---------------------------------------------------------------- the exports' own audit rows

@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_is_audited_with_its_filter_and_row_count(org, db, audit, fmt):
    mark = audit.mark()
    r = org.viewer.get(f"/audit/export.{fmt}?action=contact.view&contact={org.c1}")
    rows = csv_rows(r) if fmt == "csv" else json_rows(r)
    assert rows and all(x["action"] == "contact.view" for x in rows)
    got = audit.since(mark)
    assert [(x["action"], x["outcome"], x["user_id"], x["object_type"], x["object_id"]) for x in got] == \
        [("audit.export", 200, org.viewer_id, "contact", org.c1)] * 2, got
    start, end = (json.loads(x["detail"]) for x in got)
    assert start["format"] == fmt and start["phase"] == "started"
    assert start["filter"] == {"action": "contact.view", "contact": org.c1}
    assert (end["format"], end["phase"], end["rows"], end["filter"]) == \
        (fmt, "completed", len(rows), {"action": "contact.view", "contact": org.c1}), end


def test_the_json_export_is_an_array_of_whole_rows(org, db):
    rows = json_rows(org.viewer.get(f"/audit/export.json?object_type=contact&object_id={org.c2}"))
    assert rows
    for x in rows:
        assert set(x) >= {"id", "at", "user", "address", "token_id", "method", "path", "action", "object_type",
                          "object_id", "outcome", "detail", "request_id"}
        assert (x["object_type"], x["object_id"], x["address"]) == ("contact", org.c2, "127.0.0.1")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", x["at"]), x["at"]
        stored = db.value(f"SELECT request_id FROM audit WHERE id = {x['id']}")
        assert x["request_id"] == stored


def test_csv_cells_are_spreadsheet_safe(db, people, org, audit):
    uid = people.user(org.a, ["contacts.view"])
    db.run(f"UPDATE users SET username = {sql_str('=HYPERLINK(' + unique() + ')')} WHERE id = {uid}")
    web, _ = org.sessions.make(org.a, uid)
    assert web.get(f"/contacts/{org.c1}").status_code == 200
    name = db.value(f"SELECT username FROM users WHERE id = {uid}")
    r = org.viewer.get("/audit/export.csv", params={"user": name, "safe": "1", "bom": "1"})
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(r)
    assert rows and all(r["user"] == "'" + name for r in rows), rows[:2]
    rows = csv_rows(org.viewer.get("/audit/export.csv", params={"user": name}))
    assert rows and all(r["user"] == name for r in rows)


def test_a_script_exports_with_an_api_token(org, db, audit, base_url, cert):
    tid, token = Tokens(db).make(org.a, org.viewer_id)
    web = bearer(base_url, cert, token)
    mark = audit.mark()
    want = sql_ids(db, org.a, "a.action = 'contact.view'")
    rows = json_rows(web.get("/audit/export.json?action=contact.view"))
    assert [x["id"] for x in rows] == want
    got = [(x["action"], x["user_id"]) for x in audit.since(mark)]
    assert ("audit.export", org.viewer_id) in got
    assert org.viewer.get("/audit?action=audit.export").status_code == 200
