"""The web import (/imports: upload, the mapping form and its preview, dry
run, run, the report and its CSV) with the key cases of
tests/data/cases/README.md, each in a client of its own; the audit rows of
an import and of the bulk changes, export and delete that follow (BR-23);
and bad uploads, which are refused naming the problem and keep nothing."""
import csv
import hashlib
import io
import json
import re

import pytest

from conftest import ListPage, Page, location_path
from import_support import (Tenant, case_bytes, column_headers, export_csv, import_record, imports_of, problems,
                            report_counts, run_form, upload, uploaded_id, values)
from test_import_cases import BAD, BR16_DMY, BR16_MDY, check_br03


@pytest.fixture
def tenant(db, people, sessions):
    return Tenant(db, people, sessions)


@pytest.fixture
def tenants(db, people, sessions):
    return lambda: Tenant(db, people, sessions)


def imported(t, import_id, r):
    """The import's page after its run (the run redirects to it)."""
    assert r.status_code == 303, f"the run answered {r.status_code}: {Page(r.text).text[:500]}"
    assert location_path(r) == f"/imports/{import_id}"
    page = t.web.get(f"/imports/{import_id}")
    assert page.status_code == 200
    return Page(page.text)


# ---------------------------------------------------------------- the cases

def test_br01_headers_on_the_mapping_form(tenant, tenants):
    data = case_bytes("BR-01.csv")
    iid = uploaded_id(tenant.upload("BR-01.csv", data))
    page, fields = run_form(tenant.web, iid)
    headers = column_headers(page)
    assert headers == [(0, "email"), (1, "first_name"), (2, "last_name"), (3, "phone")], headers
    assert "\ufeff" not in page.source.split('for="col-0">')[1][:10]
    assert [fields[f"col.{i}"] for i in range(4)] == ["email.1", "first_name", "last_name", "phone.1"]
    assert "UTF-8 with BOM" in page.text
    r = tenant.web.post(f"/imports/{iid}/run", {**fields, "action": "import"})
    done = imported(tenant, iid, r)
    assert report_counts(done) == {"read": 2, "created": 2, "updated": 0, "restored": 0, "skipped": 0, "failed": 0}
    cs = tenant.contacts()
    assert cs[0]["email"] == "ana@example.org" and [c["first_name"] for c in cs] == ["Ana", "Ben"]
    other = tenants()
    iid2, r = other.web_import("BR-01-nobom.csv", data[3:])
    imported(other, iid2, r)
    assert values(other.contacts()) == values(cs)


def test_br02_semicolons_detected_and_chosen(tenant, tenants):
    iid = uploaded_id(tenant.upload("BR-02.csv", case_bytes("BR-02.csv")))
    page, fields = run_form(tenant.web, iid)
    assert len(column_headers(page)) == 5 and "separated by semicolon" in page.text, page.text[:600]
    assert fields["delimiter"] == "auto"
    imported(tenant, iid, tenant.web.post(f"/imports/{iid}/run", {**fields, "action": "import"}))
    c = tenant.by("first_name")
    assert (c["Ben"]["last_name"], c["Ben"]["phone"], c["Ana"]["notes"]) == ("Sample; Jr.", "", "Met at fair, booth 12")
    # Chosen by hand: the same.
    other = tenants()
    iid, r = other.web_import("BR-02.csv", case_bytes("BR-02.csv"), delimiter=";")
    imported(other, iid, r)
    assert values(other.contacts()) == values(tenant.contacts())
    # A wrong delimiter: the preview and the run say so; nothing is stored.
    third = tenants()
    iid = uploaded_id(third.upload("BR-02.csv", case_bytes("BR-02.csv")))
    _, fields = run_form(third.web, iid)
    fields = {k: v for k, v in fields.items() if not k.startswith("col.")}
    r = third.web.post(f"/imports/{iid}/run", {**fields, "delimiter": ",", "action": "preview"})
    assert r.status_code == 200
    assert "delimiter" in Page(r.text).text and "semicolon" in Page(r.text).text
    r = third.web.post(f"/imports/{iid}/run", {**fields, "delimiter": ",", "action": "import"})
    assert r.status_code == 422, r.status_code
    msg = Page(r.text).text
    assert "delimiter" in msg and "semicolon" in msg, msg[:500]
    assert third.count(live=False) == 0


