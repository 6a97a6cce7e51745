"""GET /export/contacts.csv: the contacts of the list's filter, inside the
user's scope, as RFC 4180 CSV, streamed; compared with the database, through
nginx, with the audit rows that bracket every export."""
import csv
import io
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import time
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from conftest import (SESSION_COOKIE, Page, Sessions, config_changed, configured_workers, recount_totals, sql_int,
                      sql_str, supervisor_pid, unhex, unique, wait_for, workers)

COLUMNS = ["id", "external_id", "first_name", "middle_name", "last_name", "suffix", "nickname", "title",
           "organisation", "party", "email", "email_type", "phone", "phone_type", "other_emails", "other_phones",
           "address", "city", "address_region", "postal_code", "country", "website", "contact_form", "birthday",
           "region_code", "region_name", "tags", "notes", "updated_at"]
TEXT = ("external_id", "first_name", "middle_name", "last_name", "suffix", "nickname", "title", "organisation",
        "party", "email", "email_type", "phone", "phone_type", "address", "city", "address_region", "postal_code",
        "country", "website", "contact_form", "notes")
PATH = "/export/contacts.csv"
BOM = b"\xef\xbb\xbf"


def export_path(**params):
    return PATH + ("?" + urlencode(params) if params else "")


def get_export(web, **params):
    """(response, rows as dicts) of a complete export."""
    r = web.get(export_path(**params))
    assert r.status_code == 200, f"GET {export_path(**params)} answered {r.status_code}: {r.text[:300]}"
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = r.content
    if body.startswith(BOM):
        body = body[3:]
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    header = next(reader)
    assert header == COLUMNS, f"the header row is {header}"
    rows = [dict(zip(COLUMNS, rec)) for rec in reader]
    assert all(len(row) == len(COLUMNS) for row in rows)
    return r, rows


def export_ids(web, **params):
    return [int(row["id"]) for row in get_export(web, **params)[1]]


def db_rows(db, client_id, where="1", order="c.id"):
    """The export's columns for the live contacts matching where, from SQL,
    exactly as stored (NULL becomes "", as in the file)."""
    cols = ", ".join(f"HEX(c.{c})" for c in TEXT)
    lists = ", ".join(
        f"HEX((SELECT GROUP_CONCAT(CONCAT(x.value, IF(x.types = '', '', CONCAT(' (', x.types, ')')))"
        f" ORDER BY x.seq SEPARATOR '\\n') FROM contact_channels x WHERE x.client_id = c.client_id"
        f" AND x.contact_id = c.id AND x.kind = '{kind}'))" for kind in ("email", "phone"))
    rows = db.rows(
        f"SELECT c.id, {cols}, c.birthday, r.code, HEX(r.name),"
        " DATE_FORMAT(c.updated_at, '%Y-%m-%dT%H:%i:%s.%fZ'), " + lists + ","
        " HEX((SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR ', ') FROM contact_tags t"
        " WHERE t.client_id = c.client_id AND t.contact_id = c.id)) FROM contacts c"
        " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id"
        f" WHERE c.client_id = {sql_int(client_id)} AND c.deleted_at IS NULL AND ({where}) ORDER BY {order}")
    out = []
    for row in rows:
        d = {"id": row[0]}
        for i, c in enumerate(TEXT):
            d[c] = unhex(row[1 + i]) or ""
        n = 1 + len(TEXT)
        d["birthday"] = row[n] or ""
        d["region_code"] = row[n + 1] or ""
        d["region_name"] = unhex(row[n + 2]) or ""
        d["updated_at"] = row[n + 3]
        d["other_emails"] = unhex(row[n + 4]) or ""
        d["other_phones"] = unhex(row[n + 5]) or ""
        d["tags"] = unhex(row[n + 6]) or ""
        out.append(d)
    return out


def db_ids(db, client_id, where="1"):
    return [int(r[0]) for r in db.rows(
        f"SELECT c.id FROM contacts c WHERE c.client_id = {sql_int(client_id)} AND c.deleted_at IS NULL"
        f" AND ({where}) ORDER BY c.id")]


