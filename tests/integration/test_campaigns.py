"""Campaigns and their members, through the pages: the list and a
campaign's page, every operation and its audit row, bad input (422), the
matrix (403), other clients' and out-of-set campaigns (404), members counted
and changed only inside the user's scope, bulk changes from the filtered
contact list compared with SQL, and the campaign a campaign-limited user's
new contact joins."""
import json
import re
from urllib.parse import urlencode, urlsplit, parse_qs

import pytest

from conftest import ListPage, Page, contact_form, location_path, sql_str, unique

STATUSES = ["targeted", "contacted", "responded", "declined"]
VIEW = ["contacts.view", "campaigns.view"]
MANAGE = VIEW + ["campaigns.manage"]


# ---------------------------------------------------------------- helpers

def create_campaign(web, name=None):
    name = name if name is not None else unique("Campaign ")
    r = web.post("/campaigns", {"name": name})
    assert r.status_code == 303, f"creating a campaign answered {r.status_code}: {Page(r.text).text[:300]}"
    m = re.fullmatch(r"/campaigns/([1-9][0-9]*)\?done=created", location_path(r))
    assert m, f"create redirected to {location_path(r)}"
    return int(m.group(1)), name


def bulk(web, op, campaign_id, which="all", ids=(), **filt):
    """POST the list's bulk form; filt is the list filter (the query)."""
    path = f"/contacts/campaign-{op}" + ("?" + urlencode(filt) if filt else "")
    data = [("campaign_id", str(campaign_id)), ("which", which)] + [("id", str(i)) for i in ids]
    return web.post(path, data)


def bulk_count(r):
    """The number a bulk change reports in its redirect."""
    assert r.status_code == 303, f"a bulk change answered {r.status_code}: {Page(r.text).text[:300]}"
    q = parse_qs(urlsplit(location_path(r)).query)
    return int(q["n"][0])


def members(db, campaign_id):
    """contact id -> status, every member as stored."""
    return {int(a): b for a, b in db.rows(
        f"SELECT contact_id, status FROM contact_campaigns WHERE campaign_id = {int(campaign_id)}")}


def in_region_sql(demo, code):
    return (f"c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions a"
            f" ON a.client_id = rc.client_id AND a.id = rc.ancestor_id"
            f" WHERE a.client_id = {demo.client_id} AND a.code = {sql_str(code)})")


def contact_ids(demo, where):
    return sorted(int(r[0]) for r in demo.db.rows(
        f"SELECT c.id FROM contacts c WHERE c.client_id = {demo.client_id} AND c.deleted_at IS NULL AND ({where})"))


def limit_regions(db, client_id, user_id, *codes):
    for code in codes:
        db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) SELECT client_id, {int(user_id)}, id"
                f" FROM regions WHERE client_id = {int(client_id)} AND code = {sql_str(code)}")


def limit_campaigns(db, client_id, user_id, *campaign_ids):
    for cid in campaign_ids:
        db.rows(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id)"
                f" VALUES ({int(client_id)}, {int(user_id)}, {int(cid)})")


class CampaignPage:
    """A campaign's page, read."""

    def __init__(self, response):
        assert response.status_code == 200, f"campaign page answered {response.status_code}"
        self.page = Page(response.text)
        self.total = int(self.page.by_id["members-total"].strip())
        self.counts = {s: int(self.page.by_id[f"count-{s}"].strip()) for s in STATUSES}
        m = re.search(r"Showing (\d+)\s*\u2013\s*(\d+) of (\d+)", self.page.text)
        self.shown = int(m.group(3)) if m else 0
        m = re.search(r"Page (\d+) of (\d+)", self.page.text)
        self.page_no, self.pages = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        self.rows = {}
        self.order = []
        for row in self.page.rows:
            ids = [int(m.group(1)) for h in row["links"] for m in [re.fullmatch(r"/contacts/(\d+)", h)] if m]
            assert ids, f"a member row without a contact link: {row}"
            # The status cell shows the label; the default labels are the
            # codes capitalised.
            self.rows[ids[0]] = re.sub(r"\s+", " ", row["cells"][2]).strip().lower()
            self.order.append(ids[0])


def campaign_list(web, **params):
    r = web.get("/campaigns" + ("?" + urlencode(params) if params else ""))
    assert r.status_code == 200, f"GET /campaigns answered {r.status_code}"
    page = Page(r.text)
    out = {}
    for row in page.rows:
        ids = [int(m.group(1)) for h in row["links"] for m in [re.fullmatch(r"/campaigns/(\d+)", h)] if m]
        assert ids, f"a campaign row without a link: {row}"
        cells = [re.sub(r"\s+", " ", c).strip() for c in row["cells"]]
        out[ids[0]] = {"name": cells[0], "status": cells[1], "members": int(cells[2])}
    return out, page


@pytest.fixture
def campaign(admin):
    return create_campaign(admin)


# ---------------------------------------------------------------- the campaign itself

