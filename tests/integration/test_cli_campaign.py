"""`ctrack campaign ...` against the running stack: usage and exit codes,
each command's effect compared with the database, and its audit row (the
same actions and detail as the pages, method CLI, no user, no address)."""
import json
import os
import re
import subprocess

import pytest

from conftest import cli_paths, DEMO_CLIENT, Page, unique


@pytest.fixture(scope="module")
def ctrack():
    path, conf = cli_paths()

    def run(*args, client=DEMO_CLIENT):
        full = [path, "campaign", *args]
        if client is not None:
            full += ["--client", client]
        full += ["-c", conf]
        return subprocess.run(full, capture_output=True, text=True, timeout=60)
    return run


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}: {p.stdout}{p.stderr}"
    return p.stdout


def create(ctrack, name=None):
    name = name or unique("CLI campaign ")
    out = ok(ctrack("create", "--name", name))
    m = re.fullmatch(r"created campaign (\d+)\n", out)
    assert m, out
    return int(m.group(1)), name


def members(db, campaign_id):
    return {int(a): b for a, b in db.rows(
        f"SELECT contact_id, status FROM contact_campaigns WHERE campaign_id = {int(campaign_id)}")}


def cli_row(audit, mark, words, action):
    row = audit.one_since(mark, words)
    assert (row["method"], row["path"], row["action"], row["user_id"], row["remote_addr"]) == \
        ("CLI", words, action, None, ""), row
    assert re.fullmatch(r"[0-9a-f]{32}", row["request_id"]), row["request_id"]
    return row


# ---------------------------------------------------------------- usage

def test_help_and_usage_errors(ctrack):
    p = ctrack("--help", client=None)
    assert p.returncode == 0
    for sub in ("list", "create", "rename", "archive", "unarchive", "add", "remove"):
        assert re.search(rf"^  {sub} ", p.stdout, re.M), f"{sub} missing from the help: {p.stdout}"
        h = ctrack(sub, "--help", client=None)
        assert h.returncode == 0 and h.stdout.startswith(f"usage: ctrack campaign {sub} --client NAME"), h.stdout
    assert "--external-id" in ctrack("add", "--help", client=None).stdout
    for args, client, why in (((), None, "no command"), (("frob",), DEMO_CLIENT, "unknown command"),
                              (("list",), None, "no client"), (("create",), DEMO_CLIENT, "no name"),
                              (("rename", "--campaign", "1"), DEMO_CLIENT, "no name"),
                              (("archive",), DEMO_CLIENT, "no campaign"),
                              (("archive", "--campaign", "x"), DEMO_CLIENT, "bad campaign"),
                              (("add", "--campaign", "1"), DEMO_CLIENT, "no contacts"),
                              (("add", "--campaign", "1", "--contact", "0"), DEMO_CLIENT, "bad contact"),
                              (("list", "--contact", "1"), DEMO_CLIENT, "contacts for list"),
                              (("create", "--name", "x", "--bogus"), DEMO_CLIENT, "unknown option"),
                              (("create", "--name"), DEMO_CLIENT, "option without value")):
        p = ctrack(*args, client=client)
        assert p.returncode == 2, f"{why}: exit {p.returncode}: {p.stderr}"
        assert "usage: ctrack campaign" in p.stderr, f"{why}: no usage on stderr: {p.stderr}"


# ---------------------------------------------------------------- the campaign

def test_create_rename_archive_unarchive_list_audited_like_the_pages(ctrack, db, demo, audit, admin):
    name = unique("CLI campaign ")
    mark = audit.mark()
    cid, _ = create(ctrack, name)
    row = cli_row(audit, mark, "campaign create", "campaign.create")
    assert (row["client_id"], row["object_type"], row["object_id"], row["outcome"]) == \
        (demo.client_id, "campaign", cid, 200)
    assert json.loads(row["detail"]) == {"changes": {"name": {"old": None, "new": name}}}
    assert db.rows(f"SELECT client_id, name FROM campaigns WHERE id = {cid}") == [(str(demo.client_id), name)]
    # The page shows what the command made.
    assert Page(admin.get(f"/campaigns/{cid}").text).h1[0] == name

    new = unique("CLI renamed ")
    mark = audit.mark()
    assert ok(ctrack("rename", "--campaign", str(cid), "--name", new)) == f"renamed campaign {cid}\n"
    row = cli_row(audit, mark, "campaign rename", "campaign.rename")
    assert json.loads(row["detail"]) == {"changes": {"name": {"old": name, "new": new}}}

    mark = audit.mark()
    assert ok(ctrack("archive", "--campaign", str(cid))) == f"archived campaign {cid}\n"
    row = cli_row(audit, mark, "campaign archive", "campaign.archive")
    assert json.loads(row["detail"]) == {"changes": {"archived": {"old": False, "new": True}}}
    assert db.value(f"SELECT archived_at IS NOT NULL FROM campaigns WHERE id = {cid}") == "1"

    mark = audit.mark()
    out = ok(ctrack("list", "--archived"))
    row = cli_row(audit, mark, "campaign list", "campaign.list")
    assert json.loads(row["detail"])["show"] == "archived"
    lines = [l.split("\t") for l in out.splitlines()]
    assert [str(cid), "archived", "0", new] in lines, out
    assert str(cid) not in [l[0] for l in (x.split("\t") for x in ok(ctrack("list")).splitlines())]

    mark = audit.mark()
    assert ok(ctrack("unarchive", "--campaign", str(cid))) == f"unarchived campaign {cid}\n"
    row = cli_row(audit, mark, "campaign unarchive", "campaign.unarchive")
    assert json.loads(row["detail"]) == {"changes": {"archived": {"old": True, "new": False}}}
    assert db.value(f"SELECT archived_at FROM campaigns WHERE id = {cid}") is None


