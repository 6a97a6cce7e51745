"""The exact audit rows of each kind of request: who, what, how it ended,
the detail's changes (old and new values, never a secret or a contact's
data in a bulk row), the contacts named beside the row (audit_contacts),
and the chain fields. Every route of the table (as `ctrack check-routes
--list` gives it) has a test here, named in COVERED_HERE, that checks a row
of that route: a new route without one fails
test_every_route_has_an_audit_row_test, and a test that no longer checks
the route it claims fails test_zz_every_claimed_route_was_checked.

These tests count rows: the suite must be the stack's only client."""
import csv
import io
import json
import os
import re
import subprocess

import pytest

from conftest import DEMO_CLIENT, ListPage, Page, contact_form, location_path, route_table, sql_int, sql_str, unique
from test_admin import PASSWORD as ADMIN_SET_PASSWORD, Org

ROUTES = route_table()
ADDR = "127.0.0.1"
# (method, pattern) of each route whose row check() has seen, and the tests
# of this file that ran.
CHECKED = set()
RAN = set()


def route_of(method, path):
    """(method, pattern) of the route the program picks for a request (the
    first that matches, as route_find does), or None."""
    for m, pattern, _, _, _ in ROUTES:
        rx = "".join("[1-9][0-9]{0,17}" if part == "{id}" else re.escape(part)
                     for part in re.split(r"(\{id\})", pattern))
        if m == method and re.fullmatch(rx, path):
            return (m, pattern)
    return None


@pytest.fixture(autouse=True)
def _ran(request):
    yield
    RAN.add(request.node.originalname)
HASH_LEN = 32  # HMAC-SHA-256


# ---------------------------------------------------------------- reading rows

FIELDS = ("id", "client_id", "user_id", "token_id", "remote_addr", "request_id", "method", "path", "action",
          "object_type", "object_id", "outcome", "detail", "chain", "seq", "hash_len")
INTS = ("id", "client_id", "user_id", "token_id", "object_id", "outcome", "chain", "seq", "hash_len")


def rows_since(db, mark):
    """Every audit row after mark, with its token, chain fields and the
    contacts named beside it (audit_contacts, sorted)."""
    out = []
    for r in db.rows("SELECT id, client_id, user_id, token_id, remote_addr, request_id, method, HEX(path), action,"
                     " object_type, object_id, outcome, HEX(detail), chain, seq, LENGTH(hash) FROM audit"
                     f" WHERE id > {int(mark)} ORDER BY id"):
        d = dict(zip(FIELDS, r))
        for k in INTS:
            d[k] = None if d[k] is None else int(d[k])
        d["path"] = bytes.fromhex(d["path"]).decode("utf-8")
        d["detail"] = None if d["detail"] is None else json.loads(bytes.fromhex(d["detail"]).decode("utf-8"))
        links = db.rows(f"SELECT client_id, contact_id FROM audit_contacts WHERE audit_id = {d['id']}"
                        " ORDER BY contact_id")
        assert all(int(c) == d["client_id"] for c, _ in links), f"audit_contacts of another client: {links}"
        d["contacts"] = [int(k) for _, k in links]
        out.append(d)
    return out


def one_row(db, mark, what):
    rows = rows_since(db, mark)
    assert len(rows) == 1, f"expected one audit row for {what}, found " + \
        "; ".join(f"{r['method']} {r['path']} {r['action']} {r['outcome']}" for r in rows)
    return rows[0]


def check(row, *, action, method, path, outcome, client, user, token=None, obj=(None, None), detail=None,
          contacts=(), addr=ADDR, any_detail=False):
    """Asserts every column of the row (detail exactly unless any_detail)."""
    got = {k: row[k] for k in ("action", "method", "path", "outcome", "client_id", "user_id", "token_id",
                               "remote_addr", "object_type", "object_id")}
    want = {"action": action, "method": method, "path": path, "outcome": outcome, "client_id": client,
            "user_id": user, "token_id": token, "remote_addr": addr, "object_type": obj[0], "object_id": obj[1]}
    assert got == want, f"audit row {got}\nexpected {want}"
    CHECKED.add(route_of(method, path))
    if not any_detail:
        assert row["detail"] == detail, f"detail of {action}: {row['detail']}\nexpected {detail}"
    # A contact's history is one range of audit_contacts: the row's own
    # contact is listed there too.
    want_contacts = sorted(set(contacts) | ({obj[1]} if obj[0] == "contact" and obj[1] else set()))
    assert row["contacts"] == want_contacts, f"audit_contacts of {action}: {row['contacts']}, " \
                                             f"expected {want_contacts}"
    assert re.fullmatch(r"[0-9a-f]{32}", row["request_id"]), row["request_id"]
    assert row["chain"] and row["chain"] > 0 and row["seq"] and row["seq"] > 0 and row["hash_len"] == HASH_LEN, \
        f"chain fields not set: chain {row['chain']} seq {row['seq']} hash {row['hash_len']} bytes"


# ---------------------------------------------------------------- helpers

@pytest.fixture
def marker():
    return unique("Audrow")


def make_contacts(create_contact, marker, n):
    return sorted(create_contact(last_name=f"{marker} {i}") for i in range(n))


def make_campaign(admin):
    name = unique("Audit campaign ")
    r = admin.post("/campaigns", {"name": name})
    assert r.status_code == 303, r.status_code
    return int(re.fullmatch(r"/campaigns/(\d+)\?done=created", location_path(r)).group(1)), name


def members(db, cid):
    return {int(a): b for a, b in db.rows(
        f"SELECT contact_id, status FROM contact_campaigns WHERE campaign_id = {sql_int(cid)}")}


def audit_mark(db):
    return db.int("SELECT COALESCE(MAX(id), 0) FROM audit")


def no_filter(**kw):
    f = {"q": None, "region": None, "party": None, "campaign": None}
    f.update(kw)
    return f


# ---------------------------------------------------------------- pages and contacts

def test_list_page_names_the_contacts_shown(admin, demo, db, create_contact, marker):
    ids = make_contacts(create_contact, marker, 3)
    mark = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    lp = ListPage(admin.get(f"/contacts?q={marker}"))
    assert sorted(lp.ids) == ids
    check(one_row(db, mark, "GET /contacts"), action="contact.list", method="GET", path="/contacts", outcome=200,
          client=demo.client_id, user=demo.user_id,
          detail={"filter": no_filter(q=marker), "sort": "name", "rows": 3, "total": 3, "page": 1, "shown": lp.ids})
    # The unfiltered first page: exactly its 50 ids, in the page's order, in
    # the row itself (not as 50 rows of audit_contacts).
    mark = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    lp = ListPage(admin.get("/contacts"))
    row = one_row(db, mark, "GET /contacts")
    assert len(lp.ids) == 50 and row["detail"]["shown"] == lp.ids and row["contacts"] == []


def test_contact_view_create_update_delete(admin, demo, db, audit, marker):
    mark = audit.mark()
    r = admin.post("/contacts", contact_form(last_name=marker, phone="555 0100"))
    assert r.status_code == 303
    cid = int(location_path(r).rsplit("/", 1)[1])
    check(one_row(db, mark, "create"), action="contact.create", method="POST", path="/contacts", outcome=303,
          client=demo.client_id, user=demo.user_id, obj=("contact", cid),
          detail={"changes": {"first_name": {"old": None, "new": "Test"}, "last_name": {"old": None, "new": marker},
                              "phone": {"old": None, "new": "555 0100"}}})

    mark = audit.mark()
    assert admin.get(f"/contacts/{cid}").status_code == 200
    check(one_row(db, mark, "view"), action="contact.view", method="GET", path=f"/contacts/{cid}", outcome=200,
          client=demo.client_id, user=demo.user_id, obj=("contact", cid))

    form = Page(admin.get(f"/contacts/{cid}/edit").text).form(f"/contacts/{cid}")["fields"]
    form.update(phone="555 0199", nickname="Audy")
    form.pop("csrf", None)
    mark = audit.mark()
    assert admin.post(f"/contacts/{cid}", form).status_code == 303
    check(one_row(db, mark, "update"), action="contact.update", method="POST", path=f"/contacts/{cid}",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("contact", cid),
          detail={"changes": {"nickname": {"old": "", "new": "Audy"},
                              "phone": {"old": "555 0100", "new": "555 0199"}}})

    mark = audit.mark()
    assert admin.post(f"/contacts/{cid}/delete").status_code == 303
    check(one_row(db, mark, "delete"), action="contact.delete", method="POST", path=f"/contacts/{cid}/delete",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("contact", cid), detail={"deleted": True})


# ---------------------------------------------------------------- bulk actions and members

def test_bulk_add_and_remove_name_every_changed_contact(admin, demo, db, audit, create_contact, marker):
    ids = make_contacts(create_contact, marker, 4)
    cid, name = make_campaign(admin)
    # One is a member already: the add skips it, and neither its detail nor
    # audit_contacts names it.
    assert admin.post(f"/contacts/{ids[0]}/campaigns", {"campaign_id": cid}).status_code == 303
    mark = audit.mark()
    r = admin.post(f"/contacts/campaign-add?q={marker}", {"campaign_id": cid, "which": "all"})
    assert r.status_code == 303 and "n=3" in location_path(r)
    check(one_row(db, mark, "bulk add"), action="campaign.bulk_add", method="POST", path="/contacts/campaign-add",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("campaign", cid),
          detail={"campaign": {"id": cid, "name": name}, "filter": no_filter(q=marker), "count": 3,
                  "contacts": [{"id": i, "old": None, "new": "targeted"} for i in ids[1:]]},
          contacts=ids[1:])
    assert members(db, cid) == {i: "targeted" for i in ids}

    # Ticked rows: the ids are part of the filter.
    mark = audit.mark()
    r = admin.post(f"/contacts/campaign-remove?q={marker}",
                   [("campaign_id", cid), ("which", "selected"), ("id", ids[1]), ("id", ids[3])])
    assert r.status_code == 303
    check(one_row(db, mark, "bulk remove"), action="campaign.bulk_remove", method="POST",
          path="/contacts/campaign-remove", outcome=303, client=demo.client_id, user=demo.user_id,
          obj=("campaign", cid),
          detail={"campaign": {"id": cid, "name": name}, "filter": no_filter(q=marker, ids=[ids[1], ids[3]]),
                  "count": 2, "contacts": [{"id": i, "old": "targeted", "new": None} for i in (ids[1], ids[3])]},
          contacts=[ids[1], ids[3]])
    assert members(db, cid) == {ids[0]: "targeted", ids[2]: "targeted"}


