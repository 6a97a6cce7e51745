"""Passwords: the rules (password.c) on every form and command that sets
one, a user's own change at /account/password, the change an administrator's
reset forces, Unicode normalisation, and stored hashes upgraded at logon."""
import json
import os
import re
import subprocess
import unicodedata

import pytest

from conftest import (DEMO_CLIENT, SESSION_COOKIE, Page, location_path, password_hash, password_matches, sha256_hex,
                      sql_str, unique)

ITERATIONS = 600000  # Password.Iterations of the test stack (conf/ctrack.hdf.in)
RUN_MESSAGE = "must not be a straight run of characters such as 123456789012 or abcdefghijkl"


def rules(username):
    """(new password, the exact message beside the field) for each rule."""
    return [
        ("eleven char", "is too short (at least 12 characters)"),
        ("x" * 200 + "y" * 57, "is too long (at most 256 characters)"),
        ("WinnieThePooh", "is one of the most commonly used passwords"),
        ("Password123!", "is a commonly used password with a few digits or symbols added"),
        ("qwertyqwerty", "must not be a short or common part repeated"),
        (username.upper(), "must not be the same as the username"),
        ("zzzzzzzzzzzzzz", "must not be one character repeated"),
        ("123456789012", RUN_MESSAGE),
        ("abcdefghijklmn", RUN_MESSAGE),
        ("a long password\twith a tab", "must not contain control characters such as line breaks or tabs"),
    ]


class User:
    """A user of the demo client made in the database with a known password
    (contacts.view, every region and campaign)."""

    def __init__(self, db, people, demo, password, iterations=ITERATIONS, must_change=False):
        self.db = db
        self.id = people.user(demo.client_id, ["contacts.view"])
        self.client_id = demo.client_id
        db.rows(f"UPDATE users SET password_hash = {sql_str(password_hash(password, iterations))},"
                f" must_change_password = {int(must_change)} WHERE id = {self.id}")
        self.username = db.value(f"SELECT username FROM users WHERE id = {self.id}")

    def hash(self):
        return self.db.value(f"SELECT password_hash FROM users WHERE id = {self.id}")

    def must_change(self):
        return self.db.int(f"SELECT must_change_password FROM users WHERE id = {self.id}")

    def failures(self):
        return self.db.int(f"SELECT COUNT(*) FROM login_failures WHERE username = {sql_str(self.username)}")

    def session_hashes(self):
        return {r[0] for r in self.db.rows(f"SELECT HEX(token_hash) FROM sessions WHERE user_id = {self.id}")}


@pytest.fixture
def make_user(db, people, demo):
    return lambda password, **kw: User(db, people, demo, password, **kw)


@pytest.fixture(scope="module")
def ctrack():
    path, conf = os.environ["CTRACK_BIN"], os.environ["CTRACK_CONF"]

    def run(*args, stdin=None):
        return subprocess.run([path, *args[:2], "-c", conf, *args[2:]], capture_output=True, input=stdin,
                              timeout=120)
    return run


def change(web, current, new, repeat=None):
    return web.post("/account/password", {"current_password": current, "password": new,
                                          "password2": new if repeat is None else repeat})


def form_csrf(web):
    r = web.get("/account/password")
    assert r.status_code == 200, r.status_code
    return Page(r.text).form("/account/password")["fields"]["csrf"]


# ---------------------------------------------------------------- the rules on every form

def test_rules_on_the_admin_forms(admin, db, demo):
    username = unique("pw-")
    type_id = db.int(f"SELECT user_type_id FROM users WHERE id = {demo.user_id}")
    for pw, message in rules(username):
        r = admin.post("/admin/users", {"username": username, "display_name": "", "user_type": str(type_id),
                                        "password": pw, "password2": pw})
        assert r.status_code == 422, (pw, r.status_code)
        assert Page(r.text).field_error("password") == message, pw
    assert db.int(f"SELECT COUNT(*) FROM users WHERE username = {sql_str(username)}") == 0

    # The reset form of an existing user, with that user's name.
    r = admin.post("/admin/users", {"username": username, "display_name": "", "user_type": str(type_id),
                                    "password": "a fine first password", "password2": "a fine first password"})
    assert r.status_code == 303, Page(r.text).text[:300]
    target = int(re.fullmatch(r"/admin/users/(\d+)\?created=1", location_path(r)).group(1))
    before = db.value(f"SELECT password_hash FROM users WHERE id = {target}")
    for pw, message in rules(username):
        r = admin.post(f"/admin/users/{target}/password", {"password": pw, "password2": pw})
        assert r.status_code == 422, (pw, r.status_code)
        assert Page(r.text).field_error("password") == message, pw
    assert db.value(f"SELECT password_hash FROM users WHERE id = {target}") == before