def in_region(client_id, code):
    return ("c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions a"
            " ON a.client_id = rc.client_id AND a.id = rc.ancestor_id"
            f" WHERE a.client_id = {sql_int(client_id)} AND a.code = {sql_str(code)})")


def region_id(db, client_id, code):
    return db.int(f"SELECT id FROM regions WHERE client_id = {sql_int(client_id)} AND code = {sql_str(code)}")


def export_rows_since(audit, mark, user_id=None):
    rows = [r for r in audit.since(mark) if r["path"] == PATH]
    return [r for r in rows if user_id is None or r["user_id"] == user_id]


@pytest.fixture(scope="module")
def msessions(db, demo, base_url, cert):
    s = Sessions(db, demo, base_url, cert)
    yield s
    s.remove()


@pytest.fixture(scope="module")
def exporter(people, msessions, demo):
    """A demo-client user allowed to view and export, with the whole client in scope."""
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"])
    web, _ = msessions.make(user_id=user)
    web.user_id = user
    return web


# ---------------------------------------------------------------- content

def test_headers_and_header_row(exporter):
    r, rows = get_export(exporter, limit=3)
    assert r.headers["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    assert r.headers["Cache-Control"] == "no-store"
    assert "Content-Length" not in r.headers and r.headers.get("Transfer-Encoding") == "chunked", \
        f"the export is not streamed: {dict(r.headers)}"
    assert r.headers.get("Strict-Transport-Security"), "the security headers are missing"
    assert not r.content.startswith(BOM)
    assert r.content.split(b"\r\n", 1)[0].decode() == ",".join(COLUMNS)
    assert len(rows) == 3


def test_the_whole_demo_set_equals_the_database(exporter, db, demo):
    _, rows = get_export(exporter)
    expected = db_rows(db, demo.client_id)
    assert len(rows) == len(expected) >= 12767
    assert [r["id"] for r in rows] == [e["id"] for e in expected], "not the same contacts in id order"
    for got, want in zip(rows, expected):
        assert got == want, f"contact {want['id']} differs"


@pytest.mark.parametrize("params, where", [
    ({"region": "US-OH"}, lambda cid: in_region(cid, "US-OH")),
    ({"region": "US-OH-05"}, lambda cid: in_region(cid, "US-OH-05")),
    ({"party": "Whig"}, lambda cid: "c.party = 'Whig'"),
    ({"q": "lujan"}, lambda cid: "c.search_name LIKE '%lujan%'"),
    ({"region": "US-NM", "party": "Democrat"}, lambda cid: in_region(cid, "US-NM") + " AND c.party = 'Democrat'"),
])
def test_filters_are_the_lists(params, where, exporter, db, demo):
    ids = export_ids(exporter, **params)
    assert ids, f"{params} exported nothing; the test expects contacts"
    assert ids == db_ids(db, demo.client_id, where(demo.client_id))


def test_search_lujan_finds_the_accented_names(exporter):
    _, rows = get_export(exporter, q="lujan")
    assert {"Luján", "Lujan Grisham"} <= {r["last_name"] for r in rows}


def test_a_campaign_filter(exporter, db, demo):
    camp = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({demo.client_id}, {sql_str(unique('Camp '))});"
                  " SELECT LAST_INSERT_ID()")
    members = db_ids(db, demo.client_id, "c.party = 'Federalist'")[:7]
    db.rows("INSERT INTO contact_campaigns (client_id, campaign_id, contact_id) VALUES "
            + ", ".join(f"({demo.client_id}, {camp}, {m})" for m in members))
    assert export_ids(exporter, campaign=camp) == members


def test_an_unknown_region_exports_nothing(exporter):
    assert export_ids(exporter, region="XX-NOPE") == []


def test_head_sends_the_headers_only(exporter, audit):
    mark = audit.mark()
    r = exporter.request("HEAD", PATH)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.content == b""
    rows = export_rows_since(audit, mark)
    assert len(rows) == 1 and json.loads(rows[0]["detail"])["phase"] == "headers only"


# ---------------------------------------------------------------- access

