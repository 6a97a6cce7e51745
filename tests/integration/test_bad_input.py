"""Requests a browser would not send: too large, not UTF-8, no or a foreign
CSRF proof, unknown addresses, wrong methods and content types. Each must be
refused with the right status, change nothing, and never end in a 5xx."""
from urllib.parse import quote, urlsplit

import pytest

from conftest import SESSION_COOKIE, ListPage, Page, contact_form, raw_http, sql_str, unique

MIB = 1024 * 1024


def marked(demo, marker):
    """Contacts (deleted or not) that carry the marker in a name or the notes."""
    m = sql_str(marker)
    return demo.db.int(
        f"SELECT COUNT(*) FROM contacts WHERE client_id = {demo.client_id} AND (INSTR(first_name, {m}) > 0"
        f" OR INSTR(last_name, {m}) > 0 OR INSTR(notes, {m}) > 0)")


# ---------------------------------------------------------------- size

def test_body_over_1_mib_is_refused(admin, demo, audit):
    marker = unique("Big")
    total = demo.contact_count()
    mark = audit.mark()
    r = admin.post("/contacts", contact_form(last_name=marker, notes="x" * (MIB + 100)))
    assert r.status_code == 413, f"a body over 1 MiB answered {r.status_code}"
    assert demo.contact_count() == total and marked(demo, marker) == 0, "an oversized request was written"
    rows = audit.since(mark)
    # nginx may refuse it before the application sees it (no row); if the
    # application answered, its refusal is audited.
    assert len(rows) <= 1, f"more than one audit row for one request: {rows}"
    if rows:
        assert (rows[0]["method"], rows[0]["path"], rows[0]["outcome"]) == ("POST", "/contacts", 413), rows[0]


