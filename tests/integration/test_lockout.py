"""Guessing: failed logons counted per username and per address, the lock
after Lockout.Failures (5) failures within Lockout.WindowMinutes (15), its
expiry and the administrator's unlock. Unknown usernames are counted and
locked exactly like real ones. (nginx's rate limit of the logon route, its
429: test_headers_tls.py.)
"""
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import (SESSION_COOKIE, Page, config_changed, parse_set_cookie, set_cookie_headers, set_password,
                      sql_str, unique)

FAILURES = 5  # Lockout.Failures in the test stack (the default)


@pytest.fixture
def account(people, demo, db):
    """(username, password, user id) of a fresh user of the demo client."""
    user_id = people.user(demo.client_id, ["contacts.view", "users.manage"])
    password = "correct horse " + unique()
    set_password(db, user_id, password)
    username = db.value(f"SELECT username FROM users WHERE id = {int(user_id)}")
    yield username, password, user_id
    db.run(f"DELETE FROM login_failures WHERE username = {sql_str(username)}")
    db.run(f"DELETE FROM login_locks WHERE username = {sql_str(username)}")


def attempt(login_gate, username, password):
    web, r = login_gate.post({"username": username, "password": password})
    return web, r


def test_five_failures_lock_the_username_with_an_audit_row_each(login_gate, account, audit, db):
    username, password, user_id = account
    mark = audit.mark()
    statuses = []
    for i in range(FAILURES):
        web, r = attempt(login_gate, username, f"wrong guess {i} " + unique())
        statuses.append(r.status_code)
    assert statuses == [401] * FAILURES, statuses
    assert "now locked" in r.text, "the failure that locked the username does not say so"
    # The sixth try is refused even with the right password, without a session.
    web, r = attempt(login_gate, username, password)
    assert r.status_code == 401, r.status_code
    assert "is locked" in r.text
    assert SESSION_COOKIE not in [parse_set_cookie(l)[0] for l in set_cookie_headers(r)]
    rows = [row for row in audit.since(mark) if row["path"] == "/login"]
    assert [row["action"] for row in rows] == ["login.fail"] * (FAILURES - 1) + ["login.lockout", "login.locked"], \
        [row["action"] for row in rows]
    assert all(row["outcome"] == 401 for row in rows)
    assert all(f'"username":"{username}"' in row["detail"] for row in rows), [row["detail"] for row in rows]
    assert password not in "".join(row["detail"] for row in rows)
    assert db.int(f"SELECT COUNT(*) FROM login_locks WHERE username = {sql_str(username)}"
                  " AND locked_until > UTC_TIMESTAMP(6) + INTERVAL 14 MINUTE") == 1, "not locked for 15 minutes"


def test_an_unknown_username_locks_the_same_way(login_gate, db):
    """Same statuses, same messages: a lock tells nobody whether the
    username exists."""
    nobody = unique("nobody-")
    texts = []
    for i in range(FAILURES + 1):
        web, r = attempt(login_gate, nobody, f"guess {i} " + unique())
        assert r.status_code == 401
        texts.append(Page(r.text).text)
    assert "now locked" in texts[FAILURES - 1] and "is locked" in texts[FAILURES]
    assert db.int(f"SELECT COUNT(*) FROM login_locks WHERE username = {sql_str(nobody)}"
                  " AND locked_until > UTC_TIMESTAMP(6)") == 1
    db.run(f"DELETE FROM login_locks WHERE username = {sql_str(nobody)}")


def _body_without_tokens(r):
    """The page with what differs per request (CSRF token, request id, the
    username typed) taken out."""
    text = re.sub(r'value="[A-Za-z0-9_-]{43}"', 'value="TOKEN"', r.text)
    text = re.sub(r"[0-9a-f]{32}", "REQUESTID", text)
    return text


def test_unknown_user_and_wrong_password_get_identical_answers(login_gate, account):
    username, password, user_id = account
    nobody = unique("nobody-")
    # The same length of username, so that the kept form field is the only
    # difference, and it is replaced below.
    nobody = (nobody + "x" * len(username))[:len(username)]
    _, wrong = attempt(login_gate, username, "not it " + unique())
    _, unknown = attempt(login_gate, nobody, "not it " + unique())
    assert wrong.status_code == unknown.status_code == 401
    a = _body_without_tokens(wrong).replace(username, "NAME")
    b = _body_without_tokens(unknown).replace(nobody, "NAME")
    assert a == b, "the answers for an unknown user and a wrong password differ"
    names = lambda r: sorted(parse_set_cookie(l)[0] for l in set_cookie_headers(r))
    assert names(wrong) == names(unknown)


def test_the_lock_expires(login_gate, account, db):
    username, password, user_id = account
    for i in range(FAILURES):
        attempt(login_gate, username, f"wrong {i} " + unique())
    _, r = attempt(login_gate, username, password)
    assert r.status_code == 401 and "is locked" in r.text
    # Fifteen minutes later (the lock's end moved into the past):
    db.run(f"UPDATE login_locks SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
           f" WHERE username = {sql_str(username)}")
    db.run(f"UPDATE login_failures SET at = at - INTERVAL 16 MINUTE WHERE username = {sql_str(username)}")
    web, r = attempt(login_gate, username, password)
    assert r.status_code == 303, f"after the lock ran out the right password answered {r.status_code}"
    assert db.int(f"SELECT COUNT(*) FROM login_failures WHERE username = {sql_str(username)}") == 0, \
        "a successful logon did not forget the failures"