def test_a_user_limited_to_one_state_gets_exactly_its_contacts(people, msessions, db, demo):
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"], all_regions=False)
    db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES"
            f" ({demo.client_id}, {user}, {region_id(db, demo.client_id, 'US-OH')})")
    web, _ = msessions.make(user_id=user)
    ohio = db_ids(db, demo.client_id, in_region(demo.client_id, "US-OH"))
    assert len(ohio) > 100
    assert export_ids(web) == ohio
    # A filter narrows the scope; it never widens it.
    assert export_ids(web, region="US-CA") == []
    assert export_ids(web, region="US-OH-03") == db_ids(db, demo.client_id, in_region(demo.client_id, "US-OH-03"))
    assert export_ids(web, q="lujan") == []


def test_a_user_with_no_regions_gets_the_header_only(people, msessions, demo):
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"], all_regions=False)
    web, _ = msessions.make(user_id=user)
    r, rows = get_export(web)
    assert rows == [] and r.content == (",".join(COLUMNS) + "\r\n").encode()


def test_another_clients_contacts_are_never_exported(people, msessions, db, demo):
    other = people.client()
    marker = unique("Other")
    external = 'ext,"1"\n' + marker
    db.rows(f"INSERT INTO contacts (client_id, external_id, first_name, last_name) VALUES"
            f" ({other}, {sql_str(external)}, 'Olga', {sql_str(marker)}), ({other}, NULL, 'Otto', {sql_str(marker)})")
    recount_totals(db, other)
    user = people.user(other, ["contacts.view", "contacts.export"])
    web, _ = msessions.make(client_id=other, user_id=user)
    _, rows = get_export(web)
    assert [r["id"] for r in rows] == [str(i) for i in db_ids(db, other)] and len(rows) == 2
    assert {r["last_name"] for r in rows} == {marker}
    assert [r["external_id"] for r in rows] == [external, ""]
    # And the demo client's export does not show them.
    demo_user = people.user(demo.client_id, ["contacts.export"])
    dweb, _ = msessions.make(user_id=demo_user)
    assert export_ids(dweb, q=marker) == []


def test_without_the_export_function_it_is_403(people, msessions, demo, audit):
    user = people.user(demo.client_id, ["contacts.view", "contacts.edit"])
    web, _ = msessions.make(user_id=user)
    mark = audit.mark()
    r = web.get(PATH)
    assert r.status_code == 403
    assert "text/html" in r.headers["Content-Type"] and "id,external_id" not in r.text
    row = audit.one_since(mark, "the refused export")
    assert (row["action"], row["outcome"], row["user_id"]) == ("access.denied", 403, user)


def test_not_logged_in_is_sent_to_the_login(anon, audit):
    mark = audit.mark()
    r = anon.get(export_path(region="US-OH"))
    assert r.status_code == 303
    assert urlsplit(r.headers["Location"]).path == "/login"
    assert "id,external_id" not in r.text
    assert audit.one_since(mark)["user_id"] is None


def test_an_expired_session_gets_nothing(people, msessions, demo):
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"])
    web, _ = msessions.make(user_id=user, created_ago_s=100000, last_seen_ago_s=50000, expires_in_s=-10)
    r = web.get(PATH)
    assert r.status_code == 303 and "id,external_id" not in r.text


# ---------------------------------------------------------------- paging

