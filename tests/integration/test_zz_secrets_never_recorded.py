"""No password, session token or API token is ever written to the audit
trail or a log file.

The file's name sorts last, so that it runs after the rest of the suite: it
plants its own secrets (sentinels) through every path that handles one, and
then searches the whole audit table and every log of the stack for them,
and for the demo administrator's password that the whole suite has used.
"""
import os
import re
import subprocess

from conftest import SESSION_COOKIE, Page, Web, set_password, sql_str, unique


def sentinel(what):
    # Letters and digits only, so that no escaping can hide it in a log or a
    # JSON detail; long and random, so that it cannot occur by chance.
    return f"Sentinel{what}{os.urandom(12).hex()}"


def audit_holds(db, secret):
    """How many audit rows hold the text anywhere (every text column)."""
    return db.int("SELECT COUNT(*) FROM audit WHERE INSTR(CONCAT_WS('|', remote_addr, request_id, method, path,"
                  f" action, object_type, detail), {sql_str(secret)}) > 0")


def logs_holding(stack_dir, secret):
    found = []
    log_dir = os.path.join(stack_dir, "log")
    for name in sorted(os.listdir(log_dir)):
        path = os.path.join(log_dir, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                if secret.encode() in f.read():
                    found.append(name)
    return found


def test_no_secret_reaches_the_audit_trail_or_a_log(login_gate, people, demo, db, admin, sessions, base_url, cert,
                                                    stack_dir):
    secrets = {}
    user_id = people.user(demo.client_id, ["contacts.view", "contacts.export", "tokens.manage", "users.manage"])
    username = db.value(f"SELECT username FROM users WHERE id = {user_id}")

    # Logons: a wrong password, an unknown user, the right password.
    secrets["password"] = sentinel("Pw")
    set_password(db, user_id, secrets["password"], iterations=1000)
    secrets["wrong password"] = sentinel("Wrong")
    assert login_gate.post({"username": username, "password": secrets["wrong password"]})[1].status_code == 401
    secrets["unknown user's password"] = sentinel("Nobody")
    r = login_gate.post({"username": unique("nobody-"), "password": secrets["unknown user's password"]})[1]
    assert r.status_code == 401
    web, r = login_gate.post({"username": username, "password": secrets["password"]})
    assert r.status_code == 303, r.status_code
    secrets["session token"] = web.cookie(SESSION_COOKIE)
    web.csrf = Page(web.get("/contacts").text).form("/logout")["fields"]["csrf"]
    secrets["session's CSRF token"] = web.csrf

    # The own change, with a wrong current password first.
    secrets["wrong current password"] = sentinel("WrongCurrent")
    secrets["new password"] = sentinel("New")
    r = web.post("/account/password", {"current_password": secrets["wrong current password"],
                                       "password": secrets["new password"], "password2": secrets["new password"]})
    assert r.status_code == 422
    r = web.post("/account/password", {"current_password": secrets["password"],
                                       "password": secrets["new password"], "password2": secrets["new password"]})
    assert r.status_code == 303, Page(r.text).text[:300]
    secrets["session token after the change"] = web.cookie(SESSION_COOKIE)
    web.csrf = Page(web.get("/account/password").text).form("/logout")["fields"]["csrf"]

    # An API token: made on the page, used, used where it may not go, and
    # sent spoiled.
    r = web.post("/account/tokens", {"name": unique("Sentinel report "), "days": "1"})
    assert r.status_code == 200
    secrets["API token"] = Page(r.text).by_id["token-value"].strip()
    script = Web(base_url, cert)
    script.s.headers["Authorization"] = f"Bearer {secrets['API token']}"
    assert script.get("/export/contacts.csv?q=" + unique("none")).status_code == 200
    assert script.get("/admin/users").status_code == 403
    spoiled = Web(base_url, cert)
    spoiled.s.headers["Authorization"] = f"Bearer {secrets['API token'][:-1]}"
    assert spoiled.get("/contacts").status_code == 401

    # An administrator's reset, on the page and from the command line.
    secrets["reset password"] = sentinel("Reset")
    r = admin.post(f"/admin/users/{user_id}/password", {"password": secrets["reset password"],
                                                        "password2": secrets["reset password"]})
    assert r.status_code == 303, Page(r.text).text[:300]
    secrets["command-line password"] = sentinel("Cli")
    client = db.value(f"SELECT name FROM clients WHERE id = {demo.client_id}")
    p = subprocess.run([os.environ["CTRACK_BIN"], "user", "reset-password", "-c", os.environ["CTRACK_CONF"],
                        "--client", client, "--password-stdin", username],
                       input=secrets["command-line password"] + "\n", capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr

    # And what the whole suite used: the administrator's password and session.
    secrets["the administrator's password"] = os.environ["CTRACK_ADMIN_PASSWORD"]
    secrets["the suite's session token"] = admin.cookie(SESSION_COOKIE)

    found = {}
    for what, secret in secrets.items():
        assert secret and len(secret) >= 16, f"no usable {what}: {secret!r}"
        rows, logs = audit_holds(db, secret), logs_holding(stack_dir, secret)
        if rows or logs:
            found[what] = f"{rows} audit rows, logs {logs}"
    assert not found, f"secrets recorded: {found}"
    # The searches themselves work: the username typed is in the audit
    # trail, and the token page's address in nginx's access log.
    assert audit_holds(db, username) > 0
    assert "nginx-access.log" in logs_holding(stack_dir, "/account/tokens")
    assert re.fullmatch(r"[A-Za-z0-9]+", secrets["password"])


def test_no_secret_in_a_page_or_an_address(login_gate, people, demo, db, admin, stack_dir):
    """Passwords typed are never sent back in a page (not even on a form shown
    again with its errors), the session token is in no page and no address,
    the CSRF token only in the hidden field of POST forms (never in a link,
    a GET form or an address), and an API token only on the page that made it."""
    user_id = people.user(demo.client_id, ["contacts.view", "tokens.manage", "users.manage"])
    username = db.value(f"SELECT username FROM users WHERE id = {user_id}")
    password = sentinel("PagePw")
    set_password(db, user_id, password, iterations=1000)
    wrong = sentinel("PageWrong")
    pages = []      # (what, response) of every answer below

    gate, r = login_gate.post({"username": username, "password": wrong})
    assert r.status_code == 401
    pages.append(("a wrong logon", r))
    web, r = login_gate.post({"username": username, "password": password})
    assert r.status_code == 303, r.status_code
    session = web.cookie(SESSION_COOKIE)
    pages.append(("the logon", r))
    web.csrf = Page(web.get("/account").text).form("/logout")["fields"]["csrf"]

    new = sentinel("PageNew")
    r = web.post("/account/password", {"current_password": wrong, "password": new, "password2": new})
    assert r.status_code == 422
    pages.append(("a change with a wrong current password", r))
    r = web.post("/account/password", {"current_password": password, "password": new, "password2": new + "x"})
    assert r.status_code == 422
    pages.append(("a change with a mismatched repeat", r))
    r = admin.post(f"/admin/users/{user_id}/password", {"password": new, "password2": new + "x"})
    assert r.status_code == 422
    pages.append(("an administrator's reset with a mismatched repeat", r))

    r = web.post("/account/tokens", {"name": unique("Page token "), "days": "1"})
    assert r.status_code == 200
    token = Page(r.text).by_id["token-value"].strip()
    for path in ("/account", "/account/sessions", "/account/tokens", "/contacts", "/account/password"):
        pages.append((path, web.get(path)))

    csrf = web.csrf
    secrets = {"password": password, "wrong password": wrong, "new password": new, "session token": session}
    for what, r in pages:
        text = r.text + "\n".join(f"{k}: {v}" for k, v in r.headers.items() if k.lower() != "set-cookie")
        for name, secret in secrets.items():
            assert secret not in text, f"the {name} is in the page of {what}"
        assert token not in text, f"the API token is shown again, on the page of {what}"
        page = Page(r.text)
        for form in page.forms:
            if form["fields"].get("csrf") == csrf:
                assert form["method"] == "post", f"a GET form carries the CSRF token on the page of {what}"
        assert not any(csrf in link["href"] for link in page.links), f"a link carries the CSRF token ({what})"
        assert csrf not in r.text.replace(f'name="csrf" value="{csrf}"', ""), \
            f"the CSRF token is on the page of {what} elsewhere than in a form's hidden field"
        assert csrf not in r.url and token not in r.url and session not in r.url

    # Addresses: nginx's access log holds every URL the suite has asked for.
    with open(os.path.join(stack_dir, "log", "nginx-access.log"), "rb") as f:
        urls = f.read()
    for name, secret in {**secrets, "CSRF token": csrf, "API token": token}.items():
        assert secret.encode() not in urls, f"the {name} is in an address (nginx's access log)"
    assert b"/account/password" in urls
