"""A user's own account page and sessions: the list, ending one, ending all
others; administrators ending a user's sessions; sessions waiting for the
second factor; a planted session token at logon.

The session lifetime (idle and absolute limits), logout and made-up tokens
are in test_login.py. Sessions here belong to users made for the test, so
that ending them never touches the suite's own admin session.
"""
import os
import re
import secrets

from urllib.parse import parse_qs, urlsplit

from conftest import SESSION_COOKIE, TOKEN_RE, Page, location_path, parse_set_cookie, set_cookie_headers, sha256_hex


def session_exists(db, token):
    return db.int(f"SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX('{sha256_hex(token)}')") == 1


def listed(web, path="/account/sessions"):
    """The ids of the sessions /account/sessions lists, the one marked as
    this session, and the page."""
    r = web.get(path)
    assert r.status_code == 200, f"GET /account/sessions answered {r.status_code}"
    page = Page(r.text)
    ids = []
    current = []
    for m in re.finditer(r'<tr id="session-(\d+)"( class="current")?', r.text):
        ids.append(int(m.group(1)))
        if m.group(2):
            current.append(int(m.group(1)))
    return ids, current, page, r


def test_account_page_says_who_you_are(sessions, people, demo, db):
    user = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    r = web.get("/account")
    assert r.status_code == 200, f"GET /account answered {r.status_code}"
    page = Page(r.text)
    username, type_name, client = db.rows(
        "SELECT u.username, t.name, c.name FROM users u JOIN user_types t ON t.client_id = u.client_id"
        f" AND t.id = u.user_type_id JOIN clients c ON c.id = u.client_id WHERE u.id = {user}")[0]
    assert page.by_id["account-username"].strip() == username
    assert page.by_id["account-name"].strip() == "Test user"
    assert page.by_id["account-client"].strip() == client
    assert page.by_id["account-type"].strip() == type_name
    hrefs = {l["href"] for l in page.links}
    for href in ("/account/password", "/account/sessions", "/account/two-factor"):
        assert href in hrefs, f"the account page has no link to {href}: {sorted(hrefs)}"
    assert "/account/tokens" not in hrefs, "API tokens are offered to a user without tokens.manage"
    assert "/account" in {l["href"] for l in page.links if l["text"].strip() == "Account"}, \
        "the top navigation has no Account link"
    # With tokens.manage the tokens page is offered.
    allowed = people.user(demo.client_id, ["contacts.view", "tokens.manage"])
    web2, _ = sessions.make(user_id=allowed)
    r = web2.get("/account")
    assert r.status_code == 200
    assert "/account/tokens" in {l["href"] for l in Page(r.text).links}, "no API tokens link with tokens.manage"


def test_account_pages_need_a_session(anon):
    for path in ("/account", "/account/sessions"):
        r = anon.get(path)
        assert r.status_code == 303, f"GET {path} without a session answered {r.status_code}"
        target = urlsplit(location_path(r))
        assert target.path == "/login" and parse_qs(target.query).get("next") == [path], location_path(r)


def test_the_list_shows_only_my_live_full_sessions(sessions, people, demo, db):
    other_client = people.client()
    me = people.user(demo.client_id, ["contacts.view"])
    colleague = people.user(demo.client_id, ["contacts.view"])
    stranger = people.user(other_client, ["contacts.view"])
    idle = 30 * 60
    web, token = sessions.make(user_id=me, created_ago_s=3600, user_agent="Mozilla/5.0 (X11; Linux) Firefox/128.0")
    _, second = sessions.make(user_id=me, created_ago_s=7200, last_seen_ago_s=600, remote_addr="192.0.2.7",
                              user_agent='<script>alert("x")</script> Evil/1.0')
    _, waiting = sessions.make(user_id=me, stage="password", expires_in_s=300)
    _, idle_one = sessions.make(user_id=me, created_ago_s=idle + 600, last_seen_ago_s=idle + 60)
    _, expired = sessions.make(user_id=me, created_ago_s=13 * 3600, last_seen_ago_s=10, expires_in_s=-10)
    _, theirs = sessions.make(user_id=colleague)
    _, foreign = sessions.make(client_id=other_client, user_id=stranger)

    ids, current, page, r = listed(web)
    mine = [sessions.id_of(token), sessions.id_of(second)]
    assert sorted(ids) == sorted(mine), (
        f"the list shows sessions {ids}, not exactly the live full ones {mine} "
        f"(waiting {sessions.id_of(waiting)}, idle {sessions.id_of(idle_one)}, expired {sessions.id_of(expired)},"
        f" a colleague's {sessions.id_of(theirs)}, another client's {sessions.id_of(foreign)})")
    assert ids[0] == sessions.id_of(token), "the most recently used session is not first"
    assert current == [sessions.id_of(token)], f"'this session' marks {current}"
    assert page.by_id["session-count"].strip() == "2"
    row = page.by_id[f"session-{sessions.id_of(second)}"]
    assert "192.0.2.7" in row and '<script>alert("x")</script> Evil/1.0' in row, row
    assert "<script>alert" not in r.text, "the browser description is not escaped"
    assert "Firefox/128.0" in page.by_id[f"session-{sessions.id_of(token)}"]
    assert "This session" in page.by_id[f"session-{sessions.id_of(token)}"]
    # Never a token or its hash.
    for t in (token, second, waiting, theirs):
        assert t not in r.text and sha256_hex(t) not in r.text.upper(), "the page shows a session token or hash"
    # Looking is not a change: nothing was ended.
    for t in (second, waiting, idle_one, expired, theirs, foreign):
        assert session_exists(db, t)