def test_cursor_pages_add_up_to_the_whole_set(exporter, db, demo):
    full = db_ids(db, demo.client_id)
    got, after, pages = [], 0, 0
    while True:
        page = export_ids(exporter, after=after, limit=4000)
        pages += 1
        assert len(page) <= 4000
        if not page:
            break
        assert page[0] > after
        got += page
        after = page[-1]
    assert got == full
    assert pages == -(-len(full) // 4000) + 1  # the full pages, the last one, and the empty answer


def test_after_and_limit_with_a_filter(exporter, db, demo):
    ohio = db_ids(db, demo.client_id, in_region(demo.client_id, "US-OH"))
    assert export_ids(exporter, region="US-OH", limit=10) == ohio[:10]
    assert export_ids(exporter, region="US-OH", after=ohio[9], limit=10) == ohio[10:20]
    assert export_ids(exporter, region="US-OH", after=ohio[-1]) == []
    assert export_ids(exporter, limit=100000, after=0)[:5] == db_ids(db, demo.client_id)[:5]


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit must be a whole number from 1 to 100000"),
    ("limit=100001", "limit must be a whole number from 1 to 100000"),
    ("limit=ten", "limit must be a whole number from 1 to 100000"),
    ("limit=-5", "limit must be a whole number from 1 to 100000"),
    ("after=-1", "after must be a contact number"),
    ("after=1.5", "after must be a contact number"),
    ("safe=yes", "safe must be 0 or 1"),
    ("bom=2", "bom must be 0 or 1"),
    ("limt=10", 'Unknown parameter "limt"'),
    ("sort=name", 'Unknown parameter "sort"'),
    ("%C3%A9" * 30 + "=1", "Unknown parameter: an export takes"),
    ("region=not%20a%20code", "region code"),
    ("campaign=x", "campaign must be a campaign number"),
])
def test_bad_parameters_are_400_and_nothing_is_streamed(query, message, exporter, audit):
    mark = audit.mark()
    r = exporter.get(PATH + "?" + query)
    assert r.status_code == 400, f"{query}: {r.status_code}"
    assert "text/html" in r.headers["Content-Type"] and "id,external_id" not in r.text
    assert message in r.text.replace("&quot;", '"'), f"{query}: no {message!r} on the page"
    rows = export_rows_since(audit, mark)
    assert [(x["action"], x["outcome"]) for x in rows] == [("contact.export", 400)]


# ---------------------------------------------------------------- CSV

NASTY = {
    "first_name": 'Ann, "The Quote"',
    "middle_name": "=1+2",
    "last_name": None,  # the unique marker
    "nickname": "@nick",
    "title": "-Minus, Esq.",
    "organisation": '=HYPERLINK("http://evil.example/","click")',
    "party": "+Plus",
    "email": "ann@example.org",
    "phone": "+1 202 555 0100",
    "address": 'Line one, "quoted"\nLine two;\r\nLine three\rend',
    "website": "https://example.org/a,b",
    "suffix": "\tTab",
    "contact_form": "\rCR first",
}


@pytest.fixture(scope="module")
def nasty(db, demo):
    marker = unique("Nasty")
    # No external_id: the demo client's are its legislators' (test_contacts counts them).
    values = dict(NASTY, last_name=marker)
    cols = list(values)
    cid = db.int(f"INSERT INTO contacts (client_id, {', '.join(cols)}, birthday, region_id) VALUES"
                 f" ({demo.client_id}, {', '.join(sql_str(values[c]) for c in cols)}, '1970-01-02',"
                 f" {region_id(db, demo.client_id, 'US-OH-03')}); SELECT LAST_INSERT_ID()")
    recount_totals(db, demo.client_id)
    return cid, marker, values


def test_quotes_commas_newlines_and_formulas_round_trip_exactly(nasty, exporter, db, demo):
    cid, marker, values = nasty
    r, rows = get_export(exporter, q=marker)
    assert len(rows) == 1
    row = rows[0]
    assert row == db_rows(db, demo.client_id, f"c.id = {cid}")[0]
    for name, value in values.items():
        assert row[name] == value, f"{name}: {row[name]!r} != {value!r}"
    assert (row["birthday"], row["region_code"]) == ("1970-01-02", "US-OH-03")
    # The raw text quotes exactly the fields that need it.
    raw = r.content.decode()
    assert '"Ann, ""The Quote"""' in raw and ',=1+2,' in raw and ',@nick,' in raw


def test_safe_mode_defuses_formulas_and_only_them(nasty, exporter):
    cid, marker, values = nasty
    r, rows = get_export(exporter, q=marker, safe=1)
    row = rows[0]
    for name, value in values.items():
        if value[0] in "=+-@\t\r":
            assert row[name] == "'" + value, f"{name} was not defused: {row[name]!r}"
        else:
            assert row[name] == value, f"{name} changed in safe mode: {row[name]!r}"
    assert row["id"] == str(cid) and row["birthday"] == "1970-01-02"
    raw = r.content.decode()
    assert "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\"" in raw