def test_rules_on_the_command_line(ctrack, db, demo, tmp_path):
    c = ("--client", DEMO_CLIENT)
    vtype = unique("Pw types ")
    assert ctrack("usertype", "create", *c, vtype).returncode == 0
    username = unique("pwcli-")
    for pw, message in rules(username):
        if "\t" in pw:
            continue  # a tab is just another byte of the line; checked below by file
        p = ctrack("user", "create", *c, "--type", vtype, "--password-stdin", username, stdin=pw.encode() + b"\n")
        assert p.returncode == 1 and f"the password {message}" in p.stderr.decode(), (pw, p.stderr)
    bad = tmp_path / "bad"
    bad.write_bytes(b"valid start then \xff\xfe bytes\n")
    p = ctrack("user", "create", *c, "--type", vtype, "--password-file", str(bad), username)
    assert p.returncode == 1 and "the password is not valid text (it must be UTF-8)" in p.stderr.decode()
    tab = tmp_path / "tab"
    tab.write_bytes(b"a long password\twith a tab\n")
    p = ctrack("user", "create", *c, "--type", vtype, "--password-file", str(tab), username)
    assert p.returncode == 1 and "must not contain control characters" in p.stderr.decode()
    assert db.int(f"SELECT COUNT(*) FROM users WHERE username = {sql_str(username)}") == 0

    # Created from the command line: no forced change unless asked for.
    p = ctrack("user", "create", *c, "--type", vtype, "--password-stdin", username, stdin=b"provisioned by script\n")
    assert p.returncode == 0, p.stderr
    assert db.int(f"SELECT must_change_password FROM users WHERE username = {sql_str(username)}") == 0
    other = unique("pwcli-")
    p = ctrack("user", "create", *c, "--type", vtype, "--must-change-password", "--password-stdin", other,
               stdin=b"provisioned by script\n")
    assert p.returncode == 0 and "must change the password at first logon" in p.stdout.decode(), p.stderr
    assert db.int(f"SELECT must_change_password FROM users WHERE username = {sql_str(other)}") == 1

    # A reset refuses the same, and forces the change.
    p = ctrack("user", "reset-password", *c, "--password-stdin", username, stdin=username.encode() + b"\n")
    assert p.returncode == 1 and "the password must not be the same as the username" in p.stderr.decode()
    p = ctrack("user", "reset-password", *c, "--password-stdin", username, stdin=b"reset by the operator\n")
    assert p.returncode == 0 and "must change it at their next logon" in p.stdout.decode()
    assert db.int(f"SELECT must_change_password FROM users WHERE username = {sql_str(username)}") == 1


def test_rules_on_the_own_change_form(make_user, sessions):
    u = make_user("the first password I had")
    web, _ = sessions.make(client_id=u.client_id, user_id=u.id)
    page = Page(web.get("/account/password").text)
    assert "New password (12 to 256 characters)" in page.text
    assert "must-change" not in page.by_id and any(link["href"] == "/account" for link in page.links)
    before = u.hash()
    for pw, message in rules(u.username) + [("the first password I had", "must differ from your current password")]:
        r = change(web, "the first password I had", pw)
        assert r.status_code == 422, (pw, r.status_code)
        page = Page(r.text)
        assert page.field_error("password") == message, pw
        assert page.field_error("current_password") is None
        assert page.input("password").get("value", "") == "" and page.input("current_password").get("value", "") == ""
    r = change(web, "the first password I had", "one new password", "another new password")
    assert r.status_code == 422 and Page(r.text).field_error("password2") == "does not match the new password"
    assert u.hash() == before and u.failures() == 0


# ---------------------------------------------------------------- the own change

