"""The row scope on the contact pages: users limited by geography (at
country, state and district level), by campaigns, by both, and by nothing at
all see, open, change and count exactly the contacts in their scope; every
other contact answers 404, as if it did not exist."""
from urllib.parse import urlencode

import pytest

from conftest import ListPage, Page, contact_form, sql_str, unique

CONTACT_FUNCS = ["contacts.view", "contacts.create", "contacts.edit", "contacts.delete"]


def region_id(demo, code):
    return demo.db.int(f"SELECT id FROM regions WHERE client_id = {demo.client_id} AND code = {sql_str(code)}")


def under(demo, code):
    """SQL condition on contacts c: in the region or below it."""
    return (f"c.region_id IN (SELECT descendant_id FROM region_closure WHERE client_id = {demo.client_id}"
            f" AND ancestor_id = {region_id(demo, code)})")


def expected_ids(demo, where):
    return sorted(int(r[0]) for r in demo.db.rows(
        f"SELECT c.id FROM contacts c WHERE c.client_id = {demo.client_id} AND c.deleted_at IS NULL AND ({where})"))


def limit_user(demo, user_id, regions=(), campaigns=()):
    for code in regions:
        demo.db.run(f"INSERT INTO user_regions (client_id, user_id, region_id)"
                    f" VALUES ({demo.client_id}, {int(user_id)}, {region_id(demo, code)})")
    for cid in campaigns:
        demo.db.run(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id)"
                    f" VALUES ({demo.client_id}, {int(user_id)}, {int(cid)})")


def campaign(demo, contact_ids):
    cid = demo.db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({demo.client_id},"
                      f" {sql_str(unique('Campaign '))}); SELECT LAST_INSERT_ID()")
    for c in contact_ids:
        demo.db.run(f"INSERT INTO contact_campaigns (client_id, campaign_id, contact_id)"
                    f" VALUES ({demo.client_id}, {cid}, {int(c)})")
    return cid


def listed(web, **params):
    """(total, ids) of the list over all its pages."""
    r = web.get("/contacts" + ("?" + urlencode(params) if params else ""))
    assert r.status_code == 200, r.status_code
    first = ListPage(r)
    ids = list(first.ids)
    for n in range(2, (first.pages or 1) + 1):
        r = web.get("/contacts?" + urlencode(dict(params, page=n)))
        ids += ListPage(r).ids
    return first.total, sorted(ids)


@pytest.fixture
def limited(people, sessions, demo):
    """A factory: a web client for a new user of the demo client with the
    contact functions, limited as asked."""
    def make(regions=(), campaigns=(), all_regions=False, all_campaigns=False, functions=CONTACT_FUNCS):
        uid = people.user(demo.client_id, functions, all_regions=all_regions, all_campaigns=all_campaigns)
        limit_user(demo, uid, regions, campaigns)
        web, _ = sessions.make(demo.client_id, uid)
        return web
    return make


def test_a_user_given_no_access_sees_nothing(limited):
    web = limited()
    total, ids = listed(web)
    assert (total, ids) == (0, [])
    total, _ = listed(web, q="lujan")
    assert total == 0


@pytest.mark.parametrize("code", ["US-OH", "US-OH-03", "US"])
def test_a_geography_limit_shows_exactly_the_contacts_under_it(limited, demo, code):
    web = limited(regions=[code], all_campaigns=True)
    want = expected_ids(demo, under(demo, code))
    if code == "US":
        total, _ = listed(web, q="lujan")
        assert total == len(expected_ids(demo, under(demo, code) + " AND c.search_name LIKE '%lujan%'"))
        r = web.get("/contacts")
        assert ListPage(r).total == len(want)
        return
    assert listed(web) == (len(want), want)


def test_contacts_outside_the_scope_answer_404_everywhere(limited, demo):
    web = limited(regions=["US-OH"], all_campaigns=True)
    inside = expected_ids(demo, under(demo, "US-OH"))[0]
    outside = expected_ids(demo, under(demo, "US-TX"))[0]
    assert web.get(f"/contacts/{inside}").status_code == 200
    for path in (f"/contacts/{outside}", f"/contacts/{outside}/edit", f"/contacts/{outside}/delete"):
        assert web.get(path).status_code == 404, path
    before = demo.contact(outside)
    r = web.post(f"/contacts/{outside}", contact_form(version="x"))
    assert r.status_code == 404
    r = web.post(f"/contacts/{outside}/delete", {})
    assert r.status_code == 404
    assert demo.contact(outside) == before, "a contact outside the scope was changed"


def test_filters_never_widen_the_scope(limited, demo):
    web = limited(regions=["US-OH"], all_campaigns=True)
    assert listed(web, region="US-TX") == (0, [])
    assert listed(web, region="US") == listed(web)


def test_a_campaign_limit_and_a_geography_limit_combine(limited, demo):
    ohio = expected_ids(demo, under(demo, "US-OH"))
    texas = expected_ids(demo, under(demo, "US-TX"))
    members = ohio[:5] + texas[:5]
    camp = campaign(demo, members)
    other = campaign(demo, ohio[5:10])
    only_campaign = limited(campaigns=[camp], all_regions=True)
    assert listed(only_campaign) == (10, sorted(members))
    both = limited(regions=["US-OH"], campaigns=[camp])
    assert listed(both) == (5, sorted(ohio[:5]))
    two = limited(regions=["US-OH"], campaigns=[camp, other])
    assert listed(two) == (10, sorted(ohio[:10]))
    assert both.get(f"/contacts/{texas[0]}").status_code == 404
    assert both.get(f"/contacts/{ohio[7]}").status_code == 404
    assert both.get(f"/contacts/{ohio[2]}").status_code == 200
    # the campaign filter narrows inside the scope, never beyond it
    assert listed(both, campaign=other) == (0, [])