def test_long_multibyte_values_come_out_whole(exporter, db, demo):
    """Values longer than the first buffer of an unbuffered column (the
    widest columns hold 2000 bytes of 4-byte characters) are fetched again
    whole, and the rows after them are right too."""
    marker = unique("Wide")
    wide = "\U0001F600" * 500
    cols = "client_id, first_name, last_name, address, contact_form, organisation"
    db.rows(f"INSERT INTO contacts ({cols}) VALUES"
            f" ({demo.client_id}, 'A', {sql_str(marker)}, {sql_str(wide)}, {sql_str('https://x.example/' + 'é' * 480)},"
            f" {sql_str('ø' * 200)}),"
            f" ({demo.client_id}, 'B', {sql_str(marker)}, 'short', '', ''),"
            f" ({demo.client_id}, 'C', {sql_str(marker)}, {sql_str(wide[:300])}, '', {sql_str(wide[:200])})")
    recount_totals(db, demo.client_id)
    ids = db_ids(db, demo.client_id, f"c.last_name = {sql_str(marker)}")
    _, rows = get_export(exporter, q=marker)
    assert [int(r["id"]) for r in rows] == ids
    assert rows == db_rows(db, demo.client_id, f"c.last_name = {sql_str(marker)}")
    assert rows[0]["address"] == wide and rows[1]["address"] == "short" and rows[2]["organisation"] == wide[:200]


def test_bom_for_spreadsheets(nasty, exporter):
    _, marker, _ = nasty
    r = exporter.get(export_path(q=marker, bom=1, safe=1))
    assert r.status_code == 200 and r.content.startswith(BOM + b"id,external_id,")
    assert r.content.count(BOM) == 1
    plain = exporter.get(export_path(q=marker))
    assert plain.content.startswith(b"id,external_id,")


def test_every_record_ends_with_crlf(nasty, exporter):
    _, marker, _ = nasty
    raw = exporter.get(export_path(q=marker)).content
    assert raw.endswith(b"\r\n")
    records = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    assert len(records) == 2


# ---------------------------------------------------------------- audit

def test_each_export_is_bracketed_by_two_audit_rows(exporter, db, demo, audit):
    mark = audit.mark()
    _, rows = get_export(exporter, region="US-OH", party="Republican", limit=20)
    assert len(rows) == 20
    start, end = export_rows_since(audit, mark)
    assert start["request_id"] == end["request_id"] and start["id"] < end["id"]
    for row in (start, end):
        assert (row["method"], row["action"], row["user_id"], row["client_id"]) == \
            ("GET", "contact.export", exporter.user_id, demo.client_id)
    assert (start["outcome"], end["outcome"]) == (200, 200)
    s, e = json.loads(start["detail"]), json.loads(end["detail"])
    assert s == {"format": "csv", "phase": "started", "after": None, "limit": 20, "safe": False, "bom": False,
                 "filter": {"q": None, "region": "US-OH", "party": "Republican", "campaign": None}}
    assert e == {"format": "csv", "phase": "completed", "rows": 20,
                 "filter": {"q": None, "region": "US-OH", "party": "Republican", "campaign": None}}
    # Never contact data in the audit trail.
    for r in rows:
        for field in ("first_name", "last_name", "phone", "address", "email"):
            if len(r[field]) > 3:
                assert r[field] not in start["detail"] + end["detail"]


def test_the_start_row_is_committed_before_the_first_byte(exporter, audit):
    mark = audit.mark()
    r = exporter.s.get(exporter.url(PATH), stream=True, timeout=60)
    try:
        assert r.status_code == 200
        next(r.iter_content(1024))
        rows = export_rows_since(audit, mark)
        assert rows and json.loads(rows[0]["detail"])["phase"] == "started"
    finally:
        r.close()


# ---------------------------------------------------------------- streaming

