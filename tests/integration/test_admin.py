"""The administration pages: user types, the security matrix, users, their
geography and campaign limits, effective access and "who sees what",
compared with the database and the audit trail.

Most tests work in a client of their own (People.client) with an
administrator made in SQL and a session from Sessions, so that changing the
matrix there cannot disturb the demo client or other tests; the scope tests
use the demo client, whose regions and contacts they need."""
import json
import re

import pytest

from conftest import ListPage, Page, location_path, password_matches, sql_str, unique

ADMIN_FUNCTIONS = ["users.manage", "matrix.manage", "contacts.view"]
PASSWORD = "correct horse battery"


# ---------------------------------------------------------------- helpers

def created_id(response, prefix):
    assert response.status_code == 303, (
        f"expected 303, got {response.status_code}: "
        + "; ".join(f"{k}: {v}" for k, v in Page(response.text).by_id.items() if k.endswith("error")))
    m = re.fullmatch(re.escape(prefix) + r"/([1-9][0-9]*)(\?.*)?", location_path(response))
    assert m, f"redirected to {location_path(response)}, not {prefix}/ID"
    return int(m.group(1))


def detail(row):
    return json.loads(row["detail"]) if row["detail"] else None


class Org:
    """A client of its own with an administrator (users.manage and
    matrix.manage) logged in."""

    def __init__(self, db, people, sessions, client_id=None, functions=ADMIN_FUNCTIONS):
        self.db = db
        self.client_id = client_id if client_id is not None else people.client()
        self.admin_id = people.user(self.client_id, functions)
        self.admin_type = db.int(f"SELECT user_type_id FROM users WHERE id = {self.admin_id}")
        self.web, _ = sessions.make(client_id=self.client_id, user_id=self.admin_id)

    def create_type(self, name=None):
        name = name or unique("Type ")
        return created_id(self.web.post("/admin/types", {"name": name}), "/admin/types")

    def create_user(self, type_id, username=None, password=PASSWORD, display_name="Someone", changed=True):
        """A user made on the page. The administrator chose the password, so
        the user must change it at first logon; changed=True clears that in
        the database, as the user's own change would (test_passwords.py
        goes through the change itself), for tests about other things."""
        username = username or unique("u-")
        r = self.web.post("/admin/users", {"username": username, "display_name": display_name,
                                           "user_type": str(type_id), "password": password, "password2": password})
        uid = created_id(r, "/admin/users")
        assert self.db.int(f"SELECT must_change_password FROM users WHERE id = {uid}") == 1
        if changed:
            self.db.rows(f"UPDATE users SET must_change_password = 0 WHERE id = {uid}")
        return uid

    def functions(self, type_id):
        return sorted(r[0] for r in self.db.rows(
            f"SELECT function_name FROM user_type_functions WHERE client_id = {self.client_id}"
            f" AND user_type_id = {int(type_id)}"))

    def matrix(self):
        """(types field, version, {type_id: set of checked functions}) of the matrix page."""
        r = self.web.get("/admin/matrix")
        assert r.status_code == 200, r.status_code
        page = Page(r.text)
        form = page.form("/admin/matrix")
        cells = {int(t): set() for t in form["fields"]["types"].split(",") if t}
        for i in page.inputs:
            m = re.fullmatch(r"t(\d+)", i.get("name", ""))
            if m and "checked" in i:
                cells[int(m.group(1))].add(i["value"])
        return form["fields"]["types"], form["fields"]["version"], cells

    def save_matrix(self, changes, version=None):
        """Posts the whole grid with `changes` ({type_id: functions}) applied."""
        types, current, cells = self.matrix()
        cells.update({t: set(f) for t, f in changes.items()})
        data = [("types", types), ("version", current if version is None else version)]
        data += [(f"t{t}", f) for t, fs in cells.items() for f in sorted(fs)]
        return self.web.post("/admin/matrix", data)


@pytest.fixture
def org(db, people, sessions):
    return Org(db, people, sessions)


# ---------------------------------------------------------------- access to the pages

GET_PAGES = {
    "users.manage": ["/admin/users", "/admin/users/new", "/admin/users/{user}", "/admin/users/{user}/edit",
                     "/admin/users/{user}/password", "/admin/users/{user}/access", "/admin/explain"],
    "matrix.manage": ["/admin/types", "/admin/types/{type}", "/admin/matrix"],
}
POST_PAGES = {
    "users.manage": [("/admin/users", {"username": "x-{u}", "user_type": "{type}", "password": PASSWORD,
                                       "password2": PASSWORD}),
                     ("/admin/users/{user}", {"display_name": "Changed", "user_type": "{type}", "status": "disabled"}),
                     ("/admin/users/{user}/password", {"password": PASSWORD, "password2": PASSWORD}),
                     ("/admin/users/{user}/regions", {"regions_mode": "all"}),
                     ("/admin/users/{user}/campaigns", {"campaigns_mode": "all"})],
    "matrix.manage": [("/admin/types", {"name": "Sneaky {u}"}),
                      ("/admin/types/{type}", {"name": "Renamed {u}"}),
                      ("/admin/types/{type}/delete", {}),
                      ("/admin/matrix", {"types": "{type}", "t{type}": "matrix.manage"})],
}