def test_create_rename_archive_unarchive_each_audited(admin, demo, audit):
    name = unique("Spring drive ")
    mark = audit.mark()
    cid, _ = create_campaign(admin, "  " + name + " ")
    row = audit.one_since(mark, "create")
    assert (row["action"], row["object_type"], row["object_id"], row["outcome"], row["user_id"]) == \
        ("campaign.create", "campaign", cid, 303, demo.user_id)
    assert json.loads(row["detail"]) == {"changes": {"name": {"old": None, "new": name}}}
    assert demo.db.rows(f"SELECT client_id, name, archived_at FROM campaigns WHERE id = {cid}") == \
        [(str(demo.client_id), name, None)], "the stored name is not the trimmed one"

    listed, _ = campaign_list(admin)
    assert listed[cid] == {"name": name, "status": "active", "members": 0}

    new = unique("Renamed ")
    mark = audit.mark()
    r = admin.post(f"/campaigns/{cid}", {"name": new})
    assert r.status_code == 303 and location_path(r) == f"/campaigns/{cid}?done=renamed"
    row = audit.one_since(mark, "rename")
    assert (row["action"], row["object_id"]) == ("campaign.rename", cid)
    assert json.loads(row["detail"]) == {"changes": {"name": {"old": name, "new": new}}}
    page = admin.get(location_path(r))
    assert "The campaign was renamed." in Page(page.text).text and Page(page.text).h1[0] == new

    mark = audit.mark()
    r = admin.post(f"/campaigns/{cid}/archive")
    assert r.status_code == 303
    row = audit.one_since(mark, "archive")
    assert row["action"] == "campaign.archive"
    assert json.loads(row["detail"]) == {"changes": {"archived": {"old": False, "new": True}}}
    assert demo.db.value(f"SELECT archived_at IS NOT NULL FROM campaigns WHERE id = {cid}") == "1"
    active, _ = campaign_list(admin)
    archived, _ = campaign_list(admin, show="archived")
    assert cid not in active and archived[cid]["status"] == "archived"
    page = Page(admin.get(f"/campaigns/{cid}").text)
    assert page.form(f"/campaigns/{cid}/unarchive") and not [f for f in page.forms
                                                              if f["action"] == f"/campaigns/{cid}/archive"]

    # Archiving again changes nothing and says so.
    mark = audit.mark()
    assert admin.post(f"/campaigns/{cid}/archive").status_code == 303
    assert json.loads(audit.one_since(mark)["detail"]) == {"changes": {}}

    mark = audit.mark()
    assert admin.post(f"/campaigns/{cid}/unarchive").status_code == 303
    row = audit.one_since(mark, "unarchive")
    assert row["action"] == "campaign.unarchive"
    assert json.loads(row["detail"]) == {"changes": {"archived": {"old": True, "new": False}}}
    assert demo.db.value(f"SELECT archived_at FROM campaigns WHERE id = {cid}") is None


@pytest.mark.parametrize("name, error", [
    ("", "is needed"),
    ("   ", "is needed"),
    ("x" * 201, "too long"),
    ("bad\u0007name", "control"),
])
def test_bad_names_are_422_and_change_nothing(name, error, admin, demo, audit, campaign):
    cid, old = campaign
    count = demo.db.int(f"SELECT COUNT(*) FROM campaigns WHERE client_id = {demo.client_id}")
    r = admin.post("/campaigns", {"name": name})
    assert r.status_code == 422
    page = Page(r.text)
    assert error in (page.field_error("name") or ""), page.field_error("name")
    if name.strip() and "\u0007" not in name:
        assert page.form("/campaigns")["fields"]["name"] == name, "the input was not kept"
    assert demo.db.int(f"SELECT COUNT(*) FROM campaigns WHERE client_id = {demo.client_id}") == count
    r = admin.post(f"/campaigns/{cid}", {"name": name})
    assert r.status_code == 422 and error in (Page(r.text).field_error("name") or "")
    assert demo.db.value(f"SELECT name FROM campaigns WHERE id = {cid}") == old


def test_names_are_unique_per_client_ignoring_case(admin, demo, people, sessions, campaign):
    cid, name = campaign
    other_id, other_name = create_campaign(admin)
    for variant in (name, name.upper(), " " + name.lower()):
        r = admin.post("/campaigns", {"name": variant})
        assert r.status_code == 422, f"a second campaign named {variant!r} answered {r.status_code}"
        assert "taken" in Page(r.text).field_error("name")
        assert Page(r.text).form("/campaigns")["fields"]["name"] == variant, "the input was not kept"
    r = admin.post(f"/campaigns/{other_id}", {"name": name.upper()})
    assert r.status_code == 422 and "taken" in Page(r.text).field_error("name")
    assert demo.db.value(f"SELECT name FROM campaigns WHERE id = {other_id}") == other_name
    assert demo.db.int(f"SELECT COUNT(*) FROM campaigns WHERE client_id = {demo.client_id}"
                       f" AND name = {sql_str(name)}") == 1
    # Renaming to its own name (in another case) is allowed.
    assert admin.post(f"/campaigns/{cid}", {"name": name.upper()}).status_code == 303
    # Another client may use the same name.
    client = people.client()
    web, _ = sessions.make(client_id=client, user_id=people.user(client, MANAGE))
    create_campaign(web, name)


# ---------------------------------------------------------------- the matrix and other clients