def test_member_status_change_and_remove(admin, demo, db, audit, create_contact, marker):
    ids = make_contacts(create_contact, marker, 2)
    cid, name = make_campaign(admin)
    mark = audit.mark()
    assert admin.post(f"/contacts/{ids[0]}/campaigns", {"campaign_id": cid}).status_code == 303
    check(one_row(db, mark, "join"), action="campaign.member_add", method="POST", path=f"/contacts/{ids[0]}/campaigns",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("campaign", cid),
          detail={"campaign": {"id": cid, "name": name}, "filter": no_filter(ids=[ids[0]]), "count": 1,
                  "contacts": [{"id": ids[0], "old": None, "new": "targeted"}]}, contacts=[ids[0]])
    assert admin.post(f"/contacts/{ids[1]}/campaigns", {"campaign_id": cid}).status_code == 303

    mark = audit.mark()
    r = admin.post(f"/campaigns/{cid}/members/status", {"contact_id": ids[0], "status": "responded"})
    assert r.status_code == 303
    check(one_row(db, mark, "status"), action="campaign.member_status", method="POST",
          path=f"/campaigns/{cid}/members/status", outcome=303, client=demo.client_id, user=demo.user_id,
          obj=("campaign", cid), detail={"campaign": {"id": cid, "name": name}, "count": 1,
                                         "contacts": [{"id": ids[0], "old": "targeted", "new": "responded"}]},
          contacts=[ids[0]])
    # The same status again changes nothing and names nobody.
    mark = audit.mark()
    assert admin.post(f"/campaigns/{cid}/members/status",
                      {"contact_id": ids[0], "status": "responded"}).status_code == 303
    check(one_row(db, mark, "same status"), action="campaign.member_status", method="POST",
          path=f"/campaigns/{cid}/members/status", outcome=303, client=demo.client_id, user=demo.user_id,
          obj=("campaign", cid), detail={"campaign": {"id": cid, "name": name}, "count": 0, "contacts": []})

    # The campaign's page names the members it shows.
    mark = audit.mark()
    assert admin.get(f"/campaigns/{cid}").status_code == 200
    check(one_row(db, mark, "campaign page"), action="campaign.view", method="GET", path=f"/campaigns/{cid}",
          outcome=200, client=demo.client_id, user=demo.user_id, obj=("campaign", cid),
          detail={"filter": no_filter(campaign=cid), "rows": 2, "total": 2, "page": 1, "shown": ids})

    mark = audit.mark()
    assert admin.post(f"/campaigns/{cid}/members/remove", {"contact_id": ids[1]}).status_code == 303
    check(one_row(db, mark, "remove"), action="campaign.member_remove", method="POST",
          path=f"/campaigns/{cid}/members/remove", outcome=303, client=demo.client_id, user=demo.user_id,
          obj=("campaign", cid), detail={"campaign": {"id": cid, "name": name}, "filter": no_filter(ids=[ids[1]]),
                                         "count": 1, "contacts": [{"id": ids[1], "old": "targeted", "new": None}]},
          contacts=[ids[1]])
    mark = audit.mark()
    assert admin.post(f"/contacts/{ids[0]}/campaigns/remove", {"campaign_id": cid}).status_code == 303
    check(one_row(db, mark, "leave"), action="campaign.member_remove", method="POST",
          path=f"/contacts/{ids[0]}/campaigns/remove", outcome=303, client=demo.client_id, user=demo.user_id,
          obj=("campaign", cid), detail={"campaign": {"id": cid, "name": name}, "filter": no_filter(ids=[ids[0]]),
                                         "count": 1, "contacts": [{"id": ids[0], "old": "responded", "new": None}]},
          contacts=[ids[0]])


# ---------------------------------------------------------------- exports and tokens

def export_rows(db, mark, path, client, user, token, filt, ids, limit=None):
    rows = rows_since(db, mark)
    assert len(rows) == 2, [r["action"] for r in rows]
    start, end = rows
    common = dict(action="contact.export", method="GET", path=path, outcome=200, client=client, user=user,
                  token=token, obj=("contact", None))
    check(start, **common, detail={"format": "csv", "phase": "started", "filter": filt, "after": None,
                                   "limit": limit, "safe": False, "bom": False})
    check(end, **common, detail={"format": "csv", "phase": "completed", "filter": filt, "rows": len(ids)},
          contacts=ids)
    assert start["request_id"] == end["request_id"]


def csv_ids(r):
    assert r.status_code == 200, r.status_code
    # csv, not lines: an earlier test's contact may hold a line break.
    return [int(row[0]) for row in list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))[1:]]


def test_export_rows_name_exactly_the_exported_contacts(admin, demo, db, audit, create_contact, marker):
    ids = make_contacts(create_contact, marker, 3)
    mark = audit.mark()
    r = admin.get(f"/export/contacts.csv?q={marker}")
    assert csv_ids(r) == ids
    assert marker not in json.dumps([x["detail"] for x in rows_since(db, mark)]).replace(f'"q": "{marker}"', ""), \
        "contact data in the export's rows"
    export_rows(db, mark, "/export/contacts.csv", demo.client_id, demo.user_id, None, no_filter(q=marker), ids)
    mark = audit.mark()
    r = admin.get(f"/export/contacts.csv?q={marker}&limit=2")
    assert csv_ids(r) == ids[:2]
    export_rows(db, mark, "/export/contacts.csv", demo.client_id, demo.user_id, None, no_filter(q=marker), ids[:2],
                limit=2)


def test_an_export_row_never_holds_contact_data(admin, demo, db, audit, create_contact):
    """The rows of an export say what was asked and which ids went out,
    never the exported values: a sentinel in each field of the contacts is
    in the file and in none of the rows."""
    sentinel = unique("Sentinelname")
    fields = dict(last_name=sentinel, first_name=sentinel + "f", organisation=sentinel + " Ltd",
                  email=f"{sentinel.lower()}@example.org", phone="555 0142", notes=sentinel + " notes")
    ids = sorted(create_contact(**fields) for _ in range(2))
    cid, _ = make_campaign(admin)
    for i in ids:
        assert admin.post(f"/contacts/{i}/campaigns", {"campaign_id": cid}).status_code == 303
    mark = audit.mark()
    r = admin.get(f"/export/contacts.csv?campaign={cid}")
    assert csv_ids(r) == ids
    text = r.content.decode("utf-8")
    assert all(v in text for v in (sentinel, fields["organisation"], fields["email"])), "the sentinel is not exported"
    export_rows(db, mark, "/export/contacts.csv", demo.client_id, demo.user_id, None, no_filter(campaign=cid), ids)
    rows = json.dumps(rows_since(db, mark))
    leaked = [v for v in fields.values() if v in rows] + [v for v in (sentinel.lower(), "555 0142") if v in rows]
    assert not leaked, f"contact data in the export's audit rows: {leaked}"


def test_a_whole_export_names_every_contact(admin, demo, db, audit):
    mark = audit.mark()
    exported = csv_ids(admin.get("/export/contacts.csv"))
    assert len(exported) == demo.live_count()
    end = rows_since(db, mark)[-1]
    assert end["detail"]["rows"] == len(exported) and end["contacts"] == sorted(exported)


