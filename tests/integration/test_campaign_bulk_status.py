"""The bulk status change of a campaign's page (the ticked members, or all
the members matching the page's filters), always within the user's scope:
ticked members outside it are not changed (the rows in the database say
so), an archived campaign refuses (422), another's campaign is 404, a user
without campaigns.manage 403; and the page's region filter, which takes a
state or a district within the user's geography."""
import json
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from conftest import Page, location_path
from test_campaigns import (MANAGE, CampaignPage, bulk, bulk_count, contact_ids, create_campaign, in_region_sql,
                            limit_campaigns, limit_regions, members)


def bulk_status(web, cid, to, which="all", ids=(), **filt):
    path = f"/campaigns/{cid}/members/bulk-status" + ("?" + urlencode(filt) if filt else "")
    return web.post(path, [("which", which), ("to", to)] + [("id", str(i)) for i in ids])


def changed(r):
    assert r.status_code == 303, f"bulk status answered {r.status_code}: {Page(r.text).text[:300]}"
    q = parse_qs(urlsplit(location_path(r)).query)
    assert q["done"] == ["statuses"]
    return int(q["n"][0])


@pytest.fixture
def wy_nm(admin, demo):
    """A campaign with the members of Wyoming and New Mexico."""
    cid, name = create_campaign(admin)
    wy = contact_ids(demo, in_region_sql(demo, "US-WY"))
    nm = contact_ids(demo, in_region_sql(demo, "US-NM"))
    assert bulk_count(bulk(admin, "add", cid, region="US-WY")) == len(wy)
    assert bulk_count(bulk(admin, "add", cid, region="US-NM")) == len(nm)
    return cid, name, wy, nm


def test_ticked_and_all_matching_with_audit(admin, demo, audit, wy_nm):
    cid, name, wy, nm = wy_nm
    mark = audit.mark()
    r = bulk_status(admin, cid, "contacted", which="selected", ids=wy[:3])
    assert changed(r) == 3
    assert location_path(r) == f"/campaigns/{cid}?done=statuses&n=3"
    row = audit.one_since(mark)
    detail = json.loads(row["detail"])
    assert (row["action"], row["object_type"], row["object_id"], row["outcome"]) == \
        ("campaign.bulk_status", "campaign", cid, 303)
    assert detail["count"] == 3 and detail["status"] == "contacted"
    assert detail["contacts"] == [{"id": i, "old": "targeted", "new": "contacted"} for i in wy[:3]]
    m = members(demo.db, cid)
    assert [i for i in m if m[i] == "contacted"] == wy[:3] or sorted(i for i in m if m[i] == "contacted") == wy[:3]
    page = Page(admin.get(location_path(r)).text)
    assert "The status of 3 members was changed." in page.text
    # All matching the page's filter (the state and the status): Wyoming's
    # targeted members, not New Mexico's, not the three contacted.
    r = bulk_status(admin, cid, "responded", region="US-WY", status="targeted")
    assert changed(r) == len(wy) - 3
    assert parse_qs(urlsplit(location_path(r)).query) == \
        {"region": ["US-WY"], "status": ["targeted"], "done": ["statuses"], "n": [str(len(wy) - 3)]}
    m = members(demo.db, cid)
    assert {m[i] for i in wy[3:]} == {"responded"} and {m[i] for i in wy[:3]} == {"contacted"}
    assert {m[i] for i in nm} == {"targeted"}
    # The same again changes nothing (and says so).
    r = bulk_status(admin, cid, "responded", region="US-WY", status="responded")
    assert changed(r) == 0
    assert "they had that status already" in Page(admin.get(location_path(r)).text).text
    cp = CampaignPage(admin.get(f"/campaigns/{cid}"))
    assert cp.counts == {"targeted": len(nm), "contacted": 3, "responded": len(wy) - 3, "declined": 0}
    # The page offers both buttons, with the number matching.
    page = Page(admin.get(f"/campaigns/{cid}?region=US-NM").text)
    assert page.by_id["bulk-all"].strip() == f"Set status of all {len(nm)} matching members"
    assert page.form(f"/campaigns/{cid}/members/bulk-status?region=US-NM")
    assert len([i for i in page.inputs if i.get("form") == "bulk-status"]) == min(50, len(nm))


