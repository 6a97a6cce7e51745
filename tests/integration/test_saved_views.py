"""Saved views: save the list's filter under a name, list, share with the
user type, rename, delete; view=ID through the list, every export format and
the dashboard; the scope on top of a shared view; names unique per owner;
bad input."""
import csv
import io
import json
import re

from conftest import Page, location_path, sql_str, unique


def same_type_user(db, client_id, user_id, all_regions=True):
    """Another user of the same user type as user_id (a colleague)."""
    return db.int(
        "INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, status, all_regions,"
        f" all_campaigns) SELECT client_id, {sql_str(unique('colleague-'))}, 'Colleague', user_type_id, '!',"
        f" 'active', {int(all_regions)}, 1 FROM users WHERE id = {int(user_id)}; SELECT LAST_INSERT_ID()")


def limit_to(db, client_id, user_id, code):
    db.run(f"UPDATE users SET all_regions = 0 WHERE id = {int(user_id)};"
           f" INSERT INTO user_regions (client_id, user_id, region_id) SELECT client_id, {int(user_id)}, id"
           f" FROM regions WHERE client_id = {int(client_id)} AND code = {sql_str(code)}")


def save(web, query, name, shared=False):
    form = {"name": name}
    if shared:
        form["shared"] = "1"
    return web.post("/views?" + query, form)


def view_id(r):
    assert r.status_code == 303, (r.status_code, r.text[:500])
    m = re.fullmatch(r"/contacts\?view=(\d+)&saved=1", location_path(r))
    assert m, location_path(r)
    return int(m.group(1))


def live(db, client_id, where):
    return db.int(f"SELECT COUNT(*) FROM contacts c WHERE c.client_id = {client_id} AND c.deleted_at IS NULL"
                  f" AND ({where})")


FUNCS = ["contacts.view", "contacts.export", "reports.view"]


def test_save_list_open_rename_share_delete(db, demo, people, sessions, audit):
    user = people.user(demo.client_id, FUNCS)
    web, _ = sessions.make(user_id=user)
    name = unique("Ohio Dems ")
    mark = audit.mark()
    vid = view_id(save(web, "region=US-OH&party=Democrat", name))
    row = audit.one_since(mark, "view.create")
    assert (row["action"], row["object_type"], row["object_id"], row["outcome"]) == \
        ("view.create", "saved_view", vid, 303)
    assert json.loads(row["detail"]) == {"name": name, "query": "region=US-OH&party=Democrat", "shared": False}
    stored = db.rows(f"SELECT name, query, user_type_id IS NULL FROM saved_views WHERE id = {vid}")
    assert [list(x) for x in stored] == [[name, "region=US-OH&party=Democrat", "1"]]
    # The list with the view: the same as its parameters, and says which view.
    want = live(db, demo.client_id, "c.party = 'Democrat' AND c.region_id IN (SELECT rc.descendant_id FROM"
                " region_closure rc JOIN regions g ON g.id = rc.ancestor_id WHERE g.code = 'US-OH')")
    r = web.get(f"/contacts?view={vid}&saved=1")
    assert r.status_code == 200
    p = Page(r.text)
    assert name in r.text and "was saved" in r.text
    direct = web.get("/contacts?region=US-OH&party=Democrat")
    count = re.search(r'<span class="count">(\d+)</span>', r.text).group(1)
    assert int(count) == want == int(re.search(r'<span class="count">(\d+)</span>', direct.text).group(1))
    # The /views page lists it with its forms.
    r = web.get("/views")
    assert r.status_code == 200 and f'id="view-edit-{vid}"' in r.text and f'id="view-delete-{vid}"' in r.text
    # Rename and share.
    new = name + " shared"
    mark = audit.mark()
    r = web.post(f"/views/{vid}", {"name": new, "shared": "1"})
    assert r.status_code == 303 and location_path(r) == "/views?done=renamed"
    row = audit.one_since(mark, "view.update")
    assert (row["action"], row["object_id"]) == ("view.update", vid)
    assert json.loads(row["detail"]) == {
        "old": {"name": name, "query": "region=US-OH&party=Democrat", "shared": False},
        "new": {"name": new, "query": "region=US-OH&party=Democrat", "shared": True}}
    assert db.value(f"SELECT name FROM saved_views WHERE id = {vid}") == new
    # A colleague of the same type sees it, read-only.
    colleague = same_type_user(db, demo.client_id, user)
    cweb, _ = sessions.make(user_id=colleague)
    r = cweb.get(f"/contacts?view={vid}")
    assert r.status_code == 200 and new in r.text
    assert "Read-only" in cweb.get("/views").text
    assert cweb.post(f"/views/{vid}", {"name": "mine now"}).status_code == 403
    assert cweb.post(f"/views/{vid}/delete", {}).status_code == 403
    assert db.value(f"SELECT name FROM saved_views WHERE id = {vid}") == new
    # Another user type cannot see it at all: 404 like a view that does not exist.
    other = people.user(demo.client_id, FUNCS)
    oweb, _ = sessions.make(user_id=other)
    for path in (f"/contacts?view={vid}", f"/export/contacts.csv?view={vid}", f"/dashboard?view={vid}",
                 "/contacts?view=999999999"):
        assert oweb.get(path).status_code == 404, path
    assert oweb.post(f"/views/{vid}", {"name": "x"}).status_code == 404
    assert new not in oweb.get("/views").text
    # Unshared again: the colleague loses it.
    assert web.post(f"/views/{vid}", {"name": new}).status_code == 303
    assert cweb.get(f"/contacts?view={vid}").status_code == 404
    # Delete.
    mark = audit.mark()
    r = web.post(f"/views/{vid}/delete", {})
    assert r.status_code == 303 and location_path(r) == "/views?done=deleted"
    row = audit.one_since(mark, "view.delete")
    assert (row["action"], row["object_id"], json.loads(row["detail"])["name"]) == ("view.delete", vid, new)
    assert db.int(f"SELECT COUNT(*) FROM saved_views WHERE id = {vid}") == 0
    assert web.get(f"/contacts?view={vid}").status_code == 404


