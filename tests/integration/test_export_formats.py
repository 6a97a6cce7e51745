"""The contact exports (CSV, JSON, NDJSON, vCard) with imports: round trips
of every case file through each export into another client; deleted
contacts and tombstones; the scope of a limited user and of a token; the
same bytes under four time zones (BR-15); and undoing an import."""
import json
import os
import subprocess
import time

import pytest

from conftest import ListPage, Page, sql_str, supervisor_pid
from import_support import (Tenant, card_id, card_props, case_path, cli_import, counts, export, export_csv, export_json,
                            export_ndjson, export_vcf, import_record, ran, values)
from test_import_cases import BR15_DAYS, BR18
from test_tokens import Tokens, bearer


@pytest.fixture
def tenant(db, people, sessions):
    return Tenant(db, people, sessions)


@pytest.fixture
def tenants(db, people, sessions):
    return lambda: Tenant(db, people, sessions)


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def utc_stamp(db):
    """The database's UTC time now, as updated_since takes it."""
    return db.value("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ')")


# ---------------------------------------------------------------- round trips

ROUND_TRIP = [
    ("BR-01.csv", ()), ("BR-02.csv", ()), ("BR-03.csv", ()), ("BR-05.csv", ()), ("BR-06.csv", ()),
    ("BR-08.csv", ()), ("BR-11.vcf", ()), ("BR-13.vcf", ()), ("BR-15.vcf", ()),
    ("BR-16.csv", ("--dates", "mdy", "--valid-rows")), ("BR-18.csv", ()), ("BR-19.csv", ()), ("BR-20.csv", ()),
    ("BR-21.csv", ()), ("BR-23.csv", ()), ("BR-25.csv", ()), ("BR-27.csv", ("--valid-rows",)),
]
EXPORTS = {"csv": ("csv", ""), "csv-spreadsheet": ("csv", "safe=1&bom=1"), "vcard4": ("vcf", ""),
           "vcard3": ("vcf", "version=3")}


@pytest.mark.parametrize("export_kind", sorted(EXPORTS))
@pytest.mark.parametrize("case,options", ROUND_TRIP, ids=[c for c, _ in ROUND_TRIP])
def test_round_trip_through_an_export(tenant, tenants, tmp_path, case, options, export_kind):
    """Imported, exported, imported into another client: every field the
    same (names, emails and phones with their types, address parts,
    birthday, tags, notes)."""
    r = ran(tenant.cli_file(case_path(case), *options))
    assert r.n["created"] > 0, r
    fmt, params = EXPORTS[export_kind]
    data = export(tenant.web, fmt, params).content
    other = tenants()
    name = f"export.{'csv' if fmt == 'csv' else 'vcf'}"
    r2 = ran(other.cli_file(write(tmp_path, name, data), "--valid-rows"))
    counts(r2, read=r.n["created"], created=r.n["created"])
    got, want = values(other.contacts()), values(tenant.contacts())
    diffs = [(w, g) for w, g in zip(want, got) if w != g]
    assert got == want, f"{case} through {export_kind}: first difference " + (
        "; ".join(f"{k}: {w[k]!r} -> {g[k]!r}" for w, g in diffs[:1] for k in w if w[k] != g[k]) if diffs
        else f"{len(want)} -> {len(got)} contacts")


def test_br18_names_byte_identical_through_csv_then_vcard(tenant, tenants, tmp_path):
    """Import -> CSV export -> import -> vCard export -> import: every name
    byte for byte as in the file, no '?' anywhere."""
    counts(ran(tenant.cli_file(case_path("BR-18.csv"))), read=5, created=5)
    b = tenants()
    counts(ran(b.cli_file(write(tmp_path, "a.csv", export(tenant.web, "csv").content))), read=5, created=5)
    vcf = export(b.web, "vcf").content
    assert b"?" not in vcf.replace(b"?", b"") and "Дарья".encode() in vcf
    c = tenants()
    counts(ran(c.cli_file(write(tmp_path, "b.vcf", vcf))), read=5, created=5)
    for t in (tenant, b, c):
        names = {k: (v["first_name"].encode(), v["last_name"].encode()) for k, v in t.by("email").items()}
        assert names == {e: (f.encode(), l.encode()) for e, (f, l, _, _) in BR18.items()}
    assert values(c.contacts()) == values(tenant.contacts())


