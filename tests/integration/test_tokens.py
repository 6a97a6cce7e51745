"""API tokens for report scripts.

The route part is generated from the route table (`ctrack check-routes
--list`, which names the routes an API token may call): every other route
refuses a valid token with 403 and changes nothing, and every token route
answers it. A token acts with exactly its user's functions and scope, a
refused token (unknown, malformed, another scheme, revoked, expired, a
disabled user) gets 401 with `WWW-Authenticate: Bearer error="invalid_token"`,
and only the header counts: a token in the address, a cookie or a form is
nobody. The done-when story runs end to end through the pages: create the
token, export with it, revoke it, and the next use is 401.
"""
import base64
import csv
import io
import json
import os
import re
import threading

import pytest

from conftest import (SESSION_COOKIE, Page, Web, contact_form, recount_totals, route_table, set_password, sha256_hex,
                      sql_int, sql_str, unique)

ROUTES = route_table()
TOKEN_ROUTES = [r[:4] for r in ROUTES if "token" in r[4]]
OTHER_ROUTES = [r[:4] for r in ROUTES if "token" not in r[4]]
# Every function some route needs: a user allowed all of them passes the matrix everywhere.
ROUTE_FUNCTIONS = sorted({r[2] for r in ROUTES} - {"public", "logged-in"})
EXPORT = "/export/contacts.csv"
TOKEN_FORMAT = re.compile(r"^ctk_[A-Za-z0-9_-]{43}$")
CHALLENGE = 'Bearer error="invalid_token"'


def new_token():
    """A token of the right format that nobody issued."""
    return "ctk_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def bearer(base_url, cert, token, scheme="Bearer"):
    """A client that sends the token in the Authorization header, as a script does."""
    web = Web(base_url, cert)
    web.s.headers["Authorization"] = f"{scheme} {token}"
    return web


class Tokens:
    """API tokens written straight into the database, as token_create writes
    them (only the SHA-256 of the token)."""

    def __init__(self, db):
        self.db = db

    def make(self, client_id, user_id, expires_in_s=86400, name=None):
        token = new_token()
        tid = self.db.int(
            "INSERT INTO api_tokens (client_id, user_id, name, token_hash, created_at, expires_at) VALUES"
            f" ({sql_int(client_id)}, {sql_int(user_id)}, {sql_str(name or unique('script '))},"
            f" UNHEX('{sha256_hex(token)}'), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL {int(expires_in_s)} SECOND);"
            " SELECT LAST_INSERT_ID()")
        return tid, token


@pytest.fixture(scope="module")
def tokens(db):
    return Tokens(db)


def region_id(db, client_id, code):
    return db.int(f"SELECT id FROM regions WHERE client_id = {sql_int(client_id)} AND code = {sql_str(code)}")


def in_region_ids(db, client_id, code):
    return [int(r[0]) for r in db.rows(
        f"SELECT c.id FROM contacts c WHERE c.client_id = {sql_int(client_id)} AND c.deleted_at IS NULL"
        " AND c.region_id IN (SELECT descendant_id FROM region_closure WHERE client_id ="
        f" {sql_int(client_id)} AND ancestor_id = {region_id(db, client_id, code)}) ORDER BY c.id")]


def csv_ids(response):
    assert response.status_code == 200, f"the export answered {response.status_code}: {response.text[:300]}"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows and rows[0][0] == "id", rows[:1]
    return [int(r[0]) for r in rows[1:]]


def audit_with_tokens(audit, mark):
    """The audit rows since mark, each with its token_id."""
    rows = audit.since(mark)
    ids = {int(a): (None if t is None else int(t)) for a, t in audit.db.rows(
        f"SELECT id, token_id FROM audit WHERE id > {int(mark)}")}
    for r in rows:
        r["token_id"] = ids[r["id"]]
    return rows