@pytest.mark.parametrize("missing", ["users.manage", "matrix.manage"])
def test_pages_without_their_function_are_403(missing, db, people, sessions, audit):
    """A user whose type lacks the function gets 403 on every page of that
    area, GET and POST, and changes nothing."""
    has = [f for f in ADMIN_FUNCTIONS if f != missing]
    org = Org(db, people, sessions, functions=has)
    target = people.user(org.client_id, [])  # a user to aim at
    values = {"user": str(target), "type": str(org.admin_type), "u": unique("")}
    before = db.rows(f"SELECT id, display_name, status, user_type_id, password_hash FROM users"
                     f" WHERE client_id = {org.client_id} ORDER BY id")
    types_before = db.rows(f"SELECT id, name FROM user_types WHERE client_id = {org.client_id} ORDER BY id")
    matrix_before = db.rows(f"SELECT * FROM user_type_functions WHERE client_id = {org.client_id} ORDER BY 2, 3")
    for path in GET_PAGES[missing]:
        p = path.format(**values)
        mark = audit.mark()
        r = org.web.get(p)
        assert r.status_code == 403, f"GET {p} without {missing} answered {r.status_code}"
        row = audit.one_since(mark, p)
        assert (row["action"], row["outcome"], row["user_id"]) == ("access.denied", 403, org.admin_id)
    for path, form in POST_PAGES[missing]:
        p = path.format(**values)
        data = {k.format(**values): v.format(**values) for k, v in form.items()}
        r = org.web.post(p, data)
        assert r.status_code == 403, f"POST {p} without {missing} answered {r.status_code}"
    assert db.rows(f"SELECT id, display_name, status, user_type_id, password_hash FROM users"
                   f" WHERE client_id = {org.client_id} ORDER BY id") == before
    assert db.rows(f"SELECT id, name FROM user_types WHERE client_id = {org.client_id} ORDER BY id") == types_before
    assert db.rows(f"SELECT * FROM user_type_functions WHERE client_id = {org.client_id} ORDER BY 2, 3") \
        == matrix_before
    # The other area's pages still open, and the menus offer only what is allowed.
    other = "matrix.manage" if missing == "users.manage" else "users.manage"
    for path in GET_PAGES[other]:
        p = path.format(**values)
        assert org.web.get(p).status_code == 200, f"GET {p} with {other} did not open"
    home = Page(org.web.get("/admin").text)
    hrefs = {l["href"] for l in home.links}
    assert ("/admin/users" in hrefs) == (missing != "users.manage"), hrefs
    assert ("/admin/matrix" in hrefs) == (missing != "matrix.manage"), hrefs


def test_admin_home_needs_one_of_the_two_functions(db, people, sessions):
    org = Org(db, people, sessions, functions=["contacts.view"])
    assert org.web.get("/admin").status_code == 403
    page = Page(org.web.get("/contacts").text)
    assert "/admin" not in {l["href"] for l in page.links}, "the menu offers administration to a user without it"
    both = Org(db, people, sessions)
    r = both.web.get("/admin")
    assert r.status_code == 200
    assert {"/admin/users", "/admin/types", "/admin/matrix", "/admin/explain"} <= {l["href"] for l in Page(r.text).links}


@pytest.mark.parametrize("csrf", [False, "x" * 43])
def test_posts_need_the_csrf_token(csrf, org, db):
    name = unique("NoCsrf ")
    r = org.web.post("/admin/types", {"name": name}, csrf=csrf)
    assert r.status_code == 403
    type_id = org.create_type()
    r = org.web.post("/admin/users", {"username": unique("u-"), "user_type": str(type_id), "password": PASSWORD,
                                      "password2": PASSWORD}, csrf=csrf)
    assert r.status_code == 403
    assert db.int(f"SELECT COUNT(*) FROM user_types WHERE client_id = {org.client_id} AND name = {sql_str(name)}") == 0
    assert db.int(f"SELECT COUNT(*) FROM users WHERE client_id = {org.client_id}") == 1


# ---------------------------------------------------------------- user types