def test_functions_are_required_on_get_and_post(admin, demo, people, sessions, campaign, create_contact):
    cid, name = campaign
    contact = create_contact()
    before = demo.db.rows(f"SELECT name, archived_at FROM campaigns WHERE id = {cid}")
    posts = [("/campaigns", {"name": unique("No ")}), (f"/campaigns/{cid}", {"name": "Taken"}),
             (f"/campaigns/{cid}/archive", {}), (f"/campaigns/{cid}/unarchive", {}),
             (f"/campaigns/{cid}/members/status", {"contact_id": contact, "status": "declined"}),
             (f"/campaigns/{cid}/members/remove", {"contact_id": contact}),
             (f"/contacts/{contact}/campaigns", {"campaign_id": cid}),
             (f"/contacts/{contact}/campaigns/remove", {"campaign_id": cid})]
    # Without campaigns.view: nothing of campaigns, and no menu entry.
    web, _ = sessions.make(user_id=people.user(demo.client_id, ["contacts.view"]))
    for path in ("/campaigns", f"/campaigns/{cid}", "/campaigns?show=archived"):
        assert web.get(path).status_code == 403, f"GET {path} without campaigns.view"
    for path, data in posts:
        assert web.post(path, data).status_code == 403, f"POST {path} without campaigns.manage"
    page = Page(web.get(f"/contacts/{contact}").text)
    assert "/campaigns" not in [l["href"] for l in page.links]
    assert "campaigns" not in page.by_id, "the campaigns panel is shown without campaigns.view"
    # With campaigns.view only: the pages, but no forms and no changes.
    web, _ = sessions.make(user_id=people.user(demo.client_id, VIEW))
    assert web.get("/campaigns").status_code == 200
    page = Page(web.get(f"/campaigns/{cid}").text)
    assert [f["action"] for f in page.forms if f["method"] == "post"] == ["/logout"], \
        "forms that change campaigns are offered without campaigns.manage"
    assert not [f for f in Page(web.get("/campaigns").text).forms if f["action"] == "/campaigns"]
    contact_page = Page(web.get(f"/contacts/{contact}").text)
    assert "campaigns" in contact_page.by_id
    assert not [f for f in contact_page.forms if "/campaigns" in f["action"]]
    for path, data in posts:
        assert web.post(path, data).status_code == 403, f"POST {path} without campaigns.manage"
    assert demo.db.rows(f"SELECT name, archived_at FROM campaigns WHERE id = {cid}") == before
    assert members(demo.db, cid) == {}
    # Bulk changes need contacts.bulk_edit, and the form is only offered then.
    web, _ = sessions.make(user_id=people.user(demo.client_id, MANAGE))
    lp = Page(web.get("/contacts?region=US-WY").text)
    assert "bulk" not in lp.by_id and not [i for i in lp.inputs if i.get("type") == "checkbox" and i.get("name") == "id"]
    for op in ("add", "remove"):
        r = bulk(web, op, cid, region="US-WY")
        assert r.status_code == 403, f"bulk {op} without contacts.bulk_edit answered {r.status_code}"
    assert members(demo.db, cid) == {}


def test_another_clients_campaign_is_404(admin, demo, people, sessions, campaign, create_contact):
    cid, name = campaign
    contact = create_contact()
    assert bulk_count(bulk(admin, "add", cid, ids=[contact], which="selected")) == 1
    client = people.client()
    user = people.user(client, MANAGE + ["contacts.create", "contacts.bulk_edit"])
    web, _ = sessions.make(client_id=client, user_id=user)
    theirs, _ = create_campaign(web)
    r = web.post("/contacts", contact_form(last_name=unique("Theirs")))
    their_contact = int(location_path(r).rsplit("/", 1)[1])
    listed, _ = campaign_list(web)
    assert list(listed) == [theirs], f"the other client lists {listed}"
    for path in (f"/campaigns/{cid}", f"/campaigns/{cid}?status=targeted"):
        assert web.get(path).status_code == 404, f"GET {path} of another client's campaign"
    for path, data in ((f"/campaigns/{cid}", {"name": "Taken over"}), (f"/campaigns/{cid}/archive", {}),
                       (f"/campaigns/{cid}/members/status", {"contact_id": contact, "status": "declined"}),
                       (f"/campaigns/{cid}/members/remove", {"contact_id": contact}),
                       (f"/contacts/{their_contact}/campaigns", {"campaign_id": cid})):
        assert web.post(path, data).status_code == 404, f"POST {path} reached another client's campaign"
    assert bulk(web, "add", cid).status_code == 404
    assert bulk(web, "remove", cid).status_code == 404
    # Their list filtered by our campaign is empty, and ours by theirs.
    assert ListPage(web.get(f"/contacts?campaign={cid}")).total == 0
    assert ListPage(admin.get(f"/contacts?campaign={theirs}")).total == 0
    assert admin.get(f"/campaigns/{theirs}").status_code == 404
    # Nor can the demo admin put a contact of theirs into our campaign.
    assert admin.post(f"/contacts/{their_contact}/campaigns", {"campaign_id": cid}).status_code == 404
    assert bulk_count(bulk(admin, "add", cid, ids=[their_contact], which="selected")) == 0
    assert members(demo.db, cid) == {contact: "targeted"}
    assert demo.db.rows(f"SELECT name, archived_at FROM campaigns WHERE id = {cid}") == [(name, None)]


# ---------------------------------------------------------------- scope