@pytest.fixture(scope="module")
def bulky(db, people, msessions):
    """A client of its own with 10,000 contacts of about 2 kB each (17 MB of
    CSV): more than nginx and the kernel buffer between a worker and a
    client, so that streaming shows."""
    client = people.client()
    pad = "x" * 480
    db.rows(
        "INSERT INTO contacts (client_id, first_name, last_name, organisation, address, website, contact_form)"
        f" SELECT {client}, CONCAT('Bulk', seq), {sql_str(unique('Bulky'))}, {sql_str('o' * 190)},"
        f" {sql_str(pad)}, CONCAT('https://example.org/', {sql_str(pad)}), CONCAT('https://example.org/', {sql_str(pad)})"
        " FROM seq_1_to_10000")
    recount_totals(db, client)
    user = people.user(client, ["contacts.view", "contacts.export"])
    web, token = msessions.make(client_id=client, user_id=user)
    web.user_id, web.token, web.client_id = user, token, client
    return web


def slow_reader(base_url, cert, token, path=PATH):
    """A TLS connection with a small receive buffer that has sent the
    request: returns the socket and the first bytes of the answer."""
    u = urlsplit(base_url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    sock.settimeout(60)
    sock.connect((u.hostname, u.port))
    ctx = ssl.create_default_context(cafile=cert)
    ctx.set_alpn_protocols(["http/1.1"])
    tls = ctx.wrap_socket(sock, server_hostname=u.hostname)
    tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nCookie: {SESSION_COOKIE}={token}\r\n"
                "Connection: close\r\n\r\n".encode())
    return tls, tls.recv(16384)


def test_nginx_passes_the_stream_on_without_buffering_it(bulky, base_url, cert, stack_dir, audit):
    """While the client reads nothing, the worker must wait too: a buffering
    nginx would take all 17 MB (into a temporary file) and let the worker
    finish at once."""
    nginx_log = os.path.join(stack_dir, "log", "nginx-error.log")
    log_size = os.path.getsize(nginx_log)
    mark = audit.mark()
    tls, first = slow_reader(base_url, cert, bulky.token)
    try:
        assert first.startswith(b"HTTP/1.1 200")
        time.sleep(2)
        phases = [json.loads(r["detail"])["phase"] for r in export_rows_since(audit, mark, bulky.user_id)]
        assert phases == ["started"], f"the export ran ahead of its client: {phases}"
        n = len(first)
        while True:
            chunk = tls.recv(1 << 20)
            if not chunk:
                break
            n += len(chunk)
    finally:
        tls.close()
    assert n > 15_000_000
    rows = wait_for(lambda: (lambda x: x if len(x) == 2 else None)(export_rows_since(audit, mark, bulky.user_id)),
                    "no closing audit row", timeout=10)
    assert json.loads(rows[1]["detail"]) == {"format": "csv", "phase": "completed", "rows": 10000,
                                             "filter": {"q": None, "region": None, "party": None, "campaign": None}}
    with open(nginx_log, errors="replace") as f:
        f.seek(log_size)
        assert "buffered to a temporary file" not in f.read()


@pytest.fixture
def short_statements(stack_dir):
    """DB.TimeoutSeconds = 2 (statements stopped after 1.6 s) for one test."""
    with config_changed(stack_dir, r"^(\s*)DB \{\s*$", r"\g<0>\n\1  TimeoutSeconds = 2", "DB block"):
        yield


def test_an_export_outlasts_the_statement_time_limit(short_statements, bulky, base_url, cert, audit):
    """Pages' statements stop after 80% of DB.TimeoutSeconds; an export's
    runs as long as its client reads, here a client that pauses for longer."""
    mark = audit.mark()
    tls, first = slow_reader(base_url, cert, bulky.token)
    try:
        assert first.startswith(b"HTTP/1.1 200")
        time.sleep(3)
        data = [first]
        while True:
            chunk = tls.recv(1 << 20)
            if not chunk:
                break
            data.append(chunk)
    finally:
        tls.close()
    body = b"".join(data)
    assert body.endswith(b"0\r\n\r\n"), "the chunked answer has no last chunk: the export broke"
    rows = export_rows_since(audit, mark, bulky.user_id)
    assert json.loads(rows[-1]["detail"]) == {"format": "csv", "phase": "completed", "rows": 10000,
                                              "filter": {"q": None, "region": None, "party": None, "campaign": None}}
    # Pages still have their limit and work as before.
    assert bulky.get("/contacts").status_code == 200


