"""The security events page (/admin/security) for a client's administrators:
failed logons (of its users, though nobody is logged in), lockouts, denied
requests, CSRF refusals, refused tokens and tokens used from a new address,
newest first, paged like the audit viewer, never another client's."""
import json
import re

import pytest

from conftest import Page, Sessions, set_password, sql_int, sql_str, unique
from test_tokens import Tokens, bearer

FAILURES = 5  # Lockout.Failures in the test stack (the default)
SECURITY_ACTIONS = ("login.fail", "login.lockout", "login.locked", "login.blocked", "login.second_factor_fail",
                    "access.denied", "csrf.reject", "token.invalid", "token.refused", "user.unlock",
                    "token.new_address")


class Org:
    pass


@pytest.fixture(scope="module")
def org(db, demo, people, base_url, cert, login_gate):
    """Client A with an administrator (users.manage), a user with a password
    and a plain user; client B with its own administrator. Then each kind of
    event happens once in A (the lockout after FAILURES wrong passwords),
    and a failed logon in B."""
    o = Org()
    o.sessions = Sessions(db, demo, base_url, cert)
    o.a, o.b = people.client(), people.client()
    o.admin_id = people.user(o.a, ["users.manage", "contacts.view"])
    o.user_id = people.user(o.a, ["contacts.view", "contacts.create"])
    o.b_admin_id = people.user(o.b, ["users.manage"])
    o.b_user_id = people.user(o.b, ["contacts.view"])
    o.username = db.value(f"SELECT username FROM users WHERE id = {o.user_id}")
    o.b_username = db.value(f"SELECT username FROM users WHERE id = {o.b_user_id}")
    o.password = "correct horse " + unique()
    set_password(db, o.user_id, o.password)
    o.admin = o.sessions.make(o.a, o.admin_id)[0]
    o.user = o.sessions.make(o.a, o.user_id)[0]
    o.b_admin = o.sessions.make(o.b, o.b_admin_id)[0]
    o.mark = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")
    for i in range(FAILURES):
        _, r = login_gate.post({"username": o.username, "password": "wrong " + unique()})
        assert r.status_code == 401
    _, r = login_gate.post({"username": o.b_username, "password": "wrong " + unique()})
    assert r.status_code == 401
    assert o.user.get("/admin/users").status_code == 403                        # access.denied
    assert o.user.post("/contacts", {"last_name": "x"}, csrf=False).status_code == 403  # csrf.reject
    o.token_id, token = Tokens(db).make(o.a, o.user_id)
    script = bearer(base_url, cert, token)
    assert script.get("/contacts").status_code == 200                          # token.new_address
    assert script.get("/account").status_code == 403                           # token.refused
    assert o.user.get("/contacts").status_code == 200                          # not an event
    yield o
    o.sessions.remove()
    for name in (o.username, o.b_username):
        db.run(f"DELETE FROM login_failures WHERE username = {sql_str(name)}")
        db.run(f"DELETE FROM login_locks WHERE username = {sql_str(name)}")


def event_ids(db, client, actions=SECURITY_ACTIONS, extra="1"):
    names = ", ".join(sql_str(a) for a in actions)
    return [int(r[0]) for r in db.rows(
        f"SELECT id FROM audit WHERE client_id = {sql_int(client)} AND action IN ({names}) AND ({extra})"
        " ORDER BY id DESC")]


def shown(web, query=""):
    r = web.get("/admin/security" + ("?" + query if query else ""))
    assert r.status_code == 200, f"/admin/security?{query} answered {r.status_code}: {Page(r.text).text[:300]}"
    return [int(x) for x in re.findall(r'<tr id="audit-(\d+)"', r.text)], Page(r.text)