def state(db, client_id):
    """Everything a refused request could have changed, in one row."""
    c = sql_int(client_id)
    return db.rows(
        f"SELECT (SELECT COUNT(*) FROM contacts WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM contacts WHERE client_id = {c} AND deleted_at IS NULL),"
        f" (SELECT MAX(updated_at) FROM contacts WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM campaigns WHERE client_id = {c}),"
        f" (SELECT GROUP_CONCAT(name, archived_at IS NULL ORDER BY id) FROM campaigns WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM contact_campaigns WHERE client_id = {c}),"
        f" (SELECT GROUP_CONCAT(status ORDER BY campaign_id, contact_id) FROM contact_campaigns WHERE client_id = {c}),"
        f" (SELECT GROUP_CONCAT(username, status, user_type_id, display_name, all_regions, all_campaigns,"
        f"  password_hash ORDER BY id) FROM users WHERE client_id = {c}),"
        f" (SELECT GROUP_CONCAT(name ORDER BY id) FROM user_types WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM user_type_functions WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM user_regions WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM user_campaigns WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM api_tokens WHERE client_id = {c}),"
        f" (SELECT COUNT(*) FROM api_tokens WHERE client_id = {c} AND revoked_at IS NULL),"
        f" (SELECT COUNT(*) FROM sessions WHERE client_id = {c})")[0]


@pytest.fixture(scope="module")
def org(db, people, tokens):
    """A client of its own, with a user allowed every function a route needs
    (all regions and campaigns), a contact of an organisation, a campaign
    with the contact in it, and a live token of the user."""
    class Org:
        pass
    o = Org()
    o.client_id = people.client()
    o.user_id = people.user(o.client_id, ROUTE_FUNCTIONS)
    o.type_id = db.int(f"SELECT user_type_id FROM users WHERE id = {o.user_id}")
    o.contact_id = db.int(
        "INSERT INTO contacts (client_id, first_name, last_name, organisation) VALUES"
        f" ({o.client_id}, 'Token', {sql_str(unique('Route'))}, {sql_str(unique('Office '))});"
        " SELECT LAST_INSERT_ID()")
    recount_totals(db, o.client_id)
    o.organisation_id = db.int(f"SELECT organisation_id FROM contacts WHERE id = {o.contact_id}")
    o.campaign_id = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({o.client_id},"
                           f" {sql_str(unique('Camp '))}); SELECT LAST_INSERT_ID()")
    db.rows(f"INSERT INTO contact_campaigns (client_id, campaign_id, contact_id) VALUES"
            f" ({o.client_id}, {o.campaign_id}, {o.contact_id})")
    o.token_id, o.token = tokens.make(o.client_id, o.user_id)
    return o


def route_path(pattern, o):
    """The route's path with the id of a row the org owns, so that a request
    that got through would change something real."""
    if "{id}" not in pattern:
        return pattern
    if pattern.startswith("/contacts/"):
        rid = o.contact_id
    elif pattern.startswith("/campaigns/") or pattern.startswith("/dashboard/campaigns/"):
        rid = o.campaign_id
    elif pattern.startswith("/organisations/"):
        rid = o.organisation_id
    elif pattern.startswith("/admin/users/"):
        rid = o.user_id
    elif pattern.startswith("/admin/types/"):
        rid = o.type_id
    elif "tokens/" in pattern:
        rid = o.token_id
    else:
        rid = 1
    return pattern.replace("{id}", str(rid))


# ---------------------------------------------------------------- every route of the table

def test_the_route_table_names_token_routes():
    assert TOKEN_ROUTES and OTHER_ROUTES
    assert all(m == "GET" for m, _, _, _ in TOKEN_ROUTES), "a token route that is not a read"
    assert ("GET", EXPORT) in {(m, p) for m, p, _, _ in TOKEN_ROUTES}


@pytest.mark.parametrize("method, pattern, function, action", OTHER_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in OTHER_ROUTES])
def test_every_other_route_refuses_a_valid_token(method, pattern, function, action, org, base_url, cert, db,
                                                 audit, login_gate):
    web = bearer(base_url, cert, org.token)
    path = route_path(pattern, org)
    before = state(db, org.client_id)
    mark = audit.mark()
    form = dict(contact_form(last_name=unique("Tok")), name=unique("Tok "), username=unique("tok-"),
                status="targeted", contact=str(org.contact_id), campaign=str(org.campaign_id), days="30")
    send = (lambda: web.get(path)) if method == "GET" else (lambda: web.post(path, form, csrf=False))
    # A request to /login like any other: counted against the suite's budget.
    r = login_gate._count(send) if pattern == "/login" else send()
    assert r.status_code == 403, f"{method} {path} with a token answered {r.status_code}"
    rows = audit_with_tokens(audit, mark)
    assert [(x["method"], x["path"], x["action"], x["outcome"], x["user_id"], x["token_id"]) for x in rows] == \
        [(method, path, "token.refused", 403, org.user_id, org.token_id)], rows
    assert state(db, org.client_id) == before, f"{method} {path} with a token changed something"


