"""The audit trail: one row per request that reaches the application, with
what was asked, by whom, and how it ended; append-only for the application.

These tests count rows: the suite must be the stack's only client."""
import datetime
import json
import re

import pytest

from conftest import Page, contact_form, location_path, unique, utc_now


def check_row(row, method, path, action, outcome, user=None, object_id=None, object_type=None):
    got = (row["method"], row["path"], row["action"], row["outcome"])
    assert got == (method, path, action, outcome), f"audit row {got}, expected {(method, path, action, outcome)}"
    if user is not None:
        assert (row["client_id"], row["user_id"]) == (user.client_id, user.user_id), \
            f"audit row of {method} {path} is attributed to client {row['client_id']} user {row['user_id']}"
    if object_id is not None:
        assert (row["object_type"], row["object_id"]) == (object_type or "contact", object_id), \
            f"audit row of {method} {path} names object {row['object_type']} {row['object_id']}"
    assert row["remote_addr"] == "127.0.0.1", f"remote_addr {row['remote_addr']!r}"
    assert re.fullmatch(r"[0-9a-f]{32}", row["request_id"]), f"request_id {row['request_id']!r}"
    if row["detail"] is not None:
        json.loads(row["detail"])


def test_a_page_view_appends_one_row(admin, demo, audit):
    mark = audit.mark()
    r = admin.get("/contacts?region=US-OH&party=Democrat&sort=state&page=2")
    assert r.status_code == 200
    row = audit.one_since(mark, "GET /contacts")
    check_row(row, "GET", "/contacts", "contact.list", 200, user=demo)
    detail = json.loads(row["detail"])
    assert detail["filter"] == {"q": None, "region": "US-OH", "party": "Democrat", "campaign": None}, detail
    assert detail["sort"] == "state", detail
    assert detail["page"] == 2 and detail["rows"] == 50, detail


def test_create_row_names_the_new_contact(admin, demo, audit):
    mark = audit.mark()
    last = unique("Audited")
    r = admin.post("/contacts", contact_form(last_name=last, phone="555 0101", region="US-OH-05"))
    assert r.status_code == 303
    cid = int(location_path(r).rsplit("/", 1)[1])
    row = audit.one_since(mark, "POST /contacts")
    check_row(row, "POST", "/contacts", "contact.create", 303, user=demo, object_id=cid)
    changes = json.loads(row["detail"])["changes"]
    assert changes["last_name"] == {"old": None, "new": last}, changes
    assert changes["phone"] == {"old": None, "new": "555 0101"}, changes
    assert changes["region"] == {"old": None, "new": "US-OH-05"}, changes
    assert "csrf" not in row["detail"] and admin.csrf not in row["detail"], "the CSRF token is in the audit trail"


def test_edit_row_records_old_and_new_values(admin, demo, audit, create_contact):
    cid = create_contact(phone="614-555-0100", last_name=unique("PhoneEdit"))
    form = Page(admin.get(f"/contacts/{cid}/edit").text).form(f"/contacts/{cid}")["fields"]
    form["phone"] = "614-555-0199"
    mark = audit.mark()
    r = admin.post(f"/contacts/{cid}", form, csrf=False)
    assert r.status_code == 303
    row = audit.one_since(mark, "the edit")
    check_row(row, "POST", f"/contacts/{cid}", "contact.update", 303, user=demo, object_id=cid)
    assert json.loads(row["detail"]) == {"changes": {"phone": {"old": "614-555-0100", "new": "614-555-0199"}}}, \
        f"the edit's audit detail is {row['detail']}"


def test_view_and_delete_rows(admin, demo, audit, create_contact):
    cid = create_contact()
    mark = audit.mark()
    assert admin.get(f"/contacts/{cid}").status_code == 200
    assert admin.get(f"/contacts/{cid}/delete").status_code == 200
    assert admin.post(f"/contacts/{cid}/delete").status_code == 303
    rows = audit.since(mark)
    assert len(rows) == 3, f"three requests, {len(rows)} audit rows"
    check_row(rows[0], "GET", f"/contacts/{cid}", "contact.view", 200, user=demo, object_id=cid)
    check_row(rows[1], "GET", f"/contacts/{cid}/delete", "contact.delete_form", 200, user=demo, object_id=cid)
    check_row(rows[2], "POST", f"/contacts/{cid}/delete", "contact.delete", 303, user=demo, object_id=cid)
    assert json.loads(rows[2]["detail"]) == {"deleted": True}