def test_br03_windows_1252(tenant, tenants):
    iid = uploaded_id(tenant.upload("BR-03.csv", case_bytes("BR-03.csv")))
    page, fields = run_form(tenant.web, iid)
    assert "Windows-1252" in page.text
    assert "Malmö \u2013 Süd" in page.text, "the preview shows the decoded text"
    imported(tenant, iid, tenant.web.post(f"/imports/{iid}/run", {**fields, "action": "import"}))
    check_br03(tenant)
    # Declared as UTF-8: refused naming line 2, nothing stored.
    other = tenants()
    iid = uploaded_id(other.upload("BR-03.csv", case_bytes("BR-03.csv")))
    _, fields = run_form(other.web, iid)
    r = other.web.post(f"/imports/{iid}/run", {**fields, "encoding": "utf-8", "action": "import"})
    assert r.status_code == 422, r.status_code
    assert "line 2" in Page(r.text).text.lower(), Page(r.text).text[:500]
    assert other.count(live=False) == 0


@pytest.mark.parametrize("order,want,failed", [("mdy", BR16_MDY, [5]), ("dmy", BR16_DMY, [2, 3])])
def test_br16_one_declared_date_order(tenant, order, want, failed):
    data = case_bytes("BR-16.csv")
    # A dry run first: the counts of the real run, nothing stored.
    iid = uploaded_id(tenant.upload("BR-16.csv", data))
    _, fields = run_form(tenant.web, iid)
    r = tenant.web.post(f"/imports/{iid}/run", {**fields, "dates": order, "rows": "valid", "action": "dry_run"})
    page = imported(tenant, iid, r)
    assert report_counts(page) == {"read": 5, "created": len(want), "updated": 0, "restored": 0, "skipped": 0,
                                   "failed": len(failed)}
    assert tenant.count(live=False) == 0 and import_record(tenant.db, iid)["status"] == "uploaded"
    # The form keeps the options of the dry run.
    _, again = run_form(tenant.web, iid)
    assert (again["dates"], again["rows"]) == (order, "valid")
    r = tenant.web.post(f"/imports/{iid}/run", {**again, "action": "import"})
    page = imported(tenant, iid, r)
    assert report_counts(page) == {"read": 5, "created": len(want), "updated": 0, "restored": 0, "skipped": 0,
                                   "failed": len(failed)}
    assert {n: c["birthday"] for n, c in tenant.by("first_name").items()} == want
    errs = sorted(p[0] for p in problems(tenant.db, iid) if p[2] == "error")
    assert errs == failed
    # The report's CSV: the same problems.
    rep = tenant.web.get(f"/imports/{iid}/report.csv")
    assert rep.status_code == 200 and rep.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(rep.content.decode("utf-8"), newline="")))
    assert sorted(int(x["row"]) for x in rows if x["severity"] == "error") == failed
    assert all(x["column"] == "birthday" for x in rows if x["severity"] == "error")


def test_br27_counts_match_what_was_created(tenant):
    iid, r = tenant.web_import("BR-27.csv", case_bytes("BR-27.csv"), rows="valid")
    page = imported(tenant, iid, r)
    got = report_counts(page)
    assert got["read"] == 4 and got["created"] + got["failed"] == 4, got
    assert (got["created"], got["failed"]) == (2, 2), got
    assert tenant.count(live=False) == got["created"]
    assert tenant.by("first_name")["Dan"]["last_name"] == "é" * 100
    # The page lists each problem with its row, column and limit.
    cells = [row["cells"] for row in page.rows]
    problem_rows = [[re.sub(r"\s+", " ", x).strip() for x in c] for c in cells if len(c) == 5]
    assert ["2", "3", "error", "company", "is too long (at most 200 characters)"] in problem_rows, problem_rows
    assert any(p[:4] == ["3", "4", "error", "note"] and "10000" in p[4].replace(",", "") for p in problem_rows)