def test_chunked_body_over_1_mib_is_refused(admin, demo):
    marker = unique("Chunked")
    total = demo.contact_count()

    def body():
        yield f"csrf={admin.csrf}&last_name={marker}&notes=".encode()
        for _ in range(20):
            yield b"y" * 65536

    r = admin.request("POST", "/contacts", data=body(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413, f"a chunked body over 1 MiB answered {r.status_code}"
    assert demo.contact_count() == total and marked(demo, marker) == 0


def test_body_under_the_limit_reaches_the_validation(admin, demo):
    """Just under 1 MiB passes the size check and fails on the field limit."""
    marker = unique("Almost")
    r = admin.post("/contacts", contact_form(last_name=marker, notes="z" * (MIB - 2000)))
    assert r.status_code == 422, f"a large but allowed body answered {r.status_code}"
    assert Page(r.text).field_error("notes") and "too long" in Page(r.text).field_error("notes")
    assert marked(demo, marker) == 0


# ---------------------------------------------------------------- encoding

BAD_UTF8 = ["%C3%28", "%FF", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "abc%E2%82"]


@pytest.mark.parametrize("bad", BAD_UTF8)
def test_invalid_utf8_in_the_query_is_400(bad, admin):
    r = admin.get(f"/contacts?q={bad}", raw_path=True)
    assert r.status_code == 400, f"q={bad} answered {r.status_code}"
    assert "not UTF-8" in Page(r.text).text or "could not be understood" in Page(r.text).text


@pytest.mark.parametrize("bad", BAD_UTF8)
def test_invalid_utf8_in_a_form_field_is_400(bad, admin, demo, create_contact):
    marker = unique("Utf")
    total = demo.contact_count()
    body = f"csrf={admin.csrf}&last_name={marker}&first_name={bad}".encode()
    r = admin.request("POST", "/contacts", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, f"first_name={bad} answered {r.status_code}"
    assert demo.contact_count() == total and marked(demo, marker) == 0, "a form with bad UTF-8 was written"
    # The same in an edit: nothing changes.
    cid = create_contact()
    before = demo.contact(cid)
    body = f"csrf={admin.csrf}&version={quote(before['updated_at'])}&last_name=X&notes={bad}".encode()
    r = admin.request("POST", f"/contacts/{cid}", data=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, f"an edit with notes={bad} answered {r.status_code}"
    assert demo.contact(cid) == before


def test_raw_invalid_utf8_bytes_in_a_form_are_400(admin, demo):
    marker = unique("Raw")
    total = demo.contact_count()
    body = f"csrf={admin.csrf}&last_name={marker}&first_name=".encode() + b"\xc3\x28"
    r = admin.request("POST", "/contacts", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert demo.contact_count() == total


@pytest.mark.parametrize("query", ["q=%", "q=%Z1", "q=abc%4", "%=1", "q=%%41"])
def test_broken_percent_escapes_are_400(query, admin):
    status, body = admin.raw_get(f"/contacts?{query}")
    assert status == 400, f"?{query} answered {status}"


def test_control_characters_in_a_field_are_refused(admin, demo):
    marker = unique("Ctl")
    r = admin.post("/contacts", contact_form(last_name=marker, first_name="a\x01b", nickname="x\x1by"))
    assert r.status_code == 422, f"SOH and ESC in names answered {r.status_code}"
    page = Page(r.text)
    assert "control characters" in (page.field_error("first_name") or ""), page.field_error("first_name")
    assert "control characters" in (page.field_error("nickname") or "")
    assert marked(demo, marker) == 0


@pytest.mark.parametrize("where", ["value", "name"])
def test_nul_bytes_in_a_form_are_400(where, admin, demo):
    """A NUL would cut a C string short: "last_name\0x" would be read as
    last_name. Refused whole, in names and values alike."""
    marker = unique("Nul")
    form = contact_form(last_name=marker)
    if where == "value":
        form["first_name"] = "a\x00b"
    else:
        form["notes\x00x"] = "hidden"
    r = admin.post("/contacts", form)
    assert r.status_code == 400, f"a NUL byte in a field {where} answered {r.status_code}"
    assert marked(demo, marker) == 0


@pytest.mark.parametrize("query", ["page%00x=2", "page=2%00", "q%00=x", "sort=name%00evil"])
def test_nul_bytes_in_the_query_are_400(query, admin):
    status, _ = admin.raw_get(f"/contacts?{query}")
    assert status == 400, f"?{query} answered {status}"


@pytest.mark.parametrize("region", ["Ohio\u00e9", "US-\u00d6H", "US OH", "US-OH;--", "\u0130"])
def test_a_region_that_is_not_a_code_is_refused(region, admin, demo):
    r = admin.get("/contacts?region=" + quote(region))
    assert r.status_code == 400, f"?region={region!r} answered {r.status_code}"
    assert "region code" in Page(r.text).text
    marker = unique("Reg")
    r = admin.post("/contacts", contact_form(last_name=marker, region=region))
    assert r.status_code == 422, f"a contact with region {region!r} answered {r.status_code}"
    assert "not a known state or district" in (Page(r.text).field_error("region") or "")
    assert marked(demo, marker) == 0


def test_more_search_words_than_allowed_are_refused(admin, demo):
    r = admin.get("/contacts?q=" + quote("a b c d e f"))
    assert r.status_code == 200, f"a six-word search answered {r.status_code}"
    r = admin.get("/contacts?q=" + quote("a b c d e f zzzznotaname"))
    assert r.status_code == 400, f"a seven-word search answered {r.status_code} (words beyond six were ignored?)"
    assert "at most 6 words" in Page(r.text).text


# ---------------------------------------------------------------- CSRF and Origin

def post_routes(cid):
    return [
        ("/contacts", lambda marker, version: contact_form(last_name=marker)),
        (f"/contacts/{cid}", lambda marker, version: contact_form(last_name=marker, version=version)),
        (f"/contacts/{cid}/delete", lambda marker, version: {"confirm": "1"}),
        ("/logout", lambda marker, version: {"confirm": "1"}),
    ]


@pytest.mark.parametrize("how", ["missing", "empty", "wrong", "too short", "other session's login token"])
def test_every_post_needs_the_session_csrf_token(how, admin, demo, create_contact, login_gate):
    cid = create_contact()
    before = demo.contact(cid)
    total = demo.contact_count()
    token = {"missing": False, "empty": "", "wrong": "A" * 43, "too short": admin.csrf[:42],
             "other session's login token": login_gate.token}[how]
    marker = unique("Csrf")
    for path, form in post_routes(cid):
        r = admin.post(path, form(marker, before["updated_at"]), csrf=token)
        assert r.status_code == 403, f"POST {path} with a {how} CSRF token answered {r.status_code}"
        assert "Not allowed" in Page(r.text).text
    assert demo.contact(cid) == before, "a POST without a valid CSRF token changed the contact"
    assert demo.contact_count() == total and marked(demo, marker) == 0
    assert admin.get("/contacts").status_code == 200, "a POST /logout without a valid CSRF token logged out"


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://{host}", "https://{host}.evil.example",
                                    "https://evil.example/{host}"])
def test_a_foreign_origin_is_refused(origin, admin, demo, create_contact):
    host = urlsplit(admin.base).netloc
    origin = origin.format(host=host)
    cid = create_contact()
    before = demo.contact(cid)
    marker = unique("Origin")
    for path, form in post_routes(cid):
        r = admin.post(path, form(marker, before["updated_at"]), headers={"Origin": origin})
        assert r.status_code == 403, f"POST {path} with Origin {origin} and a valid token answered {r.status_code}"
    assert demo.contact(cid) == before and marked(demo, marker) == 0
    assert admin.get("/contacts").status_code == 200, "a cross-origin POST /logout logged out"


def test_the_own_origin_is_accepted(admin, demo):
    host = urlsplit(admin.base).netloc
    marker = unique("SameOrigin")
    r = admin.post("/contacts", contact_form(last_name=marker), headers={"Origin": f"https://{host}"})
    assert r.status_code == 303, f"a same-origin POST answered {r.status_code}"
    assert marked(demo, marker) == 1


# ---------------------------------------------------------------- addresses and methods

@pytest.mark.parametrize("path", [
    "/nothing-here", "/contacts/new/extra", "/CONTACTS", "/contacts//1", "/contacts/", "/contacts/1/edit/",
    "/login/", "/.git/config", "/fcgi/app.c", "/conf/stack.sh", "/static/../conf/stack.sh", "/static../Makefile",
    "/static/%2e%2e/conf/stack.sh", "/contacts%2F1", "/index.php", "/healthz/x",
])
def test_unknown_addresses_are_404(path, admin):
    r = admin.get(path, raw_path=True)
    assert r.status_code == 404, f"GET {path} answered {r.status_code}"
    assert "#!/bin/bash" not in r.text and "[core]" not in r.text, f"GET {path} leaked a file"


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/contacts", {"GET", "HEAD", "POST"}),
    ("PUT", "/contacts", {"GET", "HEAD", "POST"}),
    ("PATCH", "/contacts/{cid}", {"GET", "HEAD", "POST"}),
    ("DELETE", "/contacts/{cid}", {"GET", "HEAD", "POST"}),
    ("POST", "/contacts/{cid}/edit", {"GET", "HEAD"}),
    ("POST", "/contacts/new", {"GET", "HEAD"}),
    ("GET", "/logout", {"POST"}),
    ("POST", "/healthz", {"GET", "HEAD"}),
    ("OPTIONS", "/contacts", {"GET", "HEAD", "POST"}),
])
def test_wrong_methods_are_405_with_allow(method, path, allowed, admin, demo, create_contact):
    cid = create_contact()
    before = demo.contact(cid)
    path = path.format(cid=cid)
    r = admin.request(method, path, data={"csrf": admin.csrf, "last_name": "Changed"})
    assert r.status_code == 405, f"{method} {path} answered {r.status_code}"
    allow = {m.strip() for m in r.headers.get("Allow", "").split(",") if m.strip()}
    assert allow == allowed, f"{method} {path}: Allow is {r.headers.get('Allow')!r}, expected {sorted(allowed)}"
    assert demo.contact(cid) == before


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", "application/json", ""])
def test_forms_must_be_urlencoded(content_type, admin, demo):
    marker = unique("Type")
    body = f"csrf={admin.csrf}&last_name={marker}".encode()
    r = admin.request("POST", "/contacts", data=body, headers={"Content-Type": content_type})
    assert r.status_code == 415, f"a form sent as {content_type!r} answered {r.status_code}"
    assert marked(demo, marker) == 0


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded; charset=UTF-8",
    "Application/X-WWW-Form-Urlencoded",
    "application/x-www-form-urlencoded;charset=\"utf-8\"",
])
def test_form_content_types_are_read_as_media_types(content_type, admin, demo):
    marker = unique("Media")
    body = f"csrf={admin.csrf}&last_name={marker}".encode()
    r = admin.request("POST", "/contacts", data=body, headers={"Content-Type": content_type})
    assert r.status_code == 303, f"a form sent as {content_type!r} answered {r.status_code}"
    assert marked(demo, marker) == 1


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded; charset=iso-8859-1",
    "application/x-www-form-urlencodedXYZ",
    "application/x-www-form-urlencoded-but-not",
])
def test_other_media_types_and_charsets_are_415(content_type, admin, demo):
    marker = unique("Media")
    body = f"csrf={admin.csrf}&last_name={marker}".encode()
    r = admin.request("POST", "/contacts", data=body, headers={"Content-Type": content_type})
    assert r.status_code == 415, f"a form sent as {content_type!r} answered {r.status_code}"
    assert marked(demo, marker) == 0


