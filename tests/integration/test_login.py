"""Logging in and out, session cookies, and what happens without a session.

nginx rate-limits /login, so the whole run makes at most eight requests there
(conftest.LoginGate counts them): one GET of the form and a handful of POSTs.
"""
import os
import re
import secrets
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from conftest import (LOGIN_COOKIE, SESSION_COOKIE, TOKEN_RE, Page, Web, contact_form, location_path,
                      parse_set_cookie, set_cookie_headers, sha256_hex, sql_int, sql_str, unique)


def cookie_line(response, name):
    lines = [l for l in set_cookie_headers(response) if parse_set_cookie(l)[0] == name]
    assert len(lines) == 1, f"expected one Set-Cookie for {name}, got {set_cookie_headers(response)}"
    return parse_set_cookie(lines[0])


def assert_host_cookie(attrs, name):
    """The __Host- prefix rules plus HttpOnly and SameSite=Lax."""
    assert "secure" in attrs, f"{name} is not Secure: {attrs}"
    assert "httponly" in attrs, f"{name} is not HttpOnly: {attrs}"
    assert attrs.get("samesite", "").lower() == "lax", f"{name} is not SameSite=Lax: {attrs}"
    assert attrs.get("path") == "/", f"{name} has Path={attrs.get('path')!r}, not /: {attrs}"
    assert "domain" not in attrs, f"{name} has a Domain attribute (not allowed for __Host-): {attrs}"


def session_rows(db, token):
    return db.int(f"SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX('{sha256_hex(token)}')")


def user_sessions(db, demo):
    return db.int(f"SELECT COUNT(*) FROM sessions WHERE client_id = {demo.client_id} AND user_id = {demo.user_id}")


def test_login_page_has_a_form_and_a_csrf_cookie(login_gate):
    r = login_gate.form_response
    assert r.status_code == 200
    page = Page(r.text)
    form = page.form("/login")
    token = form["fields"].get("csrf")
    assert token, f"the login form has no csrf field: {form}"
    assert page.input("csrf").get("type") == "hidden", "the csrf field is not hidden"
    assert "username" in form["fields"] and "password" in form["fields"], f"fields: {list(form['fields'])}"
    assert page.input("password").get("type") == "password", "the password field is not type=password"
    assert TOKEN_RE.match(token), f"the login CSRF token is not 43 base64url characters: {token!r}"
    name, value, attrs = cookie_line(r, LOGIN_COOKIE)
    assert value == token, "the form's csrf field and the __Host-ctrack-login cookie differ"
    assert_host_cookie(attrs, LOGIN_COOKIE)


def test_login_redirects_and_sets_a_host_session_cookie(admin_login):
    web, r = admin_login
    assert r.status_code == 303
    assert location_path(r) == "/contacts", f"login went to {location_path(r)}"
    name, value, attrs = cookie_line(r, SESSION_COOKIE)
    assert TOKEN_RE.match(value), f"the session token is not 43 base64url characters: {value!r}"
    assert_host_cookie(attrs, SESSION_COOKIE)
    # The pre-session login cookie is removed at login.
    _, old, old_attrs = cookie_line(r, LOGIN_COOKIE)
    assert old == "" and old_attrs.get("max-age") == "0", f"the login cookie is not cleared: {old_attrs}"


def test_session_token_is_stored_only_as_its_sha256(admin, db, demo):
    token = admin.cookie(SESSION_COOKIE)
    rows = db.rows(
        f"SELECT HEX(token_hash), client_id, user_id, csrf_token FROM sessions"
        f" WHERE token_hash = UNHEX('{sha256_hex(token)}')")
    assert len(rows) == 1, "no session row whose token_hash is the SHA-256 of the cookie"
    token_hash, client_id, user_id, csrf = rows[0]
    assert token_hash == sha256_hex(token)
    assert (int(client_id), int(user_id)) == (demo.client_id, demo.user_id), "the session belongs to someone else"
    assert csrf == admin.csrf, "the page's CSRF token is not the session's"
    assert csrf != token, "the CSRF token is the session token"
    # The cookie itself is nowhere: not in sessions, not in the audit trail.
    tok = sql_str(token)
    assert db.int(f"SELECT COUNT(*) FROM sessions WHERE csrf_token = {tok} OR token_hash = {tok}"
                  f" OR remote_addr = {tok}") == 0, "the raw session token is stored in sessions"
    assert db.int(f"SELECT COUNT(*) FROM audit WHERE INSTR(detail, {tok}) > 0 OR INSTR(path, {tok}) > 0") == 0, \
        "the raw session token is written to the audit trail"