def test_a_client_that_goes_away_stops_the_export(bulky, base_url, cert, audit, stack_dir):
    mark = audit.mark()
    tls, first = slow_reader(base_url, cert, bulky.token)
    assert first.startswith(b"HTTP/1.1 200")
    tls.close()
    rows = wait_for(lambda: (lambda x: x if len(x) == 2 else None)(export_rows_since(audit, mark, bulky.user_id)),
                    "no closing audit row after the client left", timeout=20)
    end = rows[1]
    detail = json.loads(end["detail"])
    assert (end["outcome"], detail["phase"], detail["error"]) == (499, "failed", "client gone")
    assert 0 <= detail["rows"] < 10000
    # The worker is fine afterwards.
    _, rows = get_export(bulky, limit=5)
    assert len(rows) == 5


def read_to_end(tls, first):
    data = [first]
    while True:
        try:
            chunk = tls.recv(1 << 20)
        except (ConnectionError, ssl.SSLError):
            break
        if not chunk:
            break
        data.append(chunk)
    return b"".join(data)


def test_a_worker_that_dies_mid_export_leaves_an_incomplete_transfer(bulky, base_url, cert, stack_dir, audit):
    """A worker killed mid-stream cannot say anything: nginx must take the
    lost connection for what it is (no END_REQUEST) and cut the response."""
    sup = supervisor_pid(stack_dir)
    mark = audit.mark()
    tls, first = slow_reader(base_url, cert, bulky.token)
    try:
        assert first.startswith(b"HTTP/1.1 200")
        for pid in workers(sup):
            os.kill(pid, signal.SIGKILL)
        body = read_to_end(tls, first)
    finally:
        tls.close()
    assert b"Transfer-Encoding: chunked" in body.split(b"\r\n\r\n", 1)[0]
    assert not body.endswith(b"\r\n0\r\n\r\n"), "a killed export ended like a complete one"
    assert len(body) < 15_000_000
    phases = [json.loads(r["detail"])["phase"] for r in export_rows_since(audit, mark, bulky.user_id)]
    assert phases == ["started"]
    want = configured_workers()
    wait_for(lambda: len(workers(sup)) == want, "the workers were not replaced", timeout=30)
    wait_for(lambda: bulky.s.get(bulky.url("/healthz"), timeout=10).status_code == 200, "no worker answers")
    assert len(get_export(bulky, limit=5)[1]) == 5


def test_an_export_sorts_nothing_on_disk(people, msessions, db, demo, audit):
    """A limited user's export reads in id order like everyone's: no
    temporary table on disk, no wait before the first row."""
    user = people.user(demo.client_id, ["contacts.view", "contacts.export"], all_regions=False)
    db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES"
            f" ({demo.client_id}, {user}, {region_id(db, demo.client_id, 'US')})")
    web, _ = msessions.make(user_id=user)

    def disk_tables():
        return int(db.rows("SHOW GLOBAL STATUS LIKE 'Created_tmp_disk_tables'")[0][1])

    get_export(web, limit=1)  # statements prepared
    before = disk_tables()
    assert len(get_export(web)[1]) >= 12767
    assert len(get_export(web, region="US-OH")[1]) > 700
    assert disk_tables() == before, "the export built a temporary table on disk"