@pytest.mark.parametrize("minutes_ago,locks", [(14, True), (16, False)])
def test_only_failures_within_the_window_count(login_gate, account, db, minutes_ago, locks):
    username, password, user_id = account
    for _ in range(FAILURES - 1):
        db.run("INSERT INTO login_failures (at, username, remote_addr) VALUES"
               f" (UTC_TIMESTAMP(6) - INTERVAL {minutes_ago} MINUTE, {sql_str(username)}, '127.0.0.1')")
    _, r = attempt(login_gate, username, "wrong " + unique())
    assert r.status_code == 401
    assert ("now locked" in r.text) == locks, r.text[:500]


def test_concurrent_guesses_cannot_pass_the_limit(login_gate, account, db):
    """Ten guesses at once: the failures are counted one after the other, so
    exactly five count before the lock and the rest are refused unchecked."""
    username, password, user_id = account
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda i: attempt(login_gate, username, f"wrong {i} " + unique())[1], range(10)))
    assert all(r.status_code == 401 for r in results)
    counted = db.int(f"SELECT COUNT(*) FROM login_failures WHERE username = {sql_str(username)}")
    assert counted == FAILURES, f"{counted} failures were counted, not {FAILURES}"
    assert sum("now locked" in r.text for r in results) == 1
    _, r = attempt(login_gate, username, password)
    assert "is locked" in r.text


def test_an_administrator_unlocks(login_gate, account, admin, audit, db, demo):
    username, password, user_id = account
    page = Page(admin.get(f"/admin/users/{user_id}").text)
    assert page.by_id["user-lock"].startswith("Not locked"), page.by_id["user-lock"]
    for i in range(FAILURES):
        attempt(login_gate, username, f"wrong {i} " + unique())
    page = Page(admin.get(f"/admin/users/{user_id}").text)
    assert page.by_id["user-lock"].startswith("Locked after too many failed logons"), page.by_id["user-lock"]
    assert page.form(f"/admin/users/{user_id}/unlock"), "no unlock button for a locked user"
    mark = audit.mark()
    r = admin.post(f"/admin/users/{user_id}/unlock")
    assert r.status_code == 303
    row = audit.one_since(mark, "the unlock")
    assert (row["action"], row["object_type"], row["object_id"], row["outcome"]) == \
        ("user.unlock", "user", user_id, 303), row
    assert '"was_locked":true' in row["detail"], row["detail"]
    assert "unlocked" in Page(admin.get(f"/admin/users/{user_id}?unlocked=1").text).text
    web, r = attempt(login_gate, username, password)
    assert r.status_code == 303, "the right password was refused after the unlock"


def test_unlock_is_for_administrators_of_the_same_client(sessions, people, account, db):
    """Another client's administrator gets 404 for this user, and a user
    without users.manage 403; neither lifts the lock."""
    username, password, user_id = account
    db.run(f"INSERT INTO login_locks (username, locked_until) VALUES ({sql_str(username)},"
           " UTC_TIMESTAMP(6) + INTERVAL 10 MINUTE) ON DUPLICATE KEY UPDATE locked_until = VALUES(locked_until)")
    other = people.client()
    stranger, _ = sessions.make(other, people.user(other, ["users.manage"]))
    assert stranger.post(f"/admin/users/{user_id}/unlock").status_code == 404
    demo_client = db.int(f"SELECT client_id FROM users WHERE id = {int(user_id)}")
    viewer, _ = sessions.make(demo_client, people.user(demo_client, ["contacts.view"]))
    assert viewer.post(f"/admin/users/{user_id}/unlock").status_code == 403
    assert db.int(f"SELECT COUNT(*) FROM login_locks WHERE username = {sql_str(username)}"
                  " AND locked_until > UTC_TIMESTAMP(6)") == 1


def test_too_many_failures_from_one_address_stop_its_logons(stack_dir, login_gate, account, db):
    username, password, user_id = account
    with config_changed(stack_dir, r"^(\s*)AddressFailures = \d+\s*$", r"\1AddressFailures = 3",
                        "Lockout.AddressFailures"):
        db.run("DELETE FROM login_failures WHERE remote_addr = '127.0.0.1'")
        for i in range(3):
            _, r = attempt(login_gate, unique("spray-"), "guess " + unique())
            assert r.status_code == 401 and "Wrong username or password" in r.text
        _, r = attempt(login_gate, username, password)
        assert r.status_code == 401 and "from your network address" in r.text, r.text[:500]
        # The window passes:
        db.run("UPDATE login_failures SET at = at - INTERVAL 16 MINUTE WHERE remote_addr = '127.0.0.1'")
        _, r = attempt(login_gate, username, password)
        assert r.status_code == 303


def test_a_right_guess_racing_the_locking_guess_still_logs_on(login_gate, account, audit):
    """The sixth guess, the right password, sent while the fifth (wrong) one
    is being checked: it passed the early lock check before the fifth
    locked the username, and must still be refused (the lock is read again
    under the username's row lock before a logon succeeds)."""
    username, password, user_id = account
    for i in range(FAILURES - 1):
        _, r = login_gate.post({"username": username, "password": f"wrong {i} " + unique()})
        assert r.status_code == 401
    mark = audit.mark()
    results = {}

    def guess(key, pw):
        results[key] = login_gate.post({"username": username, "password": pw})[1]

    fifth = threading.Thread(target=guess, args=("fifth", "wrong 5 " + unique()))
    sixth = threading.Thread(target=guess, args=("sixth", password))
    fifth.start()
    time.sleep(0.15)  # the fifth is in its KDF; the sixth passes the lock check before the fifth commits
    sixth.start()
    fifth.join()
    sixth.join()
    actions = [row["action"] for row in audit.since(mark) if row["path"] == "/login"]
    assert "login.lockout" in actions, actions  # the fifth failure locked the username
    assert results["sixth"].status_code == 401, (
        f"the sixth guess answered {results['sixth'].status_code} after the username was locked; audit {actions}")
