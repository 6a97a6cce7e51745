"""The security matrix, generated.

A fixture made in SQL: two clients (the demo client and one more, with a few
contacts of its own in regions of the same codes), three campaigns (one
archived) with known members, and users of several types: limited to the
country, a state, a district, two regions, some campaigns, a state and a
campaign, nothing at all, and unlimited; with different function sets.

For every user the test works out on its own, in Python, which contacts the
user may see (from the rows it reads back: the region tree by parent links,
the memberships, the user's limits; not by running the product's scope
SQL), and asserts that every path that shows contacts shows exactly that
set, that every other contact answers 404, and that every route of the
route table whose function the user's type lacks answers 403, GET and POST.

The same oracle decides what the campaign pages show (a campaign's members
and their counts per status, the member counts of the campaign list, a
contact's campaigns panel), which contacts a bulk change reaches (every
matching contact, or the ticked ones), what a single membership change may
touch, and the number of contacts in scope an administrator is shown for
each user.

To cover a new page that shows contacts, add it to CONTACT_VIEWS; a new
route is covered by the route part on its own, since it reads the route
table from `ctrack check-routes --list`.
"""
import json
import csv
import io
import os
import re
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import quote

import pytest

from conftest import ListPage, Page, Sessions, recount_totals, sql_int, sql_str, unique
from conftest import route_table as conftest_route_table

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NO_SUCH_ID = 999999999


def catalogue():
    """The function catalogue, from acl.c."""
    with open(os.path.join(REPO, "fcgi", "acl.c")) as f:
        src = f.read()
    body = re.search(r"acl_functions\[\]\s*=\s*\{(.*?)\};", src, re.S).group(1)
    names = re.findall(r'"([a-z_]+\.[a-z_]+)"', body)
    assert "contacts.view" in names and "contacts.export" in names, names
    return names


def campaign_statuses():
    """The membership statuses every client starts with (sql/015), in their
    order; the matrix users' client keeps them."""
    with open(os.path.join(REPO, "sql", "015-activities.sql")) as f:
        src = f.read()
    body = re.search(r"CREATE TRIGGER clients_default_statuses.*?VALUES (.*?);", src, re.S).group(1)
    names = re.findall(r"\(NEW\.id, '([a-z]+)'", body)
    assert names[0] == "targeted" and len(names) >= 3, names
    return names


def route_table():
    """(method, pattern, function, action) of every route: what the program
    says with `check-routes --list`."""
    return [r[:4] for r in conftest_route_table()]


ALL = catalogue()
ROUTES = route_table()
STATUSES = campaign_statuses()
VIEW, EXPORT, EDIT, DELETE, CREATE = ("contacts.view", "contacts.export", "contacts.edit", "contacts.delete",
                                      "contacts.create")
BULK, CVIEW, CMANAGE = "contacts.bulk_edit", "campaigns.view", "campaigns.manage"


@dataclass
class UserSpec:
    key: str
    client: str                      # "demo" or "other"
    functions: list
    regions: Optional[list] = None   # region codes; None: every region
    campaigns: Optional[list] = None  # campaign keys; None: every campaign


# Every function has users on both sides; a user allowed contacts.bulk_edit
# or campaigns.manage gets a campaign of its own to change (see World.workspace).
USERS = [
    UserSpec("unlimited", "demo", ALL),
    UserSpec("country", "demo", [VIEW, EXPORT, EDIT, CVIEW], regions=["US"]),
    UserSpec("state", "demo", [VIEW, EXPORT, DELETE, CVIEW, CMANAGE, BULK], regions=["US-OH"]),
    UserSpec("district", "demo", [VIEW, EDIT, DELETE, CVIEW, CMANAGE], regions=["US-OH-03"]),
    UserSpec("two-regions", "demo", [VIEW, EXPORT, CREATE, BULK], regions=["US-OH-03", "US-CA"]),
    UserSpec("campaigns", "demo", [VIEW, EXPORT, EDIT, CVIEW, CMANAGE, BULK], campaigns=["c1", "c3"]),
    UserSpec("state-and-campaign", "demo", [VIEW, EXPORT, EDIT, DELETE, CVIEW, CMANAGE, BULK], regions=["US-OH"],
             campaigns=["c1"]),
    UserSpec("nothing", "demo", [VIEW, EXPORT, EDIT, DELETE, CVIEW, BULK], regions=[], campaigns=[]),
    UserSpec("state-no-campaigns", "demo", [VIEW, EXPORT, CVIEW], regions=["US-OH"], campaigns=[]),
    UserSpec("viewer", "demo", [VIEW]),
    UserSpec("export-only", "demo", [EXPORT]),
    UserSpec("no-functions", "demo", []),
    UserSpec("other-unlimited", "other", ALL),
    UserSpec("other-state", "other", [VIEW, EXPORT, EDIT, CVIEW, CMANAGE, BULK], regions=["US-OH"]),
]
USER_KEYS = [u.key for u in USERS]


def has_workspace(spec):
    return BULK in spec.functions or CMANAGE in spec.functions

# The fixture contacts of each client: (key, region code or None, campaigns, deleted).
DEMO_CONTACTS_SPEC = [
    ("m0", "US-OH-03", ["c1"], False),
    ("m1", "US-OH-03", ["c2"], False),
    ("m2", "US-OH-05", ["c1", "c2", "c3"], False),
    ("m3", "US-OH", [], False),
    ("m4", "US-CA-12", ["c1"], False),
    ("m5", "US-CA", ["c2"], False),
    ("m6", None, ["c1"], False),
    ("m7", "US-TX", [], False),
    ("m8", "US-OH-03", ["c1"], True),
    ("m9", "US", ["c3"], False),
]
OTHER_CONTACTS_SPEC = [
    ("o0", "US-OH-03", [], False),
    ("o1", "US-OH", [], False),
    ("o2", "US-CA", [], False),
    ("o3", None, [], False),
    ("o4", "US-OH-03", [], True),
]
# The other client's region tree: (code, kind, parent code).
OTHER_REGIONS = [("US", "country", None), ("US-OH", "state", "US"), ("US-OH-03", "district", "US-OH"),
                 ("US-CA", "state", "US")]