def test_failures_exit_1_change_nothing_and_are_audited(ctrack, db, demo, audit, people):
    cid, name = create(ctrack)
    count = db.int(f"SELECT COUNT(*) FROM campaigns WHERE client_id = {demo.client_id}")
    mark = audit.mark()
    p = ctrack("create", "--name", name.upper())
    assert p.returncode == 1 and "taken" in p.stderr and "nothing changed" in p.stderr, p.stderr
    row = cli_row(audit, mark, "campaign create", "campaign.create")
    assert row["outcome"] == 422 and "taken" in json.loads(row["detail"])["error"]
    assert db.int(f"SELECT COUNT(*) FROM campaigns WHERE client_id = {demo.client_id}") == count

    p = ctrack("rename", "--campaign", str(cid), "--name", "   ")
    assert p.returncode == 1 and "the name is needed" in p.stderr, p.stderr
    assert db.value(f"SELECT name FROM campaigns WHERE id = {cid}") == name

    # Another client's campaign does not exist for this client.
    other = people.client()
    other_name = db.value(f"SELECT name FROM clients WHERE id = {other}")
    mark = audit.mark()
    p = ctrack("archive", "--campaign", str(cid), client=other_name)
    assert p.returncode == 1 and "no such campaign" in p.stderr, p.stderr
    row = cli_row(audit, mark, "campaign archive", "campaign.archive")
    assert (row["client_id"], row["outcome"]) == (other, 404)
    assert db.value(f"SELECT archived_at FROM campaigns WHERE id = {cid}") is None

    p = ctrack("list", client=unique("No such client "))
    assert p.returncode == 1 and "no client named" in p.stderr, p.stderr


# ---------------------------------------------------------------- members

def test_add_and_remove_by_id_and_external_id(ctrack, db, demo, audit, admin, create_contact):
    cid, name = create(ctrack)
    a, b = create_contact(), create_contact()
    ext = "L000570"
    c = demo.contact_by_external(ext)
    mark = audit.mark()
    out = ok(ctrack("add", "--campaign", str(cid), "--contact", str(a), "--external-id", ext, "--contact", str(a)))
    assert out == f"added 2 contacts to campaign {cid} (members already: 0)\n", out
    assert members(db, cid) == {a: "targeted", c: "targeted"}
    row = cli_row(audit, mark, "campaign add", "campaign.member_add")
    assert (row["object_type"], row["object_id"], row["outcome"]) == ("campaign", cid, 200)
    detail = json.loads(row["detail"])
    assert detail["campaign"] == {"id": cid, "name": name} and detail["count"] == 2
    assert sorted(x["id"] for x in detail["contacts"]) == sorted([a, c])
    assert all(x["old"] is None and x["new"] == "targeted" for x in detail["contacts"])

    # Members already are not added twice; a status set on the page stays.
    assert admin.post(f"/campaigns/{cid}/members/status", {"contact_id": a, "status": "responded"}).status_code == 303
    out = ok(ctrack("add", "--campaign", str(cid), "--contact", str(a), "--contact", str(b)))
    assert out == f"added 1 contact to campaign {cid} (members already: 1)\n", out
    assert members(db, cid) == {a: "responded", b: "targeted", c: "targeted"}

    # One unknown contact fails the whole run.
    before = members(db, cid)
    for args in (("--external-id", unique("nobody-")), ("--contact", "999999999")):
        mark = audit.mark()
        p = ctrack("remove", "--campaign", str(cid), "--contact", str(b), *args)
        assert p.returncode == 1 and "no contact" in p.stderr, p.stderr
        assert cli_row(audit, mark, "campaign remove", "campaign.member_remove")["outcome"] == 404
    assert members(db, cid) == before

    mark = audit.mark()
    out = ok(ctrack("remove", "--campaign", str(cid), "--contact", str(a), "--external-id", ext))
    assert out == f"removed 2 contacts from campaign {cid} (not members: 0)\n", out
    detail = json.loads(cli_row(audit, mark, "campaign remove", "campaign.member_remove")["detail"])
    assert sorted((x["id"], x["old"], x["new"]) for x in detail["contacts"]) == \
        sorted([(a, "responded", None), (c, "targeted", None)])
    assert members(db, cid) == {b: "targeted"}

    # The list counts the members.
    lines = [l.split("\t") for l in ok(ctrack("list")).splitlines()]
    assert [str(cid), "active", "1", name] in lines

    # An archived campaign's members do not change.
    ok(ctrack("archive", "--campaign", str(cid)))
    p = ctrack("add", "--campaign", str(cid), "--contact", str(a))
    assert p.returncode == 1 and "archived" in p.stderr, p.stderr
    assert members(db, cid) == {b: "targeted"}


def test_contacts_of_another_client_are_unknown(ctrack, db, people):
    other = people.client()
    other_name = db.value(f"SELECT name FROM clients WHERE id = {other}")
    cid, _ = create(ctrack)
    # A demo contact named to the other client's campaign command: unknown.
    theirs = int(re.fullmatch(r"created campaign (\d+)\n",
                              ok(ctrack("create", "--name", unique("Theirs "), client=other_name))).group(1))
    p = ctrack("add", "--campaign", str(theirs), "--external-id", "L000570", client=other_name)
    assert p.returncode == 1 and "no contact" in p.stderr
    assert members(db, theirs) == {}
    lines = [l.split("\t")[0] for l in ok(ctrack("list", client=other_name)).splitlines()]
    assert lines == [str(theirs)], f"the other client lists {lines}"
    assert str(cid) not in lines
