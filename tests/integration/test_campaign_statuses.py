"""A client's own campaign statuses: the page that manages them
(/campaigns/statuses: add, label and stage, order, delete), its refusals
(403 without campaigns.manage, 422 for a bad or taken code, a status in use,
the last status of stage targeted), and the statuses in use everywhere: the
campaign page's counts (in the client's order, with labels), its filters and
selects, the contact list's status filter, the status a new member gets, and
another client's status refused. Each test works in a client of its own, so
the demo client's four statuses stay as they are for the other suites."""
import re
from urllib.parse import quote

import pytest

from conftest import Page, contact_form, location_path, unique
from test_campaigns import MANAGE, bulk, bulk_count, create_campaign, members

DEFAULT = [("targeted", "Targeted", "targeted"), ("contacted", "Contacted", "contacted"),
           ("responded", "Responded", "responded"), ("declined", "Declined", "declined")]


class Client:
    """A new client (with the default statuses), a manager with contacts,
    and helpers."""

    def __init__(self, people, sessions, db):
        self.db = db
        self.id = people.client()
        self.user = people.user(self.id, MANAGE + ["contacts.create", "contacts.bulk_edit"])
        self.web, _ = sessions.make(client_id=self.id, user_id=self.user)

    def statuses(self):
        return [tuple(r) for r in self.db.rows(
            f"SELECT code, label, stage FROM campaign_statuses WHERE client_id = {self.id} ORDER BY position")]

    def contact(self, **fields):
        r = self.web.post("/contacts", contact_form(**fields))
        assert r.status_code == 303, r.status_code
        return int(location_path(r).rsplit("/", 1)[1])

    def add(self, code, label, stage, expect=303):
        r = self.web.post("/campaigns/statuses", {"code": code, "label": label, "stage": stage})
        assert r.status_code == expect, f"adding {code} answered {r.status_code}: {Page(r.text).text[:400]}"
        return r


@pytest.fixture
def client(people, sessions, db):
    return Client(people, sessions, db)


def page_rows(web):
    """code -> (label, stage, members) as the status page shows them, in its order."""
    r = web.get("/campaigns/statuses")
    assert r.status_code == 200, r.status_code
    page = Page(r.text)
    out = {}
    for f in page.forms:
        if f["action"] == "/campaigns/statuses/edit":
            code = f["fields"]["code"]
            out[code] = (f["fields"]["label"], f["fields"]["stage"], int(page.by_id[f"uses-{code}"].strip()))
    return out, page