class World:
    """What the fixture made, read back from the database."""

    def __init__(self):
        self.client_id = {}      # "demo"/"other" -> id
        self.contacts = {}       # client key -> {id: (region_id, live)}
        self.children = {}       # client key -> {region id: [child ids]}
        self.region_by_code = {}  # client key -> {code: id}
        self.members = {}        # campaign id -> {contact ids}
        self.status = {}         # (campaign id, contact id) -> status
        self.campaign = {}       # campaign key -> id
        self.campaigns = {}      # client key -> {campaign id: archived}
        self.campaign_sets = {}  # user key -> {campaign ids} or None for every campaign
        self.workspace = {}      # user key -> id of an empty campaign of its own, for bulk and single changes
        self.admin = None        # a session of the demo client's administrator
        self.marker = None
        self.marked = {}         # client key -> {ids of the fixture contacts, deleted too}
        self.named = {}          # fixture key -> contact id
        self.victims = {}        # user key -> contact id it may delete
        self.users = {}          # user key -> (spec, user id, client web)
        self.visible = {}        # user key -> {contact ids}
        self.allowed_regions = {}  # user key -> {region ids under its regions} or None for every region
        self.lujan = set()

    def under(self, client, code):
        """Ids of the region and every region below it, by parent links."""
        start = self.region_by_code[client].get(code)
        if start is None:
            return set()
        out, todo = set(), [start]
        while todo:
            r = todo.pop()
            if r not in out:
                out.add(r)
                todo.extend(self.children[client].get(r, []))
        return out

    def in_region(self, client, code):
        regions = self.under(client, code)
        return {cid for cid, (reg, live) in self.contacts[client].items() if live and reg in regions}

    def sees_campaign(self, key, campaign_id):
        """Whether a user may see a campaign: its client's, and in its set."""
        spec = self.users[key][0]
        sets = self.campaign_sets[key]
        return campaign_id in self.campaigns[spec.client] and (sets is None or campaign_id in sets)

    def stays_hidden(self, key, cid):
        """Whether a contact of the user's client stays out of its sight
        whatever campaigns it joins: deleted, or outside its regions."""
        reg, live = self.contacts[self.users[key][0].client][cid]
        allowed = self.allowed_regions[key]
        return not live or (allowed is not None and reg not in allowed)

    def regions_under(self, spec, region_ids):
        """The ids under a user's regions (by parent links); None for every region."""
        if region_ids is None:
            return None
        code_of = {v: k for k, v in self.region_by_code[spec.client].items()}
        return set().union(*(self.under(spec.client, code_of[r]) for r in region_ids))

    def compute_visible(self, spec, region_ids, campaign_ids):
        """The oracle: same client, live, and (all regions or under one of
        the user's regions) and (all campaigns or member of one of them)."""
        allowed = self.regions_under(spec, region_ids)
        members = None
        if campaign_ids is not None:
            members = set()
            for c in campaign_ids:
                members |= self.members.get(c, set())
        return {cid for cid, (reg, live) in self.contacts[spec.client].items()
                if live and (allowed is None or reg in allowed) and (members is None or cid in members)}


def insert_contact(db, client_id, last_name, region_id, deleted):
    return db.int(
        "INSERT INTO contacts (client_id, first_name, last_name, region_id, deleted_at) VALUES"
        f" ({sql_int(client_id)}, 'Matrix', {sql_str(last_name)}, {sql_int(region_id) if region_id else 'NULL'},"
        f" {'UTC_TIMESTAMP(6)' if deleted else 'NULL'}); SELECT LAST_INSERT_ID()")