def _assert_login_refused(login_gate, db, demo, audit, username, password):
    before = user_sessions(db, demo)
    mark = audit.mark()
    web, r = login_gate.post({"username": username, "password": password})
    assert r.status_code == 401, f"a bad login answered {r.status_code}, not 401"
    page = Page(r.text)
    assert "Wrong username or password" in page.text, f"no error message on the page: {page.text[:300]}"
    assert page.form("/login")["fields"].get("username") == username, "the username typed is not kept in the form"
    assert password not in r.text, "the password is echoed back in the page"
    assert SESSION_COOKIE not in [parse_set_cookie(l)[0] for l in set_cookie_headers(r)], \
        "a failed login set a session cookie"
    assert user_sessions(db, demo) <= before, "a failed login created a session"
    row = audit.one_since(mark, "the failed login")
    assert (row["method"], row["path"], row["action"], row["outcome"]) == ("POST", "/login", "login.fail", 401), row
    assert row["user_id"] is None, f"a failed login is attributed to a user: {row}"
    # A wrong password for an existing user is an event of that user's client
    # (its security events page shows it); an unknown username has no client.
    existing = db.rows(f"SELECT client_id, id FROM users WHERE username = {sql_str(username)}")
    want = (int(existing[0][0]), "user", int(existing[0][1])) if existing else (None, None, None)
    assert (row["client_id"], row["object_type"], row["object_id"]) == want, row
    assert row["remote_addr"] == "127.0.0.1", row
    assert password not in (row["detail"] or ""), "the password is in the audit trail"
    return page, row


def test_wrong_password_is_refused(login_gate, db, demo, audit):
    user = os.environ["CTRACK_ADMIN_USER"]
    page, row = _assert_login_refused(login_gate, db, demo, audit, user, "not the password " + unique())
    assert '"username":"%s"' % user in (row["detail"] or ""), f"the audit row does not name the username: {row}"


def test_unknown_user_gets_the_same_answer(login_gate, db, demo, audit):
    user = unique("nobody-")
    page, row = _assert_login_refused(login_gate, db, demo, audit, user, "some password " + unique())
    assert db.int(f"SELECT COUNT(*) FROM users WHERE username = {sql_str(user)}") == 0


def test_login_without_csrf_is_forbidden(login_gate, db, demo):
    before = user_sessions(db, demo)
    web, r = login_gate.post({"username": os.environ["CTRACK_ADMIN_USER"],
                              "password": os.environ["CTRACK_ADMIN_PASSWORD"]}, csrf=False)
    assert r.status_code == 403, f"a login without a csrf field answered {r.status_code}"
    assert web.cookie(SESSION_COOKIE) is None, "a login without CSRF token set a session cookie"
    assert user_sessions(db, demo) == before, "a login without CSRF token created a session"


def test_login_with_a_wrong_csrf_is_forbidden(login_gate, db, demo):
    before = user_sessions(db, demo)
    wrong = secrets.token_urlsafe(32)[:43]
    assert wrong != login_gate.token
    web, r = login_gate.post({"username": os.environ["CTRACK_ADMIN_USER"],
                              "password": os.environ["CTRACK_ADMIN_PASSWORD"]}, csrf=wrong)
    assert r.status_code == 403, f"a login with another csrf token answered {r.status_code}"
    assert web.cookie(SESSION_COOKIE) is None
    assert user_sessions(db, demo) == before, "a login with a wrong CSRF token created a session"