def test_br27_all_or_nothing(tenant):
    iid, r = tenant.web_import("BR-27.csv", case_bytes("BR-27.csv"))
    page = imported(tenant, iid, r)
    assert report_counts(page)["failed"] == 2 and report_counts(page)["created"] == 0
    assert "nothing was imported" in page.text
    assert tenant.count(live=False) == 0


@pytest.mark.parametrize("option", ["skip", "restore"])
def test_br25_deleted_contacts(tenant, option):
    iid, r = tenant.web_import("BR-25.csv", case_bytes("BR-25.csv"))
    page = imported(tenant, iid, r)
    assert report_counts(page)["created"] == 3
    c = tenant.by("first_name")
    assert all(x["deleted_at"] is None for x in c.values())
    ben = c["Ben"]["id"]
    assert tenant.web.post(f"/contacts/{ben}/delete").status_code == 303
    lp = ListPage(tenant.web.get("/contacts"))
    assert sorted(lp.ids) == sorted([c["Ana"]["id"], c["Cara"]["id"]])
    assert ListPage(tenant.web.get("/contacts?q=Sample")).ids == []
    iid, r = tenant.web_import("BR-25-older.csv", case_bytes("BR-25.csv"), deleted=option)
    page = imported(tenant, iid, r)
    got = report_counts(page)
    if option == "skip":
        assert (got["skipped"], got["restored"], got["created"]) == (3, 0, 0), got
        assert ben not in [x["id"] for x in tenant.contacts()]
    else:
        assert (got["skipped"], got["restored"], got["created"]) == (2, 1, 0), got
        assert ben in [x["id"] for x in tenant.contacts()]
        assert ListPage(tenant.web.get("/contacts?q=Sample")).ids == [ben]
    assert "matches a deleted contact" in page.text, f"deleted={option}: the report does not say so"


# ---------------------------------------------------------------- BR-23 the audit trail