def test_cookies_on_several_header_lines_are_all_read(admin, base_url, cert):
    """HTTP/1.1 allows the Cookie header on several lines; the session
    cookie on the second line must still be seen."""
    host = urlsplit(base_url).netloc
    token = admin.s.cookies.get(SESSION_COOKIE)
    assert token, "the admin client has no session cookie"
    req = (f"GET /contacts HTTP/1.1\r\nHost: {host}\r\nCookie: theme=dark\r\n"
           f"Cookie: {SESSION_COOKIE}={token}\r\nConnection: close\r\n\r\n")
    status, head, _ = raw_http(base_url, cert, req.encode())
    assert status == 200, f"a session cookie on the second Cookie line answered {status}: {head}"


def test_head_is_a_get_without_a_body(admin):
    r = admin.request("HEAD", "/contacts")
    assert r.status_code == 200 and r.content == b""


# ---------------------------------------------------------------- long and odd requests

def test_a_long_query_string_is_handled(admin, demo):
    r = admin.get("/contacts?q=" + "a" * 6000)
    assert r.status_code == 400, f"a 6 KB search answered {r.status_code}"
    r = admin.get("/contacts?x=" + "a" * 6000)
    assert r.status_code == 200, f"a 6 KB unknown parameter answered {r.status_code}"
    r = admin.get("/contacts?sort=name&" + "&".join(f"x{i}=1" for i in range(400)))
    assert r.status_code == 400, f"400 query parameters answered {r.status_code}"
    r = admin.get("/contacts?q=" + "b" * 20000)
    assert r.status_code in (400, 414), f"a 20 KB request line answered {r.status_code}"
    assert admin.get("/contacts").status_code == 200