def test_user_type_create_rename_delete(org, db, audit):
    name = unique("Editors ")
    mark = audit.mark()
    tid = org.create_type(name)
    assert db.value(f"SELECT name FROM user_types WHERE client_id = {org.client_id} AND id = {tid}") == name
    assert org.functions(tid) == [], "a new user type is allowed something"
    row = audit.one_since(mark, "create")
    assert (row["action"], row["object_type"], row["object_id"], row["client_id"], row["user_id"]) == \
        ("usertype.create", "user_type", tid, org.client_id, org.admin_id)
    assert detail(row) == {"changes": {"name": {"old": None, "new": name}}}
    page = Page(org.web.get(f"/admin/types/{tid}").text)
    assert name in page.h1[0]
    assert name in [row["cells"][0] for row in Page(org.web.get("/admin/types").text).rows]

    # A duplicate, ignoring case, is a 422 with the name kept and nothing added.
    mark = audit.mark()
    r = org.web.post("/admin/types", {"name": name.upper()})
    assert r.status_code == 422
    page = Page(r.text)
    assert "is taken" in page.field_error("name")
    assert page.input("name")["value"] == name.upper()
    assert db.int(f"SELECT COUNT(*) FROM user_types WHERE client_id = {org.client_id}") == 2
    assert audit.one_since(mark)["outcome"] == 422
    assert org.web.post("/admin/types", {"name": "  "}).status_code == 422
    assert org.web.post("/admin/types", {"name": "x" * 101}).status_code == 422

    # Rename: old and new in the audit row; onto another type's name: 422.
    new = unique("Writers ")
    mark = audit.mark()
    r = org.web.post(f"/admin/types/{tid}", {"name": new})
    assert r.status_code == 303 and location_path(r).startswith(f"/admin/types/{tid}")
    row = audit.one_since(mark)
    assert (row["action"], row["object_id"]) == ("usertype.rename", tid)
    assert detail(row) == {"changes": {"name": {"old": name, "new": new}}}
    admin_type_name = db.value(f"SELECT name FROM user_types WHERE id = {org.admin_type}")
    r = org.web.post(f"/admin/types/{tid}", {"name": admin_type_name})
    assert r.status_code == 422 and "is taken" in Page(r.text).field_error("name")
    assert db.value(f"SELECT name FROM user_types WHERE id = {tid}") == new

    # Delete: refused while a user has the type, then done.
    uid = org.create_user(tid)
    r = org.web.post(f"/admin/types/{tid}/delete")
    assert r.status_code == 409
    assert "cannot be deleted" in Page(r.text).by_id["form-error"] and "1 user" in Page(r.text).by_id["form-error"]
    assert db.int(f"SELECT COUNT(*) FROM user_types WHERE id = {tid}") == 1
    other = org.create_type()
    assert org.web.post(f"/admin/users/{uid}", {"display_name": "x", "user_type": str(other),
                                                "status": "active"}).status_code == 303
    assert org.save_matrix({tid: {"contacts.view"}}).status_code == 303
    mark = audit.mark()
    r = org.web.post(f"/admin/types/{tid}/delete")
    assert r.status_code == 303 and location_path(r) == "/admin/types?deleted=1"
    assert db.int(f"SELECT COUNT(*) FROM user_types WHERE id = {tid}") == 0
    assert db.int(f"SELECT COUNT(*) FROM user_type_functions WHERE user_type_id = {tid}") == 0
    row = audit.one_since(mark)
    assert (row["action"], row["object_id"]) == ("usertype.delete", tid)
    assert detail(row) == {"deleted": {"name": new, "functions": ["contacts.view"]}}


def test_another_clients_user_type_is_not_found(org, db, people, sessions):
    other = Org(db, people, sessions)
    theirs = other.create_type()
    name = db.value(f"SELECT name FROM user_types WHERE id = {theirs}")
    assert org.web.get(f"/admin/types/{theirs}").status_code == 404
    assert org.web.post(f"/admin/types/{theirs}", {"name": unique("Mine ")}).status_code == 404
    assert org.web.post(f"/admin/types/{theirs}/delete").status_code == 404
    assert db.value(f"SELECT name FROM user_types WHERE id = {theirs}") == name
    assert org.web.get("/admin/types/999999999").status_code == 404


# ---------------------------------------------------------------- the matrix

def test_matrix_grid_and_save_with_before_and_after(org, db, audit):
    a, b = org.create_type(), org.create_type()
    types, version, cells = org.matrix()
    assert [int(t) for t in types.split(",")] and {a, b, org.admin_type} == set(cells)
    assert cells[org.admin_type] == set(ADMIN_FUNCTIONS) and cells[a] == set()
    page = Page(org.web.get("/admin/matrix").text)
    rows = [re.sub(r"\s+", " ", c) for c in re.findall(r'<th scope="row"><code>([^<]+)</code>', page.source)]
    catalogue = ["contacts.view", "contacts.create", "contacts.edit", "contacts.delete", "contacts.export",
                 "contacts.import", "contacts.bulk_edit", "activities.view", "activities.create", "activities.edit",
                 "activities.delete", "campaigns.view", "campaigns.manage", "reports.view", "audit.view",
                 "users.manage", "matrix.manage", "tokens.manage"]
    assert rows == catalogue, "the grid does not list the catalogue in order"

    mark = audit.mark()
    r = org.save_matrix({a: {"contacts.view", "contacts.edit"}, b: {"reports.view"}})
    assert r.status_code == 303 and location_path(r) == "/admin/matrix?saved=1"
    assert org.functions(a) == ["contacts.edit", "contacts.view"]
    assert org.functions(b) == ["reports.view"]
    assert org.functions(org.admin_type) == sorted(ADMIN_FUNCTIONS)
    row = audit.since(mark)[-1]
    assert (row["action"], row["object_type"], row["outcome"]) == ("matrix.update", "matrix", 303)
    assert detail(row) == {"changes": {
        str(a): {"name": db.value(f"SELECT name FROM user_types WHERE id = {a}"), "before": [],
                 "after": ["contacts.view", "contacts.edit"], "added": ["contacts.view", "contacts.edit"],
                 "removed": []},
        str(b): {"name": db.value(f"SELECT name FROM user_types WHERE id = {b}"), "before": [],
                 "after": ["reports.view"], "added": ["reports.view"], "removed": []},
    }}
    # Unchecked is prohibited: leaving a box out removes the function.
    mark = audit.mark()
    assert org.save_matrix({a: {"contacts.view", "audit.view"}}).status_code == 303
    assert org.functions(a) == ["audit.view", "contacts.view"]
    change = detail(audit.since(mark)[-1])["changes"]
    assert change == {str(a): {"name": change[str(a)]["name"], "before": ["contacts.view", "contacts.edit"],
                               "after": ["contacts.view", "audit.view"], "added": ["audit.view"],
                               "removed": ["contacts.edit"]}}
    # The matrix applies at the next request of a user of the type.
    assert org.save_matrix({org.admin_type: set(ADMIN_FUNCTIONS) - {"contacts.view"}}).status_code == 303
    assert org.web.get("/contacts").status_code == 403