def select_options(html, select_id):
    """[(value, text)] of the select with this id."""
    block = re.search(r'<select id="' + re.escape(select_id) + r'"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(v, t.strip()) for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block)]


def counts(web, cid):
    """[(code, label, count)] of the campaign page's counts, in order."""
    r = web.get(f"/campaigns/{cid}")
    assert r.status_code == 200
    text = r.text
    return [(code, label.strip(), int(n)) for code, label, code2, n in re.findall(
        r'\?status=([a-z0-9_-]+)">([^<]*)</a> <span class="count" id="count-([a-z0-9_-]+)">(\d+)</span>', text)
        if code == code2]


def test_new_client_has_the_four_defaults_shown_in_order(client):
    assert client.statuses() == DEFAULT
    rows, page = page_rows(client.web)
    assert list(rows) == [c for c, _, _ in DEFAULT]
    assert rows["targeted"] == ("Targeted", "targeted", 0)
    assert page.form("/campaigns/statuses"), "no add form"
    # Up on the first, down on the last are not offered.
    moves = [(f["fields"]["code"], f["fields"]["direction"]) for f in page.forms
             if f["action"] == "/campaigns/statuses/move"]
    assert ("targeted", "up") not in moves and ("declined", "down") not in moves
    assert ("targeted", "down") in moves and ("declined", "up") in moves


def test_add_edit_move_delete(client):
    web = client.web
    client.add("met", "Met in person", "contacted")
    assert client.statuses()[-1] == ("met", "Met in person", "contacted")
    r = web.get("/campaigns/statuses?done=added")
    assert "The status was added." in Page(r.text).text
    # Label and stage.
    r = web.post("/campaigns/statuses/edit", {"code": "met", "label": "  Met  ", "stage": "responded"})
    assert r.status_code == 303 and location_path(r) == "/campaigns/statuses?done=saved"
    assert client.statuses()[-1] == ("met", "Met", "responded")
    # Up three times: before declined, responded, then contacted; down once.
    for _ in range(3):
        assert web.post("/campaigns/statuses/move", {"code": "met", "direction": "up"}).status_code == 303
    assert [c for c, _, _ in client.statuses()] == ["targeted", "met", "contacted", "responded", "declined"]
    assert web.post("/campaigns/statuses/move", {"code": "met", "direction": "down"}).status_code == 303
    assert [c for c, _, _ in client.statuses()] == ["targeted", "contacted", "met", "responded", "declined"]
    assert "The status was moved." in Page(web.get("/campaigns/statuses?done=moved").text).text
    # First and last cannot move further; a bad direction is refused.
    assert web.post("/campaigns/statuses/move", {"code": "targeted", "direction": "up"}).status_code == 422
    assert web.post("/campaigns/statuses/move", {"code": "declined", "direction": "down"}).status_code == 422
    assert web.post("/campaigns/statuses/move", {"code": "met", "direction": "sideways"}).status_code == 422
    assert web.post("/campaigns/statuses/move", {"code": "nope", "direction": "up"}).status_code == 404
    # Unused: deleted.
    assert web.post("/campaigns/statuses/delete", {"code": "met"}).status_code == 303
    assert client.statuses() == DEFAULT
    assert web.post("/campaigns/statuses/delete", {"code": "met"}).status_code == 404


def test_add_refusals_keep_the_input(client):
    for code, label, stage, field, words in (
            ("", "X", "contacted", "add-code", "is needed"),
            ("Met", "X", "contacted", "add-code", "lowercase"),
            ("met in person", "X", "contacted", "add-code", "lowercase"),
            ("m\u00e9t", "X", "contacted", "add-code", "lowercase"),
            ("m" * 41, "X", "contacted", "add-code", "40"),
            ("targeted", "Again", "targeted", "add-code", "is taken"),
            ("CONTACTED".lower(), "Again", "contacted", "add-code", "is taken"),
            ("met", "   ", "contacted", "add-label", "is needed"),
            ("met", "x" * 101, "contacted", "add-label", "100"),
            ("met", "Met", "won", "add-stage", "targeted, contacted"),
            ("met", "Met", "", "add-stage", "targeted, contacted")):
        r = client.add(code, label, stage, expect=422)
        page = Page(r.text)
        assert words in page.by_id.get(f"{field}-error", ""), f"{code!r}/{label!r}/{stage!r}: {page.by_id}"
        assert page.form("/campaigns/statuses")["fields"]["code"] == code
        assert page.form("/campaigns/statuses")["fields"]["label"] == label
    assert client.statuses() == DEFAULT
    # Codes are 40 characters at most, exactly 40 is fine; digits, _ and -.
    client.add("a_1-" + "b" * 36, "Forty", "declined")
    assert client.statuses()[-1][0] == "a_1-" + "b" * 36


def test_edit_refusals(client):
    web = client.web
    r = web.post("/campaigns/statuses/edit", {"code": "contacted", "label": "", "stage": "contacted"})
    assert r.status_code == 422
    assert "is needed" in Page(r.text).by_id["label-contacted-error"]
    r = web.post("/campaigns/statuses/edit", {"code": "contacted", "label": "Reached", "stage": "lost"})
    assert r.status_code == 422 and "label-contacted" in Page(r.text).by_id
    assert Page(r.text).form("/campaigns/statuses/edit")
    # The only status of stage targeted stays targeted and is not deleted.
    r = web.post("/campaigns/statuses/edit", {"code": "targeted", "label": "Targeted", "stage": "contacted"})
    assert r.status_code == 422 and "must stay targeted" in Page(r.text).by_id["stage-targeted-error"]
    r = web.post("/campaigns/statuses/delete", {"code": "targeted"})
    assert r.status_code == 422 and "only status of stage targeted" in Page(r.text).by_id["delete-targeted-error"]
    assert web.post("/campaigns/statuses/edit", {"code": "nope", "label": "X", "stage": "targeted"}).status_code == 404
    assert client.statuses() == DEFAULT
    # With a second targeted status, the first may change stage (and new
    # members then get the second).
    client.add("listed", "Listed", "targeted")
    assert web.post("/campaigns/statuses/edit", {"code": "targeted", "label": "Old targeted",
                                                 "stage": "declined"}).status_code == 303
    cid, _ = create_campaign(web)
    contact = client.contact()
    assert web.post(f"/contacts/{contact}/campaigns", {"campaign_id": cid}).status_code == 303
    assert members(client.db, cid) == {contact: "listed"}


def test_delete_refused_while_in_use_and_says_how_many(client, people, sessions):
    web = client.web
    client.add("met", "Met", "contacted")
    cid, _ = create_campaign(web)
    ids = [client.contact() for _ in range(3)]
    assert bulk_count(bulk(web, "add", cid, which="selected", ids=ids)) == 3
    for i in ids[:2]:
        assert web.post(f"/campaigns/{cid}/members/status", {"contact_id": i, "status": "met"}).status_code == 303
    r = web.post("/campaigns/statuses/delete", {"code": "met"})
    assert r.status_code == 422
    assert "2 memberships have this status" in Page(r.text).by_id["delete-met-error"]
    assert page_rows(web)[0]["met"][2] == 2
    # A user limited to regions that hold none of them is told only that
    # members they cannot see have it. (A campaign-limited user changes no
    # status at all: test_a_campaign_limited_manager_...)
    limited = people.user(client.id, MANAGE, all_regions=False)
    lweb, _ = sessions.make(client_id=client.id, user_id=limited)
    r = lweb.post("/campaigns/statuses/delete", {"code": "met"})
    assert r.status_code == 422
    msg = Page(r.text).by_id["delete-met-error"]
    assert "cannot see" in msg and "2" not in msg
    assert page_rows(lweb)[0]["met"][2] == 0, "the limited user's counts include others' members"
    assert ("met", "Met", "contacted") in client.statuses()
    # Once nobody has it, it goes.
    for i in ids[:2]:
        assert web.post(f"/campaigns/{cid}/members/status", {"contact_id": i, "status": "contacted"}).status_code == 303
    assert web.post("/campaigns/statuses/delete", {"code": "met"}).status_code == 303
    assert "met" not in [c for c, _, _ in client.statuses()]


def test_counts_order_labels_and_filters_with_custom_statuses(client):
    web = client.web
    client.add("met", "Met in person", "contacted")
    for _ in range(3):
        assert web.post("/campaigns/statuses/move", {"code": "met", "direction": "up"}).status_code == 303
    assert web.post("/campaigns/statuses/edit", {"code": "declined", "label": "Said no",
                                                 "stage": "declined"}).status_code == 303
    cid, _ = create_campaign(web)
    ids = sorted(client.contact(last_name=unique("Member ")) for _ in range(4))
    assert bulk_count(bulk(web, "add", cid, which="selected", ids=ids)) == 4
    for i, st in zip(ids, ("met", "met", "declined")):
        assert web.post(f"/campaigns/{cid}/members/status", {"contact_id": i, "status": st}).status_code == 303
    assert counts(web, cid) == [("targeted", "Targeted", 1), ("met", "Met in person", 2),
                                ("contacted", "Contacted", 0), ("responded", "Responded", 0),
                                ("declined", "Said no", 1)]
    html = web.get(f"/campaigns/{cid}").text
    order = [("targeted", "Targeted"), ("met", "Met in person"), ("contacted", "Contacted"),
             ("responded", "Responded"), ("declined", "Said no")]
    assert select_options(html, "status") == [("", "All statuses")] + order
    assert select_options(html, "bulk-to") == order
    # The status filter of the campaign page and of the contact list, by
    # code (in any case).
    for q in ("met", "MET"):
        r = web.get(f"/campaigns/{cid}?status={q}")
        assert r.status_code == 200
        shown = sorted(int(x) for x in re.findall(r'name="id" value="(\d+)"', r.text))
        assert shown == ids[:2], q
    lp = web.get(f"/contacts?campaign={cid}&status=met")
    assert lp.status_code == 200
    assert select_options(lp.text, "status") == [("", "Any status")] + order
    assert web.get(f"/campaigns/{cid}?status=won").status_code == 400
    assert web.get(f"/contacts?campaign={cid}&status=won").status_code == 400
    # The member's status shows its label.
    assert "Met in person" in Page(web.get(f"/campaigns/{cid}?status=met").text).text


def test_another_clients_status_is_refused(client, admin, demo, create_contact):
    """The demo client does not have this client's status: neither the
    one-by-one change, nor the bulk change, nor a filter takes it."""
    client.add("only-theirs", "Theirs", "contacted")
    cid, _ = create_campaign(admin)
    contact = create_contact()
    assert admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": cid}).status_code == 303
    r = admin.post(f"/campaigns/{cid}/members/status", {"contact_id": contact, "status": "only-theirs"})
    assert r.status_code == 422 and "Targeted (targeted)" in Page(r.text).text
    r = admin.post(f"/campaigns/{cid}/members/bulk-status", {"which": "all", "to": "only-theirs"})
    assert r.status_code == 422
    assert admin.get(f"/campaigns/{cid}?status=only-theirs").status_code == 400
    assert members(demo.db, cid) == {contact: "targeted"}
    # Nor can the demo admin change this client's list.
    for path, data in (("/campaigns/statuses/edit", {"code": "only-theirs", "label": "Ours", "stage": "declined"}),
                       ("/campaigns/statuses/move", {"code": "only-theirs", "direction": "up"}),
                       ("/campaigns/statuses/delete", {"code": "only-theirs"})):
        assert admin.post(path, data).status_code == 404, path
    assert ("only-theirs", "Theirs", "contacted") in client.statuses()


def test_needs_campaigns_manage(people, sessions, demo):
    web, _ = sessions.make(user_id=people.user(demo.client_id, ["contacts.view", "campaigns.view"]))
    assert web.get("/campaigns/statuses").status_code == 403
    for path, data in (("/campaigns/statuses", {"code": "x", "label": "X", "stage": "targeted"}),
                       ("/campaigns/statuses/edit", {"code": "targeted", "label": "X", "stage": "targeted"}),
                       ("/campaigns/statuses/move", {"code": "targeted", "direction": "down"}),
                       ("/campaigns/statuses/delete", {"code": "declined"})):
        assert web.post(path, data).status_code == 403, path
    assert "/campaigns/statuses" not in web.get("/campaigns").text


def test_a_campaign_limited_manager_reads_the_statuses_but_does_not_change_them(client, people, sessions):
    """The statuses are the whole client's, in campaigns such a user cannot
    see: they are shown without forms, and every change is refused (403),
    changing nothing."""
    user = people.user(client.id, MANAGE, all_campaigns=False)
    web, _ = sessions.make(client_id=client.id, user_id=user)
    r = web.get("/campaigns/statuses")
    assert r.status_code == 200
    page = Page(r.text)
    assert [f["action"] for f in page.forms if f["action"].startswith("/campaigns/statuses")] == []
    assert "statuses-read-only" in page.by_id
    assert page.by_id["uses-targeted"].strip() == "0"
    before = client.statuses()
    for path, data in (("/campaigns/statuses", {"code": "met", "label": "Met", "stage": "contacted"}),
                       ("/campaigns/statuses/edit", {"code": "targeted", "label": "X", "stage": "targeted"}),
                       ("/campaigns/statuses/move", {"code": "targeted", "direction": "down"}),
                       ("/campaigns/statuses/delete", {"code": "declined"})):
        r = web.post(path, data)
        assert r.status_code == 403, path
        assert "the statuses are the whole client" in Page(r.text).text, path
    assert client.statuses() == before == DEFAULT
    # The manager with all campaigns still changes them.
    client.add("met", "Met", "contacted")
    assert [s[0] for s in client.statuses()] == ["targeted", "contacted", "responded", "declined", "met"]


def test_a_status_that_is_not_ascii_is_refused_not_a_500(admin, create_contact):
    """Status codes are ASCII, like their column: any other text is no status
    (MariaDB refused to compare it with the column, which answered 500; found
    by wapiti's injection payload "declined¿'\"(" in make security)."""
    cid, _ = create_campaign(admin)
    contact = create_contact()
    assert admin.post(f"/contacts/{contact}/campaigns", {"campaign_id": cid}).status_code == 303
    for code in ("declined\u00bf'\"(", "d\u00e9clin\u00e9", "\u00e9"):
        q = f"status={quote(code)}"
        assert admin.get(f"/contacts?campaign={cid}&{q}").status_code == 400, code
        assert admin.get(f"/campaigns/{cid}?{q}").status_code == 400, code
        r = admin.post(f"/campaigns/{cid}/members/status", {"contact_id": contact, "status": code})
        assert r.status_code == 422, (code, r.status_code)
        r = admin.post(f"/campaigns/{cid}/members/bulk-status", {"which": "all", "to": code})
        assert r.status_code == 422, (code, r.status_code)
        for path, data in (("/campaigns/statuses/edit", {"code": code, "label": "Ours", "stage": "declined"}),
                           ("/campaigns/statuses/move", {"code": code, "direction": "up"}),
                           ("/campaigns/statuses/delete", {"code": code})):
            assert admin.post(path, data).status_code in (404, 422), (path, code)