def test_br23_import_bulk_change_export_and_delete_are_audited(tenant, audit, db):
    data = case_bytes("BR-23.csv")
    sha = hashlib.sha256(data).hexdigest()
    mark = audit.mark()
    iid = uploaded_id(tenant.upload("BR-23.csv", data))
    up = audit.one_since(mark, "upload")
    assert (up["action"], up["method"], up["path"], up["client_id"], up["user_id"], up["object_type"],
            up["object_id"], up["outcome"]) == ("import.upload", "POST", "/imports", tenant.client_id,
                                                tenant.user_id, "import", iid, 303), up
    d = json.loads(up["detail"])
    assert d["file"]["name"] == "BR-23.csv" and d["file"]["sha256"].lower() == sha and d["file"]["size"] == len(data)

    _, fields = run_form(tenant.web, iid)
    mark = audit.mark()
    imported(tenant, iid, tenant.web.post(f"/imports/{iid}/run", {**fields, "action": "import"}))
    rows = [x for x in audit.since(mark) if x["action"] == "contact.import"]
    assert len(rows) == 1, [x["action"] for x in audit.since(mark)]
    row = rows[0]
    ids = [c["id"] for c in tenant.contacts()]
    assert len(ids) == 3
    assert (row["method"], row["path"], row["client_id"], row["user_id"], row["outcome"], row["object_type"],
            row["object_id"]) == ("POST", f"/imports/{iid}/run", tenant.client_id, tenant.user_id, 303, "import",
                                  iid)
    assert row["at"]
    d = json.loads(row["detail"])
    assert (d["file"]["name"], d["file"]["sha256"].lower(), d["rows_read"], sorted(d["created_ids"])) == \
        ("BR-23.csv", sha, 3, ids), d
    linked = [int(x[0]) for x in db.rows(f"SELECT contact_id FROM audit_contacts WHERE audit_id = {row['id']}"
                                         " ORDER BY contact_id")]
    assert linked == ids
    spring = int(db.value(f"SELECT id FROM campaigns WHERE client_id = {tenant.client_id} AND name = 'Spring'"))
    assert all(c["campaigns"] == ["Spring"] for c in tenant.contacts())

    # Bulk: every contact of Spring to Autumn (added to Autumn, removed from Spring).
    r = tenant.web.post("/campaigns", {"name": "Autumn"})
    assert r.status_code == 303
    autumn = int(re.search(r"/campaigns/(\d+)", location_path(r)).group(1))
    mark = audit.mark()
    r = tenant.web.post(f"/contacts/campaign-add?campaign={spring}", {"campaign_id": autumn, "which": "all"})
    assert r.status_code == 303, r.status_code
    r = tenant.web.post(f"/contacts/campaign-remove?campaign={autumn}", {"campaign_id": spring, "which": "all"})
    assert r.status_code == 303, r.status_code
    add, remove = audit.since(mark)
    assert (add["action"], add["user_id"], add["client_id"], add["object_id"]) == \
        ("campaign.bulk_add", tenant.user_id, tenant.client_id, autumn)
    assert sorted((x["id"], x["old"], x["new"]) for x in json.loads(add["detail"])["contacts"]) == \
        [(i, None, "targeted") for i in ids]
    assert (remove["action"], remove["object_id"]) == ("campaign.bulk_remove", spring)
    assert sorted((x["id"], x["old"], x["new"]) for x in json.loads(remove["detail"])["contacts"]) == \
        [(i, "targeted", None) for i in ids]
    assert all(c["campaigns"] == ["Autumn"] for c in tenant.contacts())

    # Export: format, filter and count, no contact data.
    mark = audit.mark()
    assert len(export_csv(tenant.web, f"campaign={autumn}")) == 3
    start, end = audit.since(mark)
    sd, ed = json.loads(start["detail"]), json.loads(end["detail"])
    assert (start["action"], sd["format"], sd["filter"]["campaign"]) == ("contact.export", "csv", autumn)
    assert (end["action"], ed["phase"], ed["rows"]) == ("contact.export", "completed", 3)
    text = start["detail"] + end["detail"]
    assert not any(v in text for v in ("Ana", "Ben", "Cara", "example.org")), text

    # Delete Cara.
    cara = tenant.by("first_name")["Cara"]["id"]
    mark = audit.mark()
    assert tenant.web.post(f"/contacts/{cara}/delete").status_code == 303
    row = audit.one_since(mark, "delete")
    assert (row["action"], row["object_type"], row["object_id"], row["user_id"]) == \
        ("contact.delete", "contact", cara, tenant.user_id)


# ---------------------------------------------------------------- bad uploads

@pytest.mark.parametrize("kind", sorted(BAD))
def test_binary_uploads_are_refused(tenant, kind):
    r = tenant.upload(f"contacts.{kind}", BAD[kind], "application/octet-stream")
    assert r.status_code == 422, r.status_code
    msg = Page(r.text).text
    assert f"contacts.{kind}" in msg, msg[:400]
    assert imports_of(tenant.db, tenant.client_id) == 0 and tenant.count(live=False) == 0


def test_truncated_and_too_wide_and_bad_dates_store_nothing(tenant):
    for name, data, line in (
            ("open-quote.csv", b'first_name,email\r\nAna,ana@example.org\r\n"Ben,ben@example.org\r\n', 3),
            ("wide.csv", b"first_name,email\nAna,ana@example.org\nBen,ben@example.org,x\n", 3),
            ("dates.csv", b"first_name,email,birthday\nAna,ana@example.org,2023-02-30\n", 2)):
        iid, r = tenant.web_import(name, data)
        page = imported(tenant, iid, r)
        assert report_counts(page)["created"] == 0 and report_counts(page)["failed"] >= 1, name
        assert "nothing was imported" in page.text, name
        assert any(p[2] == "error" and (p[1] == line or f"line {line}" in p[4].lower()) for p in
                   problems(tenant.db, iid)), (name, problems(tenant.db, iid))
        assert tenant.count(live=False) == 0, name


