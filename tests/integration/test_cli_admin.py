"""`ctrack client|usertype|user ...` against the running stack (CTRACK_BIN
is the build under test): every command, its help, bad usage (exit 2),
refusals (exit 1), and the audit row each one appends in the same
transaction as its change (method CLI, no user, no address)."""
import json
import os
import re
import subprocess

import pytest

from conftest import cli_paths, DEMO_CLIENT, ListPage, password_matches, sql_str, unique

PASSWORD = "provisioned password 1"


@pytest.fixture(scope="module")
def ctrack():
    path, conf = cli_paths()

    def run(*args, stdin=None):
        # -c goes after "GROUP COMMAND", where the commands read options.
        argv = [path, *args[:2], "-c", conf, *args[2:]] if len(args) >= 2 else [path, *args, "-c", conf]
        return subprocess.run(argv, capture_output=True, text=True, input=stdin, timeout=120)
    return run


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}: {p.stdout}{p.stderr}"
    return p.stdout


def tsv(text):
    lines = text.rstrip("\n").split("\n")
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:]]


def last_row(audit, mark):
    rows = audit.since(mark)
    assert len(rows) == 1, [(r["method"], r["path"], r["action"], r["outcome"]) for r in rows]
    row = rows[0]
    assert (row["method"], row["user_id"], row["remote_addr"]) == ("CLI", None, ""), row
    assert re.fullmatch(r"[0-9a-f]{32}", row["request_id"]), row["request_id"]
    row["json"] = json.loads(row["detail"]) if row["detail"] else None
    return row


@pytest.fixture
def client(ctrack, db):
    """A fresh client made with the command line; its name."""
    name = unique("CLI client ")
    ok(ctrack("client", "create", name))
    return name


def client_id(db, name):
    return db.int(f"SELECT id FROM clients WHERE name = {sql_str(name)}")


# ---------------------------------------------------------------- help and usage

GROUPS = {
    "client": ["create", "list"],
    "usertype": ["list", "create", "rename", "delete", "allow", "deny", "two-factor"],
    "user": ["list", "show", "create", "disable", "enable", "unlock", "reset-password", "set-type", "set-regions",
             "set-campaigns", "explain"],
}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_help_of_each_group_and_command(group, ctrack):
    out = ok(ctrack(group, "--help"))
    for cmd in GROUPS[group]:
        assert f"ctrack {group} {cmd}" in out, out
        sub = ok(ctrack(group, cmd, "--help"))
        assert sub.startswith("usage:") and f"ctrack {group} {cmd}" in sub, sub
    assert "client" in ok(ctrack("--help")) and "usertype" in ok(ctrack("--help"))


@pytest.mark.parametrize("args", [
    ("user",),
    ("user", "frobnicate"),
    ("user", "list"),                                            # no --client
    ("user", "show", "--client", DEMO_CLIENT),                  # no USERNAME
    ("user", "show", "--client", DEMO_CLIENT, "a", "b"),        # too many
    ("user", "create", "--client", DEMO_CLIENT, "--type", "X", "bob"),  # no password source
    ("user", "create", "--client", DEMO_CLIENT, "--type", "X", "--password", "secret123456", "bob"),
    ("user", "create", "--client", DEMO_CLIENT, "--password-stdin", "bob"),  # no --type
    ("user", "create", "--client", DEMO_CLIENT, "--type", "X", "--password-stdin", "--password-file", "f", "b"),
    ("user", "set-regions", "--client", DEMO_CLIENT, "bob"),    # neither --all, --none nor codes
    ("user", "set-regions", "--client", DEMO_CLIENT, "bob", "--all", "US-OH"),
    ("user", "set-campaigns", "--client", DEMO_CLIENT, "bob", "--all", "--none"),
    ("user", "explain", "--client", DEMO_CLIENT, "bob", "twelve"),
    ("usertype", "list", "--client"),                           # a value missing
    ("usertype", "list", "--client", DEMO_CLIENT, "--all"),     # an option of another command
    ("client", "create", "--client", DEMO_CLIENT, "X"),
    ("client", "create"),
])
def test_bad_usage_exits_2_and_changes_nothing(args, ctrack, audit):
    mark = audit.mark()
    p = ctrack(*args)
    assert p.returncode == 2, f"{args}: exit {p.returncode}: {p.stdout}{p.stderr}"
    assert "usage:" in p.stderr and p.stdout == "", p.stderr
    assert audit.since(mark) == [], "bad usage reached the database"