def test_each_login_gets_a_new_token_and_logout_ends_the_session(login_gate, admin, db, demo, audit, sessions):
    # A second login, from a browser that still holds an older session (which
    # the login must end, not reuse) and asks to go to another site
    # afterwards (refused: it goes to /contacts).
    _, older = sessions.make()
    web, r = login_gate.post({"username": os.environ["CTRACK_ADMIN_USER"],
                              "password": os.environ["CTRACK_ADMIN_PASSWORD"],
                              "next": "//evil.example/steal"}, cookies={SESSION_COOKIE: older})
    assert r.status_code == 303, f"second login answered {r.status_code}"
    assert location_path(r) == "/contacts" and not urlsplit(r.headers["Location"]).netloc, \
        f"login redirected to another site: {r.headers['Location']}"
    token = web.cookie(SESSION_COOKIE)
    assert token and TOKEN_RE.match(token)
    assert token != older, "the login kept the session the browser already had"
    assert session_rows(db, older) == 0, "the login did not end the browser's older session"
    assert token != admin.cookie(SESSION_COOKIE), "two logins got the same session token"
    assert session_rows(db, token) == 1 and session_rows(db, admin.cookie(SESSION_COOKIE)) == 1

    page = web.get("/contacts")
    assert page.status_code == 200
    csrf = Page(page.text).form("/logout")["fields"]["csrf"]
    assert csrf != admin.csrf, "two sessions share a CSRF token"

    mark = audit.mark()
    out = web.post("/logout", csrf=csrf)
    assert out.status_code == 303, f"logout answered {out.status_code}"
    assert location_path(out) == "/login"
    _, value, attrs = cookie_line(out, SESSION_COOKIE)
    assert value == "" and attrs.get("max-age") == "0", f"logout does not clear the cookie: {attrs}"
    assert session_rows(db, token) == 0, "the session row is still there after logout"
    row = audit.one_since(mark, "logout")
    assert (row["action"], row["outcome"], row["user_id"]) == ("logout", 303, demo.user_id), row

    # The old cookie no longer works, even if a client keeps sending it.
    stale = Web(web.base, web.cert)
    stale.set_cookie(SESSION_COOKIE, token)
    again = stale.get("/contacts")
    assert again.status_code == 303, f"the logged-out cookie still opens /contacts ({again.status_code})"
    target = urlsplit(location_path(again))
    assert target.path == "/login" and parse_qs(target.query).get("next") == ["/contacts"], location_path(again)
    # The other session is untouched.
    assert admin.get("/contacts").status_code == 200, "logging out one session ended another"


def test_not_logged_in_is_sent_to_the_login_page(anon, create_contact):
    cid = create_contact()
    for path in ("/contacts", f"/contacts/{cid}", f"/contacts/{cid}/edit", "/contacts/new"):
        r = anon.get(path)
        assert r.status_code == 303, f"GET {path} without a session answered {r.status_code}"
        target = urlsplit(location_path(r))
        assert target.path == "/login", f"GET {path} redirected to {location_path(r)}"
        assert location_path(r) in (f"/login?next={path}", "/login?next=" + path.replace("/", "%2F")), \
            f"GET {path} redirected to {location_path(r)}"
        assert parse_qs(target.query).get("next") == [path], location_path(r)
    r = anon.get("/")
    assert r.status_code == 303 and location_path(r) == "/login", f"GET / without a session: {r.status_code}"


@pytest.mark.parametrize("nxt, kept", [
    ("/contacts/7?sort=name", True),
    ("/contacts/\u00e9", False),       # not ASCII: it would go into Location as raw bytes
    ("/contacts\x7f", False),
    ("//evil.example/", False),
    ("/\\evil.example", False),
    ("https://evil.example/", False),
])
def test_only_a_printable_local_path_is_kept_as_next(nxt, kept, anon):
    r = anon.get("/login?next=" + quote(nxt))
    assert r.status_code == 200
    value = Page(r.text).form("/login")["fields"].get("next")
    assert value == (nxt if kept else "/contacts"), f"next={nxt!r} became {value!r}"


def test_a_made_up_session_cookie_is_not_a_session(anon):
    anon.set_cookie(SESSION_COOKIE, secrets.token_urlsafe(32)[:43])
    r = anon.get("/contacts")
    assert r.status_code == 303 and location_path(r).startswith("/login?"), \
        f"a random session cookie answered {r.status_code} {r.headers.get('Location')}"