def test_api_token_request_and_token_create_revoke(people, sessions, db, demo, base_url, cert, create_contact,
                                                   marker):
    from test_tokens import bearer, create_token
    user = people.user(demo.client_id, ["contacts.view", "contacts.export", "tokens.manage"])
    web, _ = sessions.make(user_id=user)
    name = unique("audit script ")
    mark = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    token, _ = create_token(web, name)
    rows = rows_since(db, mark)
    create = [r for r in rows if r["action"] == "token.create"]
    assert len(create) == 1
    tid = create[0]["object_id"]
    expires = db.value(f"SELECT DATE_FORMAT(expires_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM api_tokens WHERE id = {tid}")
    check(create[0], action="token.create", method="POST", path="/account/tokens", outcome=200,
          client=demo.client_id, user=user, obj=("api_token", tid),
          detail={"token": {"id": tid, "user_id": user, "name": name, "days": 90, "expires_at": expires},
                  "changes": {"name": {"old": None, "new": name}, "expires_at": {"old": None, "new": expires},
                              "revoked": {"old": None, "new": False}}})

    ids = make_contacts(create_contact, marker, 2)
    script = bearer(base_url, cert, token)
    mark2 = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    lp = ListPage(script.get(f"/contacts?q={marker}"))
    assert sorted(lp.ids) == ids
    # The token's first use is a security event with a row of its own.
    listed, first_use = rows_since(db, mark2)
    check(listed, action="contact.list", method="GET", path="/contacts", outcome=200,
          client=demo.client_id, user=user, token=tid,
          detail={"filter": no_filter(q=marker), "sort": "name", "rows": 2, "total": 2, "page": 1, "shown": lp.ids})
    check(first_use, action="token.new_address", method="GET", path="/contacts", outcome=200,
          client=demo.client_id, user=user, token=tid, obj=("api_token", tid), detail={"address": ADDR})
    assert first_use["request_id"] == listed["request_id"]
    mark2 = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    assert csv_ids(script.get(f"/export/contacts.csv?q={marker}")) == ids
    export_rows(db, mark2, "/export/contacts.csv", demo.client_id, user, tid, no_filter(q=marker), ids)

    # A token only reads and exports: anything else is refused, and says whose token it was.
    mark2 = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    assert script.get("/account/tokens").status_code == 403
    check(one_row(db, mark2, "refused token"), action="token.refused", method="GET", path="/account/tokens",
          outcome=403, client=demo.client_id, user=user, token=tid)
    mark2 = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    assert web.post(f"/account/tokens/{tid}/revoke").status_code == 303
    check(one_row(db, mark2, "revoke"), action="token.revoke", method="POST", path=f"/account/tokens/{tid}/revoke",
          outcome=303, client=demo.client_id, user=user, obj=("api_token", tid),
          detail={"token": {"id": tid, "user_id": user, "name": name}, "was_revoked": False,
                  "changes": {"revoked": {"old": False, "new": True}}})
    mark2 = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    assert script.get("/contacts").status_code == 401
    # The refusal names the token and its user (whose script it is), never the secret.
    check(one_row(db, mark2, "revoked token"), action="token.invalid", method="GET", path="/contacts", outcome=401,
          client=demo.client_id, user=user, token=tid, detail={"reason": "revoked"})
    secret = token[4:]
    text = json.dumps(rows_since(db, mark))
    assert token not in text and secret not in text, "the token is in an audit row"


def test_admin_token_revoke(people, sessions, db, demo, audit):
    from test_tokens import Tokens
    user = people.user(demo.client_id, ["contacts.view"])
    tid, token = Tokens(db).make(demo.client_id, user, name="audit admin revoke")
    boss = people.user(demo.client_id, ["users.manage"])
    web, _ = sessions.make(user_id=boss)
    mark = audit.mark()
    assert web.post(f"/admin/tokens/{tid}/revoke").status_code == 303
    check(one_row(db, mark, "admin revoke"), action="token.admin_revoke", method="POST",
          path=f"/admin/tokens/{tid}/revoke", outcome=303, client=demo.client_id, user=boss, obj=("api_token", tid),
          detail={"token": {"id": tid, "user_id": user, "name": "audit admin revoke"}, "was_revoked": False,
                  "changes": {"revoked": {"old": False, "new": True}}})


# ---------------------------------------------------------------- logons and refusals

def test_logon_success_and_failure(login_gate, demo, db, audit):
    mark = audit.mark()
    guess = unique("guessed pw ")
    web, r = login_gate.post({"username": os.environ["CTRACK_ADMIN_USER"], "password": guess})
    assert r.status_code == 401
    row = one_row(db, mark, "failed logon")
    # A known username's failure belongs to its client (for its
    # administrators), the user its object; nobody is logged in.
    check(row, action="login.fail", method="POST", path="/login", outcome=401, client=demo.client_id, user=None,
          obj=("user", demo.user_id), detail={"username": os.environ["CTRACK_ADMIN_USER"], "result": "wrong"})
    assert guess not in json.dumps(row)
    mark = audit.mark()
    web, r = login_gate.post({"username": os.environ["CTRACK_ADMIN_USER"],
                              "password": os.environ["CTRACK_ADMIN_PASSWORD"]})
    assert r.status_code == 303
    row = one_row(db, mark, "logon")
    check(row, action="login", method="POST", path="/login", outcome=303, client=demo.client_id, user=demo.user_id,
          obj=("user", demo.user_id), detail={"username": os.environ["CTRACK_ADMIN_USER"], "result": "ok"})
    assert os.environ["CTRACK_ADMIN_PASSWORD"] not in json.dumps(row["detail"])
    # And the logout of that session.
    page = web.get("/contacts")
    web.csrf = Page(page.text).form("/logout")["fields"]["csrf"]
    mark = audit.mark()
    assert web.post("/logout").status_code == 303
    check(one_row(db, mark, "logout"), action="logout", method="POST", path="/logout", outcome=303,
          client=demo.client_id, user=demo.user_id)


def test_refusals(admin, anon, people, sessions, demo, db, audit):
    def refused(send, **want):
        mark = audit.mark()
        r = send()
        assert r.status_code == want["outcome"], (r.status_code, want)
        check(one_row(db, mark, want["action"]), **want)

    who = dict(client=demo.client_id, user=demo.user_id)
    refused(lambda: admin.get("/nowhere"), action="http.not_found", method="GET", path="/nowhere", outcome=404,
            **who)
    refused(lambda: admin.request("DELETE", "/contacts"), action="http.bad_method", method="DELETE",
            path="/contacts", outcome=405, **who)
    refused(lambda: admin.get("/contacts?q=%FF", raw_path=True), action="contact.list", method="GET",
            path="/contacts", outcome=400, **who)
    refused(lambda: admin.post("/contacts", contact_form(), csrf="x" * 43), action="csrf.reject", method="POST",
            path="/contacts", outcome=403, **who)
    refused(lambda: anon.post("/contacts", contact_form(), csrf=False), action="csrf.reject", method="POST",
            path="/contacts", outcome=403, client=None, user=None)
    viewer = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=viewer)
    refused(lambda: web.get("/admin/users"), action="access.denied", method="GET", path="/admin/users",
            outcome=403, client=demo.client_id, user=viewer)
    refused(lambda: web.post("/contacts", contact_form()), action="access.denied", method="POST", path="/contacts",
            outcome=403, client=demo.client_id, user=viewer)
    refused(lambda: anon.get("/contacts"), action="contact.list", method="GET", path="/contacts", outcome=303,
            client=None, user=None)


def test_too_large_a_body(admin, demo, db, audit):
    mark = audit.mark()
    r = admin.post("/contacts", contact_form(notes="x" * (1024 * 1024 + 100)))
    assert r.status_code == 413
    rows = rows_since(db, mark)
    # nginx may refuse it first (then no row); the application's refusal is audited.
    assert len(rows) <= 1
    if rows:
        check(rows[0], action="http.bad_request", method="POST", path="/contacts", outcome=413,
              client=None, user=None)


# ---------------------------------------------------------------- administration