def test_memory_stays_flat_over_whole_exports(bulky, exporter, stack_dir):
    """The peak resident size of every worker (VmHWM) does not grow while
    the demo set (1.8 MB) and the bulky set (17 MB) are exported again and
    again: nothing holds a whole result or a whole file."""
    if "asan" in os.environ.get("CTRACK_BIN", ""):
        pytest.skip("the sanitizer's allocator keeps freed memory; peak sizes say nothing there")

    def peaks():
        out = {}
        for pid in workers(supervisor_pid(stack_dir)):
            with open(f"/proc/{pid}/status") as f:
                m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
            out[pid] = int(m.group(1))
        return out

    for web in (exporter, bulky):  # every worker warm: statements prepared, pages touched
        for _ in range(3):
            get_export(web, limit=10)
            assert len(get_export(web)[1]) >= 10000
    before = peaks()
    for _ in range(3):
        assert len(get_export(exporter)[1]) >= 12767
        assert len(get_export(bulky)[1]) == 10000
    after = peaks()
    grown = {pid: after[pid] - before[pid] for pid in before if pid in after}
    assert grown and max(grown.values()) < 1024, f"worker peak memory grew (kB): {grown}"


# ---------------------------------------------------------------- a broken export

@pytest.fixture
def failing_exports(stack_dir):
    """Test.FailExportAfterRows = 100: every export's database read fails
    after 100 rows, for one test."""
    with config_changed(stack_dir, r"\Z", "\nTest {\n  FailExportAfterRows = 100\n}\n", "end"):
        yield 100


def test_a_broken_export_is_incomplete_for_the_client(failing_exports, exporter, base_url, cert, audit, db):
    token = exporter.s.cookies.get(SESSION_COOKIE)
    for http in ("--http1.1", "--http2"):
        mark = audit.mark()
        p = subprocess.run(["curl", "-sS", http, "--cacert", cert, "--noproxy", "*", "-o", "/dev/null",
                            "-w", "%{http_code}", "-b", f"{SESSION_COOKIE}={token}", base_url + PATH],
                           capture_output=True, text=True, timeout=60)
        assert p.stdout == "200", f"curl {http}: {p.stdout} {p.stderr}"
        assert p.returncode in (18, 56, 92), f"curl {http} took a broken export for a whole one: {p.returncode}"
        rows = export_rows_since(audit, mark)
        assert [(r["outcome"], json.loads(r["detail"])["phase"]) for r in rows] == [(200, "started"),
                                                                                    (500, "failed")]
        assert json.loads(rows[1]["detail"]) == {"format": "csv", "phase": "failed", "rows": failing_exports,
                                                 "error": "database error", "filter": {"q": None, "region": None, "party": None, "campaign": None}}
        # The closing row names the contacts that went out before the break.
        assert db.int(f"SELECT COUNT(*) FROM audit_contacts WHERE audit_id = {rows[1]['id']}") == failing_exports
    # Python's HTTP client notices too.
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        exporter.get(PATH)
    # A short export, done before the failure point, is complete.
    _, rows = get_export(exporter, limit=50)
    assert len(rows) == 50


def test_after_a_broken_export_the_worker_serves_again(failing_exports, exporter):
    for _ in range(3):
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            exporter.get(PATH)
        r = exporter.get("/contacts?region=US-OH")
        assert r.status_code == 200


# ---------------------------------------------------------------- the list's link

def test_the_list_offers_the_download_of_its_filter(exporter, people, msessions, demo):
    page = Page(exporter.get("/contacts?region=US-OH&party=Republican&q=john").text)
    links = [l["href"] for l in page.links if l["rel"] == "export"]
    assert links == ["/export/contacts.csv?q=john&region=US-OH&party=Republican&safe=1&bom=1",
                     "/export/contacts.vcf?q=john&region=US-OH&party=Republican"], links
    r = exporter.get(links[0])
    assert r.status_code == 200 and r.content.startswith(BOM + b"id,")
    r = exporter.get(links[1])
    assert r.status_code == 200 and r.content.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert r.content.count(b"BEGIN:VCARD") == len(get_export(exporter, q="john", region="US-OH",
                                                             party="Republican")[1])
    plain = Page(exporter.get("/contacts").text)
    assert [l["href"] for l in plain.links if l["rel"] == "export"] == ["/export/contacts.csv?safe=1&bom=1",
                                                                        "/export/contacts.vcf"]
    # Not offered to a user who may not export.
    viewer = people.user(demo.client_id, ["contacts.view"])
    web, _ = msessions.make(user_id=viewer)
    assert not [l for l in Page(web.get("/contacts").text).links if l["rel"] == "export"]