def test_post_to_a_protected_route_needs_a_session(anon, login_gate, demo, create_contact):
    cid = create_contact()
    before = demo.contact(cid)
    marker = unique("Anon")
    attempts = [
        ("/contacts", contact_form(last_name=marker)),
        (f"/contacts/{cid}", contact_form(last_name=marker)),
        (f"/contacts/{cid}/delete", {}),
        ("/logout", {}),
    ]
    for path, form in attempts:
        for csrf in (False, secrets.token_urlsafe(32)[:43]):
            r = anon.post(path, form, csrf=csrf)
            assert r.status_code in (401, 403), f"POST {path} without a session answered {r.status_code}"
    # Not even with the login form's own token and cookie.
    anon.set_cookie(LOGIN_COOKIE, login_gate.token)
    r = anon.post("/contacts", contact_form(last_name=marker), csrf=login_gate.token)
    assert r.status_code in (401, 403), f"the login CSRF token opened POST /contacts ({r.status_code})"
    assert demo.live_count(f"c.last_name = {sql_str(marker)}") == 0, "a contact was created without a session"
    assert demo.contact(cid) == before, "a contact was changed or deleted without a session"
    assert demo.db.int(f"SELECT COUNT(*) FROM contacts WHERE id = {sql_int(cid)} AND deleted_at IS NULL") == 1


# ---------------------------------------------------------------- session lifetime

def conf_value(section, key):
    with open(os.environ["CTRACK_CONF"]) as f:
        text = f.read()
    m = re.search(section + r"\s*\{[^}]*?^\s*" + key + r"\s*=\s*(\d+)", text, re.M | re.S)
    assert m, f"no {section}.{key} in {os.environ['CTRACK_CONF']}"
    return int(m.group(1))


def opens_contacts(web):
    r = web.get("/contacts")
    assert r.status_code in (200, 303), f"GET /contacts answered {r.status_code}"
    if r.status_code == 303:
        target = urlsplit(location_path(r))
        assert target.path == "/login" and parse_qs(target.query).get("next") == ["/contacts"], \
            f"a refused session was sent to {location_path(r)}, not to the login page"
    return r.status_code == 200


# The boundaries are tested a few seconds either side: the test's own
# requests take well under that.
MARGIN_S = 5


def test_sessions_end_after_the_idle_time(sessions):
    idle = conf_value("Session", "IdleMinutes") * 60
    fresh, _ = sessions.make()
    assert opens_contacts(fresh), "a fresh session does not work (the test's session rows are wrong)"
    recent, _ = sessions.make(created_ago_s=idle + 600, last_seen_ago_s=idle - MARGIN_S)
    assert opens_contacts(recent), f"a session idle for {MARGIN_S} s less than the idle time was refused"
    idle_one, token = sessions.make(created_ago_s=idle + 600, last_seen_ago_s=idle + MARGIN_S)
    assert not opens_contacts(idle_one), f"a session idle for {MARGIN_S} s longer than the idle time still works"
    # Refused, it stays refused: the visit did not bring it back to life.
    assert sessions.last_seen_ago(token) >= idle + MARGIN_S
    assert not opens_contacts(idle_one)


def test_sessions_end_at_their_absolute_expiry(sessions):
    hours = conf_value("Session", "AbsoluteHours")
    nearly, _ = sessions.make(created_ago_s=hours * 3600 - MARGIN_S, last_seen_ago_s=5, expires_in_s=MARGIN_S)
    assert opens_contacts(nearly), f"a session {MARGIN_S} s before its expiry time was refused"
    old, _ = sessions.make(created_ago_s=hours * 3600 + MARGIN_S, last_seen_ago_s=5, expires_in_s=-MARGIN_S)
    assert not opens_contacts(old), f"a session {MARGIN_S} s past its expiry time still works"
    # POSTs with such a session are refused too.
    r = old.post("/logout")
    assert r.status_code in (401, 403), f"POST /logout with an expired session answered {r.status_code}"


