"""Security events in the log: failed logons, lockouts, denied requests,
CSRF refusals, refused tokens and tokens used from a new address each give
one line `security: EVENT ...` in ctrack.log (stderr under `make run`),
carrying the request id of their audit row; what the user typed cannot
forge a line."""
import base64
import os

from conftest import Web, log_text, sha256_hex, sql_int, sql_str, unique


def lines_of(stack_dir, request_id):
    return [l for l in log_text(stack_dir).splitlines() if f" req={request_id} " in l and " security: " in l]


def one_event(stack_dir, audit, mark, event):
    """The one audit row since mark and its one security line."""
    row = audit.one_since(mark, event)
    lines = lines_of(stack_dir, row["request_id"])
    assert len(lines) == 1, f"security lines for {event}: {lines}"
    assert f" security: {event} status={row['outcome']} " in lines[0], lines[0]
    return row, lines[0]


def test_a_failed_logon_is_one_line_whatever_the_username(login_gate, audit, stack_dir):
    # A line break in the username: the username is not even recorded.
    forged = "2026-01-01T00:00:00Z ctrack[1] warn security: login ok"
    mark = audit.mark()
    _, r = login_gate.post({"username": unique("evil") + "\n" + forged, "password": "not it " + unique()})
    assert r.status_code == 401
    row, line = one_event(stack_dir, audit, mark, "login.fail")
    assert "addr=127.0.0.1 POST /login" in line and '"username":"(invalid)"' in line, line
    assert "login ok" not in log_text(stack_dir)
    # Quotes and backslashes stay inside the JSON of the one line.
    name = unique("quote") + '" status=200 \\ x'
    mark = audit.mark()
    _, r = login_gate.post({"username": name, "password": "not it " + unique()})
    assert r.status_code == 401
    row, line = one_event(stack_dir, audit, mark, "login.fail")
    assert name.split('"')[0] + '\\x5c" status=200 \\x5c\\x5c x' in line, line


def test_denied_and_csrf_refused_requests_are_logged(sessions, people, demo, audit, stack_dir):
    user = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    mark = audit.mark()
    assert web.get("/admin/users").status_code == 403
    row, line = one_event(stack_dir, audit, mark, "access.denied")
    assert f"client={demo.client_id} user={user} token=0" in line and "GET /admin/users" in line
    mark = audit.mark()
    assert web.post("/contacts", {"last_name": "x"}, csrf=False).status_code == 403
    one_event(stack_dir, audit, mark, "csrf.reject")


def test_tokens_refused_and_used_from_a_new_address_are_logged(people, demo, db, base_url, cert, audit, stack_dir):
    user = people.user(demo.client_id, ["contacts.view"])
    token = "ctk_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    tid = db.int("INSERT INTO api_tokens (client_id, user_id, name, token_hash, created_at, expires_at) VALUES"
                 f" ({sql_int(demo.client_id)}, {sql_int(user)}, {sql_str(unique('log '))},"
                 f" UNHEX('{sha256_hex(token)}'), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 DAY);"
                 " SELECT LAST_INSERT_ID()")
    script = Web(base_url, cert)
    script.s.headers["Authorization"] = f"Bearer {token}"
    # The first use is from a new address; the next one from the same is not.
    mark = audit.mark()
    assert script.get("/contacts").status_code == 200
    # Two audit rows (the list and the event, for the security events page)
    # and one line.
    rows = audit.since(mark)
    assert [(x["action"], x["object_type"], x["object_id"]) for x in rows] == \
        [("contact.list", None, None), ("token.new_address", "api_token", tid)], rows
    assert rows[0]["request_id"] == rows[1]["request_id"]
    assert '"address":"127.0.0.1"' in rows[1]["detail"]
    lines = lines_of(stack_dir, rows[0]["request_id"])
    assert len(lines) == 1 and " security: token.new_address status=200 " in lines[0], lines
    line = lines[0]
    assert f"token={tid}" in line and "addr=127.0.0.1" in line
    mark = audit.mark()
    assert script.get("/contacts").status_code == 200
    assert lines_of(stack_dir, audit.one_since(mark)["request_id"]) == []
    # Where a token may not go, and a spoiled one.
    mark = audit.mark()
    assert script.get("/account").status_code == 403
    one_event(stack_dir, audit, mark, "token.refused")
    spoiled = Web(base_url, cert)
    spoiled.s.headers["Authorization"] = f"Bearer {token[:-1]}"
    mark = audit.mark()
    assert spoiled.get("/contacts").status_code == 401
    row, line = one_event(stack_dir, audit, mark, "token.invalid")
    assert token[:-1] not in line