def test_every_kind_of_event_is_shown_to_the_clients_administrator(org, db):
    ids, page = shown(org.admin)
    want = event_ids(db, org.a)
    assert ids == want[:50]
    rows = {int(r[0]): r[1:] for r in db.rows(
        f"SELECT id, action, user_id, object_type, object_id, outcome FROM audit WHERE id > {org.mark}"
        f" AND client_id = {org.a}")}
    kinds = {rows[i][0] for i in ids if i in rows}
    assert kinds >= {"login.fail", "login.lockout", "access.denied", "csrf.reject", "token.new_address",
                     "token.refused"}, kinds
    # The failed logons belong to the user named, though nobody was logged in.
    fails = [rows[i] for i in ids if i in rows and rows[i][0] in ("login.fail", "login.lockout")]
    assert len(fails) == FAILURES
    assert all(f[1] is None and (f[2], f[3], f[4]) == ("user", str(org.user_id), "401") for f in fails), fails
    # Ordinary requests are not events.
    assert not any(rows[i][0] == "contact.list" for i in ids if i in rows)
    text = page.text
    assert "127.0.0.1" in text and "login.lockout" in text and "token.new_address" in text
    assert any(l["href"] == "/admin/security" for l in Page(org.admin.get("/admin/users").text).links), \
        "the administration tabs do not link the security events"


def test_another_clients_events_never_appear(org, db):
    ids, _ = shown(org.admin)
    b = event_ids(db, org.b)
    assert b, "client B has no event to leak"
    assert not set(ids) & set(b)
    ids_b, _ = shown(org.b_admin)
    assert ids_b == b[:50] and not set(ids_b) & set(event_ids(db, org.a))
    # An unknown username's failure belongs to no client.
    anonymous = event_ids(db, org.a, extra="user_id IS NULL AND object_id IS NULL")
    assert anonymous == []


def test_the_kind_filter_narrows(org, db):
    for kind, actions in (("login.fail", ["login.fail"]), ("login.lockout", ["login.lockout"]),
                          ("logon", SECURITY_ACTIONS[:5]), ("token.new_address", ["token.new_address"]),
                          ("access.denied", ["access.denied"])):
        ids, page = shown(org.admin, f"kind={kind}")
        assert ids == event_ids(db, org.a, actions)[:50] and ids, kind
        assert page.selects["kind"]["options"] and [o[0] for o in page.selects["kind"]["options"] if o[2]] == [kind]


def test_the_time_filter_and_paging(org, db):
    today = db.value("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d')")
    ids, _ = shown(org.admin, f"from={today}&to={today}")
    assert ids == event_ids(db, org.a)[:50]
    assert shown(org.admin, "to=2000-01-01")[0] == []
    all_ids = event_ids(db, org.a)
    older, _ = shown(org.admin, f"before={all_ids[2]}")
    assert older == all_ids[3:53]
    newer, _ = shown(org.admin, f"after={all_ids[-1]}")
    assert newer == all_ids[:-1][-50:]


@pytest.mark.parametrize("query, field", [
    ("kind=contact.view", "kind"),
    ("from=2024-02-30", "from"),
    ("to=soon", "to"),
    ("before=-1", "before"),
])
def test_a_bad_filter_is_400(org, audit, query, field):
    mark = audit.mark()
    r = org.admin.get("/admin/security?" + query)
    assert r.status_code == 400 and f"The filter {field}" in Page(r.text).text, (r.status_code, Page(r.text).text[:300])
    assert [(x["action"], x["outcome"]) for x in audit.since(mark)] == [("security.view", 400)]


def test_only_administrators_see_the_events(org, audit):
    mark = audit.mark()
    assert org.user.get("/admin/security").status_code == 403
    row = audit.one_since(mark, "the refusal")
    assert (row["action"], row["outcome"], row["user_id"], row["client_id"]) == \
        ("access.denied", 403, org.user_id, org.a), row


def test_the_view_is_audited_with_its_filter(org, audit):
    mark = audit.mark()
    shown(org.admin, "kind=logon")
    row = audit.one_since(mark, "the view")
    assert (row["action"], row["outcome"], row["user_id"]) == ("security.view", 200, org.admin_id)
    assert json.loads(row["detail"]) == {"filter": {"kind": "logon"}}, row["detail"]