def test_a_limited_user_keeps_new_and_edited_contacts_inside_their_regions(limited, demo):
    web = limited(regions=["US-OH"], all_campaigns=True)
    form = Page(web.get("/contacts/new").text)
    options = {o[0] for o in form.selects["region"]["options"]} - {""}
    want = {r[0] for r in demo.db.rows(
        f"SELECT g.code FROM regions g WHERE g.client_id = {demo.client_id} AND g.id IN"
        f" (SELECT descendant_id FROM region_closure WHERE client_id = {demo.client_id}"
        f" AND ancestor_id = {region_id(demo, 'US-OH')})")}
    assert options == want, "the region choices are not the user's regions"

    name = unique("Scoped")
    r = web.post("/contacts", {"last_name": name, "region": "US-TX"})
    assert r.status_code == 422
    assert "outside the regions" in Page(r.text).field_error("region")
    r = web.post("/contacts", {"last_name": name, "region": ""})
    assert r.status_code == 422
    assert "choose one of your regions" in Page(r.text).field_error("region")
    assert demo.db.int(f"SELECT COUNT(*) FROM contacts WHERE client_id = {demo.client_id}"
                       f" AND last_name = {sql_str(name)}") == 0
    r = web.post("/contacts", {"last_name": name, "region": "US-OH-03"})
    assert r.status_code == 303

    cid = expected_ids(demo, under(demo, "US-OH"))[0]
    before = demo.contact(cid)
    version = Page(web.get(f"/contacts/{cid}/edit").text).form(f"/contacts/{cid}")["fields"]["version"]
    r = web.post(f"/contacts/{cid}", contact_form(region="US-TX", version=version))
    assert r.status_code == 422
    assert demo.contact(cid) == before


def membership_regions(demo, campaign_id):
    """{contact id: the memberships' copy of its region} of a campaign."""
    return {int(r[0]): (int(r[1]) if r[1] not in (None, "NULL") else None) for r in demo.db.rows(
        f"SELECT contact_id, region_id FROM contact_campaigns WHERE client_id = {demo.client_id}"
        f" AND campaign_id = {int(campaign_id)}")}


def move(web, contact_id, code):
    """Saves the contact's edit form with another region."""
    page = Page(web.get(f"/contacts/{contact_id}/edit").text)
    fields = page.form(f"/contacts/{contact_id}")["fields"]
    r = web.post(f"/contacts/{contact_id}", contact_form(
        first_name=fields["first_name"], last_name=fields["last_name"], region=code, version=fields["version"]))
    assert r.status_code == 303, r.status_code


def test_the_memberships_copy_of_the_region_follows_the_contact(limited, demo, admin, create_contact):
    """The scope reads the members of a region-and-campaign-limited user
    from the memberships' copy of the contact's region (sql/008): it is
    right from the membership's insert on and follows every change of the
    contact's region at once, through the pages or in SQL."""
    ohio, texas = create_contact(region="US-OH-03"), create_contact(region="US-TX-07")
    cid = campaign(demo, [ohio, texas])
    assert membership_regions(demo, cid) == {ohio: region_id(demo, "US-OH-03"), texas: region_id(demo, "US-TX-07")}
    web = limited(regions=["US-OH"], campaigns=[cid])
    assert listed(web) == (1, [ohio])
    assert web.get(f"/contacts/{ohio}").status_code == 200

    move(admin, ohio, "US-TX-07")
    assert membership_regions(demo, cid)[ohio] == region_id(demo, "US-TX-07")
    assert listed(web) == (0, [])
    assert web.get(f"/contacts/{ohio}").status_code == 404

    move(admin, texas, "US-OH-05")
    assert membership_regions(demo, cid)[texas] == region_id(demo, "US-OH-05")
    assert listed(web) == (1, [texas])
    assert listed(web, region="US-OH-05") == (1, [texas])
    assert web.get(f"/contacts/{texas}").status_code == 200

    # a change in SQL, to no region and back, is copied too
    demo.db.run(f"UPDATE contacts SET region_id = NULL WHERE client_id = {demo.client_id} AND id = {texas}")
    assert membership_regions(demo, cid)[texas] is None
    assert listed(web) == (0, [])
    demo.db.run(f"UPDATE contacts SET region_id = {region_id(demo, 'US-OH')}"
                f" WHERE client_id = {demo.client_id} AND id = {texas}")
    assert membership_regions(demo, cid)[texas] == region_id(demo, "US-OH")
    assert listed(web) == (1, [texas])
    # a contact that was already in Ohio joins a campaign later
    other = campaign(demo, [ohio])
    assert membership_regions(demo, other) == {ohio: region_id(demo, "US-TX-07")}


def test_a_region_and_campaign_limited_user_moves_and_deletes_a_member(limited, demo, create_contact):
    """The user's own edit of a member's region (the trigger that copies it
    must not run inside a statement that reads the memberships) and delete."""
    first, second = create_contact(region="US-OH-03"), create_contact(region="US-OH-03")
    cid = campaign(demo, [first, second])
    web = limited(regions=["US-OH"], campaigns=[cid])
    move(web, first, "US-OH-05")
    assert demo.db.int(f"SELECT region_id FROM contacts WHERE id = {first}") == region_id(demo, "US-OH-05")
    assert membership_regions(demo, cid)[first] == region_id(demo, "US-OH-05")
    assert listed(web, region="US-OH-05") == (1, [first])
    r = web.post(f"/contacts/{second}/delete", {})
    assert r.status_code == 303, r.status_code
    assert listed(web) == (1, [first])