def test_wrong_current_password_is_a_counted_failure(make_user, sessions, audit):
    u = make_user("the right current one")
    web, _ = sessions.make(client_id=u.client_id, user_id=u.id)
    before = u.hash()
    mark = audit.mark()
    r = change(web, "not the current one", "a brand new password")
    assert r.status_code == 422
    page = Page(r.text)
    assert page.field_error("current_password") == "is not your current password"
    assert "not the current one" not in r.text and "a brand new password" not in r.text
    assert u.failures() == 1 and u.hash() == before
    row = audit.one_since(mark)
    assert (row["action"], row["outcome"], row["user_id"]) == ("account.password_change", 422, u.id)
    assert json.loads(row["detail"]) == {"result": "wrong current password"}


def test_locked_username_cannot_change(make_user, sessions, db):
    u = make_user("the right current one")
    web, _ = sessions.make(client_id=u.client_id, user_id=u.id)
    db.rows(f"INSERT INTO login_locks (username, locked_until) VALUES ({sql_str(u.username)},"
            " UTC_TIMESTAMP(6) + INTERVAL 10 MINUTE)")
    before = u.hash()
    r = change(web, "the right current one", "a brand new password")
    assert r.status_code == 422
    assert "your username is locked for a while" in Page(r.text).by_id["form-error"]
    assert u.hash() == before
    db.rows(f"DELETE FROM login_locks WHERE username = {sql_str(u.username)}")


def test_own_change_ends_every_session(make_user, login_gate, sessions, audit, db):
    old, new = "my old and tired password", "my new and shiny password"
    u = make_user(old)
    web, r = login_gate.post({"username": u.username, "password": old})
    assert r.status_code == 303
    first = web.cookie(SESSION_COOKIE)
    others = [sessions.make(client_id=u.client_id, user_id=u.id) for _ in range(2)]
    assert len(u.session_hashes()) == 3
    web.csrf = form_csrf(web)
    mark = audit.mark()
    r = change(web, old, new)
    assert r.status_code == 303 and location_path(r) == "/account/password?changed=1"
    token = web.cookie(SESSION_COOKIE)
    assert token and token != first
    # Only the fresh session of this browser is left.
    assert u.session_hashes() == {sha256_hex(token)}
    for other, _ in others:
        r2 = other.get("/contacts")
        assert r2.status_code == 303 and location_path(r2).startswith("/login")
    page = Page(web.get("/account/password?changed=1").text)
    assert page.by_id["changed"].strip() == "Your password was changed; your other sessions were ended."
    assert any(link["href"] == "/account" for link in page.links)
    assert web.get("/contacts").status_code == 200
    stored = u.hash()
    assert password_matches(stored, new) and not password_matches(stored, old)
    assert db.int(f"SELECT password_changed_at > UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE FROM users"
                  f" WHERE id = {u.id}") == 1
    row = audit.since(mark)[0]
    assert (row["action"], row["outcome"], row["object_type"], row["object_id"]) == \
        ("account.password_change", 303, "user", u.id)
    assert json.loads(row["detail"]) == {"password": "changed", "must_change_password": False, "sessions_ended": 3,
                                         "tokens_revoked": 0, "changes": {}}
    assert old not in row["detail"] and new not in row["detail"]
    # The old password is gone, the new one works.
    _, r = login_gate.post({"username": u.username, "password": old})
    assert r.status_code == 401 and "Wrong username or password" in r.text
    _, r = login_gate.post({"username": u.username, "password": new})
    assert r.status_code == 303


# ---------------------------------------------------------------- the forced change

def test_admin_reset_forces_a_change_at_logon(admin, make_user, login_gate, db, audit):
    u = make_user("what the user had before")
    given, chosen = "what the administrator gave", "what the user chose after"
    r = admin.post(f"/admin/users/{u.id}/password", {"password": given, "password2": given})
    assert r.status_code == 303
    page = Page(admin.get(location_path(r)).text)
    assert "They must change the password at their next logon." in page.text
    assert u.must_change() == 1

    web, r = login_gate.post({"username": u.username, "password": given})
    assert r.status_code == 303
    for path in ("/contacts", "/campaigns", "/admin", "/contacts/1"):
        r = web.get(path)
        assert r.status_code == 303 and location_path(r) == "/account/password", path
    r = web.get("/account/password")
    assert r.status_code == 200
    page = Page(r.text)
    assert "An administrator has set your password" in page.by_id["must-change"]
    web.csrf = page.form("/account/password")["fields"]["csrf"]
    mark = audit.mark()
    assert web.post("/contacts", {"last_name": "Nobody"}).status_code == 403
    assert web.post(f"/admin/users/{u.id}/password", {"password": chosen, "password2": chosen}).status_code == 403
    assert [x["outcome"] for x in audit.since(mark)] == [403, 403]
    # The given password cannot be kept.
    r = change(web, given, given)
    assert r.status_code == 422 and Page(r.text).field_error("password") == "must differ from your current password"
    mark = audit.mark()
    r = change(web, given, chosen)
    assert r.status_code == 303
    assert u.must_change() == 0
    # The row records the flag going off, never either password.
    row = audit.one_since(mark)
    assert row["action"] == "account.password_change" and json.loads(row["detail"]) == {
        "password": "changed", "must_change_password": False, "sessions_ended": 1, "tokens_revoked": 0,
        "changes": {"must_change_password": {"old": True, "new": False}}}
    assert given not in row["detail"] and chosen not in row["detail"]
    assert web.get("/contacts").status_code == 200
    assert web.get("/account/password").status_code == 200
    assert "must-change" not in Page(web.get("/account/password").text).by_id