def test_a_password_is_never_taken_from_the_command_line(ctrack):
    p = ctrack("user", "create", "--client", DEMO_CLIENT, "--type", "X", "--password", "secret123456", "bob")
    assert p.returncode == 2 and "never taken from the command line" in p.stderr, p.stderr


# ---------------------------------------------------------------- clients

def test_client_create_and_list(ctrack, db, audit):
    name = unique("Client via CLI ")
    mark = audit.mark()
    out = ok(ctrack("client", "create", name))
    cid = client_id(db, name)
    assert f"created client {cid}" in out
    row = last_row(audit, mark)
    assert (row["client_id"], row["action"], row["object_type"], row["object_id"], row["outcome"]) == \
        (cid, "client.create", "client", cid, 200)
    assert row["path"] == f"client create '{name}'"
    assert row["json"] == {"changes": {"name": {"old": None, "new": name}}}
    mark = audit.mark()
    p = ctrack("client", "create", name.upper())
    assert p.returncode == 1 and "is taken" in p.stderr
    assert db.int(f"SELECT COUNT(*) FROM clients WHERE name = {sql_str(name)}") == 1
    row = last_row(audit, mark)
    assert (row["action"], row["outcome"], row["client_id"]) == ("client.create", 422, None)
    rows = tsv(ok(ctrack("client", "list")))
    assert {"id": str(cid), "name": name, "users": "0"} in rows
    assert any(r["name"] == DEMO_CLIENT for r in rows)


def test_an_unknown_client_is_refused(ctrack, audit):
    mark = audit.mark()
    p = ctrack("user", "list", "--client", unique("Nobody "))
    assert p.returncode == 1 and "no client called" in p.stderr, p.stderr
    row = last_row(audit, mark)
    assert (row["action"], row["outcome"], row["client_id"]) == ("user.list", 404, None)


# ---------------------------------------------------------------- user types and the matrix

def test_usertype_commands(ctrack, client, db, audit):
    cid = client_id(db, client)
    c = ("--client", client)
    mark = audit.mark()
    ok(ctrack("usertype", "create", *c, "Field staff"))
    tid = db.int(f"SELECT id FROM user_types WHERE client_id = {cid} AND name = 'Field staff'")
    row = last_row(audit, mark)
    assert (row["client_id"], row["action"], row["object_id"]) == (cid, "usertype.create", tid)
    assert row["json"] == {"changes": {"name": {"old": None, "new": "Field staff"}}}
    p = ctrack("usertype", "create", *c, "FIELD STAFF")
    assert p.returncode == 1 and "is taken" in p.stderr

    mark = audit.mark()
    out = ok(ctrack("usertype", "allow", *c, "Field staff", "contacts.view", "contacts.edit"))
    assert "contacts.view,contacts.edit" in out
    row = last_row(audit, mark)
    assert (row["action"], row["object_type"]) == ("matrix.update", "matrix")
    assert row["json"] == {"changes": {str(tid): {
        "name": "Field staff", "before": [], "after": ["contacts.view", "contacts.edit"],
        "added": ["contacts.view", "contacts.edit"], "removed": []}}}
    mark = audit.mark()
    ok(ctrack("usertype", "deny", *c, "Field staff", "contacts.edit"))
    assert last_row(audit, mark)["json"]["changes"][str(tid)]["removed"] == ["contacts.edit"]
    assert [r[0] for r in db.rows(f"SELECT function_name FROM user_type_functions WHERE user_type_id = {tid}")] \
        == ["contacts.view"]
    p = ctrack("usertype", "allow", *c, "Field staff", "contacts.fly")
    assert p.returncode == 1 and "not a function of the catalogue" in p.stderr
    rows = tsv(ok(ctrack("usertype", "list", *c)))
    assert rows == [{"id": str(tid), "name": "Field staff", "users": "0", "allowed": "contacts.view"}]

    mark = audit.mark()
    ok(ctrack("usertype", "rename", *c, "Field staff", "Canvassers"))
    row = last_row(audit, mark)
    assert (row["action"], row["json"]) == \
        ("usertype.rename", {"changes": {"name": {"old": "Field staff", "new": "Canvassers"}}})
    p = ctrack("usertype", "rename", *c, "Field staff", "Other")
    assert p.returncode == 1 and "no user type" in p.stderr

    ok(ctrack("user", "create", *c, "--type", "Canvassers", "--password-stdin", unique("c-"), stdin=PASSWORD + "\n"))
    mark = audit.mark()
    p = ctrack("usertype", "delete", *c, "Canvassers")
    assert p.returncode == 1 and "cannot be deleted" in p.stderr
    assert last_row(audit, mark)["outcome"] == 409
    ok(ctrack("usertype", "create", *c, "Spare"))
    mark = audit.mark()
    ok(ctrack("usertype", "delete", *c, "Spare"))
    row = last_row(audit, mark)
    assert (row["action"], row["json"]) == ("usertype.delete", {"deleted": {"name": "Spare", "functions": []}})
    assert db.int(f"SELECT COUNT(*) FROM user_types WHERE client_id = {cid} AND name = 'Spare'") == 0