@pytest.mark.parametrize("method, pattern, function, action", TOKEN_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in TOKEN_ROUTES])
def test_every_token_route_answers_a_valid_token(method, pattern, function, action, org, base_url, cert, audit):
    web = bearer(base_url, cert, org.token)
    path = route_path(pattern, org)
    mark = audit.mark()
    r = web.get(path)
    assert r.status_code == 200, f"GET {path} with a token answered {r.status_code}"
    if pattern == EXPORT:
        assert csv_ids(r) == [org.contact_id]
    elif pattern == "/export/contacts.json":
        assert [x["id"] for x in r.json()] == [org.contact_id]
    elif pattern == "/export/contacts.ndjson":
        assert [json.loads(line)["id"] for line in r.text.splitlines()] == [org.contact_id]
    elif pattern == "/export/contacts.vcf":
        assert r.text.count("BEGIN:VCARD") == 1 and f"X-CTRACK-ID:{org.contact_id}\r\n" in r.text
    elif pattern.startswith("/contacts"):
        assert f"/contacts/{org.contact_id}" in r.text or "Route" in r.text
    elif pattern == "/organisations/{id}":
        assert f"/contacts/{org.contact_id}" in r.text
    elif pattern == "/dashboard/campaigns/{id}/funnel.svg":
        assert r.headers["Content-Type"].startswith("image/svg+xml") and "<svg" in r.text
    rows = audit_with_tokens(audit, mark)
    # The token's first use (from a new address) is a security event of its own.
    new_address = [x for x in rows if x["action"] == "token.new_address"]
    rows = [x for x in rows if x["action"] != "token.new_address"]
    assert len(new_address) <= 1 and all((x["client_id"], x["user_id"], x["token_id"], x["object_id"]) ==
                                         (org.client_id, org.user_id, org.token_id, org.token_id)
                                         for x in new_address), new_address
    assert rows and all((x["action"], x["outcome"], x["client_id"], x["user_id"], x["token_id"]) ==
                        (action, 200, org.client_id, org.user_id, org.token_id) for x in rows), rows
    # An export records its start and its end; a page one row.
    assert len(rows) == (2 if pattern.startswith("/export/") or pattern.startswith("/audit/export.") else 1)


# ---------------------------------------------------------------- refused tokens

def assert_refused(r, audit, mark, reason, token_id=None, user_id=None, secret=None):
    assert r.status_code == 401, f"answered {r.status_code}, not 401"
    assert r.headers.get("WWW-Authenticate") == CHALLENGE, r.headers
    assert "Location" not in r.headers, "a script is never sent to the logon page"
    rows = audit_with_tokens(audit, mark)
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row["action"], row["outcome"], row["token_id"], row["user_id"]) == \
        ("token.invalid", 401, token_id, user_id), row
    assert json.loads(row["detail"]) == {"reason": reason}
    if secret:
        raw = audit.db.value(f"SELECT CONCAT_WS('|', path, detail, remote_addr) FROM audit WHERE id = {row['id']}")
        assert secret[4:] not in raw, "the token went into the audit trail"


def test_a_planted_token_of_the_right_format_is_401(base_url, cert, audit):
    token = new_token()
    mark = audit.mark()
    r = bearer(base_url, cert, token).get(EXPORT)
    assert_refused(r, audit, mark, "unknown", secret=token)
    assert token not in r.text


@pytest.mark.parametrize("header, reason", [
    ("Basic YWRtaW46c2VjcmV0", "not a bearer token"),
    ("Token {t}", "not a bearer token"),
    ("Bearer  {t}", "malformed"),
    ("Bearer {t}=", "malformed"),
    ("Bearer {t}x", "malformed"),
    ("Bearer abc.def.ghi", "malformed"),
    ("Bearer", "malformed"),
])
def test_other_schemes_and_malformed_tokens_are_401(header, reason, org, base_url, cert, audit):
    web = Web(base_url, cert)
    mark = audit.mark()
    r = web.get("/contacts", headers={"Authorization": header.format(t=org.token)})
    assert_refused(r, audit, mark, reason)