def test_matrix_user_type_and_user_changes(db, people, sessions, audit):
    org = Org(db, people, sessions)
    who = dict(client=org.client_id, user=org.admin_id)
    tname = unique("Type ")
    mark = audit.mark()
    t = org.create_type(tname)
    check(one_row(db, mark, "type create"), action="usertype.create", method="POST", path="/admin/types",
          outcome=303, obj=("user_type", t), detail={"changes": {"name": {"old": None, "new": tname}}}, **who)
    mark = audit.mark()
    assert org.web.post(f"/admin/types/{t}", {"name": tname + " 2"}).status_code == 303
    check(one_row(db, mark, "type rename"), action="usertype.rename", method="POST", path=f"/admin/types/{t}",
          outcome=303, obj=("user_type", t), detail={"changes": {"name": {"old": tname, "new": tname + " 2"}}}, **who)
    mark = audit.mark()
    assert org.web.post(f"/admin/types/{t}/two-factor", {"require_two_factor": "1"}).status_code == 303
    check(one_row(db, mark, "type two-factor"), action="usertype.two_factor", method="POST",
          path=f"/admin/types/{t}/two-factor", outcome=303, obj=("user_type", t),
          detail={"changes": {"require_two_factor": {"old": False, "new": True}}}, **who)

    mark = audit.mark()
    assert org.save_matrix({t: {"contacts.view", "reports.view"}}).status_code == 303
    check(rows_since(db, mark)[-1], action="matrix.update", method="POST", path="/admin/matrix", outcome=303,
          obj=("matrix", None), detail={"changes": {str(t): {
              "name": tname + " 2", "before": [], "after": ["contacts.view", "reports.view"],
              "added": ["contacts.view", "reports.view"], "removed": []}}}, **who)

    username = unique("u-")
    mark = audit.mark()
    uid = org.create_user(t, username=username, display_name="Before", changed=False)
    row = one_row(db, mark, "user create")
    check(row, action="user.create", method="POST", path="/admin/users", outcome=303, obj=("user", uid),
          detail={"changes": {"username": {"old": None, "new": username},
                              "display_name": {"old": None, "new": "Before"},
                              "user_type": {"old": None, "new": {"id": t, "name": tname + " 2"}},
                              "status": {"old": None, "new": "active"},
                              "all_regions": {"old": None, "new": False},
                              "all_campaigns": {"old": None, "new": False}},
                  "password": "set", "must_change_password": True}, **who)
    assert ADMIN_SET_PASSWORD not in json.dumps(row), "the password is in the audit row"

    form = Page(org.web.get(f"/admin/users/{uid}/edit").text).form(f"/admin/users/{uid}")["fields"]
    form.pop("csrf", None)
    form.update(display_name="After")
    mark = audit.mark()
    assert org.web.post(f"/admin/users/{uid}", form).status_code == 303
    check(one_row(db, mark, "user update"), action="user.update", method="POST", path=f"/admin/users/{uid}",
          outcome=303, obj=("user", uid),
          detail={"changes": {"display_name": {"old": "Before", "new": "After"}}, "sessions_ended": 0}, **who)

    pw = "Another long pass " + unique("")
    # As if the user had chosen their own password meanwhile.
    db.rows(f"UPDATE users SET must_change_password = 0 WHERE id = {uid}")
    mark = audit.mark()
    assert org.web.post(f"/admin/users/{uid}/password", {"password": pw, "password2": pw}).status_code == 303
    row = one_row(db, mark, "password reset")
    assert pw not in json.dumps(row), "the password is in the audit row"
    check(row, action="user.password_reset", method="POST", path=f"/admin/users/{uid}/password", outcome=303,
          obj=("user", uid), detail={"password": "reset", "must_change_password": True, "sessions_ended": 0,
                                     "tokens_revoked": 0,
                                     "changes": {"must_change_password": {"old": False, "new": True}}}, **who)

    mark = audit.mark()
    assert org.web.post(f"/admin/users/{uid}/unlock").status_code == 303
    check(one_row(db, mark, "unlock"), action="user.unlock", method="POST", path=f"/admin/users/{uid}/unlock",
          outcome=303, obj=("user", uid), detail={"username": username, "was_locked": False, "changes": {}}, **who)

    mark = audit.mark()
    assert org.web.post(f"/admin/users/{uid}/two-factor/reset").status_code == 303
    check(one_row(db, mark, "two-factor reset"), action="user.two_factor_reset", method="POST",
          path=f"/admin/users/{uid}/two-factor/reset", outcome=303, obj=("user", uid),
          detail={"username": username, "was_enrolled": False, "recovery_codes_removed": 0, "sessions_ended": 0,
                  "changes": {}}, **who)

    mark = audit.mark()
    assert org.web.post(f"/admin/users/{uid}/sessions/end").status_code == 303
    check(one_row(db, mark, "sessions end"), action="user.sessions_end", method="POST",
          path=f"/admin/users/{uid}/sessions/end", outcome=303, obj=("user", uid),
          detail={"username": username, "ended": 0, "kept_current": False}, **who)

    # Scope: a region and a campaign of the client, then every one again.
    code = unique("R-")[:20]
    region = db.int("INSERT INTO regions (client_id, parent_id, kind, code, name, sort_key) VALUES"
                    f" ({org.client_id}, NULL, 'state', {sql_str(code)}, 'Audit region', {sql_str(code)});"
                    " SELECT LAST_INSERT_ID()")
    db.rows(f"INSERT INTO region_closure (client_id, ancestor_id, descendant_id, depth) VALUES"
            f" ({org.client_id}, {region}, {region}, 0)")
    cname = unique("Audit scope campaign ")
    camp = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({org.client_id}, {sql_str(cname)});"
                  " SELECT LAST_INSERT_ID()")
    for form, detail in (({"regions_mode": "some", "region": code},
                          {"changes": {"regions": {"old": [], "new": [code]}}}),
                         ({"regions_mode": "all"},
                          {"changes": {"all_regions": {"old": False, "new": True},
                                       "regions": {"old": [code], "new": []}}}),
                         ({"regions_mode": "all"}, {"changes": {}})):
        mark = audit.mark()
        assert org.web.post(f"/admin/users/{uid}/regions", form).status_code == 303
        check(one_row(db, mark, "regions"), action="user.regions", method="POST",
              path=f"/admin/users/{uid}/regions", outcome=303, obj=("user", uid), detail=detail, **who)
    for form, detail in (({"campaigns_mode": "some", "campaign": camp},
                          {"changes": {"campaigns": {"old": [], "new": [{"id": camp, "name": cname}]}}}),
                         ({"campaigns_mode": "all"},
                          {"changes": {"all_campaigns": {"old": False, "new": True},
                                       "campaigns": {"old": [{"id": camp, "name": cname}], "new": []}}})):
        mark = audit.mark()
        assert org.web.post(f"/admin/users/{uid}/campaigns", form).status_code == 303
        check(one_row(db, mark, "campaigns"), action="user.campaigns", method="POST",
              path=f"/admin/users/{uid}/campaigns", outcome=303, obj=("user", uid), detail=detail, **who)

    other_name = unique("Type ")
    other = org.create_type(other_name)
    mark = audit.mark()
    assert org.web.post(f"/admin/types/{other}/delete").status_code == 303
    check(one_row(db, mark, "type delete"), action="usertype.delete", method="POST",
          path=f"/admin/types/{other}/delete", outcome=303, obj=("user_type", other),
          detail={"deleted": {"name": other_name, "functions": []}}, **who)


# ---------------------------------------------------------------- the command line