def test_the_command_line_cannot_lock_a_client_out(ctrack, client, db, audit):
    c = ("--client", client)
    ok(ctrack("usertype", "create", *c, "Admins"))
    # A client with no manager yet may be set up freely.
    ok(ctrack("usertype", "allow", *c, "Admins", "all"))
    boss = unique("boss-")
    ok(ctrack("user", "create", *c, "--type", "Admins", "--password-stdin", boss, stdin=PASSWORD))
    ok(ctrack("usertype", "create", *c, "Plain"))
    for args, what in ((("usertype", "deny", *c, "Admins", "matrix.manage"), "deny"),
                       (("user", "disable", *c, boss), "disable"),
                       (("user", "set-type", *c, boss, "Plain"), "set-type")):
        mark = audit.mark()
        p = ctrack(*args)
        assert p.returncode == 1 and "matrix.manage" in p.stderr, (what, p.stderr)
        assert last_row(audit, mark)["outcome"] == 422
    assert db.rows(f"SELECT status, t.name FROM users u JOIN user_types t ON t.id = u.user_type_id"
                   f" WHERE u.username = {sql_str(boss)}") == [("active", "Admins")]
    assert db.int("SELECT COUNT(*) FROM user_type_functions f JOIN user_types t ON t.id = f.user_type_id"
                  f" WHERE t.client_id = {client_id(db, client)} AND t.name = 'Admins'"
                  " AND f.function_name = 'matrix.manage'") == 1


# ---------------------------------------------------------------- users

