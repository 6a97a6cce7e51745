"""CSRF and the security headers on every route, generated from the route
table (`ctrack check-routes --list`): a route added to the table is covered
here without anyone writing a test for it.

- Every POST route refuses a form without the csrf field, with a wrong one,
  and with the right one but from another origin: 403, one audit row
  (csrf.reject) and nothing else done. The user is the demo administrator,
  allowed every function, so that only the CSRF check can refuse.
- Every route, GET (and HEAD) and POST, anonymous and logged in, answers
  with every security header (test_headers_tls.check_security_headers).
"""
import secrets

import pytest

from conftest import Web, unique
from test_headers_tls import check_security_headers
from test_matrix import route_table

NO_SUCH_ID = 999999999
ROUTES = route_table()
POSTS = [(m, p, f, a) for m, p, f, a in ROUTES if m == "POST"]
GETS = [(m, p, f, a) for m, p, f, a in ROUTES if m == "GET"]
FOREIGN = "https://evil.example"


def test_the_route_table_is_read():
    assert len(POSTS) >= 20 and len(GETS) >= 15, f"too few routes read from the table: {ROUTES}"
    assert ("POST", "/login", "public", "login") in ROUTES, ROUTES


def route_id(route):
    return f"{route[0]} {route[1]}"


def fill(pattern, ids=None):
    """A path for a pattern: {id} becomes an id that exists where the test
    knows one (ids: path prefix -> id), else one that does not, so that a
    route whose CSRF check were missing could not change anything real."""
    if "{id}" not in pattern:
        return pattern
    for prefix, value in (ids or {}).items():
        if pattern.startswith(prefix + "/{id}"):
            return pattern.replace("{id}", str(value))
    return pattern.replace("{id}", str(NO_SUCH_ID))


def assert_refused(r, rows, path, what):
    assert r.status_code == 403, f"POST {path} {what} answered {r.status_code}, not 403"
    assert len(rows) == 1, f"POST {path} {what}: expected only the refusal in the audit trail, found " + \
        "; ".join(f"{x['method']} {x['path']} {x['action']} {x['outcome']}" for x in rows)
    row = rows[0]
    assert (row["method"], row["path"], row["action"], row["outcome"]) == ("POST", path, "csrf.reject", 403), \
        f"POST {path} {what}: {row}"
    problems = check_security_headers(r)
    assert not problems, f"POST {path} {what}: " + "; ".join(problems)


@pytest.mark.parametrize("route", POSTS, ids=route_id)
def test_every_post_route_checks_csrf(route, sessions, login_gate, audit, db):
    method, pattern, function, action = route
    path = fill(pattern)
    wrong = secrets.token_urlsafe(32)[:43]
    if function == "public":
        # The logon form's token is its pre-session cookie (LoginGate).
        fields = {"username": unique("nobody-"), "password": "not a password " + unique()}
        variants = [("without csrf", dict(csrf=False)), ("with a wrong csrf", dict(csrf=wrong)),
                    ("from another origin", dict(csrf=True, headers={"Origin": FOREIGN})),
                    ("from an opaque origin", dict(csrf=True, headers={"Origin": "null"}))]
        for what, kw in variants:
            before = db.int("SELECT COUNT(*) FROM sessions")
            mark = audit.mark()
            _, r = login_gate.post(fields, path=path, **kw)
            assert_refused(r, audit.since(mark), path, what)
            assert db.int("SELECT COUNT(*) FROM sessions") <= before, f"POST {path} {what} made a session"
        return
    # A session of the demo administrator of its own, so that a route that
    # failed to refuse (POST /logout, ending sessions) cannot end the
    # suite's session.
    web, token = sessions.make()
    assert web.get("/contacts").status_code == 200, "the test's admin session does not work"
    assert web.csrf and wrong != web.csrf
    variants = [("without csrf", dict(csrf=False)), ("with a wrong csrf", dict(csrf=wrong)),
                ("with the login form's token", dict(csrf=login_gate.token)),
                ("from another origin", dict(csrf=True, headers={"Origin": FOREIGN})),
                ("from an opaque origin", dict(csrf=True, headers={"Origin": "null"})),
                ("from the same host over http", dict(csrf=True, headers={"Origin": web.base.replace("https:", "http:")}))]
    form = [("name", unique("CSRF")), ("confirm", "1")]
    for what, kw in variants:
        mark = audit.mark()
        r = web.post(path, form, **kw)
        assert_refused(r, audit.since(mark), path, what)
    assert sessions.id_of(token) is not None, f"POST {path} ended the session although it was refused"
    # The same session and token from this origin are accepted (so the
    # refusals above were about the token and the origin): only checked
    # where it changes nothing, by logging this session out.
    if pattern == "/logout":
        r = web.post(path, headers={"Origin": web.base})
        assert r.status_code == 303 and sessions.id_of(token) is None, f"POST /logout answered {r.status_code}"


@pytest.fixture(scope="module")
def known_ids(create_contact, admin, db, demo):
    """Ids that exist for the demo client, by path prefix, so that GET
    routes with {id} answer their page rather than 404."""
    ids = {"/contacts": create_contact(last_name=unique("Routes")), "/admin/users": demo.user_id}
    ids["/admin/types"] = db.int(f"SELECT user_type_id FROM users WHERE id = {demo.user_id}")
    r = admin.post("/campaigns", {"name": unique("Routes campaign ")})
    if r.status_code == 303:
        ids["/campaigns"] = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1].split("?")[0])
    return ids


def get_path(pattern, ids):
    path = fill(pattern, ids)
    # An export of nothing: the headers are what this test is about.
    return path + "?q=" + unique("none") if path.startswith("/export/") else path


@pytest.mark.parametrize("route", GETS, ids=route_id)
@pytest.mark.parametrize("who", ["anonymous", "logged in"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_every_get_route_has_the_security_headers(route, who, method, known_ids, sessions, base_url, cert):
    if who == "anonymous":
        web = Web(base_url, cert)
    else:
        web, _ = sessions.make()
    path = get_path(route[1], known_ids)
    r = web.request(method, path)
    assert r.status_code < 500
    if who == "logged in" and route[2] != "public":
        assert r.status_code in (200, 303, 404), f"{method} {path} as the administrator answered {r.status_code}"
    problems = check_security_headers(r)
    assert not problems, f"{method} {path} ({who}, {r.status_code}): " + "; ".join(problems)
    if method == "HEAD":
        assert r.content == b"", f"HEAD {path} sent a body"


@pytest.mark.parametrize("route", POSTS, ids=route_id)
def test_every_post_route_has_the_security_headers_anonymously(route, anon, login_gate, audit):
    """Without a session nothing gets past the gate (403: there is no token
    to match), and the answer carries the headers."""
    path = fill(route[1])
    mark = audit.mark()
    if route[2] == "public":
        _, r = login_gate.post({"username": "x", "password": "y"}, csrf=False, cookie=False, path=path)
    else:
        r = anon.post(path, {"name": unique()}, csrf=False)
    assert_refused(r, audit.since(mark), path, "without a session")