# Failed requests: each has a row of its own with the outcome.
FAILURES = {
    "403 no CSRF token": (lambda a, cid: a.post("/contacts", contact_form(), csrf=False),
                          ("POST", "/contacts", "csrf.reject", 403)),
    "403 foreign origin": (lambda a, cid: a.post(f"/contacts/{cid}", contact_form(), headers={"Origin": "https://evil.example"}),
                           ("POST", "/contacts/{cid}", "csrf.reject", 403)),
    "404 unknown address": (lambda a, cid: a.get("/no-such-page"),
                            ("GET", "/no-such-page", "http.not_found", 404)),
    "404 unknown contact": (lambda a, cid: a.get(f"/contacts/{cid + 10 ** 9}"),
                            ("GET", "/contacts/{big}", "contact.view", 404)),
    "405 wrong method": (lambda a, cid: a.request("DELETE", f"/contacts/{cid}"),
                         ("DELETE", "/contacts/{cid}", "http.bad_method", 405)),
    "422 invalid form": (lambda a, cid: a.post("/contacts", contact_form(email="no")),
                         ("POST", "/contacts", "contact.create", 422)),
    "400 bad UTF-8": (lambda a, cid: a.get("/contacts?q=%C3%28"),
                      ("GET", "/contacts", None, 400)),
    "415 not a form": (lambda a, cid: a.request("POST", "/contacts", data=b"csrf=x", headers={"Content-Type": "text/plain"}),
                       ("POST", "/contacts", None, 415)),
    "409 stale edit": (lambda a, cid: a.post(f"/contacts/{cid}", contact_form(version="2000-01-01 00:00:00.000000")),
                       ("POST", "/contacts/{cid}", "contact.update", 409)),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_failed_requests_have_their_own_row(case, admin, demo, audit, create_contact):
    make, (method, path, action, outcome) = FAILURES[case]
    cid = create_contact()
    path = path.format(cid=cid, big=cid + 10 ** 9)
    mark = audit.mark()
    r = make(admin, cid)
    assert r.status_code == outcome, f"{case}: answered {r.status_code}"
    row = audit.one_since(mark, case)
    assert (row["method"], row["path"], row["outcome"]) == (method, path, outcome), f"{case}: {row}"
    if action:
        assert row["action"] == action, f"{case}: action {row['action']!r}, expected {action!r}"
    assert (row["client_id"], row["user_id"]) == (demo.client_id, demo.user_id), f"{case}: not attributed: {row}"


@pytest.mark.parametrize("case", ["404 unknown address", "404 unknown contact", "405 wrong method",
                                  "403 no CSRF token", "400 bad UTF-8", "415 not a form"])
def test_error_pages_show_the_audited_request_id(case, admin, audit, create_contact):
    """The error page's "reference" lets support find the audit row."""
    make, _ = FAILURES[case]
    cid = create_contact()
    mark = audit.mark()
    r = make(admin, cid)
    row = audit.one_since(mark, case)
    shown = Page(r.text).reference()
    assert shown == row["request_id"], \
        f"{case}: the error page shows reference {shown!r}, the audit row has {row['request_id']!r}"


def test_anonymous_requests_are_audited_without_a_user(anon, audit):
    mark = audit.mark()
    assert anon.get("/contacts").status_code == 303
    assert anon.get("/healthz").status_code == 200
    rows = audit.since(mark)
    assert len(rows) == 2, rows
    check_row(rows[0], "GET", "/contacts", "contact.list", 303)
    check_row(rows[1], "GET", "/healthz", "health.check", 200)
    assert all(r["user_id"] is None and r["client_id"] is None for r in rows), rows


def test_a_sequence_of_requests_gives_one_row_each_in_order(admin, anon, audit, create_contact):
    cid = create_contact()
    requests_made = [
        (admin, "GET", "/contacts"),
        (admin, "GET", f"/contacts/{cid}"),
        (anon, "GET", "/"),
        (admin, "GET", "/contacts/new"),
        (admin, "GET", "/nope"),
        (admin, "PUT", "/contacts"),
        (anon, "GET", "/healthz"),
        (admin, "GET", f"/contacts/{cid}/edit"),
        (admin, "HEAD", "/contacts"),
    ]
    mark = audit.mark()
    for client, method, path in requests_made:
        client.request(method, path)
    rows = audit.since(mark)
    assert [(r["method"], r["path"]) for r in rows] == [(m, p) for _, m, p in requests_made], \
        "the audit rows do not match the requests one to one"


def test_timestamps_are_utc_with_microseconds(admin, audit):
    mark = audit.mark()
    before = utc_now()
    for _ in range(3):
        admin.get("/healthz")
    after = utc_now()
    rows = audit.since(mark)
    assert len(rows) == 3
    stamps = []
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", row["at"]), row["at"]
        at = datetime.datetime.strptime(row["at"], "%Y-%m-%d %H:%M:%S.%f")
        assert before - datetime.timedelta(seconds=2) <= at <= after + datetime.timedelta(seconds=2), \
            f"audit time {row['at']} is not UTC now ({before} .. {after})"
        stamps.append(at)
    assert stamps == sorted(stamps), "audit times go backwards"
    assert any(s.microsecond for s in stamps), "no microseconds in the audit times"
    assert len(set(stamps)) == 3, "three requests share a timestamp"


def _denied(app_db, sql, what):
    # Wrapped in a transaction that is rolled back: if the grant were there,
    # the statement would still change nothing.
    p = app_db.run(f"START TRANSACTION; {sql}; ROLLBACK")
    assert p.returncode != 0, f"the application account could {what}"
    assert "ERROR 1142" in p.stderr and "denied" in p.stderr, f"{what}: failed for another reason: {p.stderr}"


def test_the_application_account_cannot_rewrite_history(app_db):
    p = app_db.run("SELECT COUNT(*) FROM audit")
    assert p.returncode == 0 and int(p.stdout.strip()) > 0, f"the application account cannot read audit: {p.stderr}"
    _denied(app_db, "UPDATE audit SET outcome = 0 LIMIT 1", "UPDATE audit rows")
    _denied(app_db, "DELETE FROM audit LIMIT 1", "DELETE audit rows")
    _denied(app_db, "DELETE FROM contacts LIMIT 1", "DELETE contacts")
    p = app_db.run("TRUNCATE TABLE audit")
    assert p.returncode != 0 and "denied" in p.stderr, "the application account could TRUNCATE audit"


def test_audit_detail_must_be_json(db):
    """The table itself refuses a detail that is not JSON."""
    p = db.run("START TRANSACTION; INSERT INTO audit (at, request_id, method, path, action, outcome, detail)"
               " VALUES (UTC_TIMESTAMP(6), REPEAT('0', 32), 'GET', '/x', 'test', 200, 'not json'); ROLLBACK")
    assert p.returncode != 0 and "CONSTRAINT" in p.stderr.upper(), f"a non-JSON detail was accepted: {p.stderr}"


def test_a_request_whose_audit_row_cannot_be_written_changes_nothing(admin, demo, db, audit):
    """The audit insert made to fail on purpose (a trigger refuses rows whose
    detail holds a marker): the contact is not created, the answer is a 5xx,
    and the failure still has its own row."""
    marker = unique("AuditRefused")
    # One statement, no semicolon inside: a NULL outcome is refused in strict mode.
    p = db.run("CREATE TRIGGER test_audit_refused BEFORE INSERT ON audit FOR EACH ROW"
               f" SET NEW.outcome = IF(NEW.detail LIKE '%{marker}%', NULL, NEW.outcome)")
    assert p.returncode == 0, p.stderr
    try:
        mark = audit.mark()
        r = admin.post("/contacts", contact_form(last_name=marker), allow_5xx=True)
        assert r.status_code == 500, f"answered {r.status_code}"
        assert demo.live_count(f"c.last_name = '{marker}'") == 0, "the contact was created without its audit row"
        rows = audit.since(mark)
        assert [(x["action"], x["outcome"]) for x in rows] == [("contact.create", 500)], rows
        assert marker not in (rows[0]["detail"] or ""), "the refused row was written after all"
    finally:
        assert db.run("DROP TRIGGER test_audit_refused").returncode == 0