def test_user_commands(ctrack, db, demo, audit, sessions, tmp_path):
    c = ("--client", DEMO_CLIENT)
    vtype = unique("Viewers ")
    ok(ctrack("usertype", "create", *c, vtype))
    ok(ctrack("usertype", "allow", *c, vtype, "contacts.view"))
    username = unique("cli-")
    mark = audit.mark()
    out = ok(ctrack("user", "create", *c, "--type", vtype, "--display-name", "Carla Line", "--password-stdin",
                    username, stdin=PASSWORD + "\nignored second line\n"))
    uid = db.int(f"SELECT id FROM users WHERE username = {sql_str(username)}")
    assert f"created user {uid}" in out
    row = last_row(audit, mark)
    assert (row["client_id"], row["action"], row["object_type"], row["object_id"]) == \
        (demo.client_id, "user.create", "user", uid)
    assert row["path"] == f"user create --client '{DEMO_CLIENT}' --type '{vtype}' --display-name 'Carla Line'" \
                          f" --password-stdin {username}"
    assert row["json"]["password"] == "set" and PASSWORD not in row["detail"]
    assert row["json"]["changes"]["display_name"] == {"old": None, "new": "Carla Line"}
    stored, all_r, all_c = db.rows(f"SELECT password_hash, all_regions, all_campaigns FROM users WHERE id = {uid}")[0]
    assert password_matches(stored, PASSWORD) and (all_r, all_c) == ("0", "0")
    web, _ = sessions.make(client_id=demo.client_id, user_id=uid)
    assert ListPage(web.get("/contacts")).total == 0
    p = ctrack("user", "create", *c, "--type", vtype, "--password-stdin", username.upper(), stdin=PASSWORD)
    assert p.returncode == 1 and "is taken" in p.stderr
    p = ctrack("user", "create", *c, "--type", vtype, "--password-stdin", unique("s-"), stdin="short\n")
    assert p.returncode == 1 and "too short" in p.stderr

    # Regions by code, campaigns all: exactly the Ohio contacts.
    mark = audit.mark()
    ok(ctrack("user", "set-regions", *c, username, "US-OH"))
    row = last_row(audit, mark)
    assert (row["action"], row["json"]) == ("user.regions", {"changes": {"regions": {"old": [], "new": ["US-OH"]}}})
    ok(ctrack("user", "set-campaigns", *c, username, "--all"))
    ohio = demo.live_count(
        "c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions a ON a.client_id ="
        f" rc.client_id AND a.id = rc.ancestor_id WHERE a.client_id = {demo.client_id} AND a.code = 'US-OH')")
    assert ListPage(web.get("/contacts")).total == ohio
    p = ctrack("user", "set-regions", *c, username, "US-OH", "US-ZZ")
    assert p.returncode == 1 and "US-ZZ" in p.stderr
    assert db.int(f"SELECT COUNT(*) FROM user_regions WHERE user_id = {uid}") == 1
    shown = ok(ctrack("user", "show", *c, username))
    assert f"contacts in scope: {ohio}\n" in shown and "regions: Ohio (US-OH)" in shown
    assert "allowed: contacts.view" in shown

    # Explain, both ways.
    tx = demo.db.int(f"SELECT MIN(c.id) FROM contacts c JOIN regions r ON r.client_id = c.client_id"
                     f" AND r.id = c.region_id WHERE c.client_id = {demo.client_id} AND r.code LIKE 'US-TX%'"
                     " AND c.deleted_at IS NULL")
    mark = audit.mark()
    out = ok(ctrack("user", "explain", *c, username, str(tx)))
    assert out.startswith("No:") and "Ohio (US-OH)" in out and "rule: region\n" in out, out
    row = last_row(audit, mark)
    assert (row["action"], row["json"]) == ("user.explain", {"user": uid, "contact": tx, "rule": "region",
                                                             "visible": False})
    foreign = db.int(f"INSERT INTO contacts (client_id, last_name) VALUES ({client_id_of_new(db)}, 'F');"
                     " SELECT LAST_INSERT_ID()")
    out = ok(ctrack("user", "explain", *c, username, str(foreign)))
    assert "belongs to another client" in out and "rule: other_client" in out

    # Listing.
    rows = [r for r in tsv(ok(ctrack("user", "list", *c))) if r["username"] == username]
    assert rows == [{"id": str(uid), "username": username, "display_name": "Carla Line", "user_type": vtype,
                     "status": "active", "regions": "US-OH", "campaigns": "all"}]

    # Disable ends the sessions; enable; set-type; reset-password from a file.
    mark = audit.mark()
    ok(ctrack("user", "disable", *c, username))
    row = last_row(audit, mark)
    assert (row["action"], row["json"]) == \
        ("user.update", {"changes": {"status": {"old": "active", "new": "disabled"}}, "sessions_ended": 1})
    assert web.get("/contacts").status_code == 303
    ok(ctrack("user", "enable", *c, username))
    assert db.value(f"SELECT status FROM users WHERE id = {uid}") == "active"
    other = unique("Others ")
    ok(ctrack("usertype", "create", *c, other))
    mark = audit.mark()
    ok(ctrack("user", "set-type", *c, username, other))
    change = last_row(audit, mark)["json"]["changes"]["user_type"]
    assert change["old"]["name"] == vtype and change["new"]["name"] == other
    sessions.make(client_id=demo.client_id, user_id=uid)
    pwfile = tmp_path / "pw"
    pwfile.write_text("a password from a file\n")
    mark = audit.mark()
    out = ok(ctrack("user", "reset-password", *c, "--password-file", str(pwfile), username))
    assert "must change it at their next logon" in out
    row = last_row(audit, mark)
    assert (row["action"], row["json"]) == \
        ("user.password_reset", {"password": "reset", "must_change_password": True, "sessions_ended": 1,
                                "tokens_revoked": 0,
                                "changes": {"must_change_password": {"old": False, "new": True}}})
    assert db.int(f"SELECT must_change_password FROM users WHERE id = {uid}") == 1
    assert password_matches(db.value(f"SELECT password_hash FROM users WHERE id = {uid}"), "a password from a file")
    p = ctrack("user", "reset-password", *c, "--password-file", str(tmp_path / "missing"), username)
    assert p.returncode == 1 and "cannot read the password file" in p.stderr
    p = ctrack("user", "disable", *c, unique("nobody-"))
    assert p.returncode == 1 and "no user" in p.stderr


