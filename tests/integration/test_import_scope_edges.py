"""The web import at the edges of scope and undo: users whose scopes have
different shapes (limited by region, by campaign, by both) each match the
contacts they see, an external id outside the user's scope is a row's
error and never a server error, an undo takes back the campaign
memberships the import added, and a long file name is no server error.

Every request goes through Web.request, which fails the test on any 5xx."""
import pytest

from conftest import Page
from import_support import IMPORT_FUNCTIONS, Tenant, counts, import_record, problems, ran, run_form, upload, \
    uploaded_id, web_import

SEED_CSV = ("external_id,first_name,last_name,email,region,campaign\r\n"
            "in-both,Inside,Both,inside@example.org,R1,Camp One\r\n"
            "out-region,Outside,Region,outside-r@example.org,R2,Camp One\r\n"
            "out-campaign,Outside,Campaign,outside-c@example.org,R1,\r\n").encode()


@pytest.fixture
def tenant(db, people, sessions):
    return Tenant(db, people, sessions)


@pytest.fixture
def shaped(tenant, db, people, sessions, tmp_path):
    """A client with regions R1 and R2, campaign Camp One, three contacts,
    and three importing users: limited to R1, limited to Camp One, limited
    to both. in-both is in every one's scope; out-region is in the
    campaign-limited user's scope only, out-campaign in the region-limited
    user's only."""
    tenant.add_region("R1", "Region one")
    tenant.add_region("R2", "Region two")
    path = tmp_path / "seed.csv"
    path.write_bytes(SEED_CSV)
    counts(ran(tenant.cli_file(str(path))), read=3, created=3)
    cid = tenant.client_id
    camp = db.int(f"SELECT id FROM campaigns WHERE client_id = {cid} AND name = 'Camp One'")
    r1 = db.int(f"SELECT id FROM regions WHERE client_id = {cid} AND code = 'R1'")
    users = {}
    for name, regions, campaigns in (("region", True, False), ("campaign", False, True), ("both", True, True)):
        uid = people.user(cid, IMPORT_FUNCTIONS, all_regions=not regions, all_campaigns=not campaigns)
        if regions:
            db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES ({cid}, {uid}, {r1})")
        if campaigns:
            db.rows(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES ({cid}, {uid}, {camp})")
        users[name], _ = sessions.make(client_id=cid, user_id=uid)
    return tenant, users


def dry_update(web, external_id, nickname, region="R1"):
    """A dry run updating one contact, matched on its external id."""
    data = f"external_id,nickname,region\r\n{external_id},{nickname},{region}\r\n".encode()
    import_id, r = web_import(web, "one.csv", data, action="dry_run", mode="create_update", match="external_id")
    assert r.status_code == 303, f"the dry run answered {r.status_code}: {Page(r.text).text[:400]}"
    return import_id


def test_each_scope_shape_matches_what_its_user_sees(shaped, db):
    # The users take turns, several times, so that every worker process
    # serves each kind of scope after another kind.
    tenant, users = shaped
    seen = {"region": ["in-both", "out-campaign"], "campaign": ["in-both", "out-region"], "both": ["in-both"]}
    for turn in range(3):
        for name, web in users.items():
            for ext in seen[name]:
                region = "R2" if ext == "out-region" else "R1"
                import_id = dry_update(web, ext, f"N{turn}", region)
                rec = import_record(db, import_id)
                assert (rec["updated"], rec["created"], rec["failed"]) == (1, 0, 0), \
                    f"turn {turn}, {name}-limited user, {ext}: {rec}, {problems(db, import_id)}"


def test_an_external_id_outside_the_scope_is_a_rows_error(shaped, db):
    tenant, users = shaped
    web = users["region"]
    before = tenant.count(live=False)
    # Matched on the external id: the contact with it is not in the user's
    # scope, so the row cannot create another with the same id.
    data = b"external_id,first_name,last_name,region\r\nout-region,Someone,Else,R1\r\n"
    import_id, r = web_import(web, "ext.csv", data, action="import", mode="create_update", match="external_id",
                              rows="valid")
    assert r.status_code == 303, f"the run answered {r.status_code}: {Page(r.text).text[:400]}"
    rec = import_record(db, import_id)
    assert (rec["created"], rec["updated"], rec["failed"]) == (0, 0, 1), rec
    assert tenant.count(live=False) == before
    outside = db.int(f"SELECT id FROM contacts WHERE client_id = {tenant.client_id} AND external_id = 'out-region'")
    for p in problems(db, import_id):
        assert str(outside) not in p[4], f"the report names a contact outside the scope: {p}"


def test_undo_takes_back_the_campaign_memberships_the_import_added(tenant, db, tmp_path):
    path = tmp_path / "seed.csv"
    path.write_bytes(b"external_id,first_name,last_name\r\nm-1,Member,Later\r\n")
    counts(ran(tenant.cli_file(str(path))), read=1, created=1)
    data = b"external_id,campaign\r\nm-1,Spring Drive\r\n"
    import_id, r = web_import(tenant.web, "camp.csv", data, mode="create_update", match="external_id")
    assert r.status_code == 303, Page(r.text).text[:400]
    members = (f"SELECT COUNT(*) FROM contact_campaigns m JOIN contacts c ON c.client_id = m.client_id"
               f" AND c.id = m.contact_id WHERE m.client_id = {tenant.client_id} AND c.external_id = 'm-1'")
    assert db.int(members) == 1, "the import made the contact a member"
    assert import_record(db, import_id)["updated"] == 1
    r = tenant.web.post(f"/imports/{import_id}/undo")
    assert r.status_code == 303, r.status_code
    assert import_record(db, import_id)["status"] == "undone"
    assert db.int(members) == 0, "the undo left the membership the import added"


def test_a_long_file_name_is_no_server_error(tenant, db):
    name = "x" * 300 + ".csv"
    r = upload(tenant.web, name, b"first_name\r\nLong\r\n")
    assert r.status_code in (303, 422), r.status_code
    if r.status_code == 303:
        import_id = uploaded_id(r)
        page, _ = run_form(tenant.web, import_id)
        assert import_record(db, import_id)["file_name"], "the file's name is kept"