def test_a_view_drives_every_export_format(db, demo, people, sessions, create_contact):
    marker = unique("Viewexp")
    ids = sorted(create_contact(last_name=f"{marker} {i}") for i in range(3))
    user = people.user(demo.client_id, FUNCS)
    web, _ = sessions.make(user_id=user)
    vid = view_id(save(web, f"q={marker}", unique("Export view ")))
    r = web.get(f"/export/contacts.csv?view={vid}")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))[1:]
    assert sorted(int(x[0]) for x in rows) == ids
    r = web.get(f"/export/contacts.json?view={vid}")
    assert sorted(x["id"] for x in json.loads(r.text)) == ids
    r = web.get(f"/export/contacts.ndjson?view={vid}")
    assert sorted(json.loads(line)["id"] for line in r.text.splitlines() if line.strip()) == ids
    r = web.get(f"/export/contacts.vcf?view={vid}")
    assert r.status_code == 200 and r.text.count("BEGIN:VCARD") == 3 and marker in r.text
    # The export's audit row names the view beside its filter.
    detail = db.value("SELECT detail FROM audit WHERE action = 'contact.export' AND path = '/export/contacts.vcf'"
                      f" AND user_id = {user} ORDER BY id DESC LIMIT 1")
    assert f'"view":{vid}' in detail


def test_the_scope_applies_on_top_of_a_shared_view(db, demo, people, sessions):
    """A view shared by a user who sees everything never widens what a
    colleague limited to Ohio sees."""
    owner = people.user(demo.client_id, FUNCS)
    web, _ = sessions.make(user_id=owner)
    vid = view_id(save(web, "party=Republican", unique("Republicans "), shared=True))
    colleague = same_type_user(db, demo.client_id, owner)
    limit_to(db, demo.client_id, colleague, "US-OH")
    cweb, _ = sessions.make(user_id=colleague)
    everywhere = live(db, demo.client_id, "c.party = 'Republican'")
    in_ohio = live(db, demo.client_id, "c.party = 'Republican' AND c.region_id IN (SELECT rc.descendant_id FROM"
                   " region_closure rc JOIN regions g ON g.id = rc.ancestor_id WHERE g.code = 'US-OH')")
    assert 0 < in_ohio < everywhere
    count = lambda w, path: int(re.search(r'<span class="count">(\d+)</span>', w.get(path).text).group(1))
    assert count(web, f"/contacts?view={vid}") == everywhere
    assert count(cweb, f"/contacts?view={vid}") == in_ohio
    rows = list(csv.reader(io.StringIO(cweb.get(f"/export/contacts.csv?view={vid}").content.decode("utf-8"),
                                       newline="")))[1:]
    assert len(rows) == in_ohio