def test_unknown_encoding_is_refused(tenant):
    iid = uploaded_id(tenant.upload("BR-01.csv", case_bytes("BR-01.csv")))
    _, fields = run_form(tenant.web, iid)
    r = tenant.web.post(f"/imports/{iid}/run", {**fields, "encoding": "klingon-8", "action": "import"})
    assert r.status_code == 400, r.status_code
    assert "encoding" in Page(r.text).text.lower()
    assert tenant.count(live=False) == 0 and import_record(tenant.db, iid)["status"] == "uploaded"


def test_an_upload_over_the_limit(tenant, audit):
    """32 MB and one byte: the application refuses it (413) with the
    limit; nginx's limit for the upload is above it."""
    big = b"first_name,email\n" + b"x" * (32 * 1024 * 1024 + 1 - 17)
    mark = audit.mark()
    r = tenant.upload("big.csv", big)
    assert r.status_code == 413, r.status_code
    assert imports_of(tenant.db, tenant.client_id) == 0
    row = audit.one_since(mark, "the refused upload")
    assert (row["action"], row["outcome"]) == ("import.upload", 413)
    assert "32 MB" in json.loads(row["detail"])["refused"]
    # The person is told the limit too (the page the upload form shows).
    assert "32 MB" in Page(r.text).text, f"the 413 page says: {Page(r.text).text[:300]}"


def test_no_file_and_another_users_import(tenant, db, people, sessions):
    r = tenant.web.request("POST", "/imports", data={"csrf": tenant.web.csrf},
                           files={"file": ("", b"", "application/octet-stream")})
    assert r.status_code == 422 and "Choose a file" in Page(r.text).text
    iid = uploaded_id(tenant.upload("BR-01.csv", case_bytes("BR-01.csv")))
    # Another user of the same client does not see it.
    other = people.user(tenant.client_id, ["contacts.view", "contacts.import"])
    web, _ = sessions.make(client_id=tenant.client_id, user_id=other)
    assert web.get(f"/imports/{iid}").status_code == 404
    assert web.post(f"/imports/{iid}/run", {"action": "import"}).status_code == 404
    assert tenant.count(live=False) == 0
    # A user without contacts.import may not import.
    viewer = people.user(tenant.client_id, ["contacts.view"])
    web, _ = sessions.make(client_id=tenant.client_id, user_id=viewer)
    assert upload(web, "BR-01.csv", case_bytes("BR-01.csv")).status_code == 403


# ---------------------------------------------------------------- what the user's type allows

def test_an_import_takes_the_functions_of_what_it_does(db, people, sessions):
    """contacts.import alone does not let a user create, update, restore or
    delete contacts: the run and the undo need what the form would need
    (403 with the page and its message; nothing changed)."""
    only = Tenant(db, people, sessions, functions=["contacts.view", "contacts.import"])
    iid, r = only.web_import("a.csv", b"first_name,email\nAna,ana@example.org\n")
    assert r.status_code == 403, r.status_code
    assert "it needs contacts.create as well" in Page(r.text).text
    assert only.count(live=False) == 0
    # Creating is allowed, updating is not: create-only runs, create_update is refused.
    creator = Tenant(db, people, sessions, functions=["contacts.view", "contacts.import", "contacts.create"])
    iid, r = creator.web_import("b.csv", b"first_name,email\nBen,ben@example.org\n", mode="create_update")
    assert r.status_code == 403 and "it needs contacts.edit as well" in Page(r.text).text
    assert creator.count(live=False) == 0
    iid, r = creator.web_import("c.csv", b"first_name,email\nCara,cara@example.org\n")
    assert r.status_code == 303 and creator.count() == 1
    # Undoing deletes what it made: contacts.delete.
    r = creator.web.post(f"/imports/{iid}/undo", {})
    assert r.status_code == 403 and "it needs contacts.delete as well" in Page(r.text).text
    assert creator.count() == 1
