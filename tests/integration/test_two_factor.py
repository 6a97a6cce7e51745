"""Two-factor logon (TOTP, RFC 6238) through nginx against the real stack:
enrolment from the secret the page shows (the codes are computed here, with
hmac and struct, independently of the C code), the QR code, the logon's
second step with its lockout and replay rule, recovery codes, turning it
off, a user type that requires it, and the administrators' reset.

Users are made in the database with a known password (a PBKDF2 hash made
here); POST /login goes through login_gate, which counts LOGIN_BUDGET."""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import subprocess
import time
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from conftest import LOGIN_COOKIE, SESSION_COOKIE, Page, Web, location_path, password_hash, sha256_hex, sql_str

PERIOD = 30


# ---------------------------------------------------------------- TOTP, here

def b32_key(secret):
    s = re.sub(r"[\s-]", "", secret).upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def hotp(key, counter, digits=6, digest=hashlib.sha1):
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    off = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return f"{value:0{digits}d}"


def test_the_tests_own_totp_meets_rfc6238():
    """The test's own TOTP gives the RFC's values, so the stack is checked
    against the RFC and not against itself."""
    assert hotp(b"12345678901234567890", 59 // 30, 8) == "94287082"
    assert hotp(b"12345678901234567890", 1111111109 // 30, 8) == "07081804"
    assert hotp(b"12345678901234567890", 0) == "755224"


def code_after(key, last_step):
    """(code, step): the code of the current step, or of the next one (the
    server's window is one step either side) when the current one was used:
    either stays good past the next step boundary."""
    while True:
        now = int(time.time()) // PERIOD
        for step in (now, now + 1):
            if step > last_step:
                return hotp(key, step), step
        time.sleep(1)


def wrong_code(key):
    """Six digits that are the code of no step near now."""
    now = int(time.time()) // PERIOD
    near = {hotp(key, s) for s in range(now - 3, now + 4)}
    for n in range(1000000):
        c = f"{(n * 7919) % 1000000:06d}"
        if c not in near:
            return c


# ---------------------------------------------------------------- users

PASSWORD = "correct horse battery staple"


class User:
    def __init__(self, db, demo, people, functions=("contacts.view",)):
        self.db = db
        self.client_id = demo.client_id
        self.id = people.user(demo.client_id, list(functions))
        self.db.run(f"UPDATE users SET password_hash = {sql_str(password_hash(PASSWORD, 1000))} WHERE id = {self.id}")
        self.username = self.db.value(f"SELECT username FROM users WHERE id = {self.id}")
        self.type_id = self.db.int(f"SELECT user_type_id FROM users WHERE id = {self.id}")

    def col(self, expr):
        return self.db.value(f"SELECT {expr} FROM users WHERE id = {self.id}")

    def codes(self):
        return self.db.int(f"SELECT COUNT(*) FROM recovery_codes WHERE user_id = {self.id}")

    def failures(self):
        return self.db.int(f"SELECT COUNT(*) FROM login_failures WHERE username = {sql_str(self.username)}")

    def sessions(self, stage=None):
        cond = f" AND stage = {sql_str(stage)}" if stage else ""
        return self.db.int(f"SELECT COUNT(*) FROM sessions WHERE user_id = {self.id}{cond}")

    def forget_failures(self):
        self.db.run(f"DELETE FROM login_failures WHERE username = {sql_str(self.username)};"
                    f" DELETE FROM login_locks WHERE username = {sql_str(self.username)}")


@pytest.fixture
def user(db, demo, people):
    u = User(db, demo, people)
    yield u
    u.forget_failures()


def session_stage(db, web):
    return db.value(f"SELECT stage FROM sessions WHERE token_hash = UNHEX('{sha256_hex(web.cookie(SESSION_COOKIE))}')")


def enrol(web, user):
    """Enrols a logged-in client from the page's typed-in secret; returns
    (key, recovery codes, the page)."""
    page = Page(web.get("/account/two-factor").text)
    secret = page.by_id["secret"].strip()
    key = b32_key(secret)
    code, _ = code_after(key, -1)
    r = web.post("/account/two-factor", {"code": code, "password": PASSWORD})
    assert r.status_code == 200, Page(r.text).text[:400]
    done = Page(r.text)
    codes = re.findall(r"<li><code>([A-Z2-7]{6}(?:-[A-Z2-7]{6}){3})</code></li>", r.text)
    return key, codes, done


def password_step(login_gate, user, next_path="/contacts"):
    """POST /login with the right password for an enrolled user: the client
    now holds a 'password' session, on the second-factor page."""
    web, r = login_gate.post({"username": user.username, "password": PASSWORD, "next": next_path})
    assert r.status_code == 303, Page(r.text).text[:300]
    assert location_path(r).startswith("/login/two-factor?next="), location_path(r)
    return web


def second_step(web, login_gate, code):
    """POST /login/two-factor with the login cookie's token as CSRF."""
    return web.post("/login/two-factor", {"code": code, "next": "/contacts"}, csrf=login_gate.token)


def details(audit, mark, action):
    return [json.loads(r["detail"]) if r["detail"] else None for r in audit.since(mark) if r["action"] == action]


# ---------------------------------------------------------------- the scenario

def test_enrol_then_log_on_with_codes(db, audit, anon, sessions, login_gate, demo, people, user):
    # Logged on with the password alone (not enrolled yet).
    web, _ = login_gate.login(user.username, PASSWORD)
    page = Page(web.get("/account/two-factor").text)
    img = [i for i in page.source.split("<img")[1:] if 'id="qr"' in i]
    assert img and 'src="/account/two-factor/qr.svg"' in img[0] and 'alt="' in img[0]
    secret = page.by_id["secret"].strip()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret), secret  # 20 bytes, groups of four
    key = b32_key(secret)
    assert len(key) == 20
    assert user.col("totp_secret IS NULL") == "1" and user.col("totp_pending IS NOT NULL") == "1"
    # A reload shows the same pending secret (it is kept for 15 minutes).
    assert Page(web.get("/account/two-factor").text).by_id["secret"].strip() == secret

    # The QR code: a standalone SVG of one path, nothing active, that holds
    # the otpauth URI of this secret (decoded in the browser test).
    q = web.get("/account/two-factor/qr.svg")
    assert q.status_code == 200
    assert q.headers["Content-Type"].startswith("image/svg+xml")
    assert "no-store" in q.headers.get("Cache-Control", "")
    root = ET.fromstring(q.content)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg" and root.get("shape-rendering") == "crispEdges"
    assert [c.tag for c in root] == [ns + "rect", ns + "path"]
    assert re.fullmatch(r"(M\d+ \d+h\d+v1h-\d+z)+", root[1].get("d"))
    side = int(root.get("viewBox").split()[2])
    assert (side - 8 - 21) % 4 == 0 and side >= 8 + 21  # QR sizes are 21 + 4k, plus the quiet zone
    assert b"script" not in q.content.lower() and b"href" not in q.content.lower()
    # Only to its user: not without a session, not to someone else.
    assert anon.get("/account/two-factor/qr.svg").status_code == 303
    other, _ = sessions.make(demo.client_id, people.user(demo.client_id, ["contacts.view"]))
    assert other.get("/account/two-factor/qr.svg").status_code == 404
    assert Page(other.get("/account/two-factor").text).by_id["secret"].strip() != secret

    # A wrong code is refused beside the field; nothing is enrolled.
    r = web.post("/account/two-factor", {"code": wrong_code(key), "password": PASSWORD})
    assert r.status_code == 422
    assert "not right" in Page(r.text).field_error("code")
    r = web.post("/account/two-factor", {"code": "12 34", "password": PASSWORD})
    assert r.status_code == 422 and "6 digits" in Page(r.text).field_error("code")
    # The password is asked again; a wrong one is a failed logon.
    code, _ = code_after(key, -1)
    r = web.post("/account/two-factor", {"code": code, "password": "not it"})
    assert r.status_code == 422 and "not right" in Page(r.text).field_error("enrol-password")
    assert user.failures() == 1
    r = web.post("/account/two-factor", {"code": code})
    assert r.status_code == 422 and Page(r.text).field_error("enrol-password") == "Type your password."
    assert user.col("totp_secret IS NULL") == "1"
    user.forget_failures()

    # The right code enrols: ten recovery codes, shown on this answer only.
    mark = audit.mark()
    code, step = code_after(key, -1)
    r = web.post("/account/two-factor", {"code": code, "password": PASSWORD})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([A-Z2-7]{6}(?:-[A-Z2-7]{6}){3})</code></li>", r.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert user.codes() == 10
    assert user.col("totp_pending IS NULL") == "1" and user.col("totp_enrolled_at IS NOT NULL") == "1"
    assert int(user.col("totp_last_step")) == step
    # Sealed: 1 version byte + 12 nonce + 20 + 16 tag, and not the secret itself.
    assert int(user.col("LENGTH(totp_secret)")) == 49
    assert key.hex() not in user.col("HEX(totp_secret)").lower()
    # Only hashes of the recovery codes are stored.
    stored = {h.lower() for (h,) in db.rows(f"SELECT HEX(code_hash) FROM recovery_codes WHERE user_id = {user.id}")}
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    [detail] = details(audit, mark, "two_factor.enrol")
    assert detail["enrolled"] is True and detail["recovery_codes"] == 10
    text = json.dumps(detail)
    assert secret.replace(" ", "") not in text and not any(c in text for c in codes)
    shown = web.get("/account/two-factor").text
    assert "on since" in Page(shown).by_id["two-factor-status"] and not any(c in shown for c in codes)

    # Log out; the password alone now leads to the second step.
    assert web.post("/logout").status_code == 303
    web = password_step(login_gate, user)
    password_token = web.cookie(SESSION_COOKIE)
    assert session_stage(db, web) == "password"
    # The 'password' session reaches nothing else.
    r = web.get("/contacts")
    assert r.status_code == 303 and location_path(r).startswith("/login?next=")
    assert web.get("/account/two-factor").status_code == 303
    form = Page(web.get("/login/two-factor?next=/contacts").text).form("/login/two-factor")
    assert form["fields"]["csrf"] == login_gate.token and form["fields"]["next"] == "/contacts"

    # A wrong code: 401, counted as a failed logon, audited.
    mark = audit.mark()
    r = second_step(web, login_gate, wrong_code(key))
    assert r.status_code == 401 and "not right" in Page(r.text).text
    assert user.failures() == 1
    [d] = details(audit, mark, "login.second_factor_fail")
    assert d == {"username": user.username, "second_factor": "totp", "result": "wrong"}
    # A right code: a full session with a new token, the failures forgotten.
    mark = audit.mark()
    code, step = code_after(key, int(user.col("totp_last_step")))
    r = second_step(web, login_gate, code)
    assert r.status_code == 303 and location_path(r) == "/contacts"
    assert web.cookie(SESSION_COOKIE) and web.cookie(SESSION_COOKIE) != password_token
    assert db.int(f"SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX('{sha256_hex(password_token)}')") == 0
    assert session_stage(db, web) == "full"
    assert not web.cookie(LOGIN_COOKIE)
    assert web.get("/contacts").status_code == 200
    assert user.failures() == 0 and int(user.col("totp_last_step")) == step
    [d] = details(audit, mark, "login")
    assert d == {"username": user.username, "second_factor": "totp"}

    # The same code again is refused (replay), even within its 30 seconds.
    web2 = password_step(login_gate, user)
    r = second_step(web2, login_gate, code)
    assert r.status_code == 401 and session_stage(db, web2) == "password"
    # A recovery code works once, in any case and spacing.
    r = second_step(web2, login_gate, codes[0].lower().replace("-", " "))
    assert r.status_code == 303 and location_path(r) == "/account/two-factor?recovery=1"
    assert session_stage(db, web2) == "full" and user.codes() == 9
    assert "9 recovery codes are left" in Page(web2.get(location_path(r)).text).text
    web3 = password_step(login_gate, user)
    assert second_step(web3, login_gate, codes[0]).status_code == 401
    assert second_step(web3, login_gate, codes[1]).status_code == 303
    assert user.codes() == 8


def test_second_step_without_password_session(anon, admin, login_gate):
    r = anon.get("/login/two-factor")
    assert r.status_code == 303 and location_path(r) == "/login"
    anon.set_cookie(LOGIN_COOKIE, login_gate.token)
    r = anon.post("/login/two-factor", {"code": "123456"}, csrf=login_gate.token)
    assert r.status_code == 303 and location_path(r) == "/login"
    # A logged-in user is sent on.
    r = admin.get("/login/two-factor")
    assert r.status_code == 303 and location_path(r) == "/contacts"
    # Without the login token the form is refused.
    web = Web(anon.base, anon.cert)
    assert web.post("/login/two-factor", {"code": "123456"}, csrf=False).status_code == 403


def test_too_many_wrong_codes_lock_and_end_the_logon(db, audit, sessions, login_gate, user):
    web, _ = login_gate.login(user.username, PASSWORD)
    key, _, _ = enrol(web, user)
    web = password_step(login_gate, user)
    for i in range(3):
        assert second_step(web, login_gate, wrong_code(key)).status_code == 401
    assert user.failures() == 3
    # The right password again does not forget the wrong codes: the logon
    # has not succeeded until the second factor has.
    web = password_step(login_gate, user)
    assert user.failures() == 3
    assert second_step(web, login_gate, wrong_code(key)).status_code == 401
    assert session_stage(db, web) == "password"
    token = web.cookie(SESSION_COOKIE)
    mark = audit.mark()
    r = second_step(web, login_gate, wrong_code(key))
    assert r.status_code == 401 and "locked" in Page(r.text).text
    # The half-done logon ended.
    assert db.int(f"SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX('{sha256_hex(token)}')") == 0
    assert db.int(f"SELECT COUNT(*) FROM login_locks WHERE username = {sql_str(user.username)}"
                  " AND locked_until > UTC_TIMESTAMP(6)") == 1
    [d] = details(audit, mark, "login.lockout")
    assert d["result"] == "locked now"
    # While locked, even the right code is not looked at.
    web, r = login_gate.post({"username": user.username, "password": PASSWORD})
    assert r.status_code == 401 and "locked" in Page(r.text).text


def test_new_recovery_codes_and_turning_off(db, audit, sessions, demo, user):
    web, _ = sessions.make(demo.client_id, user.id)
    key, old, _ = enrol(web, user)
    # A wrong code is refused and counted.
    r = web.post("/account/two-factor/recovery-codes", {"code": wrong_code(key)})
    assert r.status_code == 422 and "not right" in Page(r.text).field_error("renew-code")
    assert user.failures() == 1
    code, _ = code_after(key, int(user.col("totp_last_step")))
    r = web.post("/account/two-factor/recovery-codes", {"code": code})
    assert r.status_code == 200
    new = re.findall(r"<li><code>([A-Z2-7]{6}(?:-[A-Z2-7]{6}){3})</code></li>", r.text)
    assert len(new) == 10 and not set(new) & set(old) and user.codes() == 10
    # Turning off needs a current code or the password.
    r = web.post("/account/two-factor/off", {"code": "", "password": "wrong password"})
    assert r.status_code == 422 and "not right" in Page(r.text).field_error("off-code")
    assert user.col("totp_secret IS NOT NULL") == "1"
    mark = audit.mark()
    r = web.post("/account/two-factor/off", {"code": "", "password": PASSWORD})
    assert r.status_code == 303 and location_path(r) == "/account/two-factor?off=1"
    assert user.col("totp_secret IS NULL") == "1" and user.codes() == 0
    [d] = details(audit, mark, "two_factor.disable")
    assert d["enrolled"] is False and d["confirmed_by"] == "password" and d["recovery_codes_removed"] == 10


def test_required_by_the_user_type(db, audit, admin, sessions, login_gate, demo, user):
    # The administrator requires two-factor of the type (matrix.manage).
    mark = audit.mark()
    r = admin.post(f"/admin/types/{user.type_id}/two-factor", {"require_two_factor": "1"})
    assert r.status_code == 303
    assert db.int(f"SELECT require_two_factor FROM user_types WHERE id = {user.type_id}") == 1
    [d] = details(audit, mark, "usertype.two_factor")
    assert d == {"changes": {"require_two_factor": {"old": False, "new": True}}}
    type_page = Page(admin.get(f"/admin/types/{user.type_id}").text)
    assert any(i.get("name") == "require_two_factor" and "checked" in i for i in type_page.inputs)
    matrix = Page(admin.get("/admin/matrix").text)
    assert matrix.by_id[f"two-factor-{user.type_id}"].strip() == "Required"

    # At logon the user is led to enrol, and can do nothing else first.
    web, r = login_gate.post({"username": user.username, "password": PASSWORD, "next": "/contacts"})
    assert r.status_code == 303 and location_path(r) == "/contacts"
    r = web.get("/contacts")
    assert r.status_code == 303 and location_path(r) == "/account/two-factor"
    page = Page(web.get("/account/two-factor").text)
    assert "requires two-factor" in page.text
    web.csrf = page.form("/account/two-factor")["fields"]["csrf"]
    assert web.post("/contacts", {"last_name": "x"}).status_code == 403
    key, _, _ = enrol(web, user)
    assert web.get("/contacts").status_code == 200
    # Required: it cannot be turned off.
    code, _ = code_after(key, int(user.col("totp_last_step")))
    r = web.post("/account/two-factor/off", {"code": code})
    assert r.status_code == 422 and "requires" in Page(r.text).text
    assert user.col("totp_secret IS NOT NULL") == "1"
    # Unchecked: no longer required.
    assert admin.post(f"/admin/types/{user.type_id}/two-factor", {}).status_code == 303
    assert db.int(f"SELECT require_two_factor FROM user_types WHERE id = {user.type_id}") == 0


def test_administrator_resets_two_factor(db, audit, admin, sessions, demo, user):
    web, _ = sessions.make(demo.client_id, user.id)
    enrol(web, user)
    page = Page(admin.get(f"/admin/users/{user.id}").text)
    assert page.by_id["user-two-factor"].startswith("On since") and "10 recovery codes left" in page.by_id["user-two-factor"]
    mark = audit.mark()
    r = admin.post(f"/admin/users/{user.id}/two-factor/reset")
    assert r.status_code == 303 and location_path(r) == f"/admin/users/{user.id}?two_factor_reset=1"
    assert user.col("totp_secret IS NULL") == "1" and user.codes() == 0 and user.sessions() == 0
    [d] = details(audit, mark, "user.two_factor_reset")
    assert d == {"username": user.username, "was_enrolled": True, "recovery_codes_removed": 10, "sessions_ended": 1,
                 "changes": {"two_factor": {"old": "enrolled", "new": "none"}}}
    page = Page(admin.get(f"/admin/users/{user.id}?two_factor_reset=1").text)
    assert page.by_id["user-two-factor"].startswith("Not set up")
    # The user's session is gone.
    assert web.get("/account/two-factor").status_code == 303


def test_cli_requires_two_factor_of_a_type(db, audit, demo, people, user):
    name = db.value(f"SELECT name FROM user_types WHERE id = {user.type_id}")
    client = db.value(f"SELECT name FROM clients WHERE id = {demo.client_id}")

    def ctrack(*args):
        return subprocess.run([os.environ["CTRACK_BIN"], "usertype", "two-factor", "-c", os.environ["CTRACK_CONF"],
                               "--client", client, *args], capture_output=True, text=True, timeout=60)
    mark = audit.mark()
    p = ctrack(name, "required")
    assert p.returncode == 0, p.stderr
    assert "required" in p.stdout
    assert db.int(f"SELECT require_two_factor FROM user_types WHERE id = {user.type_id}") == 1
    [d] = details(audit, mark, "usertype.two_factor")
    assert d == {"changes": {"require_two_factor": {"old": False, "new": True}}}
    p = ctrack(name, "sometimes")
    assert p.returncode == 1 and "neither required nor optional" in p.stderr
    assert ctrack(name, "optional").returncode == 0
    assert db.int(f"SELECT require_two_factor FROM user_types WHERE id = {user.type_id}") == 0


def test_the_password_asked_again_is_normalised_as_at_logon(db, sessions, user):
    """A password set with a precomposed é is typed back decomposed (e plus
    U+0301) on the enrolment form: the same password, as at logon."""
    nfc = "caf\u00e9 tulip garden"
    db.run(f"UPDATE users SET password_hash = {sql_str(password_hash(nfc, 1000))} WHERE id = {user.id}")
    web, _ = sessions.make(user.client_id, user.id)
    page = Page(web.get("/account/two-factor").text)
    key = b32_key(page.by_id["secret"].strip())
    code, _ = code_after(key, -1)
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    r = web.post("/account/two-factor", {"code": code, "password": nfd})
    assert r.status_code == 200, Page(r.text).text[:400]
    assert user.col("totp_secret IS NOT NULL") == "1"
    assert user.failures() == 0