def test_matrix_refuses_to_lock_the_client_out(org, db, audit):
    before = org.functions(org.admin_type)
    mark = audit.mark()
    r = org.save_matrix({org.admin_type: {"users.manage", "contacts.view"}})
    assert r.status_code == 422
    page = Page(r.text)
    assert "matrix.manage" in page.by_id["form-error"] and "no active user" in page.by_id["form-error"]
    # The form comes back as sent.
    checked = {i["value"] for i in page.inputs if i.get("name") == f"t{org.admin_type}" and "checked" in i}
    assert checked == {"users.manage", "contacts.view"}
    assert org.functions(org.admin_type) == before
    row = audit.since(mark)[-1]
    assert (row["action"], row["outcome"]) == ("matrix.update", 422)
    assert "matrix.manage" in detail(row)["error"]
    # With a second active manager of another type, the change is allowed.
    mgr_type = org.create_type()
    org.create_user(mgr_type)
    assert org.save_matrix({mgr_type: {"matrix.manage"}}).status_code == 303
    assert org.save_matrix({org.admin_type: {"users.manage", "contacts.view"}}).status_code == 303
    assert org.functions(org.admin_type) == ["contacts.view", "users.manage"]


def test_matrix_changed_meanwhile_is_a_conflict(org, db):
    tid = org.create_type()
    types, version, _ = org.matrix()
    assert org.save_matrix({tid: {"reports.view"}}).status_code == 303
    data = [("types", types), ("version", version), (f"t{tid}", "audit.view")]
    data += [(f"t{org.admin_type}", f) for f in ADMIN_FUNCTIONS]
    r = org.web.post("/admin/matrix", data)
    assert r.status_code == 409
    assert "changed" in Page(r.text).by_id["form-error"]
    assert org.functions(tid) == ["reports.view"]


@pytest.mark.parametrize("bad", [("t{type}", "no.such.function"), ("t999999999", "contacts.view"),
                                 ("types", "1,x")])
def test_a_damaged_matrix_form_is_400(bad, org):
    types, version, cells = org.matrix()
    data = [("types", types), ("version", version)] + [(f"t{t}", f) for t, fs in cells.items() for f in fs]
    name, value = bad[0].format(type=org.admin_type), bad[1]
    data = [d for d in data if d[0] != name or name != "types"] + [(name, value)]
    assert org.web.post("/admin/matrix", data).status_code == 400
    assert org.functions(org.admin_type) == sorted(ADMIN_FUNCTIONS)


# ---------------------------------------------------------------- users

def test_create_user_who_sees_nothing(org, db, audit, sessions):
    tid = org.create_type()
    assert org.save_matrix({tid: {"contacts.view"}}).status_code == 303
    username = unique("New-")
    mark = audit.mark()
    uid = org.create_user(tid, username=username, display_name="  Ann Example  ")
    row = db.rows(f"SELECT client_id, HEX(username), HEX(display_name), user_type_id, status, all_regions,"
                  f" all_campaigns, password_hash FROM users WHERE id = {uid}")[0]
    assert row[:7] == (str(org.client_id), username.encode().hex().upper(), "Ann Example".encode().hex().upper(),
                       str(tid), "active", "0", "0")
    assert row[7].startswith("pbkdf2-sha256$600000$"), row[7][:25]
    assert password_matches(row[7], PASSWORD)
    arow = audit.one_since(mark)
    assert (arow["action"], arow["object_type"], arow["object_id"]) == ("user.create", "user", uid)
    d = detail(arow)
    assert d["changes"]["username"] == {"old": None, "new": username}
    assert d["changes"]["user_type"]["new"]["id"] == tid
    assert d["changes"]["all_regions"] == {"old": None, "new": False}
    assert d["password"] == "set" and d["must_change_password"] is True
    assert PASSWORD not in arow["detail"] and "pbkdf2" not in arow["detail"]
    # The new user sees no contact, even with contacts.view.
    db.run(f"INSERT INTO contacts (client_id, last_name) VALUES ({org.client_id}, 'Hidden')")
    web, _ = sessions.make(client_id=org.client_id, user_id=uid)
    assert ListPage(web.get("/contacts")).total == 0
    page = Page(org.web.get(f"/admin/users/{uid}").text)
    assert page.by_id["scope-count"].strip() == "0"
    assert "None (sees no contacts)" in page.by_id["user-regions"]
    listed = [r for r in Page(org.web.get("/admin/users").text).rows if r["cells"][0] == username]
    assert len(listed) == 1 and listed[0]["cells"][4:6] == ["No regions", "No campaigns"], listed