def test_the_token_scheme_ignores_case(org, base_url, cert):
    for scheme in ("bearer", "BEARER"):
        assert bearer(base_url, cert, org.token, scheme=scheme).get("/campaigns").status_code == 200


def test_revoked_expired_and_disabled_user_tokens_are_401(people, tokens, db, demo, base_url, cert, audit):
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"])
    cases = {}
    for what in ("revoked", "expired", "user disabled"):
        cases[what] = tokens.make(demo.client_id, user)
    for what, (tid, token) in cases.items():
        assert bearer(base_url, cert, token).get("/contacts").status_code == 200, f"{what}: not live to begin with"
    db.rows(f"UPDATE api_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE id = {cases['revoked'][0]}")
    db.rows(f"UPDATE api_tokens SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = {cases['expired'][0]}")
    for what in ("revoked", "expired"):
        tid, token = cases[what]
        mark = audit.mark()
        r = bearer(base_url, cert, token).get(EXPORT)
        assert_refused(r, audit, mark, what, token_id=tid, user_id=user, secret=token)
    tid, token = cases["user disabled"]
    db.rows(f"UPDATE users SET status = 'disabled' WHERE id = {user}")
    mark = audit.mark()
    r = bearer(base_url, cert, token).get(EXPORT)
    assert_refused(r, audit, mark, "user disabled", token_id=tid, user_id=user, secret=token)
    # Enabled again, the token works again: it was never revoked.
    db.rows(f"UPDATE users SET status = 'active' WHERE id = {user}")
    assert bearer(base_url, cert, token).get("/contacts").status_code == 200


def test_a_post_with_a_token_is_refused_and_creates_nothing(org, base_url, cert, db):
    marker = unique("Posted")
    r = bearer(base_url, cert, org.token).post("/contacts", contact_form(last_name=marker), csrf=False)
    assert r.status_code == 403
    assert db.int(f"SELECT COUNT(*) FROM contacts WHERE last_name = {sql_str(marker)}") == 0
    # With a CSRF field too: a token is refused for what it is.
    r = bearer(base_url, cert, org.token).post("/contacts", contact_form(last_name=marker), csrf="x" * 43)
    assert r.status_code == 403
    assert db.int(f"SELECT COUNT(*) FROM contacts WHERE last_name = {sql_str(marker)}") == 0


def test_a_token_in_the_address_a_cookie_or_a_form_is_ignored(org, anon, audit, db):
    for path in (f"/contacts?access_token={org.token}", f"/contacts?token={org.token}",
                 f"/campaigns?authorization=Bearer+{org.token}"):
        r = anon.get(path)
        assert r.status_code == 303 and r.headers["Location"].startswith("/login?next="), path
    for name in (SESSION_COOKIE, "access_token", "token", "Authorization"):
        web = Web(anon.base, anon.cert)
        web.set_cookie(name, org.token)
        r = web.get("/contacts")
        assert r.status_code == 303 and r.headers["Location"].startswith("/login?next="), name
    marker = unique("Form")
    mark = audit.mark()
    r = anon.post("/contacts", dict(contact_form(last_name=marker), access_token=org.token,
                                    authorization=f"Bearer {org.token}"), csrf=False)
    assert r.status_code in (401, 403)
    assert db.int(f"SELECT COUNT(*) FROM contacts WHERE last_name = {sql_str(marker)}") == 0
    assert all(x["user_id"] is None for x in audit.since(mark))


def test_the_header_wins_over_a_session_cookie(org, sessions, tokens, people, demo, db, base_url, cert):
    """A request with a token is the token's user, whatever cookie it carries."""
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"], all_regions=False)
    db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES"
            f" ({demo.client_id}, {user}, {region_id(db, demo.client_id, 'US-VT')})")
    _, token = tokens.make(demo.client_id, user)
    _, admin_cookie = sessions.make()
    web = bearer(base_url, cert, token)
    web.set_cookie(SESSION_COOKIE, admin_cookie)
    assert csv_ids(web.get(EXPORT)) == in_region_ids(db, demo.client_id, "US-VT")