def client_id_of_new(db):
    return db.int(f"INSERT INTO clients (name) VALUES ({sql_str(unique('Other '))}); SELECT LAST_INSERT_ID()")


def test_campaign_limits_by_name_and_none(ctrack, db, demo, audit):
    c = ("--client", DEMO_CLIENT)
    vtype = unique("Callers ")
    ok(ctrack("usertype", "create", *c, vtype))
    username = unique("camp-")
    ok(ctrack("user", "create", *c, "--type", vtype, "--password-stdin", username, stdin=PASSWORD))
    name = unique("Drive ")
    camp = db.int(f"INSERT INTO campaigns (client_id, name) VALUES ({demo.client_id}, {sql_str(name)});"
                  " SELECT LAST_INSERT_ID()")
    mark = audit.mark()
    ok(ctrack("user", "set-campaigns", *c, username, name))
    row = last_row(audit, mark)
    assert row["json"] == {"changes": {"campaigns": {"old": [], "new": [{"id": camp, "name": name}]}}}
    ok(ctrack("user", "set-campaigns", *c, username, "--all"))
    mark = audit.mark()
    ok(ctrack("user", "set-campaigns", *c, username, "--none"))
    assert last_row(audit, mark)["json"] == {"changes": {"all_campaigns": {"old": True, "new": False}}}
    uid = db.int(f"SELECT id FROM users WHERE username = {sql_str(username)}")
    assert db.rows(f"SELECT all_campaigns, (SELECT COUNT(*) FROM user_campaigns WHERE user_id = {uid})"
                   f" FROM users WHERE id = {uid}") == [("0", "0")]
    p = ctrack("user", "set-campaigns", *c, username, unique("No such "))
    assert p.returncode == 1 and "no campaign" in p.stderr
    ok(ctrack("user", "set-campaigns", *c, username, str(camp)))
    assert db.int(f"SELECT campaign_id FROM user_campaigns WHERE user_id = {uid}") == camp


def test_user_unlock(ctrack, db, demo, audit, people):
    user_id = people.user(demo.client_id, ["contacts.view"])
    username = db.value(f"SELECT username FROM users WHERE id = {user_id}")
    client = db.value(f"SELECT name FROM clients WHERE id = {demo.client_id}")
    db.run(f"INSERT INTO login_locks (username, locked_until) VALUES ({sql_str(username)},"
           " UTC_TIMESTAMP(6) + INTERVAL 10 MINUTE)")
    db.run(f"INSERT INTO login_failures (at, username, remote_addr) VALUES (UTC_TIMESTAMP(6), {sql_str(username)}, '::1')")
    mark = audit.mark()
    assert ok(ctrack("user", "unlock", "--client", client, username)) == f"{username}: unlocked (its failed logons are forgotten)\n"
    row = last_row(audit, mark)
    assert (row["action"], row["outcome"], row["json"]) == ("user.unlock", 200, {"username": username, "was_locked": True,
                                                                  "changes": {"locked": {"old": True, "new": False}}}), row
    assert db.int(f"SELECT COUNT(*) FROM login_locks WHERE username = {sql_str(username)} AND locked_until > UTC_TIMESTAMP(6)") == 0
    assert db.int(f"SELECT COUNT(*) FROM login_failures WHERE username = {sql_str(username)}") == 0
    assert ok(ctrack("user", "unlock", "--client", client, username)) == f"{username}: was not locked\n"