@pytest.mark.parametrize("field,form,message", [
    ("password", {"password": "short", "password2": "short"}, "too short"),
    ("password2", {"password": PASSWORD, "password2": PASSWORD + "x"}, "does not match"),
    ("username", {"username": "has space"}, "may contain only"),
    ("username", {"username": ""}, "is needed"),
    ("username", {"username": "ADMIN"}, "is taken"),
    ("user_type", {"user_type": ""}, "is needed"),
    ("user_type", {"user_type": "999999999"}, "not a user type"),
    ("display_name", {"display_name": "x" * 201}, "too long"),
])
def test_create_user_refusals(field, form, message, org, db):
    """Each refusal is a 422 beside its field, with the input kept (never
    the password) and nothing saved. "ADMIN" is taken by the demo
    administrator: usernames are unique across clients, ignoring case."""
    tid = org.create_type()
    data = {"username": unique("r-"), "display_name": "Rita", "user_type": str(tid), "password": PASSWORD,
            "password2": PASSWORD}
    data.update(form)
    before = db.int("SELECT COUNT(*) FROM users")
    r = org.web.post("/admin/users", data)
    assert r.status_code == 422
    page = Page(r.text)
    assert message in (page.field_error(field) or ""), (field, page.field_error(field), page.text[:400])
    assert page.input("username")["value"] == data["username"]
    assert page.input("password").get("value", "") == ""
    assert db.int("SELECT COUNT(*) FROM users") == before