def test_names_unique_and_bad_input(db, demo, people, sessions):
    user = people.user(demo.client_id, FUNCS)
    web, _ = sessions.make(user_id=user)
    name = unique("Twice ")
    vid = view_id(save(web, "party=Democrat", name))
    # The same name (any case) again: 422 with the message and the input kept.
    r = save(web, "party=Republican", name.upper())
    assert r.status_code == 422
    assert "already have a view of that name" in r.text and name.upper() in r.text
    assert db.int(f"SELECT COUNT(*) FROM saved_views WHERE user_id = {user}") == 1
    # Another user may use the same name.
    other = people.user(demo.client_id, FUNCS)
    oweb, _ = sessions.make(user_id=other)
    view_id(save(oweb, "party=Democrat", name))
    # Renaming onto another of one's own views is refused too.
    second = view_id(save(web, "party=Republican", name + " 2"))
    r = web.post(f"/views/{second}", {"name": name})
    assert r.status_code == 422 and "already have a view of that name" in r.text
    # No name, a too long name, no filter, a bad filter.
    assert save(web, "party=Democrat", "").status_code == 422
    assert save(web, "party=Democrat", "x" * 101).status_code == 422
    r = save(web, "", "Nothing")
    assert r.status_code == 422 and "no filter to save" in r.text
    assert save(web, "campaign=abc", "Bad").status_code == 400
    # view= with a filter parameter beside it: 400, naming the parameter;
    # empty parameters (an empty form field) are allowed.
    r = web.get(f"/contacts?view={vid}&party=Republican")
    assert r.status_code == 400 and "party=" in r.text
    assert web.get(f"/contacts?view={vid}&q=&region=&sort=updated").status_code == 200
    assert web.get("/contacts?view=abc").status_code == 400
    assert web.get("/contacts?view=0").status_code == 400
    # Without CSRF the POSTs are refused.
    assert web.post("/views?party=Democrat", {"name": "no csrf"}, csrf=False).status_code == 403
    assert db.int(f"SELECT COUNT(*) FROM saved_views WHERE id = {vid}") == 1
    # A hostile name is shown escaped.
    evil = "<script>alert(1)</script>" + unique("")
    view_id(save(web, "party=Democrat", evil))
    page = web.get("/views").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_view_whose_status_was_deleted_says_which_view(admin, db, create_contact):
    """A view saved with a status that was deleted since once answered only
    "The status is not one of the campaign statuses.", without a word of
    the view the user had opened or of what to do."""
    cid = create_contact(last_name=unique("Stale"))
    r = admin.post("/campaigns", {"name": unique("Stale campaign ")})
    g = int(re.fullmatch(r"/campaigns/(\d+)\?done=created", location_path(r)).group(1))
    assert admin.post(f"/contacts/{cid}/campaigns", {"campaign_id": g}).status_code == 303
    code = "stale-" + unique("").lower().replace("-", "")[-8:]
    assert admin.post("/campaigns/statuses", {"code": code, "label": "Stale", "stage": "contacted"}).status_code == 303
    name = unique("Stale view ")
    vid = view_id(save(admin, f"campaign={g}&status={code}", name))
    assert admin.post("/campaigns/statuses/delete", {"code": code}).status_code == 303
    for path in (f"/contacts?view={vid}", f"/dashboard?view={vid}", f"/export/contacts.csv?view={vid}"):
        r = admin.get(path)
        assert r.status_code == 400, (path, r.status_code)
        text = Page(r.text).text
        assert f"The saved view \u201c{name}\u201d no longer applies" in text, (path, text[:400])
        assert "The status is not one of the campaign statuses." in text and "Saved views" in text
    # It can still be deleted.
    assert admin.post(f"/views/{vid}/delete").status_code == 303