# ---------------------------------------------------------------- scope and functions

def test_a_token_exports_exactly_its_users_scope_until_the_type_loses_export(people, tokens, db, demo, base_url,
                                                                             cert, audit):
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"], all_regions=False)
    db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES"
            f" ({demo.client_id}, {user}, {region_id(db, demo.client_id, 'US-OH')})")
    tid, token = tokens.make(demo.client_id, user)
    web = bearer(base_url, cert, token)
    ohio = in_region_ids(db, demo.client_id, "US-OH")
    assert len(ohio) > 100
    assert csv_ids(web.get(EXPORT)) == ohio
    assert csv_ids(web.get(EXPORT + "?region=US-CA")) == []
    assert csv_ids(web.get(EXPORT + "?region=US-OH-03")) == in_region_ids(db, demo.client_id, "US-OH-03")
    # A contact outside the scope is not there for the token either.
    outside = in_region_ids(db, demo.client_id, "US-CA")[0]
    assert web.get(f"/contacts/{outside}").status_code == 404
    assert web.get(f"/contacts/{ohio[0]}").status_code == 200
    # The type loses contacts.export: the same token, at once, 403.
    type_id = db.int(f"SELECT user_type_id FROM users WHERE id = {user}")
    db.rows(f"DELETE FROM user_type_functions WHERE client_id = {demo.client_id} AND user_type_id = {type_id}"
            " AND function_name = 'contacts.export'")
    mark = audit.mark()
    r = web.get(EXPORT)
    assert r.status_code == 403
    rows = audit_with_tokens(audit, mark)
    assert [(x["action"], x["outcome"], x["user_id"], x["token_id"]) for x in rows] == \
        [("access.denied", 403, user, tid)]
    assert web.get("/contacts").status_code == 200, "contacts.view is still allowed"


def test_a_token_of_a_user_without_the_function_is_403(people, tokens, demo, base_url, cert):
    user = people.user(demo.client_id, ["campaigns.view"])
    _, token = tokens.make(demo.client_id, user)
    web = bearer(base_url, cert, token)
    assert web.get("/campaigns").status_code == 200
    assert web.get("/contacts").status_code == 403
    assert web.get(EXPORT).status_code == 403


# ---------------------------------------------------------------- the pages

MANAGER = ["tokens.manage", "contacts.view", "contacts.export"]


@pytest.fixture
def manager(people, sessions, db, demo):
    """A logged-in user of the demo client allowed tokens.manage, limited to
    Vermont."""
    user = people.user(demo.client_id, MANAGER, all_regions=False)
    db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES"
            f" ({demo.client_id}, {user}, {region_id(db, demo.client_id, 'US-VT')})")
    web, _ = sessions.make(user_id=user)
    web.user_id = user
    return web


def create_token(web, name, days="90"):
    """(token, page) from the create form."""
    form = Page(web.get("/account/tokens").text).form("/account/tokens")
    assert form["fields"].get("days") == "90", form
    r = web.post("/account/tokens", {"name": name, "days": days})
    assert r.status_code == 200, f"creating a token answered {r.status_code}: {Page(r.text).text[:300]}"
    page = Page(r.text)
    token = page.by_id["token-value"].strip()
    assert TOKEN_FORMAT.match(token), token
    return token, page


def token_row(page, token_id):
    return re.sub(r"\s+", " ", page.by_id[f"tokens-{token_id}"]).strip()