def test_another_clients_user_type_cannot_be_given(org, db, people, sessions):
    other = Org(db, people, sessions)
    r = org.web.post("/admin/users", {"username": unique("x-"), "user_type": str(other.admin_type),
                                      "password": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 422 and "not a user type" in Page(r.text).field_error("user_type")


def test_edit_disable_and_enable(org, db, audit, sessions):
    t1, t2 = org.create_type(), org.create_type()
    uid = org.create_user(t1, display_name="Before")
    web, token = sessions.make(client_id=org.client_id, user_id=uid)
    sessions.make(client_id=org.client_id, user_id=uid)
    form = Page(org.web.get(f"/admin/users/{uid}/edit").text).form(f"/admin/users/{uid}")["fields"]
    assert (form["display_name"], form["user_type"], form["status"]) == ("Before", str(t1), "active")
    mark = audit.mark()
    r = org.web.post(f"/admin/users/{uid}", {"display_name": "After", "user_type": str(t2), "status": "disabled"})
    assert r.status_code == 303
    assert db.rows(f"SELECT display_name, user_type_id, status FROM users WHERE id = {uid}") == \
        [("After", str(t2), "disabled")]
    assert db.int(f"SELECT COUNT(*) FROM sessions WHERE user_id = {uid}") == 0, "disabling kept the sessions"
    row = audit.one_since(mark)
    assert (row["action"], row["object_id"]) == ("user.update", uid)
    names = {t: db.value(f"SELECT name FROM user_types WHERE id = {t}") for t in (t1, t2)}
    assert detail(row) == {"changes": {
        "display_name": {"old": "Before", "new": "After"},
        "user_type": {"old": {"id": t1, "name": names[t1]}, "new": {"id": t2, "name": names[t2]}},
        "status": {"old": "active", "new": "disabled"}}, "sessions_ended": 2}
    assert web.get("/contacts").status_code == 303, "a disabled user's session still works"
    mark = audit.mark()
    assert org.web.post(f"/admin/users/{uid}", {"display_name": "After", "user_type": str(t2),
                                                "status": "active"}).status_code == 303
    assert detail(audit.one_since(mark)) == {"changes": {"status": {"old": "disabled", "new": "active"}},
                                             "sessions_ended": 0}
    r = org.web.post(f"/admin/users/{uid}", {"display_name": "After", "user_type": str(t2), "status": "gone"})
    assert r.status_code == 422 and Page(r.text).field_error("status")
    assert org.web.post(f"/admin/users/{uid}", {"display_name": "After", "status": "active"}).status_code == 422
    assert db.value(f"SELECT status FROM users WHERE id = {uid}") == "active"


def test_own_account_cannot_be_disabled_and_lockout_is_refused(org, db):
    r = org.web.post(f"/admin/users/{org.admin_id}", {"display_name": "Me", "user_type": str(org.admin_type),
                                                      "status": "disabled"})
    assert r.status_code == 422 and "your own account" in Page(r.text).field_error("status")
    # Moving the only manager to a type without matrix.manage locks the client out.
    plain = org.create_type()
    r = org.web.post(f"/admin/users/{org.admin_id}", {"display_name": "Me", "user_type": str(plain),
                                                      "status": "active"})
    assert r.status_code == 422 and "matrix.manage" in Page(r.text).by_id["form-error"]
    assert db.value(f"SELECT status FROM users WHERE id = {org.admin_id}") == "active"
    assert db.int(f"SELECT user_type_id FROM users WHERE id = {org.admin_id}") == org.admin_type


def test_users_of_another_client_are_not_found(org, db, people, sessions):
    other = Org(db, people, sessions)
    for path in ("", "/edit", "/password", "/access"):
        assert org.web.get(f"/admin/users/{other.admin_id}{path}").status_code == 404
    for path, form in (("", {"display_name": "x", "user_type": str(org.admin_type), "status": "disabled"}),
                       ("/password", {"password": PASSWORD, "password2": PASSWORD}),
                       ("/regions", {"regions_mode": "all"}), ("/campaigns", {"campaigns_mode": "all"})):
        assert org.web.post(f"/admin/users/{other.admin_id}{path}", form).status_code == 404
    assert db.value(f"SELECT status FROM users WHERE id = {other.admin_id}") == "active"


def test_password_reset(org, db, audit, sessions):
    uid = org.create_user(org.create_type())
    sessions.make(client_id=org.client_id, user_id=uid)
    old_hash = db.value(f"SELECT password_hash FROM users WHERE id = {uid}")
    r = org.web.post(f"/admin/users/{uid}/password", {"password": "too short", "password2": "too short"})
    assert r.status_code == 422 and "too short" in Page(r.text).field_error("password")
    r = org.web.post(f"/admin/users/{uid}/password", {"password": PASSWORD + "!", "password2": PASSWORD})
    assert r.status_code == 422 and Page(r.text).field_error("password2")
    assert db.value(f"SELECT password_hash FROM users WHERE id = {uid}") == old_hash
    new = "a new and long password"
    mark = audit.mark()
    r = org.web.post(f"/admin/users/{uid}/password", {"password": new, "password2": new})
    assert r.status_code == 303
    stored = db.value(f"SELECT password_hash FROM users WHERE id = {uid}")
    assert stored != old_hash and password_matches(stored, new) and not password_matches(stored, PASSWORD)
    assert db.int(f"SELECT COUNT(*) FROM sessions WHERE user_id = {uid}") == 0
    row = audit.one_since(mark)
    assert (row["action"], row["object_id"]) == ("user.password_reset", uid)
    assert detail(row) == {"password": "reset", "must_change_password": True, "sessions_ended": 1,
                           "tokens_revoked": 0, "changes": {"must_change_password": {"old": False, "new": True}}}
    assert db.int(f"SELECT must_change_password FROM users WHERE id = {uid}") == 1


# ---------------------------------------------------------------- the limits

def in_region(demo, code):
    return (f"c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions a"
            f" ON a.client_id = rc.client_id AND a.id = rc.ancestor_id"
            f" WHERE a.client_id = {demo.client_id} AND a.code = {sql_str(code)})")


@pytest.fixture
def demo_org(db, people, sessions, demo):
    """An administrator of the demo client, and a user type allowed to view."""
    o = Org(db, people, sessions, client_id=demo.client_id)
    o.viewer = o.create_type()
    assert o.save_matrix({o.viewer: {"contacts.view"}}).status_code == 303
    return o


def contact_in(demo, where):
    return demo.db.int(f"SELECT MIN(c.id) FROM contacts c WHERE c.client_id = {demo.client_id}"
                       f" AND c.deleted_at IS NULL AND {where}")


def test_a_user_limited_to_ohio_sees_exactly_ohio(demo_org, demo, db, audit, sessions):
    o = demo_org
    uid = o.create_user(o.viewer)
    form = Page(o.web.get(f"/admin/users/{uid}/access").text)
    radios = [i for i in form.inputs if i.get("name") == "regions_mode"]
    assert {i["value"]: "checked" in i for i in radios} == {"all": False, "some": True}, \
        "a new user's geography is not 'only the regions checked' (none)"
    assert len([i for i in form.inputs if i.get("name") == "region"]) == \
        db.int(f"SELECT COUNT(*) FROM regions WHERE client_id = {demo.client_id}")
    mark = audit.mark()
    r = o.web.post(f"/admin/users/{uid}/regions", {"regions_mode": "some", "region": "US-OH"})
    assert r.status_code == 303
    assert detail(audit.one_since(mark)) == {"changes": {"regions": {"old": [], "new": ["US-OH"]}}}
    mark = audit.mark()
    assert o.web.post(f"/admin/users/{uid}/campaigns", {"campaigns_mode": "all"}).status_code == 303
    assert detail(audit.one_since(mark)) == {"changes": {"all_campaigns": {"old": False, "new": True}}}

    ohio = demo.live_count(in_region(demo, "US-OH"))
    assert ohio > 0
    web, _ = sessions.make(client_id=demo.client_id, user_id=uid)
    lp = ListPage(web.get("/contacts"))
    assert lp.total == ohio, f"the Ohio user sees {lp.total} contacts, the database has {ohio} in Ohio"
    oh_contact = contact_in(demo, in_region(demo, "US-OH-05"))
    tx_contact = contact_in(demo, in_region(demo, "US-TX"))
    assert web.get(f"/contacts/{oh_contact}").status_code == 200
    assert web.get(f"/contacts/{tx_contact}").status_code == 404
    # Effective access counts the same scope.
    page = Page(o.web.get(f"/admin/users/{uid}").text)
    assert int(page.by_id["scope-count"]) == ohio
    assert "contacts.view" in page.by_id["functions"]
    assert "Ohio (US-OH)" in page.by_id["user-regions"]

    # Explain: the Texas contact fails the region rule and names both sides.
    mark = audit.mark()
    r = o.web.get(f"/admin/explain?user={uid}&contact={tx_contact}")
    assert r.status_code == 200
    ans = Page(r.text)
    text = ans.by_id["answer"]
    tx_region = db.value(f"SELECT CONCAT(r.name, ' (', r.code, ')') FROM contacts c JOIN regions r"
                         f" ON r.client_id = c.client_id AND r.id = c.region_id WHERE c.id = {tx_contact}")
    assert text.startswith("No:") and tx_region in text and "Ohio (US-OH)" in text, text
    assert 'data-rule="region"' in ans.source
    row = audit.one_since(mark)
    assert (row["action"], row["object_id"]) == ("user.explain", uid)
    assert detail(row) == {"user": uid, "contact": tx_contact, "rule": "region", "visible": False}
    # The Ohio contact is allowed by the Ohio region and all campaigns.
    text = Page(o.web.get(f"/admin/explain?user={uid}&contact={oh_contact}").text).by_id["answer"]
    assert text.startswith("Yes:") and "under the user's region Ohio (US-OH)" in text and "all campaigns" in text

    # All regions, explicitly: the whole client.
    assert o.web.post(f"/admin/users/{uid}/regions", {"regions_mode": "all", "region": "US-OH"}).status_code == 303
    assert db.rows(f"SELECT all_regions, (SELECT COUNT(*) FROM user_regions WHERE user_id = {uid}) FROM users"
                   f" WHERE id = {uid}") == [("1", "0")]
    assert ListPage(web.get("/contacts")).total == demo.live_count()
    text = Page(o.web.get(f"/admin/explain?user={uid}&contact={tx_contact}").text).by_id["answer"]
    assert text.startswith("Yes:") and "all regions" in text


def test_all_is_never_assumed_and_bad_regions_are_refused(demo_org, demo, db):
    o = demo_org
    uid = o.create_user(o.viewer)
    for form, message in (({"region": "US-OH"}, "Choose either"), ({"regions_mode": "every"}, "Choose either"),
                          ({"regions_mode": "some", "region": "US-ZZ"}, "US-ZZ is not a region"),
                          ({"regions_mode": "some", "region": "not a code"}, "not a region code")):
        r = o.web.post(f"/admin/users/{uid}/regions", form)
        assert r.status_code == 422, form
        assert message in Page(r.text).by_id["regions-error"], (form, Page(r.text).by_id.get("regions-error"))
    assert o.web.post(f"/admin/users/{uid}/campaigns", {"campaign": "1"}).status_code == 422
    assert db.rows(f"SELECT all_regions, all_campaigns FROM users WHERE id = {uid}") == [("0", "0")]
    assert db.int(f"SELECT COUNT(*) FROM user_regions WHERE user_id = {uid}") == 0


def test_regions_at_every_level_and_a_campaign_limit(demo_org, demo, db, sessions, audit):
    o = demo_org
    uid = o.create_user(o.viewer)
    # A district and a state at once; a region includes everything under it.
    assert o.web.post(f"/admin/users/{uid}/regions", [("regions_mode", "some"), ("region", "US-OH-05"),
                                                      ("region", "US-TX")]).status_code == 303
    # A campaign with two Texas members and one Ohio member outside district 5.
    name = unique("Campaign ")
    camp = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({demo.client_id}, {sql_str(name)});"
                  " SELECT LAST_INSERT_ID()")
    tx = [int(r[0]) for r in db.rows(f"SELECT c.id FROM contacts c WHERE c.client_id = {demo.client_id}"
                                     f" AND c.deleted_at IS NULL AND {in_region(demo, 'US-TX')} ORDER BY c.id LIMIT 2")]
    oh_other = contact_in(demo, f"{in_region(demo, 'US-OH')} AND NOT {in_region(demo, 'US-OH-05')}")
    for cid in tx + [oh_other]:
        db.run(f"INSERT INTO contact_campaigns (client_id, campaign_id, contact_id) VALUES"
               f" ({demo.client_id}, {camp}, {cid})")
    page = Page(o.web.get(f"/admin/users/{uid}/access").text)
    assert str(camp) in [i["value"] for i in page.inputs if i.get("name") == "campaign"]
    mark = audit.mark()
    assert o.web.post(f"/admin/users/{uid}/campaigns", {"campaigns_mode": "some",
                                                        "campaign": str(camp)}).status_code == 303
    assert detail(audit.one_since(mark)) == {"changes": {"campaigns": {"old": [],
                                                                      "new": [{"id": camp, "name": name}]}}}
    web, _ = sessions.make(client_id=demo.client_id, user_id=uid)
    lp = ListPage(web.get("/contacts"))
    assert (lp.total, sorted(lp.ids)) == (2, sorted(tx)), "region and campaign limits do not combine"
    assert int(Page(o.web.get(f"/admin/users/{uid}").text).by_id["scope-count"]) == 2
    text = Page(o.web.get(f"/admin/explain?user={uid}&contact={tx[0]}").text).by_id["answer"]
    assert text.startswith("Yes:") and "Texas (US-TX)" in text and name in text, text
    text = Page(o.web.get(f"/admin/explain?user={uid}&contact={oh_other}").text).by_id["answer"]
    assert text.startswith("No:") and "Ohio district 5 (US-OH-05)" in text, text
    non_member = contact_in(demo, f"{in_region(demo, 'US-TX')} AND c.id NOT IN ({tx[0]}, {tx[1]})")
    r = o.web.get(f"/admin/explain?user={uid}&contact={non_member}")
    ans = Page(r.text)
    assert 'data-rule="campaign"' in ans.source and name in ans.by_id["answer"], ans.by_id["answer"]
    # The list summarises the limits.
    row = [r for r in Page(o.web.get("/admin/users").text).rows if r["links"] == [f"/admin/users/{uid}"]][0]
    assert row["cells"][4] == "US-OH-05, US-TX" and row["cells"][5] == name, row["cells"]


def test_explain_other_client_deleted_and_no_region(demo_org, demo, db, people, admin, create_contact):
    o = demo_org
    uid = o.create_user(o.viewer)
    assert o.web.post(f"/admin/users/{uid}/regions", {"regions_mode": "some", "region": "US-OH"}).status_code == 303
    assert o.web.post(f"/admin/users/{uid}/campaigns", {"campaigns_mode": "all"}).status_code == 303
    foreign_client = people.client()
    foreign = db.int(f"INSERT INTO contacts (client_id, last_name) VALUES ({foreign_client}, 'Foreign');"
                     " SELECT LAST_INSERT_ID()")
    cases = {
        foreign: ("not_found", f"no contact {foreign} in this client"),
        999999999: ("not_found", "no contact 999999999 in this client"),
    }
    gone = create_contact(last_name=unique("Gone"), region="US-OH")
    assert admin.post(f"/contacts/{gone}/delete").status_code == 303
    cases[gone] = ("deleted", "was deleted")
    nowhere = create_contact(last_name=unique("Nowhere"))
    cases[nowhere] = ("no_region", "has no region")
    for cid, (rule, words) in cases.items():
        page = Page(o.web.get(f"/admin/explain?user={uid}&contact={cid}").text)
        assert f'data-rule="{rule}"' in page.source and words in page.by_id["answer"], (cid, page.by_id["answer"])
        assert "Ohio (US-OH)" in page.by_id["answer"] or rule != "no_region"
    db.run(f"UPDATE users SET status = 'disabled' WHERE id = {uid}")
    page = Page(o.web.get(f"/admin/explain?user={uid}&contact={nowhere}").text)
    assert "disabled-note" in page.by_id


def test_explain_form_states(demo_org, people):
    o = demo_org
    r = o.web.get("/admin/explain")
    assert r.status_code == 200 and "answer" not in Page(r.text).by_id
    r = o.web.get(f"/admin/explain?user={o.admin_id}&contact=abc")
    assert r.status_code == 422 and Page(r.text).field_error("contact")
    r = o.web.get("/admin/explain?user=&contact=5")
    assert r.status_code == 422 and Page(r.text).field_error("user")
    foreign = people.user(people.client(), [])
    r = o.web.get(f"/admin/explain?user={foreign}&contact=5")
    assert r.status_code == 422 and "not a user of this client" in Page(r.text).field_error("user")


def test_every_region_at_once(demo_org, demo, db):
    """The region form with every region checked (more pairs than a query
    string may have) is accepted."""
    o = demo_org
    uid = o.create_user(o.viewer)
    codes = [r[0] for r in db.rows(f"SELECT code FROM regions WHERE client_id = {demo.client_id}")]
    assert len(codes) > 256
    r = o.web.post(f"/admin/users/{uid}/regions", [("regions_mode", "some")] + [("region", c) for c in codes])
    assert r.status_code == 303, r.status_code
    assert db.int(f"SELECT COUNT(*) FROM user_regions WHERE user_id = {uid}") == len(codes)


@pytest.mark.parametrize("zone", ["America", "leapseconds", "../etc/passwd", "America/New York"])
def test_time_zone_must_be_a_zone_of_the_database(admin, demo, db, zone):
    """A folder of the zone database (America) or one of its text files
    (leapseconds) was once taken as a zone, and read as UTC without a word."""
    old = db.value(f"SELECT time_zone FROM clients WHERE id = {demo.client_id}")
    r = admin.post("/admin/time-zone", {"time_zone": zone})
    assert r.status_code == 422, r.status_code
    assert "is not a time zone" in Page(r.text).field_error("time_zone")
    assert db.value(f"SELECT time_zone FROM clients WHERE id = {demo.client_id}") == old