def test_campaign_limited_user_sees_only_their_campaigns(admin, demo, people, sessions):
    mine, _ = create_campaign(admin)
    other, _ = create_campaign(admin)
    wy = contact_ids(demo, in_region_sql(demo, "US-WY"))
    ak = contact_ids(demo, in_region_sql(demo, "US-AK"))
    assert bulk_count(bulk(admin, "add", mine, region="US-WY")) == len(wy)
    assert bulk_count(bulk(admin, "add", other, region="US-AK")) == len(ak)
    user = people.user(demo.client_id, MANAGE + ["contacts.bulk_edit"], all_campaigns=False)
    limit_campaigns(demo.db, demo.client_id, user, mine)
    web, _ = sessions.make(user_id=user)
    listed, page = campaign_list(web)
    assert list(listed) == [mine] and listed[mine]["members"] == len(wy)
    assert not [f for f in page.forms if f["action"] == "/campaigns"], "a limited user is offered to create"
    assert web.post("/campaigns", {"name": unique("Mine ")}).status_code == 403
    assert CampaignPage(web.get(f"/campaigns/{mine}")).total == len(wy)
    for path in (f"/campaigns/{other}", f"/campaigns/{other}?page=2"):
        assert web.get(path).status_code == 404
    for path, data in ((f"/campaigns/{other}", {"name": "Mine now"}), (f"/campaigns/{other}/archive", {}),
                       (f"/campaigns/{other}/members/status", {"contact_id": ak[0], "status": "declined"}),
                       (f"/campaigns/{other}/members/remove", {"contact_id": ak[0]})):
        assert web.post(path, data).status_code == 404, f"POST {path} reached a campaign outside the set"
    assert bulk(web, "remove", other).status_code == 404
    # The list's campaign choices hold only theirs; a filter by another
    # campaign shows nothing, not even the contacts they share.
    shared = wy[0]
    assert bulk_count(bulk(admin, "add", other, which="selected", ids=[shared])) == 1
    lp = Page(web.get("/contacts").text)
    assert [o[0] for o in lp.selects["campaign"]["options"]] == ["", str(mine)]
    assert ListPage(web.get(f"/contacts?campaign={other}")).total == 0
    assert ListPage(web.get(f"/contacts?campaign={mine}")).total == len(wy)
    assert len(members(demo.db, other)) == len(ak) + 1


def test_region_limited_user_counts_and_lists_only_members_in_scope(admin, demo, people, sessions):
    cid, _ = create_campaign(admin)
    nm = contact_ids(demo, in_region_sql(demo, "US-NM"))
    nv = contact_ids(demo, in_region_sql(demo, "US-NV"))
    assert bulk_count(bulk(admin, "add", cid, region="US-NM")) == len(nm)
    assert bulk_count(bulk(admin, "add", cid, region="US-NV")) == len(nv)
    responded = nm[:3] + nv[:2]
    for contact in responded:
        r = admin.post(f"/campaigns/{cid}/members/status", {"contact_id": contact, "status": "responded"})
        assert r.status_code == 303
    user = people.user(demo.client_id, MANAGE, all_regions=False)
    limit_regions(demo.db, demo.client_id, user, "US-NM")
    web, _ = sessions.make(user_id=user)
    listed, _ = campaign_list(web)
    assert listed[cid]["members"] == len(nm), listed[cid]
    assert campaign_list(admin)[0][cid]["members"] == len(nm) + len(nv)
    cp = CampaignPage(web.get(f"/campaigns/{cid}"))
    assert (cp.total, cp.shown) == (len(nm), len(nm))
    assert cp.counts == {"targeted": len(nm) - 3, "contacted": 0, "responded": 3, "declined": 0}
    assert CampaignPage(admin.get(f"/campaigns/{cid}")).counts["responded"] == 5
    pages = [cp] + [CampaignPage(web.get(f"/campaigns/{cid}?page={n}")) for n in range(2, cp.pages + 1)]
    shown = sorted(i for p in pages for i in p.order)
    assert shown == nm, "the limited user's member list is not exactly the members in their region"
    # Out-of-scope members cannot be changed by them (404), and stay as they are.
    r = web.post(f"/campaigns/{cid}/members/status", {"contact_id": nv[0], "status": "declined"})
    assert r.status_code == 404
    assert web.post(f"/campaigns/{cid}/members/remove", {"contact_id": nv[0]}).status_code == 404
    assert members(demo.db, cid)[nv[0]] == "responded"
    assert len(members(demo.db, cid)) == len(nm) + len(nv)


# ---------------------------------------------------------------- a campaign's page

def test_members_page_pages_and_filters_by_status_and_region(admin, demo, campaign):
    cid, _ = campaign
    oh = contact_ids(demo, in_region_sql(demo, "US-OH"))
    assert len(oh) > 700
    assert bulk_count(bulk(admin, "add", cid, region="US-OH")) == len(oh)
    pages = (len(oh) + 49) // 50
    oh05 = contact_ids(demo, in_region_sql(demo, "US-OH-05"))
    for contact in oh05[:4]:
        assert admin.post(f"/campaigns/{cid}/members/status",
                          {"contact_id": contact, "status": "contacted"}).status_code == 303
    cp = CampaignPage(admin.get(f"/campaigns/{cid}"))
    assert (cp.total, cp.shown, cp.pages, len(cp.order)) == (len(oh), len(oh), pages, 50)
    expected = [int(r[0]) for r in demo.db.rows(
        f"SELECT c.id FROM contacts c JOIN contact_campaigns m ON m.client_id = c.client_id AND m.contact_id = c.id"
        f" WHERE m.campaign_id = {cid} AND c.deleted_at IS NULL ORDER BY c.last_name, c.first_name, c.id")]
    assert cp.order == expected[:50]
    last = CampaignPage(admin.get(f"/campaigns/{cid}?page={pages}"))
    assert last.order == expected[(pages - 1) * 50:] and last.page_no == pages
    assert cp.counts == {"targeted": len(oh) - 4, "contacted": 4, "responded": 0, "declined": 0}
    # By status, by region, and both.
    st = CampaignPage(admin.get(f"/campaigns/{cid}?status=contacted"))
    assert sorted(st.order) == oh05[:4] and set(st.rows.values()) == {"contacted"}
    assert st.total == len(oh), "the counts per status follow the scope, not the filter"
    rg = CampaignPage(admin.get(f"/campaigns/{cid}?region=US-OH-05"))
    assert sorted(rg.order) == oh05
    both = CampaignPage(admin.get(f"/campaigns/{cid}?region=US-OH-05&status=targeted"))
    assert sorted(both.order) == oh05[4:]
    assert Page(admin.get(f"/campaigns/{cid}?status=declined").text).by_class.get("empty"), "no empty state"
    # The pager keeps the filter (and never names the campaign again).
    page = Page(admin.get(f"/campaigns/{cid}?region=US-OH").text)
    nxt = page.link("next")
    assert urlsplit(nxt).path == f"/campaigns/{cid}" and parse_qs(urlsplit(nxt).query) == \
        {"region": ["US-OH"], "page": ["2"]}
    for bad in ("status=won", "campaign=1", "page=0", "region=bad%20code"):
        assert admin.get(f"/campaigns/{cid}?{bad}").status_code == 400, bad