# ---------------------------------------------------------------- deleted contacts (BR-25)

def test_br25_a_deleted_contact_leaves_every_export(tenant, db):
    counts(ran(tenant.cli_file(case_path("BR-25.csv"))), read=3, created=3)
    c = tenant.by("first_name")
    ana, ben, cara = c["Ana"]["id"], c["Ben"]["id"], c["Cara"]["id"]
    since = utc_stamp(db)
    time.sleep(0.01)
    assert tenant.web.post(f"/contacts/{ben}/delete").status_code == 303
    want = [ana, cara]
    assert sorted(ListPage(tenant.web.get("/contacts")).ids) == want
    assert ListPage(tenant.web.get("/contacts?q=Sample")).ids == []
    rows = export_csv(tenant.web)
    assert [int(x["id"]) for x in rows] == want and all(x["first_name"] for x in rows), "no blank row"
    assert [int(x["id"]) for x in export_csv(tenant.web, "safe=1&bom=1")] == want
    raw, cards = export_vcf(tenant.web)
    assert [card_id(cd) for cd in cards] == want and b"X-DELETED" not in raw.upper()
    assert [x["id"] for x in export_json(tenant.web)] == want
    assert [x["id"] for x in export_ndjson(tenant.web)] == want
    assert all("deleted" not in x for x in export_json(tenant.web))
    # A sync since before the deletion learns of it: Ben as a tombstone only.
    query = f"updated_since={since}"
    for got in (export_json(tenant.web, query), export_ndjson(tenant.web, query)):
        assert len(got) == 1 and set(got[0]) == {"id", "deleted", "deleted_at"}, got
        assert (got[0]["id"], got[0]["deleted"]) == (ben, True)
        stamp = db.value(f"SELECT DATE_FORMAT(deleted_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM contacts WHERE id = {ben}")
        assert got[0]["deleted_at"] == stamp
    # The CSV and vCard exports carry no tombstones, even with updated_since.
    assert export_csv(tenant.web, f"updated_since={since}") == []
    assert export_vcf(tenant.web, f"updated_since={since}")[1] == []


# ---------------------------------------------------------------- scope

SCOPE_CSV = ("first_name,last_name,email,region,campaign\r\n"
             "In1,Scope,in1@example.org,R1,Camp One\r\n"
             "Out2,Campaign,out2@example.org,R1,Camp Two\r\n"
             "Out3,Region,out3@example.org,R2,Camp One\r\n"
             "In4,Scope,in4@example.org,R1,Camp One\r\n"
             "In5,Both,in5@example.org,R1,\"Camp One;Camp Two\"\r\n"
             "Out6,Nowhere,out6@example.org,,Camp One\r\n"
             "Out7,Nothing,out7@example.org,R1,\r\n").encode()


@pytest.fixture
def scoped(tenant, db, people, sessions, tmp_path):
    """A client with two regions and two campaigns, seven contacts, and a
    user limited to R1 and Camp One (view and export)."""
    tenant.add_region("R1", "Region one")
    tenant.add_region("R2", "Region two")
    counts(ran(tenant.cli_file(write(tmp_path, "scope.csv", SCOPE_CSV))), read=7, created=7)
    ids = {c["first_name"]: c["id"] for c in tenant.contacts()}
    camp1 = db.int(f"SELECT id FROM campaigns WHERE client_id = {tenant.client_id} AND name = 'Camp One'")
    user = people.user(tenant.client_id, ["contacts.view", "contacts.export"], all_regions=False,
                       all_campaigns=False)
    db.rows(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES ({tenant.client_id}, {user}, {camp1});"
            f" INSERT INTO user_regions (client_id, user_id, region_id) SELECT client_id, {user}, id FROM regions"
            f" WHERE client_id = {tenant.client_id} AND code = 'R1'")
    web, _ = sessions.make(client_id=tenant.client_id, user_id=user)
    return tenant, ids, user, web, camp1