def test_refusals(admin, demo, wy_nm, people, sessions):
    cid, _, wy, nm = wy_nm
    before = members(demo.db, cid)
    for data, code in (([("which", "selected"), ("to", "contacted")], 422),          # nothing ticked
                       ([("which", "some"), ("to", "contacted")], 422),
                       ([("to", "contacted")], 422),
                       ([("which", "selected"), ("to", "contacted"), ("id", "x")], 422),
                       ([("which", "all"), ("to", "won")], 422),
                       ([("which", "all"), ("to", "")], 422),
                       ([("which", "all")], 422)):
        r = admin.post(f"/campaigns/{cid}/members/bulk-status", data)
        assert r.status_code == code, f"{data}: {r.status_code}"
    r = admin.post(f"/campaigns/{cid}/members/bulk-status",
                   [("which", "selected"), ("to", "contacted")] + [("id", str(i)) for i in range(1, 202)])
    assert r.status_code == 422 and "at most 200" in Page(r.text).text
    assert admin.post(f"/campaigns/{cid}/members/bulk-status?status=won", {"which": "all", "to": "declined"}) \
        .status_code == 400
    assert admin.post(f"/campaigns/{cid}/members/bulk-status?campaign=1", {"which": "all", "to": "declined"}) \
        .status_code == 400
    # Archived: 422, nothing changed.
    assert admin.post(f"/campaigns/{cid}/archive").status_code == 303
    r = bulk_status(admin, cid, "declined")
    assert r.status_code == 422 and "archived" in Page(r.text).text
    assert "bulk-status" not in admin.get(f"/campaigns/{cid}").text, "an archived campaign offers the bulk form"
    assert admin.post(f"/campaigns/{cid}/unarchive").status_code == 303
    # No such campaign, and another client's: 404.
    assert bulk_status(admin, 999999999, "declined").status_code == 404
    client = people.client()
    other, _ = sessions.make(client_id=client, user_id=people.user(client, MANAGE))
    assert bulk_status(other, cid, "declined").status_code == 404
    # Without campaigns.manage: 403, and no form.
    viewer, _ = sessions.make(user_id=people.user(demo.client_id, ["contacts.view", "campaigns.view"]))
    assert bulk_status(viewer, cid, "declined").status_code == 403
    assert "bulk-status" not in viewer.get(f"/campaigns/{cid}").text
    assert members(demo.db, cid) == before


def test_region_limited_user_changes_only_their_members(admin, demo, wy_nm, people, sessions):
    cid, _, wy, nm = wy_nm
    user = people.user(demo.client_id, MANAGE, all_regions=False)
    limit_regions(demo.db, demo.client_id, user, "US-NM")
    web, _ = sessions.make(user_id=user)
    # Ticked: two of theirs and two outside their scope.
    r = bulk_status(web, cid, "declined", which="selected", ids=nm[:2] + wy[:2])
    assert changed(r) == 2
    m = members(demo.db, cid)
    assert [m[i] for i in nm[:2]] == ["declined", "declined"]
    assert [m[i] for i in wy[:2]] == ["targeted", "targeted"], "a member outside the scope was changed"
    # All matching: all of theirs, none of Wyoming's, even when filtering
    # by Wyoming (which matches nothing for them).
    assert changed(bulk_status(web, cid, "declined", region="US-WY")) == 0
    assert changed(bulk_status(web, cid, "contacted")) == len(nm)
    m = members(demo.db, cid)
    assert {m[i] for i in nm} == {"contacted"} and {m[i] for i in wy} == {"targeted"}