def test_status_change_one_by_one(admin, demo, audit, campaign, create_contact):
    cid, name = campaign
    contact = create_contact()
    outsider = create_contact()
    assert admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": cid}).status_code == 303
    for status in ("contacted", "responded", "declined", "targeted"):
        mark = audit.mark()
        r = admin.post(f"/campaigns/{cid}/members/status", {"contact_id": contact, "status": status})
        assert r.status_code == 303 and location_path(r) == f"/campaigns/{cid}?done=status"
        row = audit.one_since(mark)
        old = members(demo.db, cid)[contact]
        assert old == status
        detail = json.loads(row["detail"])
        assert row["action"] == "campaign.member_status" and row["object_id"] == cid
        assert detail["campaign"] == {"id": cid, "name": name} and detail["count"] == 1
        assert detail["contacts"][0]["id"] == contact and detail["contacts"][0]["new"] == status
    assert CampaignPage(admin.get(f"/campaigns/{cid}")).rows == {contact: "targeted"}
    r = admin.post(f"/campaigns/{cid}/members/status", {"contact_id": contact, "status": "won"})
    assert "one of Targeted (targeted), Contacted (contacted), Responded (responded) or Declined (declined)" \
        in Page(r.text).text
    for data, code in (({"contact_id": contact, "status": "won"}, 422),
                       ({"contact_id": contact, "status": ""}, 422),
                       ({"contact_id": contact}, 422),
                       ({"status": "declined"}, 422),
                       ({"contact_id": "x", "status": "declined"}, 422),
                       ({"contact_id": outsider, "status": "declined"}, 404)):
        r = admin.post(f"/campaigns/{cid}/members/status", data)
        assert r.status_code == code, f"{data} answered {r.status_code}"
    assert members(demo.db, cid) == {contact: "targeted"}


def test_remove_a_member_from_the_campaign_page(admin, demo, audit, campaign, create_contact):
    cid, name = campaign
    a, b = create_contact(), create_contact()
    assert bulk_count(bulk(admin, "add", cid, ids=[a, b], which="selected")) == 2
    page = Page(admin.get(f"/campaigns/{cid}").text)
    assert page.form(f"/campaigns/{cid}/members/remove")
    mark = audit.mark()
    r = admin.post(f"/campaigns/{cid}/members/remove", {"contact_id": a})
    assert r.status_code == 303
    row = audit.one_since(mark)
    assert row["action"] == "campaign.member_remove"
    detail = json.loads(row["detail"])
    assert detail["count"] == 1 and detail["contacts"] == [{"id": a, "old": "targeted", "new": None}]
    assert members(demo.db, cid) == {b: "targeted"}
    assert admin.post(f"/campaigns/{cid}/members/remove", {"contact_id": a}).status_code == 404


def test_archived_campaign_members_do_not_change(admin, demo, campaign, create_contact):
    cid, _ = campaign
    active, _ = create_campaign(admin)
    a, b = create_contact(), create_contact()
    assert admin.post(f"/contacts/{a}/campaigns", {"campaign_id": cid}).status_code == 303
    assert admin.post(f"/campaigns/{cid}/archive").status_code == 303
    page = Page(admin.get(f"/campaigns/{cid}").text)
    assert not [f for f in page.forms if "/members/" in f["action"]], "member forms on an archived campaign"
    assert "archived" in page.h1[0]
    for r in (admin.post(f"/campaigns/{cid}/members/status", {"contact_id": a, "status": "declined"}),
              admin.post(f"/campaigns/{cid}/members/remove", {"contact_id": a}),
              admin.post(f"/contacts/{b}/campaigns", {"campaign_id": cid}),
              bulk(admin, "add", cid, ids=[b], which="selected")):
        assert r.status_code == 422 and "archived" in Page(r.text).text
    assert members(demo.db, cid) == {a: "targeted"}
    # Still counted, still listed with the contact.
    contact_page = Page(admin.get(f"/contacts/{a}").text)
    assert any(f"/campaigns/{cid}" == l["href"] for l in contact_page.links)
    lp = Page(admin.get("/contacts").text)
    assert str(cid) in [o[0] for o in lp.selects["campaign"]["options"]]
    bulk_choices = [o[0] for o in lp.selects["campaign_id"]["options"]]
    assert str(active) in bulk_choices and str(cid) not in bulk_choices, "bulk offers an archived campaign"


# ---------------------------------------------------------------- the contact's side