def test_the_done_when_story(manager, db, demo, base_url, cert, audit):
    """A report script using a token gets exactly what its user may see, and
    nothing after the token is revoked."""
    name = unique("Weekly report ")
    mark = audit.mark()
    token, page = create_token(manager, name, days="30")
    # Shown once, with a curl example that sends it in the header.
    example = re.sub(r"\s+", " ", page.by_id["token-example"]).strip()
    assert page.by_id["token-header"].strip() == f"Authorization: Bearer {token}"
    assert "-H @token-header.txt" in example and f"{base_url}/export/contacts.csv" in example
    assert token not in example, "the example puts the token on the command line"
    assert token not in manager.get("/account/tokens").text, "the token is shown again"
    # Stored hashed, with its expiry.
    rows = db.rows(f"SELECT id, HEX(token_hash), TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at), revoked_at,"
                   f" HEX(name) FROM api_tokens WHERE user_id = {manager.user_id}")
    assert len(rows) == 1
    tid, thash, expires_in, revoked, hname = rows[0]
    tid = int(tid)
    assert thash == sha256_hex(token) and revoked is None and bytes.fromhex(hname).decode() == name
    assert 30 * 86400 - 120 < int(expires_in) <= 30 * 86400
    created = [x for x in audit.since(mark) if x["action"] == "token.create"]
    assert len(created) == 1 and created[0]["object_id"] == tid and created[0]["outcome"] == 200
    d = json.loads(created[0]["detail"])
    assert d["token"]["name"] == name and d["token"]["days"] == 30 and d["token"]["expires_at"].endswith("Z")
    assert token[4:] not in created[0]["detail"]

    # The script: exactly the user's scope.
    script = bearer(base_url, cert, token)
    mark = audit.mark()
    assert csv_ids(script.get(EXPORT)) == in_region_ids(db, demo.client_id, "US-VT")
    uses = audit_with_tokens(audit, mark)
    # The start and end of the export, and the first use as a security event.
    assert sorted(x["action"] for x in uses) == ["contact.export", "contact.export", "token.new_address"], uses
    assert all(x["token_id"] == tid and x["user_id"] == manager.user_id for x in uses)

    # The last use, time and address, on the page.
    last = db.rows(f"SELECT DATE_FORMAT(last_used_at, '%Y-%m-%d %H:%i'), last_used_addr FROM api_tokens"
                   f" WHERE id = {tid}")[0]
    assert last[0] and last[1]
    page = Page(manager.get("/account/tokens").text)
    row = token_row(page, tid)
    assert name in row and f"{last[0]} from {last[1]}" in row and "active" in row

    # Revoked through the page: the next use is 401.
    mark = audit.mark()
    r = manager.post(f"/account/tokens/{tid}/revoke")
    assert r.status_code == 303 and r.headers["Location"] == "/account/tokens?revoked=1"
    rev = audit.one_since(mark, "the revocation")
    assert (rev["action"], rev["object_id"], json.loads(rev["detail"])) == \
        ("token.revoke", tid, {"token": {"id": tid, "user_id": manager.user_id, "name": name}, "was_revoked": False,
                         "changes": {"revoked": {"old": False, "new": True}}})
    mark = audit.mark()
    assert_refused(script.get(EXPORT), audit, mark, "revoked", token_id=tid, user_id=manager.user_id, secret=token)
    page = Page(manager.get("/account/tokens?revoked=1").text)
    assert "revoked" in token_row(page, tid)
    assert not [f for f in page.forms if f["action"] == f"/account/tokens/{tid}/revoke"], "a revoke button remains"


def test_last_use_is_written_once_a_minute_or_from_a_new_address(tokens, people, demo, db, base_url, cert):
    user = people.user(demo.client_id, ["campaigns.view"])
    tid, token = tokens.make(demo.client_id, user)
    web = bearer(base_url, cert, token)
    assert db.value(f"SELECT last_used_at FROM api_tokens WHERE id = {tid}") is None
    assert web.get("/campaigns").status_code == 200
    first = db.rows(f"SELECT last_used_at, last_used_addr FROM api_tokens WHERE id = {tid}")[0]
    assert first[0] and first[1]
    assert web.get("/campaigns").status_code == 200
    assert db.rows(f"SELECT last_used_at, last_used_addr FROM api_tokens WHERE id = {tid}")[0] == first
    db.rows(f"UPDATE api_tokens SET last_used_at = last_used_at - INTERVAL 61 SECOND WHERE id = {tid}")
    assert web.get("/campaigns").status_code == 200
    assert db.int(f"SELECT TIMESTAMPDIFF(SECOND, last_used_at, UTC_TIMESTAMP(6)) FROM api_tokens"
                  f" WHERE id = {tid}") < 30
    db.rows(f"UPDATE api_tokens SET last_used_addr = '192.0.2.7' WHERE id = {tid}")
    assert web.get("/campaigns").status_code == 200
    assert db.value(f"SELECT last_used_addr FROM api_tokens WHERE id = {tid}") == first[1]