def test_a_session_waiting_for_the_second_factor_is_not_logged_in(sessions, people, demo, create_contact):
    cid = create_contact()
    user = people.user(demo.client_id, ["contacts.view", "contacts.edit"])
    web, _ = sessions.make(user_id=user, stage="password", expires_in_s=300)
    for path in ("/contacts", f"/contacts/{cid}", f"/contacts/{cid}/edit", "/account", "/account/sessions"):
        r = web.get(path)
        assert r.status_code in (303, 401, 403), f"GET {path} with a 'password' session answered {r.status_code}"
        if r.status_code == 303:
            assert not location_path(r).startswith(path), f"GET {path} redirected to {location_path(r)}"
    r = web.post("/account/sessions/end-others")
    assert r.status_code in (401, 403), f"POST with a 'password' session answered {r.status_code}"


def test_end_others_ends_exactly_the_others(sessions, people, demo, db, audit):
    me = people.user(demo.client_id, ["contacts.view"])
    colleague = people.user(demo.client_id, ["contacts.view"])
    web, token = sessions.make(user_id=me)
    _, a = sessions.make(user_id=me, last_seen_ago_s=100)
    _, b = sessions.make(user_id=me, created_ago_s=5000, last_seen_ago_s=200)
    _, theirs = sessions.make(user_id=colleague)
    ids, _, page, _ = listed(web)
    assert len(ids) == 3
    page.form("/account/sessions/end-others")
    mark = audit.mark()
    r = web.post("/account/sessions/end-others")
    assert r.status_code == 303 and location_path(r) == "/account/sessions?ended=2", \
        f"end-others answered {r.status_code} {r.headers.get('Location')}"
    assert session_exists(db, token), "end-others ended the session in use"
    assert not session_exists(db, a) and not session_exists(db, b), "end-others left another session"
    assert session_exists(db, theirs), "end-others ended another user's session"
    row = audit.one_since(mark, "end-others")
    assert (row["action"], row["outcome"], row["user_id"], row["client_id"]) == \
        ("session.end_others", 303, me, demo.client_id), row
    assert row["detail"] == '{"ended":2}', row
    ids, current, page, _ = listed(web, location_path(r))
    assert ids == current == [sessions.id_of(token)]
    assert "2 other sessions were ended." in page.text
    # With no others left the button goes, and doing it again ends nothing.
    assert not [f for f in page.forms if f["action"] == "/account/sessions/end-others"]
    r = web.post("/account/sessions/end-others")
    assert r.status_code == 303 and location_path(r) == "/account/sessions?ended=0"
    assert session_exists(db, token)


def test_ending_one_session(sessions, people, demo, db, audit):
    me = people.user(demo.client_id, ["contacts.view"])
    colleague = people.user(demo.client_id, ["contacts.view"])
    other_client = people.client()
    stranger = people.user(other_client, ["contacts.view"])
    web, token = sessions.make(user_id=me)
    _, a = sessions.make(user_id=me)
    _, b = sessions.make(user_id=me)
    _, theirs = sessions.make(user_id=colleague)
    _, foreign = sessions.make(client_id=other_client, user_id=stranger)
    mark = audit.mark()
    r = web.post(f"/account/sessions/{sessions.id_of(a)}/end")
    assert r.status_code == 303 and location_path(r) == "/account/sessions?one=1", r.status_code
    assert not session_exists(db, a) and session_exists(db, b) and session_exists(db, token)
    row = audit.one_since(mark, "ending one session")
    assert (row["action"], row["outcome"], row["user_id"], row["object_type"]) == ("session.end", 303, me, "session")
    assert row["detail"] == '{"ended":1,"current":false}', row
    # Someone else's session, another client's, one already ended, none:
    # not found, and nothing ended.
    for sid in (sessions.id_of(theirs), sessions.id_of(foreign), sessions.id_of(b) + 10 ** 9):
        mark = audit.mark()
        r = web.post(f"/account/sessions/{sid}/end")
        assert r.status_code == 404, f"ending session {sid} of another user answered {r.status_code}"
        assert audit.one_since(mark)["outcome"] == 404
    assert session_exists(db, theirs) and session_exists(db, foreign) and session_exists(db, b)
    # Ending the session in use is logging out.
    mark = audit.mark()
    r = web.post(f"/account/sessions/{sessions.id_of(token)}/end")
    assert r.status_code == 303 and location_path(r) == "/login", f"{r.status_code} {r.headers.get('Location')}"
    lines = [parse_set_cookie(l) for l in set_cookie_headers(r)]
    assert [(v, a.get("max-age")) for n, v, a in lines if n == SESSION_COOKIE] == [("", "0")], \
        "ending the current session does not clear its cookie"
    assert not session_exists(db, token) and session_exists(db, b)
    row = audit.one_since(mark)
    assert (row["action"], row["user_id"], row["detail"]) == ("session.end", me, '{"ended":1,"current":true}'), row
    assert web.get("/contacts").status_code == 303