@pytest.fixture(scope="module")
def world(db, demo, people, base_url, cert):
    w = World()
    w.marker = unique("Mtx")
    w.client_id = {"demo": demo.client_id, "other": people.client()}
    other = w.client_id["other"]

    # The other client's regions, with their closure (every ancestor pair).
    ids = {}
    for code, kind, parent in OTHER_REGIONS:
        ids[code] = db.int(
            "INSERT INTO regions (client_id, parent_id, kind, code, name, sort_key) VALUES"
            f" ({other}, {ids[parent] if parent else 'NULL'}, {sql_str(kind)}, {sql_str(code)},"
            f" {sql_str('Other ' + code)}, {sql_str(code.replace('-', '/'))}); SELECT LAST_INSERT_ID()")
    for code, _, _ in OTHER_REGIONS:
        depth, at = 0, code
        while at:
            db.rows(f"INSERT INTO region_closure (client_id, ancestor_id, descendant_id, depth) VALUES"
                    f" ({other}, {ids[at]}, {ids[code]}, {depth})")
            at = next(p for c, _, p in OTHER_REGIONS if c == at)
            depth += 1

    def region_ids(client_id):
        return {r[0]: int(r[1]) for r in db.rows(f"SELECT code, id FROM regions WHERE client_id = {client_id}")}

    codes = {"demo": region_ids(demo.client_id), "other": region_ids(other)}

    # Campaigns of the demo client: c3 is archived (it still counts for scope).
    for key in ("c1", "c2", "c3"):
        w.campaign[key] = db.int(
            f"INSERT INTO campaigns (client_id, name, archived_at) VALUES ({demo.client_id},"
            f" {sql_str(unique('Matrix ' + key + ' '))}, {'UTC_TIMESTAMP(6)' if key == 'c3' else 'NULL'});"
            " SELECT LAST_INSERT_ID()")

    memberships = []
    for client, spec_list in (("demo", DEMO_CONTACTS_SPEC), ("other", OTHER_CONTACTS_SPEC)):
        for key, code, camps, deleted in spec_list:
            cid = insert_contact(db, w.client_id[client], f"{w.marker}{key}", codes[client].get(code), deleted)
            w.named[key] = cid
            memberships += [(w.campaign[c], cid) for c in camps]

    # Demo contacts join the campaigns too: some of Ohio and California in
    # c1, Texas and Ohio's third district in c2, the third district in c3.
    def demo_in(code, n):
        return [int(r[0]) for r in db.rows(
            "SELECT c.id FROM contacts c JOIN region_closure rc ON rc.client_id = c.client_id"
            " AND rc.descendant_id = c.region_id"
            f" WHERE c.client_id = {demo.client_id} AND rc.ancestor_id = {codes['demo'][code]}"
            f" AND c.deleted_at IS NULL AND c.last_name NOT LIKE 'Mtx%' ORDER BY c.id LIMIT {int(n)}")]

    for camp, code, n in (("c1", "US-OH", 50), ("c1", "US-CA", 5), ("c2", "US-TX", 10), ("c2", "US-OH-03", 3),
                          ("c3", "US-OH-03", 5)):
        memberships += [(w.campaign[camp], cid) for cid in demo_in(code, n)]

    # A contact to delete for each user who may delete and can see something.
    for spec in USERS:
        if DELETE not in spec.functions or spec.regions == [] or spec.campaigns == []:
            continue
        client = spec.client
        code = "US-OH-03"
        cid = insert_contact(db, w.client_id[client], unique("Victim"), codes[client][code], False)
        w.victims[spec.key] = cid
        if client == "demo":
            memberships.append((w.campaign["c1"], cid))

    db.rows("INSERT IGNORE INTO contact_campaigns (client_id, campaign_id, contact_id) VALUES "
            + ", ".join(f"({demo.client_id}, {c}, {m})" for c, m in memberships))
    # Every status has members (the oracle reads them back).
    db.rows(f"UPDATE contact_campaigns SET status = ELT(1 + (contact_id + campaign_id) % {len(STATUSES)},"
            f" {', '.join(sql_str(s) for s in STATUSES)}) WHERE client_id = {demo.client_id}"
            f" AND campaign_id IN ({', '.join(str(i) for i in w.campaign.values())})")
    recount_totals(db, demo.client_id)
    recount_totals(db, other)

    # The users, with their limits.
    sessions = Sessions(db, demo, base_url, cert)
    for spec in USERS:
        cl = w.client_id[spec.client]
        uid = people.user(cl, spec.functions, all_regions=spec.regions is None,
                          all_campaigns=spec.campaigns is None)
        if has_workspace(spec):
            # Empty, so it widens no one's scope; in a campaign-limited
            # user's set, so that they may change it.
            w.workspace[spec.key] = db.int(
                f"INSERT INTO campaigns (client_id, name) VALUES ({cl}, {sql_str(unique('Matrix work '))});"
                " SELECT LAST_INSERT_ID()")
            if spec.campaigns is not None:
                db.rows(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES ({cl}, {uid},"
                        f" {w.workspace[spec.key]})")
        for code in spec.regions or []:
            db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES ({cl}, {uid},"
                    f" {codes[spec.client][code]})")
        for camp in spec.campaigns or []:
            db.rows(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES ({cl}, {uid},"
                    f" {w.campaign[camp]})")
        web, _ = sessions.make(client_id=cl, user_id=uid)
        w.users[spec.key] = (spec, uid, web)
    w.admin, _ = sessions.make()

    # Everything read back from the database: the oracle's input.
    for client, cl in w.client_id.items():
        w.contacts[client] = {int(r[0]): (int(r[1]) if r[1] is not None else None, r[2] == "1") for r in db.rows(
            f"SELECT id, region_id, deleted_at IS NULL FROM contacts WHERE client_id = {cl}")}
        w.children[client], w.region_by_code[client] = {}, {}
        for rid, parent, code in db.rows(f"SELECT id, parent_id, code FROM regions WHERE client_id = {cl}"):
            w.region_by_code[client][code] = int(rid)
            if parent is not None:
                w.children[client].setdefault(int(parent), []).append(int(rid))
        w.marked[client] = {int(r[0]) for r in db.rows(
            f"SELECT id FROM contacts WHERE client_id = {cl} AND last_name LIKE {sql_str(w.marker + '%')}")}
        w.campaigns[client] = {int(r[0]): r[1] == "1" for r in db.rows(
            f"SELECT id, archived_at IS NOT NULL FROM campaigns WHERE client_id = {cl}")}
        for camp, contact, status in db.rows(f"SELECT campaign_id, contact_id, status FROM contact_campaigns"
                                             f" WHERE client_id = {cl}"):
            w.members.setdefault(int(camp), set()).add(int(contact))
            w.status[(int(camp), int(contact))] = status
    w.lujan = {int(r[0]) for r in db.rows(
        f"SELECT id FROM contacts WHERE client_id = {demo.client_id} AND search_name LIKE '%lujan%'")}
    for key, (spec, uid, _) in w.users.items():
        cl = w.client_id[spec.client]
        flags = db.rows(f"SELECT all_regions, all_campaigns FROM users WHERE client_id = {cl} AND id = {uid}")[0]
        regions = None if flags[0] == "1" else [int(r[0]) for r in db.rows(
            f"SELECT region_id FROM user_regions WHERE client_id = {cl} AND user_id = {uid}")]
        camps = None if flags[1] == "1" else [int(r[0]) for r in db.rows(
            f"SELECT campaign_id FROM user_campaigns WHERE client_id = {cl} AND user_id = {uid}")]
        w.campaign_sets[key] = None if camps is None else set(camps)
        w.allowed_regions[key] = w.regions_under(spec, regions)
        w.visible[key] = w.compute_visible(spec, regions, camps)

    # The fixture is what it says: a few facts the scenarios rely on.
    n = w.named
    assert w.visible["unlimited"] >= {n["m0"], n["m6"], n["m9"]} and n["m8"] not in w.visible["unlimited"]
    assert w.visible["district"] & w.marked["demo"] == {n["m0"], n["m1"]}
    assert w.visible["state-and-campaign"] & w.marked["demo"] == {n["m0"], n["m2"]}
    assert w.visible["campaigns"] & w.marked["demo"] == {n["m0"], n["m2"], n["m4"], n["m6"], n["m9"]}
    assert w.visible["nothing"] == set() and w.visible["state-no-campaigns"] == set()
    assert n["m6"] not in w.visible["country"] and n["m6"] in w.visible["campaigns"]
    assert n["m2"] in w.visible["campaigns"] and w.members[w.campaign["c2"]] & w.visible["campaigns"]
    assert len(w.visible["unlimited"] & w.members[w.campaign["c1"]]) > 50, "c1's page has more than one page"
    assert all(not w.members.get(c) for c in w.workspace.values())
    yield w
    sessions.remove()
    for key, camp in w.workspace.items():
        cl = w.client_id[w.users[key][0].client]
        db.rows(f"DELETE FROM contact_campaigns WHERE client_id = {cl} AND campaign_id = {camp};"
                f" DELETE FROM user_campaigns WHERE client_id = {cl} AND campaign_id = {camp};"
                f" DELETE FROM campaigns WHERE client_id = {cl} AND id = {camp}")


def user(world, key):
    return world.users[key]


# ---------------------------------------------------------------- reading what a page shows

def list_ids(web, path, max_pages=30):
    """(total, ids over every page) of a contacts list, or (status, None)."""
    r = web.get(path)
    if r.status_code != 200:
        return r.status_code, None
    first = ListPage(r)
    ids = list(first.ids)
    assert first.pages is None or first.pages <= max_pages, f"{path} has {first.pages} pages"
    for page in range(2, (first.pages or 1) + 1):
        ids += ListPage(web.get(f"{path}{'&' if '?' in path else '?'}page={page}")).ids
    assert len(ids) == len(set(ids)) == first.total, f"{path}: {len(ids)} rows over the pages, total {first.total}"
    return first.total, ids


def csv_ids(web, path):
    r = web.get(path)
    if r.status_code != 200:
        return r.status_code, None
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert rows[0][0] == "id"
    ids = [int(row[0]) for row in rows[1:]]
    assert ids == sorted(ids)
    return len(ids), ids


class MemberPage:
    """A campaign's page, read: the members listed, the total of the
    filtered list, and the counts shown (members, and per status)."""

    def __init__(self, response):
        page = Page(response.text)
        m = re.search(r"Showing (\d+)\s*\u2013\s*(\d+) of (\d+)", page.text)
        self.total = int(m.group(3)) if m else None
        if self.total is None:
            assert "No members match." in page.text, f"{response.url}: neither members nor 'No members match.'"
            self.total = 0
        m = re.search(r"Page (\d+) of (\d+)", page.text)
        self.pages = int(m.group(2)) if m else None
        self.ids = []
        for row in page.rows:
            ids = [int(m.group(1)) for h in row["links"] for m in [re.fullmatch(r"/contacts/(\d+)", h)] if m]
            assert ids, f"a member row without a contact link: {row}"
            self.ids.append(ids[0])
        self.counts = {"members": int(page.by_id["members-total"].strip())}
        for st in STATUSES:
            self.counts[st] = int(page.by_id[f"count-{st}"].strip())


def member_ids(web, path, max_pages=30):
    """(total, member ids over every page, counts shown) of a campaign's
    page, or (status, None, None)."""
    r = web.get(path)
    if r.status_code != 200:
        return r.status_code, None, None
    first = MemberPage(r)
    ids = list(first.ids)
    assert first.pages is None or first.pages <= max_pages, f"{path} has {first.pages} pages"
    for page in range(2, (first.pages or 1) + 1):
        other = MemberPage(web.get(f"{path}{'&' if '?' in path else '?'}page={page}"))
        assert other.counts == first.counts, f"{path}: the counts change from page to page"
        ids += other.ids
    assert len(ids) == len(set(ids)) == first.total, f"{path}: {len(ids)} rows over the pages, total {first.total}"
    return first.total, ids, first.counts


@dataclass
class ContactView:
    """A path that shows contacts: what it needs, where it is, how to read
    the ids it shows, and which of the user's visible contacts it should
    show (or the status it should answer instead, e.g. 404 for a campaign
    the user may not see). A view that also shows counts has `counts`: what
    they should be."""
    label: str
    function: str
    path: Callable        # world -> path
    read: Callable        # (web, path) -> (total or status, ids or None[, counts shown])
    expect: Callable      # (world, user spec, visible ids) -> expected ids, or an HTTP status
    counts: Optional[Callable] = None  # (world, user spec, visible ids) -> {label: number}


def in_campaign(w, spec, key, vis):
    """What a campaign filter shows: the members of the campaign the user
    may see; a campaign outside a campaign-limited user's set shows nothing
    (not even members they see through another campaign)."""
    if spec.campaigns is not None and key not in spec.campaigns:
        return set()
    return vis & w.members[w.campaign[key]]


def campaign_page(key, status=None, narrow=None):
    """What a campaign's page lists: its members the user may see (with the
    status, and narrowed by the page's name or region filter); 404 when the
    user may not see the campaign (another client's, or outside their set)."""
    def expect(w, spec, vis):
        camp = w.campaign[key]
        if not w.sees_campaign(spec.key, camp):
            return 404
        got = vis & w.members[camp]
        if status:
            got = {c for c in got if w.status[(camp, c)] == status}
        return got & narrow(w, spec) if narrow else got
    return expect


def campaign_counts(key):
    """The counts of a campaign's page: its members the user may see, in
    all and per status (whatever the page's filter)."""
    def counts(w, spec, vis):
        camp = w.campaign[key]
        mine = vis & w.members[camp]
        out = {"members": len(mine)}
        for st in STATUSES:
            out[st] = sum(1 for c in mine if w.status[(camp, c)] == st)
        return out
    return counts


# The hook: every page, list or file that shows contacts. Each entry is
# checked for every user: exactly the expected ids for a user allowed its
# function, 403 for the others.
CONTACT_VIEWS = [
    ContactView("list of the fixture contacts", VIEW, lambda w: f"/contacts?q={w.marker}", list_ids,
                lambda w, spec, vis: vis & w.marked[spec.client]),
    ContactView("list of a district", VIEW, lambda w: "/contacts?region=US-OH-03", list_ids,
                lambda w, spec, vis: vis & w.in_region(spec.client, "US-OH-03")),
    ContactView("search lujan", VIEW, lambda w: "/contacts?q=lujan", list_ids,
                lambda w, spec, vis: vis & w.lujan),
    ContactView("list of campaign c1", VIEW, lambda w: f"/contacts?campaign={w.campaign['c1']}", list_ids,
                lambda w, spec, vis: in_campaign(w, spec, "c1", vis)),
    ContactView("export of everything", EXPORT, lambda w: "/export/contacts.csv", csv_ids,
                lambda w, spec, vis: vis),
    ContactView("export of a state", EXPORT, lambda w: "/export/contacts.csv?region=US-OH", csv_ids,
                lambda w, spec, vis: vis & w.in_region(spec.client, "US-OH")),
    ContactView("export of campaign c2", EXPORT, lambda w: f"/export/contacts.csv?campaign={w.campaign['c2']}",
                csv_ids, lambda w, spec, vis: in_campaign(w, spec, "c2", vis)),
    ContactView("export of the fixture contacts", EXPORT, lambda w: f"/export/contacts.csv?q={w.marker}",
                csv_ids, lambda w, spec, vis: vis & w.marked[spec.client]),
    ContactView("members of campaign c1", CVIEW, lambda w: f"/campaigns/{w.campaign['c1']}", member_ids,
                campaign_page("c1"), campaign_counts("c1")),
    ContactView("members of campaign c1 found by name", CVIEW,
                lambda w: f"/campaigns/{w.campaign['c1']}?q={w.marker}", member_ids,
                campaign_page("c1", narrow=lambda w, spec: w.marked[spec.client]), campaign_counts("c1")),
    ContactView("members of campaign c1 in a state", CVIEW, lambda w: f"/campaigns/{w.campaign['c1']}?region=US-OH",
                member_ids, campaign_page("c1", narrow=lambda w, spec: w.in_region(spec.client, "US-OH")),
                campaign_counts("c1")),
    ContactView("members of campaign c1 in a district found by name", CVIEW,
                lambda w: f"/campaigns/{w.campaign['c1']}?q={w.marker}&region=US-OH-03", member_ids,
                campaign_page("c1", narrow=lambda w, spec: w.marked[spec.client] & w.in_region(spec.client,
                                                                                                "US-OH-03")),
                campaign_counts("c1")),
] + [
    ContactView(f"members of campaign c1 {st}", CVIEW,
                lambda w, st=st: f"/campaigns/{w.campaign['c1']}?status={st}", member_ids,
                campaign_page("c1", status=st), campaign_counts("c1"))
    for st in STATUSES
] + [
    ContactView("members of campaign c2", CVIEW, lambda w: f"/campaigns/{w.campaign['c2']}", member_ids,
                campaign_page("c2"), campaign_counts("c2")),
    ContactView("members of campaign c3 (archived)", CVIEW, lambda w: f"/campaigns/{w.campaign['c3']}",
                member_ids, campaign_page("c3"), campaign_counts("c3")),
    ContactView("members of campaign c3 in a state", CVIEW,
                lambda w: f"/campaigns/{w.campaign['c3']}?status={STATUSES[0]}&region=US-OH", member_ids,
                campaign_page("c3", status=STATUSES[0], narrow=lambda w, spec: w.in_region(spec.client, "US-OH")),
                campaign_counts("c3")),
]


@pytest.mark.parametrize("view", CONTACT_VIEWS, ids=[v.label for v in CONTACT_VIEWS])
@pytest.mark.parametrize("key", USER_KEYS)
def test_every_view_shows_exactly_the_visible_contacts(key, view, world):
    spec, _, web = user(world, key)
    path = view.path(world)
    total, ids, *shown = view.read(web, path)
    if view.function not in spec.functions:
        assert total == 403, f"{key} may not use {view.function} but {path} answered {total}"
        return
    expected = view.expect(world, spec, world.visible[key])
    if isinstance(expected, int):
        assert total == expected, f"{key}: {path} answered {total}, expected {expected}"
        return
    assert ids is not None, f"{path} answered {total} for {key}"
    got = set(ids)
    assert got == expected, (f"{key}: {path} shows {len(got)} contacts, expected {len(expected)};"
                             f" not allowed: {sorted(got - expected)[:10]}, missing: {sorted(expected - got)[:10]}")
    assert total == len(expected)
    if view.counts:
        want = view.counts(world, spec, world.visible[key])
        assert shown and shown[0] == want, f"{key}: {path} shows the counts {shown}, expected {want}"


@pytest.mark.parametrize("key", USER_KEYS)
def test_list_totals(key, world):
    """The unfiltered total (kept per client for an unlimited user, counted
    for the others) and a state's total."""
    spec, _, web = user(world, key)
    for path, expected in (("/contacts", world.visible[key]),
                           ("/contacts?region=US-OH", world.visible[key] & world.in_region(spec.client, "US-OH"))):
        r = web.get(path)
        if VIEW not in spec.functions:
            assert r.status_code == 403
            continue
        assert r.status_code == 200
        assert ListPage(r).total == len(expected), f"{key}: {path}"


# ---------------------------------------------------------------- single contacts

def samples(world, key):
    """(visible ids to try, invisible ids to try) for a user: every fixture
    contact of both clients, a few others of its client, and an id that does
    not exist. Of the contacts kept for the delete test only the user's own
    is tried (the others may be gone by then)."""
    spec = world.users[key][0]
    victims = set(world.victims.values())
    vis = world.visible[key] - (victims - {world.victims.get(key)})
    fixture = world.marked["demo"] | world.marked["other"] | ({world.victims[key]} if key in world.victims else set())
    own = sorted(vis)
    visible = (vis & fixture) | ({own[0], own[len(own) // 2], own[-1]} if own else set())
    hidden_own = sorted(cid for cid in world.contacts[spec.client]
                        if cid not in world.visible[key] and cid not in victims)
    invisible = (fixture - vis) | set(hidden_own[:2] + hidden_own[-2:]) | {NO_SUCH_ID}
    return sorted(visible), sorted(invisible)


@pytest.mark.parametrize("key", USER_KEYS)
def test_detail_pages(key, world):
    spec, _, web = user(world, key)
    visible, invisible = samples(world, key)
    for cid in visible + invisible:
        status = web.get(f"/contacts/{cid}").status_code
        want = 403 if VIEW not in spec.functions else 200 if cid in visible else 404
        assert status == want, f"{key}: /contacts/{cid} answered {status}, expected {want}"


@pytest.mark.parametrize("key", USER_KEYS)
def test_edit_forms_and_edits(key, world, db):
    spec, _, web = user(world, key)
    visible, invisible = samples(world, key)
    may = EDIT in spec.functions
    for cid in visible + invisible:
        status = web.get(f"/contacts/{cid}/edit").status_code
        want = 403 if not may else 200 if cid in visible else 404
        assert status == want, f"{key}: /contacts/{cid}/edit answered {status}, expected {want}"
    # A well-formed edit of a contact out of scope changes nothing.
    form = {"first_name": "Changed", "last_name": "By " + key, "region": "", "version": "x"}
    for cid in invisible:
        before = db.rows(f"SELECT first_name, last_name, updated_at FROM contacts WHERE id = {cid}")
        status = web.post(f"/contacts/{cid}", form).status_code
        assert status == (404 if may else 403), f"{key}: POST /contacts/{cid} answered {status}"
        assert db.rows(f"SELECT first_name, last_name, updated_at FROM contacts WHERE id = {cid}") == before
    # A contact in scope can be saved (unchanged, from its own form).
    mine = sorted((world.visible[key] & world.marked[spec.client]))
    if may and mine:
        page = Page(web.get(f"/contacts/{mine[0]}/edit").text)
        fields = dict(page.form(f"/contacts/{mine[0]}")["fields"])
        fields.pop("csrf", None)
        r = web.post(f"/contacts/{mine[0]}", fields)
        assert r.status_code == 303, f"{key}: saving its own contact {mine[0]} answered {r.status_code}"


# ---------------------------------------------------------------- every route of the table

def route_path(pattern, cid):
    return pattern.replace("{id}", str(cid))


MATRIX_ROUTES = [r for r in ROUTES if r[2] not in ("public", "logged-in")]
LOGIN_ROUTES = [r for r in ROUTES if r[2] != "public"]


@pytest.mark.parametrize("method, pattern, function, action", MATRIX_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in MATRIX_ROUTES])
def test_every_route_refuses_users_whose_type_lacks_its_function(method, pattern, function, action, world,
                                                                 audit):
    """403 (the matrix's: audited as access.denied, with a valid CSRF token
    on POST) for every user whose type lacks the route's function; never 403
    on a GET for a user who has it."""
    denied = []
    for key in USER_KEYS:
        spec, uid, web = user(world, key)
        own = sorted(world.visible[key])
        path = route_path(pattern, own[0] if own else world.named["m0"])
        if function in spec.functions:
            if method == "GET":
                status = web.get(path).status_code
                assert status != 403, f"{key} may use {function} but GET {path} answered 403"
            continue
        mark = audit.mark()
        if method == "GET":
            r = web.get(path)
        else:
            r = web.post(path, {"first_name": "Denied", "last_name": key})
        assert r.status_code == 403, f"{key} lacks {function} but {method} {path} answered {r.status_code}"
        rows = [x for x in audit.since(mark) if x["user_id"] == uid]
        assert [(x["method"], x["action"], x["outcome"]) for x in rows] == [(method, "access.denied", 403)], \
            f"{key}: {method} {path} was not refused by the matrix: {rows}"
        denied.append(key)
    # The fixture has users on both sides of every function the routes use.
    assert denied, f"no fixture user lacks {function}"


@pytest.mark.parametrize("method, pattern, function, action", LOGIN_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in LOGIN_ROUTES])
def test_every_route_needs_a_login(method, pattern, function, action, anon, world):
    path = route_path(pattern, world.named["m0"])
    r = anon.get(path) if method == "GET" else anon.post(path, {"first_name": "x"}, csrf=False)
    if method == "GET":
        assert r.status_code == 303 and r.headers["Location"].startswith("/login?next="), f"GET {path}"
    else:
        assert r.status_code in (401, 403), f"POST {path} answered {r.status_code}"


# ---------------------------------------------------------------- campaigns

def campaign_rows(web, path):
    """{campaign id: members shown} of the campaign list, or the status."""
    r = web.get(path)
    if r.status_code != 200:
        return r.status_code
    out = {}
    for row in Page(r.text).rows:
        ids = [int(m.group(1)) for h in row["links"] for m in [re.fullmatch(r"/campaigns/(\d+)", h)] if m]
        assert ids and ids[0] not in out, f"{path}: a campaign row without a link, or twice: {row}"
        out[ids[0]] = int(row["cells"][2].strip())
    return out


@pytest.mark.parametrize("key", USER_KEYS)
def test_campaign_list_shows_the_users_campaigns_with_their_members_in_scope(key, world):
    """Active and archived: exactly the campaigns the user may see, each
    with the number of its members the user sees."""
    spec, _, web = user(world, key)
    vis = world.visible[key]
    for path, archived in (("/campaigns", False), ("/campaigns?show=archived", True)):
        shown = campaign_rows(web, path)
        if CVIEW not in spec.functions:
            assert shown == 403, f"{key} may not use {CVIEW} but {path} answered {shown}"
            continue
        expected = {g: len(vis & world.members.get(g, set())) for g, arch in world.campaigns[spec.client].items()
                    if arch == archived and world.sees_campaign(key, g)}
        wrong = sorted((g, shown.get(g), expected.get(g)) for g in set(shown) | set(expected)
                       if shown.get(g) != expected.get(g))
        assert shown == expected, (f"{key}: {path} shows {len(shown)} campaigns, expected {len(expected)};"
                                   f" (campaign, members shown, expected): {wrong[:10]}")


def panel(page):
    """(campaign ids of a contact page's campaigns panel, ids offered to
    join), or None without a panel."""
    if "campaigns" not in page.by_id:
        return None
    listed = [int(m.group(1)) for row in page.rows for h in row["links"]
              for m in [re.fullmatch(r"/campaigns/(\d+)", h)] if m]
    join = page.selects_by_id.get("join-campaign")
    return listed, [int(o[0]) for o in join["options"]] if join else []


@pytest.mark.parametrize("key", USER_KEYS)
def test_contact_page_lists_exactly_the_campaigns_the_user_may_see(key, world):
    spec, _, web = user(world, key)
    if VIEW not in spec.functions:
        return  # the detail pages answer 403 (test_detail_pages)
    visible, _ = samples(world, key)
    assert visible or world.visible[key] == set()
    for cid in visible:
        r = web.get(f"/contacts/{cid}")
        assert r.status_code == 200, f"{key}: /contacts/{cid} answered {r.status_code}"
        shown = panel(Page(r.text))
        if CVIEW not in spec.functions:
            assert shown is None, f"{key} may not use {CVIEW} but /contacts/{cid} shows its campaigns"
            continue
        assert shown is not None, f"{key}: /contacts/{cid} has no campaigns panel"
        listed, join = shown
        mine = {g for g in world.campaigns[spec.client] if world.sees_campaign(key, g)}
        expected = {g for g in mine if cid in world.members.get(g, set())}
        assert len(listed) == len(set(listed)) and set(listed) == expected, \
            f"{key}: /contacts/{cid} lists the campaigns {sorted(listed)}, expected {sorted(expected)}"
        joinable = {g for g in mine - expected if not world.campaigns[spec.client][g]} if CMANAGE in spec.functions \
            else set()
        assert len(join) == len(set(join)) and set(join) == joinable, \
            f"{key}: /contacts/{cid} offers to join {sorted(join)}, expected {sorted(joinable)}"


def memberships(db, cid):
    return sorted(db.rows(f"SELECT campaign_id, status, added_at, updated_at FROM contact_campaigns"
                          f" WHERE contact_id = {int(cid)}"))


def campaign_members(db, campaign_id):
    return {int(r[0]) for r in db.rows(
        f"SELECT contact_id FROM contact_campaigns WHERE campaign_id = {int(campaign_id)}")}


def stranger_campaign(world, key):
    """An active campaign the user may not see: another client's, or for a
    campaign-limited user one of its own client outside its set."""
    spec = world.users[key][0]
    if world.campaign_sets[key] is not None and spec.client == "demo":
        return world.campaign["c2"] if "c2" not in (spec.campaigns or []) else None
    return world.workspace["other-unlimited" if spec.client == "demo" else "unlimited"]


@pytest.mark.parametrize("key", USER_KEYS)
def test_single_membership_changes_reach_only_contacts_in_scope(key, world, db):
    """POST /contacts/{id}/campaigns (and .../remove): a contact outside the
    scope, or a campaign the user may not see, answers 404 and changes
    nothing; a contact in scope joins and leaves the user's campaign."""
    spec, _, web = user(world, key)
    if CMANAGE not in spec.functions:
        return  # 403 (the route part)
    own = world.workspace[key]
    visible, invisible = samples(world, key)
    assert campaign_members(db, own) == set()
    for cid in invisible:
        before = memberships(db, cid)
        r = web.post(f"/contacts/{cid}/campaigns", {"campaign_id": own})
        assert r.status_code == 404, f"{key}: adding the out-of-scope contact {cid} answered {r.status_code}"
        for g in sorted(world.members):
            if cid in world.members[g] and world.sees_campaign(key, g) and not world.campaigns[spec.client][g]:
                r = web.post(f"/contacts/{cid}/campaigns/remove", {"campaign_id": g})
                assert r.status_code == 404, \
                    f"{key}: removing the out-of-scope contact {cid} from {g} answered {r.status_code}"
        assert memberships(db, cid) == before, f"{key}: the out-of-scope contact {cid} changed"
    if not visible:
        return
    cid = visible[0]
    other = stranger_campaign(world, key)
    before = memberships(db, cid)
    if other is not None:
        r = web.post(f"/contacts/{cid}/campaigns", {"campaign_id": other})
        assert r.status_code == 404, \
            f"{key}: adding {cid} to the campaign {other} it may not see answered {r.status_code}"
        assert memberships(db, cid) == before
    try:
        r = web.post(f"/contacts/{cid}/campaigns", {"campaign_id": own})
        assert r.status_code == 303, f"{key}: adding its contact {cid} to its campaign answered {r.status_code}"
        assert campaign_members(db, own) == {cid}
        r = web.post(f"/contacts/{cid}/campaigns/remove", {"campaign_id": own})
        assert r.status_code == 303, f"{key}: removing its contact {cid} from its campaign answered {r.status_code}"
        assert campaign_members(db, own) == set() and memberships(db, cid) == before
    finally:
        db.rows(f"DELETE FROM contact_campaigns WHERE campaign_id = {own}")


def bulk_post(web, op, campaign_id, which, ids=(), query=""):
    """The list's bulk form: the filter rides in the query string."""
    path = f"/contacts/campaign-{op}" + (f"?{query}" if query else "")
    return web.post(path, [("campaign_id", str(campaign_id)), ("which", which)] + [("id", str(i)) for i in ids])


def check_bulk(world, db, audit, key, op, campaign_id, which, expected, ids=(), query=""):
    """POSTs a bulk change and checks the campaign's members after it, the
    number reported and the audit row's list of affected contacts."""
    spec, uid, web = user(world, key)
    before = campaign_members(db, campaign_id)
    mark = audit.mark()
    r = bulk_post(web, op, campaign_id, which, ids, query)
    what = f"{key}: {op} {which} {query} into {campaign_id}"
    assert r.status_code == 303, f"{what} answered {r.status_code}: {Page(r.text).text[:300]}"
    n = re.search(r"[?&]n=(\d+)", r.headers["Location"])
    assert n and int(n.group(1)) == len(expected), f"{what} reported {r.headers['Location']}, expected {len(expected)}"
    after = campaign_members(db, campaign_id)
    want = before | expected if op == "add" else before - expected
    assert after == want, (f"{what}: not allowed: {sorted(after - want)[:10]}, missing: {sorted(want - after)[:10]}")
    rows = [x for x in audit.since(mark) if x["user_id"] == uid]
    assert [(x["action"], x["outcome"], x["object_id"]) for x in rows] == \
        [(f"campaign.bulk_{op}", 303, campaign_id)], f"{what}: audit {rows}"
    detail = json.loads(rows[0]["detail"])
    listed = [c["id"] for c in detail["contacts"]]
    assert detail["count"] == len(listed) and len(listed) == len(set(listed)) and set(listed) == expected, \
        f"{what}: the audit row lists {sorted(listed)[:20]}, expected {sorted(expected)[:20]}"


@pytest.mark.parametrize("key", USER_KEYS)
def test_bulk_changes_reach_exactly_the_visible_contacts(key, world, db, audit):
    """Add all matching (the list filtered by the fixture's name, then by a
    campaign), remove them, add the ticked (visible and invisible ids of
    both clients), remove them: each time exactly the user's visible
    contacts among them, in the database and in the audit row. A campaign the user may not see
    answers 404; without contacts.bulk_edit, 403."""
    spec, _, web = user(world, key)
    vis = world.visible[key]
    query = f"q={quote(world.marker)}"
    if BULK not in spec.functions:
        c1 = world.campaign["c1"]
        before = campaign_members(db, c1)
        for op in ("add", "remove"):
            r = bulk_post(web, op, c1, "all", query=query)
            assert r.status_code == 403, f"{key} lacks {BULK} but a bulk {op} answered {r.status_code}"
        assert campaign_members(db, c1) == before
        return
    own = world.workspace[key]
    cl = world.client_id[spec.client]
    assert campaign_members(db, own) == set()
    matching = vis & world.marked[spec.client]
    visible, invisible = samples(world, key)
    assert set(visible) <= vis and not set(invisible) & vis
    # Members the user does not see (and would not, as members of its
    # campaign), put there in SQL: a remove must leave them alone.
    hidden = sorted(c for c in invisible if c in world.contacts[spec.client] and world.stays_hidden(key, c))
    ticked = sorted(visible + invisible, key=lambda c: (c % 7, c))  # mixed, not sorted by visibility
    try:
        check_bulk(world, db, audit, key, "add", own, "all", matching, query=query)
        if hidden:
            db.rows("INSERT INTO contact_campaigns (client_id, campaign_id, contact_id) VALUES "
                    + ", ".join(f"({cl}, {own}, {c})" for c in hidden))
        check_bulk(world, db, audit, key, "remove", own, "all", matching, query=query)
        # A campaign filter: c2 is outside some users' sets (it then matches nothing).
        in_c2, by_c2 = in_campaign(world, spec, "c2", vis), f"campaign={world.campaign['c2']}"
        check_bulk(world, db, audit, key, "add", own, "all", in_c2, query=by_c2)
        check_bulk(world, db, audit, key, "remove", own, "all", in_c2, query=by_c2)
        check_bulk(world, db, audit, key, "add", own, "selected", set(visible), ids=ticked)
        # The ticked ids narrow the filter, never widen it.
        check_bulk(world, db, audit, key, "remove", own, "selected", set(visible) & world.marked[spec.client],
                   ids=ticked, query=query)
        check_bulk(world, db, audit, key, "remove", own, "selected", set(visible) - world.marked[spec.client],
                   ids=ticked)
        assert campaign_members(db, own) == set(hidden)
    finally:
        db.rows(f"DELETE FROM contact_campaigns WHERE client_id = {cl} AND campaign_id = {own}")
    other = stranger_campaign(world, key)
    if other is not None:
        before = campaign_members(db, other)
        for op, which in (("add", "all"), ("remove", "all"), ("add", "selected")):
            r = bulk_post(web, op, other, which, ids=ticked, query=query)
            assert r.status_code == 404, f"{key}: a bulk {op} into the campaign {other} answered {r.status_code}"
        assert campaign_members(db, other) == before


# ---------------------------------------------------------------- administration

@pytest.mark.parametrize("key", USER_KEYS)
def test_effective_access_counts_the_visible_contacts(key, world):
    """/admin/users/{id}, seen by the user's client's administrator, shows
    the number of contacts in the user's scope; another client's
    administrator gets 404."""
    spec, uid, _ = user(world, key)
    admins = {"demo": world.admin, "other": user(world, "other-unlimited")[2]}
    r = admins[spec.client].get(f"/admin/users/{uid}")
    assert r.status_code == 200, f"/admin/users/{uid} ({key}) answered {r.status_code}"
    shown = int(Page(r.text).by_id["scope-count"].strip())
    assert shown == len(world.visible[key]), \
        f"{key}: {shown} contacts in scope shown, expected {len(world.visible[key])}"
    stranger = admins["other" if spec.client == "demo" else "demo"]
    assert stranger.get(f"/admin/users/{uid}").status_code == 404


# ---------------------------------------------------------------- deleting (last: it changes the fixture)

@pytest.mark.parametrize("key", USER_KEYS)
def test_delete_forms_and_deletes(key, world, db):
    spec, _, web = user(world, key)
    visible, invisible = samples(world, key)
    may = DELETE in spec.functions
    for cid in visible + invisible:
        status = web.get(f"/contacts/{cid}/delete").status_code
        want = 403 if not may else 200 if cid in visible else 404
        assert status == want, f"{key}: /contacts/{cid}/delete answered {status}, expected {want}"
    for cid in invisible:
        live = db.rows(f"SELECT deleted_at IS NULL FROM contacts WHERE id = {cid}")
        status = web.post(f"/contacts/{cid}/delete", {}).status_code
        assert status == (404 if may else 403), f"{key}: POST /contacts/{cid}/delete answered {status}"
        assert db.rows(f"SELECT deleted_at IS NULL FROM contacts WHERE id = {cid}") == live
    victim = world.victims.get(key)
    if victim is not None:
        assert victim in world.visible[key]
        r = web.post(f"/contacts/{victim}/delete", {})
        assert r.status_code == 303, f"{key}: deleting its own contact answered {r.status_code}"
        assert db.value(f"SELECT deleted_at IS NOT NULL FROM contacts WHERE id = {victim}") == "1"
        assert web.get(f"/contacts/{victim}").status_code == 404