def test_a_campaign_command_names_the_contacts_it_changed(admin, demo, db, audit, create_contact, marker):
    ids = make_contacts(create_contact, marker, 3)
    cid, name = make_campaign(admin)
    binary, conf = os.environ["CTRACK_BIN"], os.environ["CTRACK_CONF"]
    assert admin.post(f"/contacts/{ids[0]}/campaigns", {"campaign_id": cid}).status_code == 303
    mark = audit.mark()
    args = [binary, "campaign", "add", "--campaign", str(cid)]
    for i in ids:
        args += ["--contact", str(i)]
    p = subprocess.run(args + ["--client", DEMO_CLIENT, "-c", conf], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    check(one_row(db, mark, "campaign add"), action="campaign.member_add", method="CLI", path="campaign add",
          outcome=200, client=demo.client_id, user=None, addr="", obj=("campaign", cid),
          detail={"campaign": {"id": cid, "name": name}, "filter": no_filter(ids=ids),
                  "count": 2, "contacts": [{"id": i, "old": None, "new": "targeted"} for i in ids[1:]]},
          contacts=ids[1:])
    # A run that fails names nobody.
    mark = audit.mark()
    p = subprocess.run([binary, "campaign", "add", "--campaign", str(cid), "--contact", str(ids[0]), "--contact",
                        "4294967295", "--client", DEMO_CLIENT, "-c", conf], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 1
    check(one_row(db, mark, "failed add"), action="campaign.member_add", method="CLI", path="campaign add",
          outcome=404, client=demo.client_id, user=None, addr="", obj=("campaign", cid),
          detail={"error": "no contact 4294967295"})


# ---------------------------------------------------------------- every other page

def get_pages(admin, demo, db, create_contact, marker):
    """pattern -> (path, object, detail) for the GET pages checked by the
    generic test, all as the demo admin."""
    contact = create_contact(last_name=marker)
    make_campaign(admin)
    active = db.int(f"SELECT COUNT(*) FROM campaigns WHERE client_id = {demo.client_id} AND archived_at IS NULL")
    admin_type = db.int(f"SELECT user_type_id FROM users WHERE id = {demo.user_id}")
    u = demo.user_id
    return {
        "/": ("/", (None, None), None),
        "/healthz": ("/healthz", (None, None), None),
        "/account/password": ("/account/password", (None, None), None),
        "/contacts/new": ("/contacts/new", (None, None), None),
        "/contacts/{id}/edit": (f"/contacts/{contact}/edit", ("contact", contact), None),
        "/contacts/{id}/delete": (f"/contacts/{contact}/delete", ("contact", contact), None),
        "/campaigns": ("/campaigns", (None, None), {"show": "active", "rows": active}),
        "/account": ("/account", (None, None), None),
        "/account/sessions": ("/account/sessions", (None, None), None),
        "/account/tokens": ("/account/tokens", (None, None), None),
        "/admin": ("/admin", (None, None), None),
        "/admin/explain": (f"/admin/explain?user={u}&contact={contact}", ("user", u),
                           {"user": u, "contact": contact, "rule": "allowed", "visible": True}),
        "/admin/types": ("/admin/types", (None, None), None),
        "/admin/types/{id}": (f"/admin/types/{admin_type}", ("user_type", admin_type), None),
        "/admin/matrix": ("/admin/matrix", (None, None), None),
        "/admin/users": ("/admin/users", (None, None), None),
        "/admin/users/new": ("/admin/users/new", (None, None), None),
        "/admin/users/{id}": (f"/admin/users/{u}", ("user", u), None),
        "/admin/users/{id}/edit": (f"/admin/users/{u}/edit", ("user", u), None),
        "/admin/users/{id}/password": (f"/admin/users/{u}/password", ("user", u), None),
        "/admin/users/{id}/access": (f"/admin/users/{u}/access", ("user", u), None),
    }


GENERIC_GET = ("/", "/healthz", "/account/password", "/contacts/new", "/contacts/{id}/edit",
               "/contacts/{id}/delete", "/campaigns", "/account", "/account/sessions", "/account/tokens", "/admin",
               "/admin/explain", "/admin/types", "/admin/types/{id}", "/admin/matrix", "/admin/users",
               "/admin/users/new", "/admin/users/{id}", "/admin/users/{id}/edit", "/admin/users/{id}/password",
               "/admin/users/{id}/access")


def test_every_other_page_has_its_row(admin, demo, db, audit, create_contact, marker):
    pages = get_pages(admin, demo, db, create_contact, marker)
    assert set(pages) == set(GENERIC_GET)
    actions = {pat: a for m, pat, _, a, _ in ROUTES if m == "GET"}
    for pattern in GENERIC_GET:
        path, obj, detail = pages[pattern]
        mark = audit.mark()
        r = admin.get(path)
        # "/" sends a logged-in user on to the contacts.
        assert r.status_code == (303 if pattern == "/" else 200), (path, r.status_code)
        check(one_row(db, mark, path), action=actions[pattern], method="GET", path=path.split("?")[0],
              outcome=r.status_code, client=demo.client_id, user=demo.user_id, obj=obj, detail=detail)


def test_two_factor_enrolment_pages(people, sessions, demo, db, audit):
    """The enrolment page makes a pending secret once (its row says so); the
    QR code of that secret is a page of its own."""
    user = people.user(demo.client_id, [])
    web, _ = sessions.make(user_id=user)
    who = dict(client=demo.client_id, user=user, obj=("user", user))
    for detail in ({"pending": "new"}, None):
        mark = audit.mark()
        assert web.get("/account/two-factor").status_code == 200
        check(one_row(db, mark, "enrolment page"), action="two_factor.view", method="GET",
              path="/account/two-factor", outcome=200, detail=detail, **who)
    mark = audit.mark()
    r = web.get("/account/two-factor/qr.svg")
    assert r.status_code == 200 and r.content.startswith(b"<")
    check(one_row(db, mark, "QR code"), action="two_factor.qr", method="GET", path="/account/two-factor/qr.svg",
          outcome=200, **who)


# ---------------------------------------------------------------- campaigns, sessions, passwords, two-factor

def test_campaign_create_rename_archive_unarchive(admin, demo, db, audit):
    mark = audit.mark()
    cid, name = make_campaign(admin)
    who = dict(client=demo.client_id, user=demo.user_id, obj=("campaign", cid), method="POST", outcome=303)
    check(one_row(db, mark, "create"), action="campaign.create", path="/campaigns",
          detail={"changes": {"name": {"old": None, "new": name}}}, **who)
    new = name + " renamed"
    for path, form, action, detail in (
            (f"/campaigns/{cid}", {"name": new}, "campaign.rename", {"changes": {"name": {"old": name, "new": new}}}),
            (f"/campaigns/{cid}/archive", {}, "campaign.archive", {"changes": {"archived": {"old": False, "new": True}}}),
            (f"/campaigns/{cid}/unarchive", {}, "campaign.unarchive",
             {"changes": {"archived": {"old": True, "new": False}}})):
        mark = audit.mark()
        assert admin.post(path, form).status_code == 303, path
        check(one_row(db, mark, action), action=action, path=path, detail=detail, **who)


def test_own_sessions_and_password(db, audit, demo, people, sessions):
    from test_two_factor import PASSWORD, User
    u = User(db, demo, people)
    web, token = sessions.make(user_id=u.id)
    others = [sessions.make(user_id=u.id)[1] for _ in range(3)]
    first = sessions.id_of(others[0])
    who = dict(client=demo.client_id, user=u.id, method="POST", outcome=303)
    mark = audit.mark()
    assert web.post(f"/account/sessions/{first}/end").status_code == 303
    check(one_row(db, mark, "end one"), action="session.end", path=f"/account/sessions/{first}/end",
          obj=("session", first), detail={"ended": 1, "current": False}, **who)
    mark = audit.mark()
    assert web.post("/account/sessions/end-others").status_code == 303
    check(one_row(db, mark, "end others"), action="session.end_others", path="/account/sessions/end-others",
          obj=("user", u.id), detail={"ended": 2}, **who)
    chosen = "a password of the user's own " + unique("")
    mark = audit.mark()
    r = web.post("/account/password", {"current_password": PASSWORD, "password": chosen, "password2": chosen})
    assert r.status_code == 303
    row = one_row(db, mark, "password change")
    check(row, action="account.password_change", path="/account/password", obj=("user", u.id),
          detail={"password": "changed", "must_change_password": False, "sessions_ended": 1, "tokens_revoked": 0,
                  "changes": {}}, **who)
    assert PASSWORD not in json.dumps(row) and chosen not in json.dumps(row)


def test_two_factor_enrol_logon_and_off(db, audit, demo, people, sessions, login_gate, anon):
    from test_two_factor import PASSWORD, User, code_after, enrol, password_step, second_step, wrong_code
    u = User(db, demo, people)
    try:
        web, _ = sessions.make(user_id=u.id)
        who = dict(client=demo.client_id, user=u.id)
        mark = audit.mark()
        key, codes, _ = enrol(web, u)
        view, row = rows_since(db, mark)
        check(view, action="two_factor.view", method="GET", path="/account/two-factor", outcome=200,
              obj=("user", u.id), detail={"pending": "new"}, **who)
        check(row, action="two_factor.enrol", method="POST", path="/account/two-factor", outcome=200,
              obj=("user", u.id), detail={"enrolled": True, "recovery_codes": 10, "other_sessions_ended": 0,
                                          "changes": {"two_factor": {"old": "none", "new": "enrolled"}}}, **who)
        text = json.dumps(row)
        assert not any(c in text for c in codes)

        code, _ = code_after(key, int(u.col("totp_last_step")))
        mark = audit.mark()
        r = web.post("/account/two-factor/recovery-codes", {"code": code})
        assert r.status_code == 200
        new_codes = re.findall(r"<li><code>([A-Z2-7]{6}(?:-[A-Z2-7]{6}){3})</code></li>", r.text)
        assert len(new_codes) == 10
        row = one_row(db, mark, "recovery codes")
        check(row, action="two_factor.recovery_codes", method="POST", path="/account/two-factor/recovery-codes",
              outcome=200, obj=("user", u.id), detail={"recovery_codes": 10, "removed": 10}, **who)
        assert not any(c in json.dumps(row) for c in codes + new_codes)

        # The logon in two steps: the password, the form, the code.
        mark = audit.mark()
        web2 = password_step(login_gate, u)
        row = one_row(db, mark, "password step")
        check(row, action="login.password_ok", method="POST", path="/login", outcome=303, obj=("user", u.id),
              detail={"username": u.username, "result": "second factor next"}, **who)
        mark = audit.mark()
        assert web2.get("/login/two-factor?next=/contacts").status_code == 200
        row = one_row(db, mark, "second step form")
        check(row, action="login.second_factor_form", method="GET", path="/login/two-factor", outcome=200, **who)
        mark = audit.mark()
        assert second_step(web2, login_gate, wrong_code(key)).status_code == 401
        check(one_row(db, mark, "wrong code"), action="login.second_factor_fail", method="POST",
              path="/login/two-factor", outcome=401, obj=("user", u.id),
              detail={"username": u.username, "second_factor": "totp", "result": "wrong"}, **who)
        code, _ = code_after(key, int(u.col("totp_last_step")))
        mark = audit.mark()
        assert second_step(web2, login_gate, code).status_code == 303
        check(one_row(db, mark, "right code"), action="login", method="POST", path="/login/two-factor", outcome=303,
              obj=("user", u.id), detail={"username": u.username, "second_factor": "totp"}, **who)

        mark = audit.mark()
        assert web.post("/account/two-factor/off", {"code": "", "password": PASSWORD}).status_code == 303
        row = one_row(db, mark, "off")
        check(row, action="two_factor.disable", method="POST", path="/account/two-factor/off", outcome=303,
              obj=("user", u.id), detail={"enrolled": False, "confirmed_by": "password", "recovery_codes_removed": 10,
                                          "other_sessions_ended": 1,
                                          "changes": {"two_factor": {"old": "enrolled", "new": "none"}}}, **who)
        assert PASSWORD not in json.dumps(row)
    finally:
        u.forget_failures()


def test_the_logon_form(login_gate, anon, db, audit):
    mark = audit.mark()
    assert login_gate._count(lambda: anon.get("/login")).status_code == 200
    row = one_row(db, mark, "logon form")
    check(row, action="login.form", method="GET", path="/login", outcome=200, client=None, user=None)


# ---------------------------------------------------------------- the trail's own pages

def test_the_audit_viewer_its_exports_and_security_events(people, sessions, db, demo, audit, create_contact,
                                                          marker):
    """The trail's own pages and exports are audited like any other: the
    filter asked, and a contact's history names the contact."""
    contact = create_contact(last_name=marker)
    viewer = people.user(demo.client_id, ["audit.view", "contacts.view"])
    web, _ = sessions.make(user_id=viewer)
    who = dict(client=demo.client_id, user=viewer, method="GET", outcome=200)
    mark = audit.mark()
    assert web.get("/audit").status_code == 200
    check(one_row(db, mark, "viewer"), action="audit.view", path="/audit", detail={"filter": {}}, **who)
    mark = audit.mark()
    assert web.get(f"/audit?contact={contact}").status_code == 200
    check(one_row(db, mark, "history"), action="audit.view", path="/audit", obj=("contact", contact),
          detail={"filter": {"contact": contact}}, **who)

    # The exports: two rows each, as the contacts export; the closing row
    # counts the rows sent.
    for fmt, query, filt, obj, extra in (("csv", "action=login.", {"action": "login."}, (None, None),
                                          {"safe": False, "bom": False}),
                                         ("json", f"contact={contact}", {"contact": contact}, ("contact", contact),
                                          {})):
        mark = audit.mark()
        r = web.get(f"/audit/export.{fmt}?{query}")
        assert r.status_code == 200
        sent = len(json.loads(r.text)) if fmt == "json" else len(r.content.decode("utf-8").splitlines()) - 1
        rows = rows_since(db, mark)
        assert len(rows) == 2, [x["action"] for x in rows]
        path = f"/audit/export.{fmt}"
        check(rows[0], action="audit.export", path=path, obj=obj,
              detail={"format": fmt, "phase": "started", "filter": filt, **extra}, **who)
        check(rows[1], action="audit.export", path=path, obj=obj,
              detail={"format": fmt, "phase": "completed", "rows": sent, "filter": filt}, **who)

    boss = people.user(demo.client_id, ["users.manage"])
    web, _ = sessions.make(user_id=boss)
    mark = audit.mark()
    assert web.get("/admin/security?kind=logon").status_code == 200
    check(one_row(db, mark, "security events"), action="security.view", method="GET", path="/admin/security",
          outcome=200, client=demo.client_id, user=boss, detail={"filter": {"kind": "logon"}})


# ---------------------------------------------------------------- the other exports and imports

def test_json_ndjson_and_vcard_exports(people, sessions, db, audit):
    """The JSON, NDJSON and vCard exports bracket their rows as the CSV
    export does: what was asked first, the count and the contacts sent
    last (a tombstone is no contact sent)."""
    client = people.client()
    user = people.user(client, ["contacts.view", "contacts.create", "contacts.export"])
    web, _ = sessions.make(client_id=client, user_id=user)
    marker = unique("Expfmt")
    ids = []
    for i in range(3):
        r = web.post("/contacts", contact_form(last_name=f"{marker} {i}"))
        assert r.status_code == 303
        ids.append(int(location_path(r).rsplit("/", 1)[1]))
    common = dict(action="contact.export", method="GET", outcome=200, client=client, user=user,
                  obj=("contact", None))
    for ext, fmt, query, extra, filt in (
            ("json", "json", f"q={marker}", {}, no_filter(q=marker)),
            ("ndjson", "ndjson", f"q={marker}&limit=2", {}, no_filter(q=marker)),
            ("vcf", "vcard", f"q={marker}", {"version": 4}, no_filter(q=marker)),
            ("vcf", "vcard", "version=3&after=" + str(ids[0]), {"version": 3}, no_filter())):
        path = f"/export/contacts.{ext}"
        mark = audit.mark()
        r = web.get(f"{path}?{query}")
        assert r.status_code == 200, (path, r.status_code)
        if fmt == "json":
            sent = [x["id"] for x in json.loads(r.text)]
        elif fmt == "ndjson":
            sent = [json.loads(line)["id"] for line in r.text.splitlines()]
        else:
            sent = [int(m) for m in re.findall(r"^X-CTRACK-ID:(\d+)\r$", r.text, re.M)]
        want = ids[:2] if "limit=2" in query else ids[1:] if "after=" in query else ids
        assert sent == want, (path, query, sent)
        start, end = rows_since(db, mark)
        limit = 2 if "limit=2" in query else None
        after = ids[0] if "after=" in query else None
        check(start, path=path, **common, detail={"format": fmt, "phase": "started", "filter": filt,
                                                  "after": after, "limit": limit, **extra})
        check(end, path=path, **common, detail={"format": fmt, "phase": "completed", "filter": filt,
                                                "rows": len(want)}, contacts=want)
        assert marker not in json.dumps([start["detail"], end["detail"]]).replace(f'"q": "{marker}"', "")


def test_import_pages_upload_run_report_and_undo(people, sessions, db, audit):
    import hashlib
    client = people.client()
    # An import creates contacts and its undo deletes them: the user may both.
    user = people.user(client, ["contacts.view", "contacts.import", "contacts.create", "contacts.delete"])
    web, _ = sessions.make(client_id=client, user_id=user)
    who = dict(client=client, user=user)
    marker = unique("Imprt")
    data = (f"first_name,last_name,email\r\nAna,{marker},ana.{marker.lower()}@example.org\r\n"
            f"Ben,{marker},ben.{marker.lower()}@example.org\r\nCara,,not-an-email\r\n").encode()
    sha = hashlib.sha256(data).hexdigest()

    mark = audit.mark()
    assert web.get("/imports").status_code == 200
    check(one_row(db, mark, "imports list"), action="import.list", method="GET", path="/imports", outcome=200,
          obj=("import", None), detail={}, **who)

    mark = audit.mark()
    r = web.request("POST", "/imports", data={"csrf": web.csrf}, files={"file": ("audit.csv", data, "text/csv")})
    assert r.status_code == 303, r.status_code
    iid = int(re.fullmatch(r"/imports/(\d+)", location_path(r)).group(1))
    row = one_row(db, mark, "upload")
    check(row, action="import.upload", method="POST", path="/imports", outcome=303, obj=("import", iid),
          any_detail=True, **who)
    assert row["detail"] == {"file": {"name": "audit.csv", "sha256": row["detail"]["file"]["sha256"],
                                      "size": len(data)}}
    assert row["detail"]["file"]["sha256"].lower() == sha
    assert marker not in json.dumps(row["detail"]), "contact data in the upload's row"

    mark = audit.mark()
    r = web.get(f"/imports/{iid}")
    assert r.status_code == 200
    check(one_row(db, mark, "import page"), action="import.view", method="GET", path=f"/imports/{iid}",
          outcome=200, obj=("import", iid), detail={}, **who)
    fields = dict(Page(r.text).form(f"/imports/{iid}/run")["fields"])
    fields.pop("csrf", None)

    mark = audit.mark()
    assert web.post(f"/imports/{iid}/run", {**fields, "action": "preview"}).status_code == 200
    check(one_row(db, mark, "preview"), action="contact.import", method="POST", path=f"/imports/{iid}/run",
          outcome=200, obj=("import", iid), detail={"preview": True}, **who)

    mark = audit.mark()
    r = web.post(f"/imports/{iid}/run", {**fields, "rows": "valid", "action": "import"})
    assert r.status_code == 303, r.status_code
    created = [int(x[0]) for x in db.rows(f"SELECT id FROM contacts WHERE client_id = {client} ORDER BY id")]
    assert len(created) == 2
    row = one_row(db, mark, "run")
    check(row, action="contact.import", method="POST", path=f"/imports/{iid}/run", outcome=303,
          obj=("import", iid), contacts=created, any_detail=True, **who)
    assert row["detail"] == {
        "import": iid, "file": {"name": "audit.csv", "sha256": row["detail"]["file"]["sha256"], "size": len(data)},
        "format": "csv", "encoding": "UTF-8",
        "options": {"mode": "create", "match": "email", "rows": "valid", "dry_run": False, "deleted": "skip",
                    "dates": "iso", "mapping": ["first_name", "last_name", "email.1"]},
        "outcome": "imported", "rows_read": 3, "created": 2, "updated": 0, "restored": 0, "unchanged": 0,
        "skipped": 0, "failed": 1, "warnings": 0, "created_ids": created, "updated_ids": [], "restored_ids": []}
    assert row["detail"]["file"]["sha256"].lower() == sha
    assert marker not in json.dumps(row["detail"]), "contact data in the import's row"

    mark = audit.mark()
    r = web.get(f"/imports/{iid}/report.csv")
    assert r.status_code == 200 and r.content.count(b"\r\n") == 2
    check(one_row(db, mark, "report"), action="import.report", method="GET", path=f"/imports/{iid}/report.csv",
          outcome=200, obj=("import", iid), detail={"problems": 1}, **who)

    mark = audit.mark()
    assert web.post(f"/imports/{iid}/undo").status_code == 303
    check(one_row(db, mark, "undo"), action="contact.import_undo", method="POST", path=f"/imports/{iid}/undo",
          outcome=303, obj=("import", iid), contacts=created,
          detail={"import": iid, "undo": True, "removed": 2, "restored": 0, "left_alone": []}, **who)


# ---------------------------------------------------------------- the dashboard and saved views

def test_dashboard_and_saved_views(people, sessions, db, demo, audit):
    user = people.user(demo.client_id, ["contacts.view", "reports.view"])
    web, _ = sessions.make(user_id=user)
    who = dict(client=demo.client_id, user=user)
    name = unique("Audit view ")
    mark = audit.mark()
    r = web.post("/views?party=Whig", {"name": name})
    assert r.status_code == 303
    vid = int(re.search(r"view=(\d+)", location_path(r)).group(1))
    check(one_row(db, mark, "view.create"), action="view.create", method="POST", path="/views", outcome=303,
          obj=("saved_view", vid), detail={"name": name, "query": "party=Whig", "shared": False}, **who)
    mark = audit.mark()
    assert web.post(f"/views/{vid}", {"name": name + "2", "shared": "1"}).status_code == 303
    check(one_row(db, mark, "view.update"), action="view.update", method="POST", path=f"/views/{vid}", outcome=303,
          obj=("saved_view", vid), detail={"old": {"name": name, "query": "party=Whig", "shared": False},
                                           "new": {"name": name + "2", "query": "party=Whig", "shared": True}}, **who)
    mark = audit.mark()
    assert web.get("/views").status_code == 200
    check(one_row(db, mark, "view.list"), action="view.list", method="GET", path="/views", outcome=200, **who)
    filt = {"q": None, "region": None, "party": "Whig", "campaign": None, "view": vid}
    mark = audit.mark()
    assert web.get(f"/dashboard?view={vid}").status_code == 200
    row = one_row(db, mark, "dashboard.view")
    check(row, action="dashboard.view", method="GET", path="/dashboard", outcome=200, any_detail=True, **who)
    assert row["detail"]["filter"] == filt and set(row["detail"]) == {"filter", "contacts", "activities", "campaigns"}
    mark = audit.mark()
    assert web.get(f"/dashboard/map.svg?view={vid}").status_code == 200
    row = one_row(db, mark, "map")
    check(row, action="dashboard.chart", method="GET", path="/dashboard/map.svg", outcome=200, any_detail=True, **who)
    assert row["detail"]["filter"] == filt and row["detail"]["chart"] == "map"
    mark = audit.mark()
    assert web.get("/dashboard/activity.svg").status_code == 200
    row = one_row(db, mark, "activity")
    check(row, action="dashboard.chart", method="GET", path="/dashboard/activity.svg", outcome=200,
          any_detail=True, **who)
    assert row["detail"]["chart"] == "activity" and "activities" in row["detail"]
    cid = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({demo.client_id}, {sql_str(unique('Funnel '))});"
                 " SELECT LAST_INSERT_ID()")
    mark = audit.mark()
    assert web.get(f"/dashboard/campaigns/{cid}/funnel.svg").status_code == 200
    check(one_row(db, mark, "funnel"), action="dashboard.chart", method="GET",
          path=f"/dashboard/campaigns/{cid}/funnel.svg", outcome=200, obj=("campaign", cid),
          detail={"filter": {"q": None, "region": None, "party": None, "campaign": None}, "chart": "funnel"}, **who)
    mark = audit.mark()
    assert web.post(f"/views/{vid}/delete", {}).status_code == 303
    check(one_row(db, mark, "view.delete"), action="view.delete", method="POST", path=f"/views/{vid}/delete",
          outcome=303, obj=("saved_view", vid), detail={"name": name + "2", "query": "party=Whig", "shared": True},
          **who)


# ---------------------------------------------------------------- the route table

# Each route -> the test of this file that checks its audit row.
def test_activity_log_edit_done_undone_delete_and_follow_ups(admin, demo, db, audit, create_contact, marker):
    cid = create_contact(last_name=marker)
    form = {"kind": "call", "occurred_at": "2024-01-15T10:00", "subject": "Audited call", "body": "",
            "outcome": "", "campaign_id": "", "campaign_status": "", "follow_up_on": "2030-06-01", "assignee_id": ""}
    mark = audit.mark()
    assert admin.post(f"/contacts/{cid}/activities", form).status_code == 303
    aid, tid = [int(x[0]) for x in db.rows(f"SELECT id FROM activities WHERE contact_id = {sql_int(cid)} ORDER BY id")]
    check(one_row(db, mark, "log"), action="activity.create", method="POST", path=f"/contacts/{cid}/activities",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("activity", aid), contacts=[cid],
          detail={"contact": cid, "changes": {"kind": {"old": None, "new": "call"},
                                              "occurred_at": {"old": None, "new": "2024-01-15 15:00:00"},
                                              "subject": {"old": None, "new": "Audited call"}},
                  "follow_up": {"id": tid, "due_on": "2030-06-01", "assignee_id": demo.user_id}})

    mark = audit.mark()
    page = Page(admin.get(f"/activities/{aid}/edit").text)
    check(one_row(db, mark, "edit form"), action="activity.edit_form", method="GET", path=f"/activities/{aid}/edit",
          outcome=200, client=demo.client_id, user=demo.user_id, obj=("activity", aid), contacts=[cid])
    fields = page.form(f"/activities/{aid}")["fields"]
    fields.pop("csrf")
    fields["outcome"] = "Answered"
    mark = audit.mark()
    assert admin.post(f"/activities/{aid}", fields).status_code == 303
    check(one_row(db, mark, "update"), action="activity.update", method="POST", path=f"/activities/{aid}",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("activity", aid), contacts=[cid],
          detail={"contact": cid, "changes": {"outcome": {"old": "", "new": "Answered"}}})

    for what in ("done", "undone"):
        mark = audit.mark()
        assert admin.post(f"/activities/{tid}/{what}").status_code == 303
        check(one_row(db, mark, what), action=f"activity.{what}", method="POST", path=f"/activities/{tid}/{what}",
              outcome=303, client=demo.client_id, user=demo.user_id, obj=("activity", tid), contacts=[cid],
              detail={"contact": cid, "changes": {"done": {"old": what == "undone", "new": what == "done"}}})

    mark = audit.mark()
    assert admin.get("/follow-ups").status_code == 200
    row = one_row(db, mark, "follow-ups")
    check(row, action="activity.follow_ups", method="GET", path="/follow-ups", outcome=200, client=demo.client_id,
          user=demo.user_id, any_detail=True)
    assert cid in row["detail"]["shown"] and row["detail"]["upcoming"] >= 1

    mark = audit.mark()
    assert admin.post(f"/activities/{aid}/delete").status_code == 303
    check(one_row(db, mark, "delete"), action="activity.delete", method="POST", path=f"/activities/{aid}/delete",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("activity", aid), contacts=[cid],
          detail={"contact": cid, "kind": "call", "deleted": True})


def test_client_time_zone(admin, demo, db, audit):
    old = db.value(f"SELECT time_zone FROM clients WHERE id = {demo.client_id}")
    mark = audit.mark()
    r = admin.post("/admin/time-zone", {"time_zone": "Europe/Paris"})
    assert r.status_code == 303 and location_path(r) == "/admin?zone=1"
    check(one_row(db, mark, "time zone"), action="client.time_zone", method="POST", path="/admin/time-zone",
          outcome=303, client=demo.client_id, user=demo.user_id, obj=("client", demo.client_id),
          detail={"changes": {"time_zone": {"old": old, "new": "Europe/Paris"}}})
    mark = audit.mark()
    r = admin.post("/admin/time-zone", {"time_zone": "../etc/passwd"})
    assert r.status_code == 422 and Page(r.text).field_error("time_zone")
    check(one_row(db, mark, "bad time zone"), action="client.time_zone", method="POST", path="/admin/time-zone",
          outcome=422, client=demo.client_id, user=demo.user_id, obj=("client", demo.client_id), detail=None)
    assert admin.post("/admin/time-zone", {"time_zone": old}).status_code == 303
    assert db.value(f"SELECT time_zone FROM clients WHERE id = {demo.client_id}") == old


COVERED_HERE = {
    ("GET", "/contacts"): "test_list_page_names_the_contacts_shown",
    ("POST", "/contacts"): "test_contact_view_create_update_delete",
    ("GET", "/contacts/{id}"): "test_contact_view_create_update_delete",
    ("POST", "/contacts/{id}"): "test_contact_view_create_update_delete",
    ("POST", "/contacts/{id}/delete"): "test_contact_view_create_update_delete",
    ("POST", "/contacts/campaign-add"): "test_bulk_add_and_remove_name_every_changed_contact",
    ("POST", "/contacts/campaign-remove"): "test_bulk_add_and_remove_name_every_changed_contact",
    ("POST", "/campaigns"): "test_campaign_create_rename_archive_unarchive",
    ("GET", "/campaigns/{id}"): "test_member_status_change_and_remove",
    ("POST", "/campaigns/{id}/members/status"): "test_member_status_change_and_remove",
    ("POST", "/campaigns/{id}/members/remove"): "test_member_status_change_and_remove",
    ("POST", "/contacts/{id}/campaigns"): "test_member_status_change_and_remove",
    ("POST", "/contacts/{id}/campaigns/remove"): "test_member_status_change_and_remove",
    ("GET", "/campaigns/statuses"): "test_campaign_statuses_and_bulk_status",
    ("POST", "/campaigns/statuses"): "test_campaign_statuses_and_bulk_status",
    ("POST", "/campaigns/statuses/edit"): "test_campaign_statuses_and_bulk_status",
    ("POST", "/campaigns/statuses/move"): "test_campaign_statuses_and_bulk_status",
    ("POST", "/campaigns/statuses/delete"): "test_campaign_statuses_and_bulk_status",
    ("POST", "/campaigns/{id}/members/bulk-status"): "test_campaign_statuses_and_bulk_status",
    ("GET", "/organisations"): "test_organisation_pages",
    ("GET", "/organisations/{id}"): "test_organisation_pages",
    ("GET", "/export/contacts.csv"): "test_an_export_row_never_holds_contact_data",
    ("GET", "/export/contacts.json"): "test_json_ndjson_and_vcard_exports",
    ("GET", "/export/contacts.ndjson"): "test_json_ndjson_and_vcard_exports",
    ("GET", "/export/contacts.vcf"): "test_json_ndjson_and_vcard_exports",
    ("GET", "/imports"): "test_import_pages_upload_run_report_and_undo",
    ("POST", "/imports"): "test_import_pages_upload_run_report_and_undo",
    ("GET", "/imports/{id}"): "test_import_pages_upload_run_report_and_undo",
    ("POST", "/imports/{id}/run"): "test_import_pages_upload_run_report_and_undo",
    ("GET", "/imports/{id}/report.csv"): "test_import_pages_upload_run_report_and_undo",
    ("POST", "/imports/{id}/undo"): "test_import_pages_upload_run_report_and_undo",
    ("POST", "/account/tokens"): "test_api_token_request_and_token_create_revoke",
    ("POST", "/account/tokens/{id}/revoke"): "test_api_token_request_and_token_create_revoke",
    ("POST", "/admin/tokens/{id}/revoke"): "test_admin_token_revoke",
    ("POST", "/login"): "test_logon_success_and_failure",
    ("POST", "/logout"): "test_logon_success_and_failure",
    ("POST", "/admin/types"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/types/{id}"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/types/{id}/two-factor"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/types/{id}/delete"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/matrix"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users/{id}"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users/{id}/password"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users/{id}/unlock"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users/{id}/sessions/end"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users/{id}/two-factor/reset"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users/{id}/regions"): "test_matrix_user_type_and_user_changes",
    ("POST", "/admin/users/{id}/campaigns"): "test_matrix_user_type_and_user_changes",
    ("GET", "/account/two-factor"): "test_two_factor_enrolment_pages",
    ("GET", "/account/two-factor/qr.svg"): "test_two_factor_enrolment_pages",
    ("GET", "/login"): "test_the_logon_form",
    ("GET", "/audit"): "test_the_audit_viewer_its_exports_and_security_events",
    ("GET", "/audit/export.csv"): "test_the_audit_viewer_its_exports_and_security_events",
    ("GET", "/audit/export.json"): "test_the_audit_viewer_its_exports_and_security_events",
    ("GET", "/admin/security"): "test_the_audit_viewer_its_exports_and_security_events",
    ("GET", "/login/two-factor"): "test_two_factor_enrol_logon_and_off",
    ("POST", "/login/two-factor"): "test_two_factor_enrol_logon_and_off",
    ("POST", "/account/two-factor"): "test_two_factor_enrol_logon_and_off",
    ("POST", "/account/two-factor/recovery-codes"): "test_two_factor_enrol_logon_and_off",
    ("POST", "/account/two-factor/off"): "test_two_factor_enrol_logon_and_off",
    ("POST", "/account/password"): "test_own_sessions_and_password",
    ("POST", "/account/sessions/end-others"): "test_own_sessions_and_password",
    ("POST", "/account/sessions/{id}/end"): "test_own_sessions_and_password",
    ("POST", "/campaigns/{id}"): "test_campaign_create_rename_archive_unarchive",
    ("POST", "/campaigns/{id}/archive"): "test_campaign_create_rename_archive_unarchive",
    ("POST", "/campaigns/{id}/unarchive"): "test_campaign_create_rename_archive_unarchive",
    ("POST", "/contacts/{id}/activities"): "test_activity_log_edit_done_undone_delete_and_follow_ups",
    ("GET", "/activities/{id}/edit"): "test_activity_log_edit_done_undone_delete_and_follow_ups",
    ("POST", "/activities/{id}"): "test_activity_log_edit_done_undone_delete_and_follow_ups",
    ("POST", "/activities/{id}/delete"): "test_activity_log_edit_done_undone_delete_and_follow_ups",
    ("POST", "/activities/{id}/done"): "test_activity_log_edit_done_undone_delete_and_follow_ups",
    ("POST", "/activities/{id}/undone"): "test_activity_log_edit_done_undone_delete_and_follow_ups",
    ("GET", "/follow-ups"): "test_activity_log_edit_done_undone_delete_and_follow_ups",
    ("POST", "/admin/time-zone"): "test_client_time_zone",
    ("GET", "/dashboard"): "test_dashboard_and_saved_views",
    ("GET", "/dashboard/map.svg"): "test_dashboard_and_saved_views",
    ("GET", "/dashboard/activity.svg"): "test_dashboard_and_saved_views",
    ("GET", "/dashboard/campaigns/{id}/funnel.svg"): "test_dashboard_and_saved_views",
    ("GET", "/views"): "test_dashboard_and_saved_views",
    ("POST", "/views"): "test_dashboard_and_saved_views",
    ("POST", "/views/{id}"): "test_dashboard_and_saved_views",
    ("POST", "/views/{id}/delete"): "test_dashboard_and_saved_views",
    **{("GET", p): "test_every_other_page_has_its_row" for p in GENERIC_GET},
}

def test_campaign_statuses_and_bulk_status(admin, demo, db, create_contact, marker):
    """The status list's changes (old and new of each field), and a bulk
    status change naming each contact with its old and new status. The demo
    client's statuses are as they were at the end."""
    c, u = demo.client_id, demo.user_id
    mark = audit_mark(db)
    assert admin.get("/campaigns/statuses").status_code == 200
    n = db.int(f"SELECT COUNT(*) FROM campaign_statuses WHERE client_id = {c}")
    check(one_row(db, mark, "status page"), action="campaign_status.list", method="GET", path="/campaigns/statuses",
          outcome=200, client=c, user=u, obj=("campaign_status", None), detail={"rows": n})
    last = db.int(f"SELECT MAX(position) FROM campaign_statuses WHERE client_id = {c}")
    code = "audit-" + marker.lower().replace(" ", "")[-12:]
    mark = audit_mark(db)
    assert admin.post("/campaigns/statuses", {"code": code, "label": "Met", "stage": "contacted"}).status_code == 303
    check(one_row(db, mark, "status add"), action="campaign_status.create", method="POST", path="/campaigns/statuses",
          outcome=303, client=c, user=u, obj=("campaign_status", None),
          detail={"status": {"code": code}, "changes": {"label": {"old": None, "new": "Met"},
                                                         "stage": {"old": None, "new": "contacted"},
                                                         "position": {"old": None, "new": last + 1}}})
    mark = audit_mark(db)
    assert admin.post("/campaigns/statuses/edit", {"code": code, "label": "Met in person",
                                                  "stage": "responded"}).status_code == 303
    check(one_row(db, mark, "status edit"), action="campaign_status.update", method="POST",
          path="/campaigns/statuses/edit", outcome=303, client=c, user=u, obj=("campaign_status", None),
          detail={"status": {"code": code}, "changes": {"label": {"old": "Met", "new": "Met in person"},
                                                         "stage": {"old": "contacted", "new": "responded"}}})
    before = db.value(f"SELECT code FROM campaign_statuses WHERE client_id = {c} AND position = {last}")
    mark = audit_mark(db)
    assert admin.post("/campaigns/statuses/move", {"code": code, "direction": "up"}).status_code == 303
    check(one_row(db, mark, "status move"), action="campaign_status.move", method="POST",
          path="/campaigns/statuses/move", outcome=303, client=c, user=u, obj=("campaign_status", None),
          detail={"status": {"code": code}, "changes": {"position": {"old": last + 1, "new": last}},
                  "swapped_with": {"code": before, "position": {"old": last, "new": last + 1}}})
    assert admin.post("/campaigns/statuses/move", {"code": code, "direction": "down"}).status_code == 303

    # A bulk status change: each ticked member with its old and new status.
    ids = make_contacts(create_contact, marker, 3)
    cid, name = make_campaign(admin)
    for i in ids:
        assert admin.post(f"/contacts/{i}/campaigns", {"campaign_id": cid}).status_code == 303
    assert admin.post(f"/campaigns/{cid}/members/status", {"contact_id": ids[0], "status": "contacted"}).status_code == 303
    mark = audit_mark(db)
    r = admin.post(f"/campaigns/{cid}/members/bulk-status",
                   [("which", "selected"), ("to", code)] + [("id", str(i)) for i in ids[:2]])
    assert r.status_code == 303, r.status_code
    check(one_row(db, mark, "bulk status"), action="campaign.bulk_status", method="POST",
          path=f"/campaigns/{cid}/members/bulk-status", outcome=303, client=c, user=u, obj=("campaign", cid),
          detail={"campaign": {"id": cid, "name": name}, "filter": no_filter(campaign=cid, ids=ids[:2]),
                  "status": code, "count": 2,
                  "contacts": [{"id": ids[0], "old": "contacted", "new": code},
                               {"id": ids[1], "old": "targeted", "new": code}]},
          contacts=ids[:2])
    # A status in use is not deleted: the refusal is audited, nothing named.
    mark = audit_mark(db)
    assert admin.post("/campaigns/statuses/delete", {"code": code}).status_code == 422
    check(one_row(db, mark, "refused delete"), action="campaign_status.delete", method="POST",
          path="/campaigns/statuses/delete", outcome=422, client=c, user=u, obj=("campaign_status", None),
          any_detail=True)
    assert admin.post(f"/campaigns/{cid}/members/bulk-status", {"which": "all", "to": "targeted"}).status_code == 303
    mark = audit_mark(db)
    assert admin.post("/campaigns/statuses/delete", {"code": code}).status_code == 303
    check(one_row(db, mark, "status delete"), action="campaign_status.delete", method="POST",
          path="/campaigns/statuses/delete", outcome=303, client=c, user=u, obj=("campaign_status", None),
          detail={"status": {"code": code}, "changes": {"label": {"old": "Met in person", "new": None},
                                                         "stage": {"old": "responded", "new": None},
                                                         "position": {"old": last + 1, "new": None}}})


def test_organisation_pages(admin, demo, db, create_contact, marker):
    org = unique("Audit org ")
    ids = sorted(create_contact(last_name=f"{marker} {i}", organisation=org) for i in range(2))
    oid = db.int(f"SELECT id FROM organisations WHERE client_id = {demo.client_id} AND name = {sql_str(org)}")
    mark = audit_mark(db)
    assert admin.get(f"/organisations?q={org}").status_code == 200
    check(one_row(db, mark, "organisations"), action="organisation.list", method="GET", path="/organisations",
          outcome=200, client=demo.client_id, user=demo.user_id,
          detail={"q": org, "rows": 1, "total": 1, "page": 1})
    mark = audit_mark(db)
    assert admin.get(f"/organisations/{oid}").status_code == 200
    check(one_row(db, mark, "organisation"), action="organisation.view", method="GET", path=f"/organisations/{oid}",
          outcome=200, client=demo.client_id, user=demo.user_id, obj=("organisation", oid),
          detail={"rows": 2, "total": 2, "page": 1, "shown": ids})


def test_every_route_has_an_audit_row_test():
    missing, stale = [], []
    for method, pattern, _, action, _ in ROUTES:
        key = (method, pattern)
        if key not in COVERED_HERE:
            missing.append(f"{method} {pattern} ({action})")
        elif COVERED_HERE[key] not in globals():
            stale.append(f"{method} {pattern} -> {COVERED_HERE[key]} (no such test)")
    known = {(m, p) for m, p, _, _, _ in ROUTES}
    stale += [f"{m} {p} is not a route" for m, p in COVERED_HERE if (m, p) not in known]
    assert not missing, "routes without an audit-row test: " + ", ".join(missing)
    assert not stale, "stale entries: " + ", ".join(stale)


def test_zz_every_claimed_route_was_checked():
    """Runs last: each route's test, where it ran, checked a row of it."""
    unchecked = [f"{m} {p} (claimed by {t})" for (m, p), t in COVERED_HERE.items()
                 if t in RAN and (m, p) not in CHECKED]
    assert not unchecked, "no row checked for: " + ", ".join(unchecked)
    assert RAN, "no test of this file ran before this one"