def test_contact_page_panel_add_and_remove(admin, demo, audit, people, sessions, create_contact):
    cid, name = create_campaign(admin)
    other, other_name = create_campaign(admin)
    contact = create_contact()
    page = Page(admin.get(f"/contacts/{contact}").text)
    assert "Not in any of your campaigns." in page.by_id["campaigns"]
    choices = [o[0] for o in page.selects_by_id["join-campaign"]["options"]]
    assert str(cid) in choices and str(other) in choices

    mark = audit.mark()
    r = admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": cid})
    assert r.status_code == 303 and location_path(r) == f"/contacts/{contact}?done=joined"
    row = audit.one_since(mark)
    assert (row["action"], row["object_type"], row["object_id"]) == ("campaign.member_add", "campaign", cid)
    assert json.loads(row["detail"])["contacts"] == [{"id": contact, "old": None, "new": "targeted"}]
    assert members(demo.db, cid) == {contact: "targeted"}
    page = Page(admin.get(location_path(r)).text)
    assert "The contact was added to the campaign." in page.text
    panel = [r for r in page.rows if f"/campaigns/{cid}" in r["links"]]
    assert len(panel) == 1 and panel[0]["cells"][1].strip() == "Targeted"  # the status's label
    assert str(cid) not in [o[0] for o in page.selects_by_id["join-campaign"]["options"]]

    # Adding again changes nothing and says so.
    r = admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": cid})
    assert r.status_code == 303 and location_path(r) == f"/contacts/{contact}?done=member"
    assert members(demo.db, cid) == {contact: "targeted"}

    # A campaign-limited user sees only their campaigns in the panel.
    assert admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": other}).status_code == 303
    user = people.user(demo.client_id, MANAGE, all_campaigns=False)
    limit_campaigns(demo.db, demo.client_id, user, other)
    web, _ = sessions.make(user_id=user)
    theirs = Page(web.get(f"/contacts/{contact}").text)
    hrefs = [l["href"] for l in theirs.links]
    assert f"/campaigns/{other}" in hrefs and f"/campaigns/{cid}" not in hrefs
    assert name not in theirs.text
    assert web.post(f"/contacts/{contact}/campaigns/remove", {"campaign_id": cid}).status_code == 404
    assert members(demo.db, cid) == {contact: "targeted"}

    mark = audit.mark()
    r = admin.post(f"/contacts/{contact}/campaigns/remove", {"campaign_id": cid})
    assert r.status_code == 303 and location_path(r) == f"/contacts/{contact}?done=left"
    assert json.loads(audit.one_since(mark)["detail"])["contacts"] == [{"id": contact, "old": "targeted", "new": None}]
    assert members(demo.db, cid) == {}
    assert admin.post(f"/contacts/{contact}/campaigns/remove", {"campaign_id": cid}).status_code == 404
    for data in ({}, {"campaign_id": ""}, {"campaign_id": "abc"}):
        assert admin.post(f"/contacts/{contact}/campaigns", data).status_code == 422
    assert admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": 4294967295}).status_code == 404
    assert admin.post(f"/contacts/999999999/campaigns", {"campaign_id": cid}).status_code == 404


def test_contact_outside_scope_cannot_join(admin, demo, people, sessions, campaign):
    cid, _ = campaign
    user = people.user(demo.client_id, MANAGE, all_regions=False)
    limit_regions(demo.db, demo.client_id, user, "US-WY")
    web, _ = sessions.make(user_id=user)
    ak = contact_ids(demo, in_region_sql(demo, "US-AK"))[0]
    wy = contact_ids(demo, in_region_sql(demo, "US-WY"))[0]
    assert web.post(f"/contacts/{ak}/campaigns", {"campaign_id": cid}).status_code == 404
    assert web.post(f"/contacts/{wy}/campaigns", {"campaign_id": cid}).status_code == 303
    assert members(demo.db, cid) == {wy: "targeted"}


# ---------------------------------------------------------------- bulk from the list

def test_bulk_add_from_a_filtered_list_affects_exactly_the_filtered_set_in_scope(admin, demo, audit, people,
                                                                                sessions, campaign):
    cid, name = campaign
    user = people.user(demo.client_id, ["contacts.view", "contacts.bulk_edit", "campaigns.view"],
                       all_regions=False)
    limit_regions(demo.db, demo.client_id, user, "US-WY", "US-AK")
    web, _ = sessions.make(user_id=user)
    # The form is offered with the count of the filtered list.
    lp = ListPage(web.get("/contacts?party=Democrat"))
    expected = contact_ids(demo, f"c.party = 'Democrat' AND ({in_region_sql(demo, 'US-WY')}"
                                 f" OR {in_region_sql(demo, 'US-AK')})")
    assert lp.total == len(expected) > 10
    n = len(expected)
    form = lp.page.form("/contacts/campaign-add?party=Democrat")
    assert f"Add all {lp.total} matching contacts" in lp.page.by_id["bulk"]
    assert str(cid) in [o[0] for o in lp.page.selects["campaign_id"]["options"]]
    assert form["fields"]["csrf"] == web.csrf

    mark = audit.mark()
    r = bulk(web, "add", cid, party="Democrat")
    assert bulk_count(r) == n
    assert location_path(r) == f"/contacts?party=Democrat&bulk=added&n={n}&in={cid}"
    assert sorted(members(demo.db, cid)) == expected, "bulk add did not add exactly the filtered set in scope"
    assert set(members(demo.db, cid).values()) == {"targeted"}
    row = audit.one_since(mark)
    assert (row["action"], row["object_type"], row["object_id"], row["user_id"]) == \
        ("campaign.bulk_add", "campaign", cid, user)
    detail = json.loads(row["detail"])
    assert detail["count"] == n and detail["campaign"] == {"id": cid, "name": name}
    assert detail["filter"]["party"] == "Democrat"
    assert sorted(c["id"] for c in detail["contacts"]) == expected
    assert all(c["old"] is None and c["new"] == "targeted" for c in detail["contacts"])
    flash = Page(web.get(location_path(r)).text).by_class["flash"][0]
    assert f"{n} contacts were added to the campaign “{name}”." in flash

    # Again: nobody is added twice.
    r = bulk(web, "add", cid, party="Democrat")
    assert bulk_count(r) == 0 and len(members(demo.db, cid)) == n

    # The admin adds everyone of Wyoming; then the limited user removes the
    # Republicans among what they see.
    wy = contact_ids(demo, in_region_sql(demo, "US-WY"))
    nm = contact_ids(demo, in_region_sql(demo, "US-NM"))
    assert bulk_count(bulk(admin, "add", cid, region="US-WY")) == len(set(wy) - set(expected))
    assert bulk_count(bulk(admin, "add", cid, region="US-NM")) == len(nm)
    rep = contact_ids(demo, f"c.party = 'Republican' AND ({in_region_sql(demo, 'US-WY')}"
                            f" OR {in_region_sql(demo, 'US-AK')})")
    rep_members = sorted(set(rep) & set(members(demo.db, cid)))
    assert len(rep_members) > 10
    before = len(members(demo.db, cid))
    mark = audit.mark()
    r = bulk(web, "remove", cid, party="Republican")
    assert bulk_count(r) == len(rep_members)
    row = audit.one_since(mark)
    assert row["action"] == "campaign.bulk_remove"
    detail = json.loads(row["detail"])
    assert sorted(c["id"] for c in detail["contacts"]) == rep_members
    assert all(c["old"] == "targeted" and c["new"] is None for c in detail["contacts"])
    left = members(demo.db, cid)
    assert not set(rep_members) & set(left)
    assert len(left) == before - len(rep_members), "the remove reached members outside the user's scope"


