"""The contacts list of a user limited to a state and a campaign: the total,
the pages (the list counts them in the page's own statement for a limited
user), the last page and beyond, the other sorts and the search, compared
with the database."""
import math

from conftest import ListPage, sql_str, unique
from urllib.parse import urlencode

PAGE_SIZE = 50


def limited_user(db, demo, people, state, member_where):
    """A user of the demo client limited to `state` and to a new campaign
    whose members are the demo contacts matching member_where (on c)."""
    user_id = people.user(demo.client_id, ["contacts.view"], all_regions=False, all_campaigns=False)
    campaign = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({demo.client_id}, {sql_str(unique('Camp '))});"
                      " SELECT LAST_INSERT_ID()")
    db.rows(f"INSERT INTO contact_campaigns (client_id, campaign_id, contact_id) SELECT c.client_id, {campaign}, c.id"
            f" FROM contacts c WHERE c.client_id = {demo.client_id} AND ({member_where});"
            f" INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES ({demo.client_id}, {user_id}, {campaign});"
            f" INSERT INTO user_regions (client_id, user_id, region_id) SELECT client_id, {user_id}, id FROM regions"
            f" WHERE client_id = {demo.client_id} AND code = {sql_str(state)}")
    return user_id, campaign


def visible(demo, user_id, order="c.last_name, c.first_name, c.id", extra="1"):
    """The ids the user may see, in list order, from the database."""
    return [int(r[0]) for r in demo.db.rows(
        f"SELECT c.id FROM contacts c WHERE c.client_id = {demo.client_id} AND c.deleted_at IS NULL AND ({extra})"
        " AND c.region_id IN (SELECT rc.descendant_id FROM user_regions ur JOIN region_closure rc"
        " ON rc.client_id = ur.client_id AND rc.ancestor_id = ur.region_id"
        f" WHERE ur.client_id = {demo.client_id} AND ur.user_id = {user_id})"
        " AND c.id IN (SELECT cc.contact_id FROM user_campaigns uc JOIN contact_campaigns cc"
        " ON cc.client_id = uc.client_id AND cc.campaign_id = uc.campaign_id"
        f" WHERE uc.client_id = {demo.client_id} AND uc.user_id = {user_id})"
        f" ORDER BY {order}")]


def page(web, **params):
    path = "/contacts" + ("?" + urlencode(params) if params else "")
    r = web.get(path)
    assert r.status_code == 200, f"GET {path} answered {r.status_code}"
    return ListPage(r)


def test_limited_list_counts_pages_and_the_end(db, demo, people, sessions):
    # Every third contact is in the campaign, in Ohio and elsewhere.
    user_id, _ = limited_user(db, demo, people, "US-OH", "c.id MOD 3 = 0")
    web, _ = sessions.make(user_id=user_id)
    want = visible(demo, user_id)
    assert len(want) > 2 * PAGE_SIZE, f"the test needs several pages, Ohio's campaign members are {len(want)}"
    pages = math.ceil(len(want) / PAGE_SIZE)
    first = page(web)
    assert first.total == len(want), f"the limited list shows a total of {first.total}, the scope holds {len(want)}"
    assert first.ids == want[:PAGE_SIZE]
    assert (first.page_no, first.pages) == (1, pages)
    second = page(web, page=2)
    assert second.ids == want[PAGE_SIZE:2 * PAGE_SIZE]
    assert second.showing == (PAGE_SIZE + 1, 2 * PAGE_SIZE, len(want))
    last = page(web, page=pages)
    assert last.ids == want[(pages - 1) * PAGE_SIZE:]
    assert last.showing == ((pages - 1) * PAGE_SIZE + 1, len(want), len(want))
    # Past the end: the last page, with the right total.
    beyond = page(web, page=pages + 7)
    assert (beyond.page_no, beyond.pages, beyond.total, beyond.ids) == (pages, pages, len(want), last.ids)
    # The other orders and the search stay inside the scope.
    upd = visible(demo, user_id, order="c.updated_at DESC, c.id DESC")
    assert page(web, sort="updated", page=2).ids == upd[PAGE_SIZE:2 * PAGE_SIZE]
    found = visible(demo, user_id, extra="c.search_name LIKE '%an%'")
    lp = page(web, q="an")
    assert (lp.total, lp.ids) == (len(found), found[:PAGE_SIZE])


def test_limited_list_with_nothing_in_scope(db, demo, people, sessions):
    user_id, _ = limited_user(db, demo, people, "US-OH", "0")
    web, _ = sessions.make(user_id=user_id)
    for params in ({}, {"page": 4}, {"sort": "updated", "page": 2}):
        lp = page(web, **params)
        assert (lp.total, lp.ids) == (0, []), f"{params}: total {lp.total}, rows {lp.ids}"
        assert lp.page_no in (None, 1), f"{params}: an empty list shows page {lp.page_no}"


def in_region(demo, code, order, offset):
    return [int(r[0]) for r in demo.db.rows(
        f"SELECT c.id FROM contacts c WHERE c.client_id = {demo.client_id} AND c.deleted_at IS NULL"
        " AND c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions g"
        " ON g.client_id = rc.client_id AND g.id = rc.ancestor_id"
        f" WHERE g.client_id = {demo.client_id} AND g.code = {sql_str(code)})"
        f" ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {offset}")]


def test_region_filter_pages(admin, demo):
    """A region filter of the whole country and of a state, first and deep
    pages, both orders: the rows the database gives."""
    for code, pageno in (("US", 2), ("US", 200), ("US-OH", 2)):
        for sort, order in (("name", "c.last_name, c.first_name, c.id"), ("updated", "c.updated_at DESC, c.id DESC")):
            lp = page(admin, region=code, sort=sort, page=pageno)
            want = in_region(demo, code, order, (pageno - 1) * PAGE_SIZE)
            assert want, f"the test needs rows on page {pageno} of {code}"
            assert lp.ids == want, f"region={code} sort={sort} page={pageno} shows other rows than the database"