def test_last_seen_is_refreshed_at_most_once_a_minute(sessions):
    web, token = sessions.make(created_ago_s=600, last_seen_ago_s=300)
    assert opens_contacts(web)
    assert sessions.last_seen_ago(token) < 30, "using a session did not refresh its last_seen"
    web2, token2 = sessions.make(created_ago_s=600, last_seen_ago_s=20)
    assert opens_contacts(web2)
    assert sessions.last_seen_ago(token2) >= 20, "a page view wrote last_seen again within a minute"


def test_a_disabled_users_session_stops_working(sessions, people, demo, db):
    user = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    assert opens_contacts(web), "the session of an active user does not work"
    assert db.run(f"UPDATE users SET status = 'disabled' WHERE id = {user}").returncode == 0
    assert not opens_contacts(web), "the session of a disabled user still works"


# ---------------------------------------------------------------- the function matrix

def test_functions_not_granted_are_denied(sessions, people, demo, audit, create_contact):
    """A user type allowed only contacts.view: everything else is refused,
    audited as access.denied, and not offered on the pages."""
    cid = create_contact()
    before = demo.contact(cid)
    user = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    marker = unique("Denied")
    attempts = [
        ("GET", "/contacts/new", None), ("POST", "/contacts", contact_form(last_name=marker)),
        ("GET", f"/contacts/{cid}/edit", None),
        ("POST", f"/contacts/{cid}", contact_form(last_name=marker, version=before["updated_at"])),
        ("GET", f"/contacts/{cid}/delete", None), ("POST", f"/contacts/{cid}/delete", {"confirm": "1"}),
    ]
    for method, path, form in attempts:
        mark = audit.mark()
        r = web.get(path) if method == "GET" else web.post(path, form)
        assert r.status_code == 403, f"{method} {path} without the function answered {r.status_code}"
        row = audit.one_since(mark, f"{method} {path}")
        assert (row["action"], row["outcome"], row["user_id"]) == ("access.denied", 403, user), row
    assert demo.contact(cid) == before and demo.live_count(f"c.last_name = {sql_str(marker)}") == 0
    # Viewing is allowed, without links to what is not.
    r = web.get(f"/contacts/{cid}")
    assert r.status_code == 200
    hrefs = {l["href"] for l in Page(r.text).links}
    assert f"/contacts/{cid}/edit" not in hrefs and f"/contacts/{cid}/delete" not in hrefs, hrefs
    listing = web.get("/contacts")
    assert listing.status_code == 200
    assert "/contacts/new" not in {l["href"] for l in Page(listing.text).links}, "the list offers New contact"


def test_a_user_type_without_functions_sees_nothing(sessions, people, demo, create_contact):
    cid = create_contact()
    user = people.user(demo.client_id, [])
    web, _ = sessions.make(user_id=user)
    for path in ("/contacts", f"/contacts/{cid}", "/contacts/new"):
        r = web.get(path)
        assert r.status_code == 403, f"GET {path} with no function allowed answered {r.status_code}"
        assert demo.db.int(f"SELECT COUNT(*) FROM contacts WHERE id = {cid}") == 1
        assert f"/contacts/{cid}" not in r.text
    # Logging out needs no function.
    r = web.post("/logout")
    assert r.status_code == 303, f"POST /logout answered {r.status_code}"


def test_a_change_to_the_matrix_applies_at_once(sessions, people, demo, db, create_contact):
    cid = create_contact()
    user = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    assert web.get(f"/contacts/{cid}/edit").status_code == 403
    type_id = db.int(f"SELECT user_type_id FROM users WHERE id = {user}")
    assert db.run(f"INSERT INTO user_type_functions (client_id, user_type_id, function_name)"
                  f" VALUES ({demo.client_id}, {type_id}, 'contacts.edit')").returncode == 0
    assert web.get(f"/contacts/{cid}/edit").status_code == 200, "a function granted does not apply"
    assert db.run(f"DELETE FROM user_type_functions WHERE client_id = {demo.client_id} AND user_type_id = {type_id}"
                  " AND function_name = 'contacts.edit'").returncode == 0
    assert web.get(f"/contacts/{cid}/edit").status_code == 403, "a function taken away still applies"