def test_bulk_by_ticked_ids_rechecks_the_scope(admin, demo, audit, people, sessions, campaign, create_contact):
    cid, _ = campaign
    user = people.user(demo.client_id, ["contacts.view", "contacts.bulk_edit"], all_regions=False)
    limit_regions(demo.db, demo.client_id, user, "US-WY")
    web, _ = sessions.make(user_id=user)
    lp = ListPage(web.get("/contacts?region=US-WY"))
    boxes = [i for i in lp.page.inputs if i.get("type") == "checkbox" and i.get("name") == "id"]
    assert [int(b["value"]) for b in boxes] == lp.ids and all(b.get("form") == "bulk" for b in boxes)
    wy = lp.ids[:3]
    ak = contact_ids(demo, in_region_sql(demo, "US-AK"))[:2]
    no_region = create_contact()
    client = people.client()
    foreign_web, _ = sessions.make(client_id=client, user_id=people.user(client, ["contacts.create"]))
    foreign = int(location_path(foreign_web.post("/contacts", contact_form())).rsplit("/", 1)[1])
    mark = audit.mark()
    r = bulk(web, "add", cid, which="selected", ids=wy + ak + [no_region, foreign, 999999999, wy[0]])
    assert bulk_count(r) == 3, "ids outside the scope were counted"
    assert sorted(members(demo.db, cid)) == sorted(wy)
    detail = json.loads(audit.one_since(mark)["detail"])
    assert sorted(c["id"] for c in detail["contacts"]) == sorted(wy)
    # The ids are only a further condition on the filter of the list.
    r = bulk(web, "add", cid, which="selected", ids=lp.ids[3:6], party="Nobody")
    assert bulk_count(r) == 0
    # Admin adds the Alaskans; the limited user cannot remove them by id.
    assert bulk_count(bulk(admin, "add", cid, which="selected", ids=ak)) == 2
    r = bulk(web, "remove", cid, which="selected", ids=ak + wy[:1])
    assert bulk_count(r) == 1
    assert sorted(members(demo.db, cid)) == sorted(wy[1:] + ak)


def test_bulk_bad_input_is_422_and_changes_nothing(admin, demo, campaign):
    cid, _ = campaign
    for data, why in (([("which", "all")], "campaign"), ([("campaign_id", str(cid))], "which"),
                      ([("campaign_id", str(cid)), ("which", "some")], "which"),
                      ([("campaign_id", str(cid)), ("which", "selected")], "no ids"),
                      ([("campaign_id", str(cid)), ("which", "selected"), ("id", "12x")], "bad id"),
                      ([("campaign_id", "x"), ("which", "all")], "bad campaign")):
        r = admin.post("/contacts/campaign-add?region=US-WY", data)
        assert r.status_code == 422, f"{why}: {r.status_code}"
    assert admin.post("/contacts/campaign-add?party=" + "x" * 101,
                      [("campaign_id", str(cid)), ("which", "all")]).status_code == 400
    r = admin.post("/contacts/campaign-add", [("campaign_id", str(cid)), ("which", "selected")]
                   + [("id", str(i)) for i in range(1, 202)])
    assert r.status_code == 422 and "at most 200" in Page(r.text).text
    assert members(demo.db, cid) == {}
    assert admin.get("/contacts/campaign-add").status_code == 405