def test_an_administrator_ends_a_users_sessions(admin, sessions, people, demo, db, audit):
    user = people.user(demo.client_id, ["contacts.view"])
    colleague = people.user(demo.client_id, ["contacts.view"])
    web, a = sessions.make(user_id=user, last_seen_ago_s=120)
    _, b = sessions.make(user_id=user, last_seen_ago_s=400)
    _, waiting = sessions.make(user_id=user, stage="password", expires_in_s=300)
    _, theirs = sessions.make(user_id=colleague)
    r = admin.get(f"/admin/users/{user}")
    assert r.status_code == 200
    page = Page(r.text)
    last = db.value("SELECT DATE_FORMAT(MAX(last_seen), '%Y-%m-%d %H:%i') FROM sessions"
                    f" WHERE user_id = {user} AND stage = 'full'")
    text = re.sub(r"\s+", " ", page.by_id["user-sessions"]).strip()
    assert text == f"2 live, last active {last} UTC.", text
    page.form(f"/admin/users/{user}/sessions/end")
    mark = audit.mark()
    r = admin.post(f"/admin/users/{user}/sessions/end")
    assert r.status_code == 303 and location_path(r) == f"/admin/users/{user}?sessions_ended=3", \
        f"{r.status_code} {r.headers.get('Location')}"
    assert not any(session_exists(db, t) for t in (a, b, waiting)), "a session of the user survived"
    assert session_exists(db, theirs), "another user's session was ended"
    assert session_exists(db, admin.cookie(SESSION_COOKIE)), "the administrator's own session was ended"
    row = audit.one_since(mark)
    assert (row["action"], row["outcome"], row["user_id"], row["object_type"], row["object_id"]) == \
        ("user.sessions_end", 303, demo.user_id, "user", user), row
    assert '"ended":3' in row["detail"] and '"kept_current":false' in row["detail"], row
    assert web.get("/contacts").status_code == 303, "an ended session still works"
    r = admin.get(location_path(r))
    page = Page(r.text)
    assert "3 sessions of the user were ended." in page.text
    assert re.sub(r"\s+", " ", page.by_id["user-sessions"]).strip() == "None: not logged in anywhere."
    assert not [f for f in page.forms if f["action"] == f"/admin/users/{user}/sessions/end"]
    # Another client's user is not found, and keeps their sessions.
    other_client = people.client()
    stranger = people.user(other_client, ["contacts.view"])
    _, foreign = sessions.make(client_id=other_client, user_id=stranger)
    assert admin.post(f"/admin/users/{stranger}/sessions/end").status_code == 404
    assert session_exists(db, foreign)


def test_ending_sessions_needs_users_manage(sessions, people, demo, db):
    user = people.user(demo.client_id, ["contacts.view"])
    target = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    _, theirs = sessions.make(user_id=target)
    r = web.post(f"/admin/users/{target}/sessions/end")
    assert r.status_code == 403, f"ending sessions without users.manage answered {r.status_code}"
    assert session_exists(db, theirs)


def test_a_token_planted_before_logon_is_not_the_session(login_gate, db, demo):
    """Session fixation: a token the browser had before logging on (set by
    someone else) never becomes the session."""
    planted = secrets.token_urlsafe(32)[:43]
    web, r = login_gate.post({"username": os.environ["CTRACK_ADMIN_USER"],
                              "password": os.environ["CTRACK_ADMIN_PASSWORD"]}, cookies={SESSION_COOKIE: planted})
    assert r.status_code == 303, f"login answered {r.status_code}"
    token = web.cookie(SESSION_COOKIE)
    assert token and TOKEN_RE.match(token) and token != planted, "the login kept the planted token"
    assert not session_exists(db, planted), "a session row exists for the planted token"
    assert session_exists(db, token)
    planted_web = type(web)(web.base, web.cert)
    planted_web.set_cookie(SESSION_COOKIE, planted)
    assert planted_web.get("/contacts").status_code == 303, "the planted token opens /contacts"
    # Clean up: this session is not the suite's.
    page = web.get("/contacts")
    csrf = Page(page.text).form("/logout")["fields"]["csrf"]
    assert web.post("/logout", csrf=csrf).status_code == 303
    assert db.int(f"SELECT COUNT(*) FROM sessions WHERE user_id = {demo.user_id}"
                  f" AND token_hash = UNHEX('{sha256_hex(token)}')") == 0
