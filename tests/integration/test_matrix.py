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

To cover a new page that shows contacts (a campaign's member list, the
targets of a bulk action), add it to CONTACT_VIEWS; a new route is covered
by the route part on its own, since it reads the route table from
`ctrack check-routes --list`.
"""
import csv
import io
import os
import re
import subprocess
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import quote

import pytest

from conftest import ListPage, Page, Sessions, recount_totals, sql_int, sql_str, unique

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


def route_table():
    """(method, pattern, function, action) of every route: what the program
    says with `check-routes --list`."""
    binary = os.environ.get("CTRACK_BIN") or os.path.join(REPO, "fcgi", "ctrack")
    p = subprocess.run([binary, "check-routes", "--list"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, f"check-routes --list failed: {p.stderr}"
    routes = [tuple(line.split("\t")) for line in p.stdout.splitlines() if line]
    assert routes and all(len(r) == 4 for r in routes), p.stdout
    return routes


ALL = catalogue()
ROUTES = route_table()
VIEW, EXPORT, EDIT, DELETE, CREATE = ("contacts.view", "contacts.export", "contacts.edit", "contacts.delete",
                                      "contacts.create")


@dataclass
class UserSpec:
    key: str
    client: str                      # "demo" or "other"
    functions: list
    regions: Optional[list] = None   # region codes; None: every region
    campaigns: Optional[list] = None  # campaign keys; None: every campaign


USERS = [
    UserSpec("unlimited", "demo", ALL),
    UserSpec("country", "demo", [VIEW, EXPORT, EDIT], regions=["US"]),
    UserSpec("state", "demo", [VIEW, EXPORT, DELETE], regions=["US-OH"]),
    UserSpec("district", "demo", [VIEW, EDIT, DELETE], regions=["US-OH-03"]),
    UserSpec("two-regions", "demo", [VIEW, EXPORT, CREATE], regions=["US-OH-03", "US-CA"]),
    UserSpec("campaigns", "demo", [VIEW, EXPORT, EDIT], campaigns=["c1", "c3"]),
    UserSpec("state-and-campaign", "demo", [VIEW, EXPORT, EDIT, DELETE], regions=["US-OH"], campaigns=["c1"]),
    UserSpec("nothing", "demo", [VIEW, EXPORT, EDIT, DELETE], regions=[], campaigns=[]),
    UserSpec("state-no-campaigns", "demo", [VIEW, EXPORT], regions=["US-OH"], campaigns=[]),
    UserSpec("viewer", "demo", [VIEW]),
    UserSpec("export-only", "demo", [EXPORT]),
    UserSpec("no-functions", "demo", []),
    UserSpec("other-unlimited", "other", ALL),
    UserSpec("other-state", "other", [VIEW, EXPORT, EDIT], regions=["US-OH"]),
]
USER_KEYS = [u.key for u in USERS]

# The fixture contacts of each client: (key, region code or None, campaigns, deleted).
DEMO_CONTACTS_SPEC = [
    ("m0", "US-OH-03", ["c1"], False),
    ("m1", "US-OH-03", ["c2"], False),
    ("m2", "US-OH-05", ["c1", "c3"], False),
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
        self.campaign = {}       # campaign key -> id
        self.marker = None
        self.marked = {}         # client key -> {ids of the fixture contacts, deleted too}
        self.named = {}          # fixture key -> contact id
        self.victims = {}        # user key -> contact id it may delete
        self.users = {}          # user key -> (spec, user id, client web)
        self.visible = {}        # user key -> {contact ids}
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

    def compute_visible(self, spec, region_ids, campaign_ids):
        """The oracle: same client, live, and (all regions or under one of
        the user's regions) and (all campaigns or member of one of them)."""
        allowed = None
        if region_ids is not None:
            allowed = set()
            code_of = {v: k for k, v in self.region_by_code[spec.client].items()}
            for r in region_ids:
                allowed |= self.under(spec.client, code_of[r])
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

    for camp, code, n in (("c1", "US-OH", 15), ("c1", "US-CA", 5), ("c2", "US-TX", 10), ("c2", "US-OH-03", 3),
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
    recount_totals(db, demo.client_id)
    recount_totals(db, other)

    # The users, with their limits.
    sessions = Sessions(db, demo, base_url, cert)
    for spec in USERS:
        cl = w.client_id[spec.client]
        uid = people.user(cl, spec.functions, all_regions=spec.regions is None,
                          all_campaigns=spec.campaigns is None)
        for code in spec.regions or []:
            db.rows(f"INSERT INTO user_regions (client_id, user_id, region_id) VALUES ({cl}, {uid},"
                    f" {codes[spec.client][code]})")
        for camp in spec.campaigns or []:
            db.rows(f"INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES ({cl}, {uid},"
                    f" {w.campaign[camp]})")
        web, _ = sessions.make(client_id=cl, user_id=uid)
        w.users[spec.key] = (spec, uid, web)

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
    for camp, contact in db.rows(f"SELECT campaign_id, contact_id FROM contact_campaigns"
                                 f" WHERE client_id = {demo.client_id}"):
        w.members.setdefault(int(camp), set()).add(int(contact))
    w.lujan = {int(r[0]) for r in db.rows(
        f"SELECT id FROM contacts WHERE client_id = {demo.client_id} AND search_name LIKE '%lujan%'")}
    for key, (spec, uid, _) in w.users.items():
        cl = w.client_id[spec.client]
        flags = db.rows(f"SELECT all_regions, all_campaigns FROM users WHERE client_id = {cl} AND id = {uid}")[0]
        regions = None if flags[0] == "1" else [int(r[0]) for r in db.rows(
            f"SELECT region_id FROM user_regions WHERE client_id = {cl} AND user_id = {uid}")]
        camps = None if flags[1] == "1" else [int(r[0]) for r in db.rows(
            f"SELECT campaign_id FROM user_campaigns WHERE client_id = {cl} AND user_id = {uid}")]
        w.visible[key] = w.compute_visible(spec, regions, camps)

    # The fixture is what it says: a few facts the scenarios rely on.
    n = w.named
    assert w.visible["unlimited"] >= {n["m0"], n["m6"], n["m9"]} and n["m8"] not in w.visible["unlimited"]
    assert w.visible["district"] & w.marked["demo"] == {n["m0"], n["m1"]}
    assert w.visible["state-and-campaign"] & w.marked["demo"] == {n["m0"], n["m2"]}
    assert w.visible["campaigns"] & w.marked["demo"] == {n["m0"], n["m2"], n["m4"], n["m6"], n["m9"]}
    assert w.visible["nothing"] == set() and w.visible["state-no-campaigns"] == set()
    assert n["m6"] not in w.visible["country"] and n["m6"] in w.visible["campaigns"]
    yield w
    sessions.remove()


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


@dataclass
class ContactView:
    """A path that shows contacts: what it needs, where it is, how to read
    the ids it shows, and which of the user's visible contacts it should
    show."""
    label: str
    function: str
    path: Callable        # world -> path
    read: Callable        # (web, path) -> (total or status, ids or None)
    expect: Callable      # (world, user spec, visible ids) -> expected ids


def in_campaign(w, spec, key, vis):
    """What a campaign filter shows: the members of the campaign the user
    may see; a campaign outside a campaign-limited user's set shows nothing
    (not even members they see through another campaign)."""
    if spec.campaigns is not None and key not in spec.campaigns:
        return set()
    return vis & w.members[w.campaign[key]]


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
]


@pytest.mark.parametrize("view", CONTACT_VIEWS, ids=[v.label for v in CONTACT_VIEWS])
@pytest.mark.parametrize("key", USER_KEYS)
def test_every_view_shows_exactly_the_visible_contacts(key, view, world):
    spec, _, web = user(world, key)
    path = view.path(world)
    total, ids = view.read(web, path)
    if view.function not in spec.functions:
        assert total == 403, f"{key} may not use {view.function} but {path} answered {total}"
        return
    expected = view.expect(world, spec, world.visible[key])
    assert ids is not None, f"{path} answered {total} for {key}"
    got = set(ids)
    assert got == expected, (f"{key}: {path} shows {len(got)} contacts, expected {len(expected)};"
                             f" not allowed: {sorted(got - expected)[:10]}, missing: {sorted(expected - got)[:10]}")
    assert total == len(expected)


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