def all_list_ids(web, query=""):
    lp = ListPage(web.get("/contacts" + query))
    assert lp.pages in (None, 1), "the test expects one page"
    return sorted(lp.ids)


def scope_exports(web, params=""):
    return {"csv": [int(x["id"]) for x in export_csv(web, params)],
            "json": [x["id"] for x in export_json(web, params)],
            "ndjson": [x["id"] for x in export_ndjson(web, params)],
            "vcf": [card_id(cd) for cd in export_vcf(web, params)[1]]}


def test_exports_of_a_limited_user_are_the_list(scoped):
    tenant, ids, user, web, camp1 = scoped
    want = sorted([ids["In1"], ids["In4"], ids["In5"]])
    assert all_list_ids(web) == want
    for fmt, got in scope_exports(web).items():
        assert got == want, f"{fmt}: {got}, the list shows {want}"
    # With a filter too: the list and the exports agree.
    want = sorted([ids["In1"], ids["In4"]])
    assert all_list_ids(web, "?q=Scope") == want
    for fmt, got in scope_exports(web, "q=Scope").items():
        assert got == want, f"{fmt} q=Scope: {got}"
    # The whole client for its unlimited user.
    assert sorted(scope_exports(tenant.web)["csv"]) == sorted(ids.values())


def test_a_token_sync_gets_its_scope_and_tombstones(scoped, db, base_url, cert, tmp_path):
    tenant, ids, user, web, camp1 = scoped
    tid, token = Tokens(db).make(tenant.client_id, user)
    script = bearer(base_url, cert, token)
    since = utc_stamp(db)
    time.sleep(0.01)
    # After `since`: In1 (in scope) and Out2 (not) change; In4 (in) and Out3 (not) are deleted.
    r = ran(tenant.cli_file(write(tmp_path, "upd.csv", b"first_name,email,city\r\nIn1,in1@example.org,Later\r\n"
                                  b"Out2,out2@example.org,Later\r\n"), "--update"))
    counts(r, read=2, updated=2)
    for name in ("In4", "Out3"):
        assert tenant.web.post(f"/contacts/{ids[name]}/delete").status_code == 303
    got = export_ndjson(script, f"updated_since={since}")
    by_id = {x["id"]: x for x in got}
    assert sorted(by_id) == sorted([ids["In1"], ids["In4"]]), f"the sync got {sorted(by_id)}"
    assert by_id[ids["In1"]]["city"] == "Later" and by_id[ids["In1"]]["first_name"] == "In1"
    tomb = by_id[ids["In4"]]
    assert set(tomb) == {"id", "deleted", "deleted_at"} and tomb["deleted"] is True, tomb
    assert tomb["deleted_at"] == db.value(
        f"SELECT DATE_FORMAT(deleted_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM contacts WHERE id = {ids['In4']}")
    # Without updated_since: the scope's live contacts, as its list shows them.
    want = sorted([ids["In1"], ids["In5"]])
    assert [x["id"] for x in export_ndjson(script)] == want
    assert sorted(ListPage(script.get("/contacts")).ids) == want
    # The token's own audit rows name it.
    row = db.rows(f"SELECT COUNT(*) FROM audit WHERE token_id = {tid} AND action = 'contact.export'")
    assert int(row[0][0]) >= 2


# ---------------------------------------------------------------- BR-15 time zones

# The server's zone and a database session offset near it (MariaDB has no
# zone tables here, and takes offsets from -12:59 to +13:00 only).
ZONES = [("UTC", "+00:00"), ("Europe/Berlin", "+01:00"), ("America/Los_Angeles", "-08:00"),
         ("Pacific/Kiritimati", "+13:00")]