def test_campaign_limited_user(admin, demo, wy_nm, people, sessions):
    cid, _, wy, nm = wy_nm
    mine, _ = create_campaign(admin)
    assert bulk_count(bulk(admin, "add", mine, which="selected", ids=wy[:2])) == 2
    user = people.user(demo.client_id, MANAGE, all_campaigns=False)
    limit_campaigns(demo.db, demo.client_id, user, mine)
    web, _ = sessions.make(user_id=user)
    assert bulk_status(web, cid, "declined").status_code == 404
    assert changed(bulk_status(web, mine, "declined")) == 2
    assert set(members(demo.db, mine).values()) == {"declined"}
    assert set(members(demo.db, cid).values()) == {"targeted"}


def test_one_by_one_change_is_kept(admin, demo, wy_nm):
    cid, _, wy, _ = wy_nm
    r = admin.post(f"/campaigns/{cid}/members/status", {"contact_id": wy[0], "status": "responded"})
    assert r.status_code == 303 and members(demo.db, cid)[wy[0]] == "responded"


# ---------------------------------------------------------------- the region filter

def district_options(html):
    block = re.search(r'<optgroup label="Districts">(.*?)</optgroup>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', block.group(1)) if block else []


def state_options(html):
    block = re.search(r'<optgroup label="States">(.*?)</optgroup>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', block.group(1)) if block else []


def test_district_filter(admin, demo, people, sessions):
    cid, _ = create_campaign(admin)
    oh = contact_ids(demo, in_region_sql(demo, "US-OH"))
    assert bulk_count(bulk(admin, "add", cid, region="US-OH")) == len(oh)
    oh05 = contact_ids(demo, in_region_sql(demo, "US-OH-05"))
    assert oh05
    # No state chosen: states only. Ohio chosen: Ohio's districts too; one of
    # them chosen: the same districts, that one selected.
    html = admin.get(f"/campaigns/{cid}").text
    assert "US-OH" in state_options(html) and district_options(html) == []
    html = admin.get(f"/campaigns/{cid}?region=US-OH").text
    districts = district_options(html)
    assert "US-OH-05" in districts and all(d.startswith("US-OH-") for d in districts)
    html = admin.get(f"/campaigns/{cid}?region=US-OH-05").text
    assert district_options(html) == districts
    assert re.search(r'<option value="US-OH-05" selected>', html)
    cp = CampaignPage(admin.get(f"/campaigns/{cid}?region=US-OH-05"))
    assert sorted(cp.order) == oh05 and cp.shown == len(oh05)
    # Bulk by district.
    assert changed(bulk_status(admin, cid, "contacted", region="US-OH-05")) == len(oh05)
    assert sorted(i for i, s in members(demo.db, cid).items() if s == "contacted") == oh05

    # A user limited to one district (without its state) is offered it; one
    # limited to another state sees no Ohio member through a district filter.
    user = people.user(demo.client_id, MANAGE, all_regions=False)
    limit_regions(demo.db, demo.client_id, user, "US-OH-03")
    web, _ = sessions.make(user_id=user)
    html = web.get(f"/campaigns/{cid}").text
    assert state_options(html) == [] and district_options(html) == ["US-OH-03"]
    oh03 = contact_ids(demo, in_region_sql(demo, "US-OH-03"))
    assert sorted(CampaignPage(web.get(f"/campaigns/{cid}?region=US-OH-03")).order) == oh03
    assert CampaignPage(web.get(f"/campaigns/{cid}?region=US-OH-05")).shown == 0
    other = people.user(demo.client_id, MANAGE, all_regions=False)
    limit_regions(demo.db, demo.client_id, other, "US-CA")
    oweb, _ = sessions.make(user_id=other)
    html = oweb.get(f"/campaigns/{cid}?region=US-OH").text
    assert state_options(html) == ["US-CA"] and district_options(html) == []
    assert CampaignPage(oweb.get(f"/campaigns/{cid}?region=US-OH-05")).shown == 0
    assert changed(bulk_status(oweb, cid, "declined", region="US-OH-05")) == 0
    assert "declined" not in members(demo.db, cid).values()