def test_search_text_over_100_characters(admin):
    q = (unique("Q") + "é" * 100)[:100]
    r = admin.get("/contacts?" + "q=" + quote(q))
    assert r.status_code == 200 and ListPage(r).total == 0, f"a 100-character search answered {r.status_code}"
    r = admin.get("/contacts?" + "q=" + quote(q + "é"))
    assert r.status_code == 400, f"a 101-character search answered {r.status_code}"
    assert "search text is too long" in Page(r.text).text


def test_many_cookies_and_odd_cookie_headers(admin, anon):
    r = anon.get("/contacts", headers={"Cookie": ";;; =; ==; " + SESSION_COOKIE + "=\"\"; x"})
    assert r.status_code == 303, f"odd cookies answered {r.status_code}"
    r = anon.get("/contacts", headers={"Cookie": "; ".join(f"c{i}=v" for i in range(400))})
    assert r.status_code in (303, 400), f"400 cookies answered {r.status_code}"


def test_raw_bytes_in_the_path_are_404_and_audited(base_url, cert, audit):
    host = urlsplit(base_url).netloc
    mark = audit.mark()
    status, head, body = raw_http(
        base_url, cert, b"GET /contacts/\xc3\x28x HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n")
    assert status == 404, f"a path with invalid UTF-8 bytes answered {status}"
    row = audit.one_since(mark, "a path with raw bytes")
    assert row["outcome"] == 404 and row["path"] == "/contacts/\\xc3(x", f"audited as {row['path']!r}"


def test_a_very_long_path_is_404_and_audited(admin, audit):
    path = "/" + "long-" * 700
    mark = audit.mark()
    r = admin.get(path)
    assert r.status_code == 404, f"a {len(path)}-byte path answered {r.status_code}"
    row = audit.one_since(mark, "a very long path")
    assert row["outcome"] == 404 and path.startswith(row["path"]) and 1000 <= len(row["path"]) <= 2000, \
        f"the audited path has {len(row['path'])} characters"


def test_a_long_path_of_raw_multibyte_characters_is_audited(base_url, cert, audit):
    host = urlsplit(base_url).netloc
    path = ("/" + "ü" * 1500).encode()
    mark = audit.mark()
    status, _, _ = raw_http(base_url, cert,
                            b"GET " + path + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n")
    assert status == 404, f"a path of 1500 raw ü answered {status}"
    row = audit.one_since(mark, "a long UTF-8 path")
    assert row["path"] and "/" + "ü" * (len(row["path"]) - 1) == row["path"], "the path is cut inside a character"