def restart_app(tz):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {k: v for k, v in os.environ.items() if k != "TZ"}
    if tz:
        env["TZ"] = tz
    p = subprocess.run([os.path.join(repo, "conf", "stack.sh"), "restart-app", os.environ["CTRACK_VAR"],
                        os.environ["CTRACK_BIN"]], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, f"restart-app with TZ={tz}: {p.stdout}{p.stderr}"
    pid = supervisor_pid(os.environ["CTRACK_VAR"])
    with open(f"/proc/{pid}/environ", "rb") as f:
        tzs = [e for e in f.read().split(b"\0") if e.startswith(b"TZ=")]
    assert tzs == ([f"TZ={tz}".encode()] if tz else []), f"the server runs with {tzs}"


def bday_exports(web):
    return {"vcard4": export(web, "vcf").content, "vcard3": export(web, "vcf", "version=3").content,
            "csv": export(web, "csv").content, "csv-spreadsheet": export(web, "csv", "safe=1&bom=1").content,
            "json": export(web, "json").content, "ndjson": export(web, "ndjson").content}


def test_br15_the_same_days_in_every_time_zone(tenant, tenants, db, tmp_path):
    counts(ran(tenant.cli_file(case_path("BR-15.vcf"))), read=4, created=4)
    baseline = bday_exports(tenant.web)
    old_zone = db.value("SELECT @@global.time_zone")
    try:
        for tz, offset in ZONES:
            restart_app(tz)
            db.rows(f"SET GLOBAL time_zone = '{offset}'")
            got = bday_exports(tenant.web)
            for kind in baseline:
                assert got[kind] == baseline[kind], f"the {kind} export differs under TZ={tz}"
            # An import under the zone (the command line and a database session in it).
            t = tenants()
            r = ran(t.cli_file(case_path("BR-15.vcf"), env={"TZ": tz}))
            counts(r, read=4, created=4)
            assert {n: c["birthday"] for n, c in t.by("first_name").items()} == BR15_DAYS, tz
            assert {x["first_name"]: x["birthday"] for x in export_json(t.web)} == BR15_DAYS, tz
            _, cards = export_vcf(t.web)
            assert sorted(v for cd in cards for _, v in card_props(cd, "BDAY")) == \
                sorted(d.replace("-", "") for d in BR15_DAYS.values()), tz
            # The database in the zone reads the stored text as it is.
            p = db.run(f"SET time_zone = '{offset}'; SELECT GROUP_CONCAT(birthday ORDER BY id) FROM contacts"
                       f" WHERE client_id = {t.client_id}")
            assert p.returncode == 0 and p.stdout.strip() == ",".join(BR15_DAYS.values()), p.stdout + p.stderr
    finally:
        db.rows(f"SET GLOBAL time_zone = {sql_str(old_zone)}")
        restart_app(None)


# ---------------------------------------------------------------- undo

BASE = b"first_name,last_name,email,phone,city\r\nAna,Example,ana@example.org,555-0100,Springfield\r\n" \
       b"Ben,Sample,ben@example.org,555-0101,Shelbyville\r\nCara,Test,cara@example.org,555-0102,Ogdenville\r\n"
SECOND = b"first_name,last_name,email,phone,city\r\nAna,Example,ana@example.org,555-9000,Capital City\r\n" \
         b"Ben,Sample,ben@example.org,555-9001,North Haverbrook\r\nDan,Demo,dan@example.org,555-0103,\r\n" \
         b"Eve,Case,eve@example.org,555-0104,\r\n"


def edit_contact(web, cid, **changes):
    form = Page(web.get(f"/contacts/{cid}/edit").text).form(f"/contacts/{cid}")["fields"]
    form.pop("csrf", None)
    form.update(changes)
    r = web.post(f"/contacts/{cid}", form)
    assert r.status_code == 303, f"the edit answered {r.status_code}: {Page(r.text).text[:300]}"


def undo_setup(t, tmp_path, web_second=False):
    counts(ran(t.cli_file(write(tmp_path, "base.csv", BASE))), read=3, created=3)
    before = t.by("first_name")
    if web_second:
        iid, r = t.web_import("second.csv", SECOND, mode="create_update")
        assert r.status_code == 303
    else:
        r = ran(t.cli_file(write(tmp_path, "second.csv", SECOND), "--update"))
        counts(r, read=4, created=2, updated=2)
        iid = r.id
    after = t.by("first_name")
    assert (after["Ana"]["phone"], after["Ben"]["phone"]) == ("555-9000", "555-9001")
    assert set(after) == {"Ana", "Ben", "Cara", "Dan", "Eve"}
    # Ben is changed after the import: the undo leaves him alone.
    edit_contact(t.web, after["Ben"]["id"], nickname="Benny")
    return iid, before, after


def check_undone(t, before, after, db, since):
    every = t.by("first_name", live=False)
    assert every["Dan"]["deleted_at"] and every["Eve"]["deleted_at"], "the created contacts are gone"
    assert every["Ben"]["deleted_at"] is None, "Ben was changed since: left alone"
    for k in ("phone", "city", "last_name", "email"):
        assert every["Ana"][k] == before["Ana"][k], f"Ana's {k}: {every['Ana'][k]!r}, before {before['Ana'][k]!r}"
    now = t.by("first_name")
    assert set(now) == {"Ana", "Ben", "Cara"}, \
        f"live after the undo: {sorted(now)} (Ana deleted_at {every['Ana']['deleted_at']})"
    for k in ("phone", "city", "last_name", "email"):
        assert now["Ana"][k] == before["Ana"][k], f"Ana's {k}: {now['Ana'][k]!r}, before {before['Ana'][k]!r}"
    assert (now["Ben"]["phone"], now["Ben"]["city"], now["Ben"]["nickname"]) == ("555-9001", "North Haverbrook",
                                                                                 "Benny"), now["Ben"]
    assert now["Cara"] == before["Cara"] or values([now["Cara"]]) == values([before["Cara"]])
    live = sorted(c["id"] for c in now.values())
    assert sorted(ListPage(t.web.get("/contacts")).ids) == live
    assert ListPage(t.web.get("/contacts")).total == 3
    assert [int(x["id"]) for x in export_csv(t.web)] == live
    assert [x["id"] for x in export_json(t.web)] == live
    assert [card_id(cd) for cd in export_vcf(t.web)[1]] == live
    tomb = {x["id"] for x in export_ndjson(t.web, f"updated_since={since}") if x.get("deleted")}
    assert tomb == {after["Dan"]["id"], after["Eve"]["id"]}


def test_undo_on_the_command_line(tenant, db, tmp_path, audit):
    iid, before, after = undo_setup(tenant, tmp_path)
    since = utc_stamp(db)
    mark = audit.mark()
    p = cli_import("undo", "--client", tenant.name, "--import", str(iid))
    out = p.stdout.decode()
    assert p.returncode == 0, out + p.stderr.decode()
    assert out.startswith(f"import {iid} undone: ")
    d = json.loads(out.split(": ", 1)[1])
    assert d == {"import": iid, "undo": True, "removed": 2, "restored": 1, "left_alone": [after["Ben"]["id"]]}, d
    row = audit.one_since(mark, "undo")
    assert (row["method"], row["path"], row["action"], row["object_type"], row["object_id"]) == \
        ("CLI", "import undo", "contact.import_undo", "import", iid)
    assert json.loads(row["detail"]) == d
    assert import_record(db, iid)["status"] == "undone"
    check_undone(tenant, before, after, db, since)
    # Once only.
    p = cli_import("undo", "--client", tenant.name, "--import", str(iid))
    assert p.returncode == 1 and "undone already" in p.stderr.decode(), p.stderr.decode()


def test_undo_on_the_web(tenant, db, tmp_path):
    iid, before, after = undo_setup(tenant, tmp_path, web_second=True)
    since = utc_stamp(db)
    page = Page(tenant.web.get(f"/imports/{iid}").text)
    assert page.form(f"/imports/{iid}/undo")
    r = tenant.web.post(f"/imports/{iid}/undo")
    assert r.status_code == 303, r.status_code
    assert import_record(db, iid)["status"] == "undone"
    check_undone(tenant, before, after, db, since)
    assert tenant.web.post(f"/imports/{iid}/undo").status_code == 409
    # The count of the unfiltered list follows.
    assert db.int(f"SELECT live FROM contact_totals WHERE client_id = {tenant.client_id}") == 3