@pytest.mark.parametrize("name, days, field, message", [
    ("", "90", "name", "is needed"),
    ("   ", "90", "name", "is needed"),
    ("x" * 101, "90", "name", "too long"),
    ("bad\x01name", "90", "name", "control"),
    ("ok", "0", "days", "1 to 365"),
    ("ok", "366", "days", "1 to 365"),
    ("ok", "ten", "days", "1 to 365"),
    ("ok", "-5", "days", "1 to 365"),
])
def test_a_bad_create_form_comes_back_with_the_input(name, days, field, message, manager, db):
    r = manager.post("/account/tokens", {"name": name, "days": days})
    assert r.status_code == 422
    page = Page(r.text)
    err = page.field_error(field)
    assert err and message in err.lower(), err
    assert "token-value" not in page.by_id
    form = page.form("/account/tokens")
    assert form["fields"]["days"] == days and (field != "days" or form["fields"]["name"] == name)
    assert db.int(f"SELECT COUNT(*) FROM api_tokens WHERE user_id = {manager.user_id}") == 0


def test_the_lifetime_defaults_to_90_days_and_names_are_trimmed(manager, db):
    r = manager.post("/account/tokens", {"name": "  Nightly sync  "})
    assert r.status_code == 200
    name, expires_in = db.rows(f"SELECT name, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at) FROM api_tokens"
                               f" WHERE user_id = {manager.user_id}")[0]
    assert name == "Nightly sync" and 90 * 86400 - 120 < int(expires_in) <= 90 * 86400
    r = manager.post("/account/tokens", {"name": "Year", "days": "365"})
    assert r.status_code == 200


def test_a_user_may_hold_at_most_20_live_tokens(manager, tokens, demo, db):
    for _ in range(19):
        tokens.make(demo.client_id, manager.user_id)
    tokens.make(demo.client_id, manager.user_id, expires_in_s=-10)  # expired: does not count
    assert manager.post("/account/tokens", {"name": "twentieth", "days": "1"}).status_code == 200
    r = manager.post("/account/tokens", {"name": "one more", "days": "1"})
    assert r.status_code == 422 and "20 active tokens" in Page(r.text).by_id["form-error"]


def test_only_ones_own_tokens_can_be_revoked_on_the_account_page(manager, tokens, people, demo, db, org):
    other = people.user(demo.client_id, MANAGER)
    tid, token = tokens.make(demo.client_id, other)
    for target in (tid, org.token_id, 999999999):
        assert manager.post(f"/account/tokens/{target}/revoke").status_code == 404
    assert db.value(f"SELECT revoked_at FROM api_tokens WHERE id = {tid}") is None
    assert db.value(f"SELECT revoked_at FROM api_tokens WHERE id = {org.token_id}") is None
    # Nor are they listed.
    page = Page(manager.get("/account/tokens").text)
    assert f"tokens-{tid}" not in page.by_id


def test_without_tokens_manage_there_is_no_token_page(people, sessions, demo, db):
    user = people.user(demo.client_id, ["contacts.view"])
    web, _ = sessions.make(user_id=user)
    assert web.get("/account/tokens").status_code == 403
    assert web.post("/account/tokens", {"name": "x", "days": "1"}).status_code == 403
    assert db.int(f"SELECT COUNT(*) FROM api_tokens WHERE user_id = {user}") == 0
    assert 'href="/account/tokens"' not in web.get("/contacts").text