def test_list_filters_by_campaign_and_status(admin, demo, people, sessions, campaign):
    cid, name = campaign
    ak = contact_ids(demo, in_region_sql(demo, "US-AK"))
    assert bulk_count(bulk(admin, "add", cid, region="US-AK")) == len(ak)
    assert admin.post(f"/campaigns/{cid}/members/status",
                      {"contact_id": ak[0], "status": "declined"}).status_code == 303
    lp = ListPage(admin.get(f"/contacts?campaign={cid}"))
    assert lp.total == len(ak) and sorted(lp.ids) == ak
    assert [o for o in lp.page.selects["campaign"]["options"] if o[0] == str(cid)][0][2], "not selected"
    assert [o[1] for o in lp.page.selects["campaign"]["options"] if o[0] == str(cid)] == [name]
    assert ListPage(admin.get(f"/contacts?campaign={cid}&status=declined")).ids == [ak[0]]
    assert sorted(ListPage(admin.get(f"/contacts?campaign={cid}&status=targeted")).ids) == ak[1:]
    assert admin.get("/contacts?status=declined").status_code == 400
    # "Remove everyone who declined": the filter names the same campaign.
    r = bulk(admin, "remove", cid, campaign=cid, status="declined")
    assert bulk_count(r) == 1 and sorted(members(demo.db, cid)) == ak[1:]
    assert location_path(r) == f"/contacts?campaign={cid}&status=declined&bulk=removed&n=1&in={cid}"
    assert admin.get(f"/contacts?campaign={cid}&status=won").status_code == 400
    # The list page shows the campaign of a campaign's page link.
    page = Page(admin.get(f"/campaigns/{cid}").text)
    assert f"/contacts?campaign={cid}" in [l["href"] for l in page.links]
    # Without campaigns.view the filter is not offered.
    web, _ = sessions.make(user_id=people.user(demo.client_id, ["contacts.view"]))
    assert "campaign" not in Page(web.get("/contacts").text).selects


# ---------------------------------------------------------------- a campaign-limited user's new contact

def test_campaign_limited_user_new_contact_joins_their_campaign(admin, demo, audit, people, sessions):
    mine, mine_name = create_campaign(admin)
    archived, _ = create_campaign(admin)
    other, _ = create_campaign(admin)
    assert admin.post(f"/campaigns/{archived}/archive").status_code == 303
    user = people.user(demo.client_id, ["contacts.view", "contacts.create", "campaigns.view"],
                       all_campaigns=False)
    limit_campaigns(demo.db, demo.client_id, user, mine, archived)
    web, _ = sessions.make(user_id=user)
    form = Page(web.get("/contacts/new").text)
    assert [o[0] for o in form.selects["campaign"]["options"]] == ["", str(mine)]
    assert 'name="campaign" required' in form.source
    count = demo.live_count()
    for value, why in (("", "is needed"), (str(other), "not one of your campaigns"),
                       (str(archived), "archived"), ("abc", "not one of your campaigns"),
                       ("99999999", "not one of your campaigns")):
        last = unique("Limited")
        r = web.post("/contacts", contact_form(last_name=last, campaign=value))
        assert r.status_code == 422, f"campaign {value!r} answered {r.status_code}"
        page = Page(r.text)
        assert why in (page.field_error("campaign") or ""), page.field_error("campaign")
        assert page.form("/contacts")["fields"]["last_name"] == last
        assert demo.live_count() == count, "a contact was created with a bad campaign"
    last = unique("Limited")
    mark = audit.mark()
    r = web.post("/contacts", contact_form(last_name=last, campaign=str(mine)))
    assert r.status_code == 303
    contact = int(location_path(r).rsplit("/", 1)[1])
    assert members(demo.db, mine) == {contact: "targeted"}
    detail = json.loads(audit.one_since(mark)["detail"])
    assert detail["changes"]["last_name"] == {"old": None, "new": last}
    assert detail["campaign"] == {"id": mine, "name": mine_name, "status": {"old": None, "new": "targeted"}}
    # It is in their scope: they see it.
    assert web.get(f"/contacts/{contact}").status_code == 200
    assert ListPage(web.get(f"/contacts?q={last}")).ids == [contact]
    # A user with all campaigns is not asked.
    assert "campaign" not in Page(admin.get("/contacts/new").text).selects


# ---------------------------------------------------------------- templates in their states

def test_pages_in_their_states(admin, demo, people, sessions):
    # A client with no campaigns at all.
    client = people.client()
    web, _ = sessions.make(client_id=client, user_id=people.user(client, MANAGE + ["contacts.bulk_edit"]))
    listed, page = campaign_list(web)
    assert listed == {} and "No active campaigns." in page.text
    assert "No archived campaigns." in campaign_list(web, show="archived")[1].text
    assert page.form("/campaigns")
    assert web.get("/campaigns?show=everything").status_code == 400
    # An empty campaign.
    cid, name = create_campaign(web)
    cp = Page(web.get(f"/campaigns/{cid}").text)
    assert "No members match." in cp.text and cp.by_id["members-total"].strip() == "0"
    assert cp.form(f"/campaigns/{cid}")["fields"]["name"] == name
    assert cp.form(f"/campaigns/{cid}/archive")
    assert [o[0] for o in cp.selects["status"]["options"]] == [""] + STATUSES
    # Flash messages come from codes, not from the address.
    r = web.get(f"/campaigns/{cid}?done=<script>")
    assert r.status_code == 200 and "<script>" not in r.text and not Page(r.text).by_class.get("flash")
    r = web.get("/contacts?bulk=added&n=5&in=99999999")
    assert not Page(r.text).by_class.get("flash"), "a flash for a campaign the user cannot see"
    # A name with markup is shown as text.
    odd = "<b>" + unique("Odd & ") + "</b>"
    oid, _ = create_campaign(web, odd)
    r = web.get(f"/campaigns/{oid}")
    assert odd not in r.text and Page(r.text).h1[0] == odd
    assert campaign_list(web)[0][oid]["name"] == odd