def test_a_user_created_on_the_page_must_change(admin, db, demo):
    type_id = db.int(f"SELECT user_type_id FROM users WHERE id = {demo.user_id}")
    username = unique("newbie-")
    r = admin.post("/admin/users", {"username": username, "display_name": "", "user_type": str(type_id),
                                    "password": "chosen by the admin", "password2": "chosen by the admin"})
    assert r.status_code == 303
    assert "They must change the password at their first logon" in Page(admin.get(location_path(r)).text).text
    assert db.int(f"SELECT must_change_password FROM users WHERE username = {sql_str(username)}") == 1
    # The demo administrator (made by setup-demo) is not forced.
    assert db.int(f"SELECT must_change_password FROM users WHERE id = {demo.user_id}") == 0


# ---------------------------------------------------------------- normalisation and rehash

def test_nfd_set_nfc_logs_in(make_user, sessions, login_gate):
    u = make_user("a plain start password")
    web, _ = sessions.make(client_id=u.client_id, user_id=u.id)
    nfc = "Cr\u00e8me br\u00fbl\u00e9e au caf\u00e9"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc and unicodedata.normalize("NFC", nfd) == nfc
    r = change(web, "a plain start password", nfd)
    assert r.status_code == 303, Page(r.text).text[:300]
    # Stored as the NFKC form, whichever was typed.
    assert password_matches(u.hash(), nfc) and not password_matches(u.hash(), nfd)
    _, r = login_gate.post({"username": u.username, "password": nfc})
    assert r.status_code == 303


def test_a_password_that_cannot_be_normalised_is_just_wrong(make_user, login_gate, audit):
    """100 x U+FDFA is 300 bytes but 1,800 characters in NFKC: over the
    cap, so it is checked as a value no password has (the KDF still runs)
    and counted like any wrong one."""
    u = make_user("an ordinary password")
    mark = audit.mark()
    _, r = login_gate.post({"username": u.username, "password": "\ufdfa" * 100})
    assert r.status_code == 401 and "Wrong username or password." in Page(r.text).text
    assert u.failures() == 1
    row = audit.one_since(mark)
    assert row["action"] == "login.fail" and json.loads(row["detail"])["result"] == "wrong"


def test_weaker_stored_hash_is_upgraded_at_logon(make_user, login_gate):
    pw = "an old hash of mine"
    u = make_user(pw, iterations=1000)
    assert u.hash().startswith("pbkdf2-sha256$1000$")
    _, r = login_gate.post({"username": u.username, "password": pw})
    assert r.status_code == 303
    stored = u.hash()
    assert stored.startswith(f"pbkdf2-sha256${ITERATIONS}$") and password_matches(stored, pw)


def test_one_typed_character_is_not_a_twelve_character_password(make_user, sessions):
    """U+FDFA is one character that NFKC spells as 18: the minimum counts
    the characters typed as well."""
    password = "correct horse " + unique()
    u = make_user(password)
    web, _ = sessions.make(user_id=u.id)
    r = web.post("/account/password", {"current_password": password, "password": "\ufdfa", "password2": "\ufdfa"})
    assert r.status_code == 422, f"a one-character password was accepted ({r.status_code} {r.headers.get('Location')})"
    assert Page(r.text).field_error("password") == "is too short (at least 12 characters)"