def test_an_administrator_sees_and_revokes_a_users_tokens(admin, tokens, people, demo, db, org, base_url, cert,
                                                          audit):
    user = people.user(demo.client_id, ["campaigns.view"])
    tid, token = tokens.make(demo.client_id, user, name="Board report")
    assert bearer(base_url, cert, token).get("/campaigns").status_code == 200
    page = Page(admin.get(f"/admin/users/{user}").text)
    row = re.sub(r"\s+", " ", page.by_id[f"user-tokens-{tid}"])
    assert "Board report" in row and "active" in row and " from " in row
    form = page.form(f"/admin/tokens/{tid}/revoke")
    assert form["fields"]["csrf"] == admin.csrf
    mark = audit.mark()
    r = admin.post(f"/admin/tokens/{tid}/revoke")
    assert r.status_code == 303 and r.headers["Location"].startswith(f"/admin/users/{user}?")
    row = audit.one_since(mark, "the revocation")
    assert (row["action"], row["object_type"], row["object_id"], row["user_id"]) == \
        ("token.admin_revoke", "api_token", tid, demo.user_id)
    assert json.loads(row["detail"])["token"] == {"id": tid, "user_id": user, "name": "Board report"}
    assert bearer(base_url, cert, token).get("/campaigns").status_code == 401
    assert "revoked" in re.sub(r"\s+", " ", Page(admin.get(f"/admin/users/{user}").text).by_id[f"user-tokens-{tid}"])
    # Another client's token is not there for this administrator.
    assert admin.post(f"/admin/tokens/{org.token_id}/revoke").status_code == 404
    assert db.value(f"SELECT revoked_at FROM api_tokens WHERE id = {org.token_id}") is None


def test_a_token_of_a_user_who_must_change_the_password_is_403_not_a_redirect(people, tokens, demo, db, base_url,
                                                                              cert):
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"])
    _, token = tokens.make(demo.client_id, user)
    web = bearer(base_url, cert, token)
    assert web.get("/contacts").status_code == 200
    db.rows(f"UPDATE users SET must_change_password = 1 WHERE id = {user}")
    r = web.get(EXPORT)
    assert r.status_code == 403 and "Location" not in r.headers
    db.rows(f"UPDATE users SET must_change_password = 0 WHERE id = {user}")
    assert web.get("/contacts").status_code == 200


def test_a_password_change_revokes_the_tokens_made_with_the_old_one(people, demo, db, sessions, base_url, cert,
                                                                     audit):
    """Someone holding a user's session (a stolen cookie, an unlocked
    screen) makes an API token; the owner's remedy, changing the password,
    ends every session and revokes every token too."""
    user_id = people.user(demo.client_id, ["contacts.view", "contacts.export", "tokens.manage"])
    password = "correct horse " + unique()
    set_password(db, user_id, password)
    thief, _ = sessions.make(user_id=user_id)
    r = thief.post("/account/tokens", {"name": "not mine", "days": "365"})
    assert r.status_code == 200, r.status_code
    token = re.search(r"ctk_[A-Za-z0-9_-]{43}", r.text).group(0)
    owner, _ = sessions.make(user_id=user_id)
    new = "a fresh secret " + unique()
    r = owner.post("/account/password", {"current_password": password, "password": new, "password2": new})
    assert r.status_code == 303, r.status_code
    assert thief.get("/contacts").status_code == 303  # the stolen session is gone
    script = Web(base_url, cert)
    script.s.headers["Authorization"] = f"Bearer {token}"
    r = script.get("/export/contacts.csv")
    assert r.status_code == 401, f"the thief's token still exports ({r.status_code}) after the owner changed the password"
    assert db.int(f"SELECT COUNT(*) FROM api_tokens WHERE user_id = {user_id} AND revoked_at IS NULL") == 0


def test_parallel_creates_cannot_pass_the_limit_of_20_live_tokens(people, demo, db, sessions):
    """Four creates at once with 19 live tokens: they take turns on the
    user's row, so exactly one gets the twentieth. A few rounds, since a
    race needs requests in the same moment."""
    seen = []
    for _ in range(8):
        user_id = people.user(demo.client_id, ["contacts.view", "tokens.manage"])
        for i in range(19):
            db.rows("INSERT INTO api_tokens (client_id, user_id, name, token_hash, expires_at) VALUES"
                    f" ({demo.client_id}, {user_id}, 'filler {i}', UNHEX(SHA2({sql_str(unique())}, 256)),"
                    " UTC_TIMESTAMP(6) + INTERVAL 1 DAY)")
        clients = [sessions.make(user_id=user_id)[0] for _ in range(4)]
        threads = [threading.Thread(target=lambda w=w: w.post("/account/tokens", {"name": "race", "days": "5"}))
                   for w in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seen.append(db.int(f"SELECT COUNT(*) FROM api_tokens WHERE user_id = {user_id} AND revoked_at IS NULL"
                           " AND expires_at > UTC_TIMESTAMP(6)"))
    assert max(seen) <= 20, f"live tokens per round: {seen}"
