"""The audit trail's tamper evidence (`ctrack audit verify|checkpoint`) and
its retention (`ctrack audit retention|purge`) against the running stack.

Each tampering is done directly in SQL, as root, on the rows of a client of
its own, so that the rest of the trail stays intact; each test puts the rows
back and checks that verify is satisfied again. The hashes are recomputed
here from the documented encoding (conftest.audit_row_hash), apart from the
program, so a test that backdates rows proves the encoding too."""
import concurrent.futures
import json
import os
import re
import subprocess
import time

import pytest

from conftest import audit_row_hash, cli_paths, sql_str, unhex, unique

ZERO = bytes(32)
ROW_FIELDS = ("id", "chain_client", "chain", "seq", "hash", "at", "client_id", "user_id", "remote_addr",
              "request_id", "method", "path", "action", "object_type", "object_id", "outcome", "detail", "token_id")
TEXTS = ("hash", "at", "remote_addr", "request_id", "method", "path", "action", "object_type", "detail")
INTS = ("id", "chain_client", "chain", "seq", "client_id", "user_id", "object_id", "outcome", "token_id")


@pytest.fixture(scope="module")
def ctrack():
    path, conf = cli_paths()

    def run(cmd, *args):
        return subprocess.run([path, "audit", cmd, "-c", conf, *args], capture_output=True, text=True, timeout=120)
    return run


@pytest.fixture(scope="module")
def key(stack_dir):
    with open(os.path.join(stack_dir, "secrets", "audit.key"), "rb") as f:
        k = f.read()
    assert len(k) == 32, f"the audit key file has {len(k)} bytes, not 32"
    return k


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}: {p.stdout}{p.stderr}"
    return p.stdout


def chain_rows(db, where):
    """Rows of the audit table as dicts of bytes / int / None, in id order."""
    cols = ", ".join(
        f"HEX({c})" if c in TEXTS and c != "at" else "DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f')" if c == "at" else c
        for c in ROW_FIELDS)
    out = []
    for r in db.rows(f"SELECT {cols} FROM audit WHERE {where} ORDER BY id"):
        d = {}
        for name, v in zip(ROW_FIELDS, r):
            if v is None:
                d[name] = None
            elif name == "at":
                d[name] = v.encode()
            elif name in TEXTS:
                d[name] = bytes.fromhex(v)
            else:
                d[name] = int(v)
        out.append(d)
    return out


def rehash(db, key, rows, prev=ZERO):
    """Writes the hash of each of rows (one chain, in order) as the program
    would have: used after changing rows on purpose."""
    for r in rows:
        r["hash"] = audit_row_hash(key, prev, r)
        prev = r["hash"]
        db.run(f"UPDATE audit SET hash = UNHEX('{r['hash'].hex()}') WHERE id = {r['id']}")
    return prev


class Tenant:
    """A client of its own whose chain the tests may damage, with a few
    rows in it written by the program (`ctrack audit retention`, which is
    audited under the client named)."""

    def __init__(self, db, ctrack, rows=6):
        self.db = db
        self.name = unique("Chain client ")
        self.id = db.int(f"INSERT INTO clients (name) VALUES ({sql_str(self.name)}); SELECT LAST_INSERT_ID()")
        for _ in range(rows):
            ok(ctrack("retention", "--client", self.name))

    def rows(self):
        return chain_rows(self.db, f"chain_client = {self.id}")

    def chain(self):
        rows = self.rows()
        chains = {(r["chain_client"], r["chain"]) for r in rows}
        assert len(chains) == 1, f"the client's rows are in {len(chains)} chains, one was expected: {chains}"
        return rows


@pytest.fixture
def tenant(db, ctrack):
    return Tenant(db, ctrack)


def verify(ctrack, tenant=None, checkpoint=None):
    args = (["--client", tenant.name] if tenant else []) + (["--checkpoint", checkpoint] if checkpoint else [])
    return ctrack("verify", *args)


def first_problem(p):
    assert p.returncode == 1, f"verify found no problem (exit {p.returncode}): {p.stdout}{p.stderr}"
    m = re.search(r"^FIRST PROBLEM: (.*)$", p.stdout, re.M)
    assert m, p.stdout
    return m.group(1)


def assert_intact(ctrack, tenant=None):
    p = verify(ctrack, tenant)
    assert p.returncode == 0 and p.stdout.rstrip().endswith(": intact"), f"exit {p.returncode}: {p.stdout}{p.stderr}"
    return p.stdout


# ---------------------------------------------------------------- the chain itself

def test_every_chained_row_has_the_hash_of_the_documented_encoding(db, key, tenant):
    """Recomputed here from the README's encoding for every chain of the
    stack, from its anchor or from zero: the stored hashes are exactly those."""
    anchors = {(int(c), int(ch)): (int(seq), bytes.fromhex(h)) for c, ch, seq, h in
               db.rows("SELECT chain_client, chain, seq, HEX(hash) FROM audit_anchors")}
    rows = chain_rows(db, "chain IS NOT NULL")
    assert len(rows) >= 3, "the stack has hardly any chained rows"
    heads = {}
    for r in rows:
        k = (r["chain_client"], r["chain"])
        seq, prev = heads.get(k) or anchors.get(k) or (0, ZERO)
        assert r["seq"] == seq + 1, f"row {r['id']} of chain {k} has seq {r['seq']} after {seq}"
        assert r["hash"] == audit_row_hash(key, prev, r), f"row {r['id']} does not have the documented hash"
        heads[k] = (r["seq"], r["hash"])


def test_rows_of_the_same_client_from_parallel_requests_form_gap_free_chains(admin, demo, db, ctrack):
    """Requests at once on every worker: each chain still numbers its rows
    without gaps or duplicates, and verify finds the trail intact."""
    mark = db.int("SELECT COALESCE(MAX(id), 0) FROM audit")

    def fetch(i):
        return admin.get(f"/contacts?q={i}").status_code
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, range(48)))
    assert statuses == [200] * 48
    rows = chain_rows(db, f"id > {mark} AND client_id = {demo.client_id}")
    assert len(rows) >= 48
    by_chain = {}
    for r in rows:
        assert r["chain"] is not None, f"row {r['id']} has no chain"
        by_chain.setdefault(r["chain"], []).append(r["seq"])
    for chain, seqs in by_chain.items():
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"chain {chain} has gaps or is out of order: {seqs}"
    assert_intact(ctrack)


def test_verify_reports_intact_and_is_itself_audited(ctrack, tenant, db, audit):
    mark = audit.mark()
    out = assert_intact(ctrack, tenant)
    # The six rows of the retention runs; verify's own row comes after.
    assert out == "6 rows in 1 chains checked: intact\n", out
    rows = audit.since(mark)
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row["method"], row["action"], row["object_type"], row["object_id"], row["client_id"], row["outcome"]) == \
        ("CLI", "audit.verify", "client", tenant.id, tenant.id, 200), row
    assert row["path"] == f"audit verify --client {tenant.name}", row
    detail = json.loads(row["detail"])
    assert (detail["rows"], detail["chains"], detail["problems"]) == (6, 1, 0), detail


# ---------------------------------------------------------------- tampering, each kind

def test_an_altered_row_is_named_exactly(ctrack, tenant, db):
    rows = tenant.chain()
    victim = rows[2]
    db.run(f"UPDATE audit SET path = 'audit retention --client someone else' WHERE id = {victim['id']}")
    problem = first_problem(verify(ctrack, tenant))
    assert problem.startswith(f"row {victim['id']} (chain {tenant.id}/{victim['chain']} seq 3) does not match its hash"), \
        problem
    p = verify(ctrack, tenant)
    assert re.search(r": 1 problem, the first at row %d$" % victim["id"], p.stdout, re.M), p.stdout
    db.run(f"UPDATE audit SET path = UNHEX('{victim['path'].hex()}') WHERE id = {victim['id']}")
    assert_intact(ctrack, tenant)


@pytest.mark.parametrize("column, value", [
    ("outcome", "403"),
    ("user_id", "1"),
    ("remote_addr", "'10.0.0.1'"),
    ("at", "at - INTERVAL 1 DAY"),
    ("detail", "'{}'"),
    ("hash", "UNHEX(SHA2('forged', 256))"),
    ("hash", "NULL"),
])
def test_a_change_to_any_field_is_named(ctrack, tenant, db, column, value):
    victim = tenant.chain()[4]
    db.run(f"UPDATE audit SET {column} = {value} WHERE id = {victim['id']}")
    problem = first_problem(verify(ctrack, tenant))
    assert problem.startswith(f"row {victim['id']} "), problem
    # Only that row: the rows after it link to its stored hash, so a changed
    # hash is one problem (the row itself) too.
    out = verify(ctrack, tenant).stdout
    assert out.endswith(f": 1 problem, the first at row {victim['id']}\n"), out
    original = victim[column]
    if column == "at":
        restore = sql_str(original.decode())
    elif column in TEXTS:
        restore = "NULL" if original is None else f"UNHEX('{original.hex()}')"
    else:
        restore = "NULL" if original is None else str(original)
    db.run(f"UPDATE audit SET {column} = {restore} WHERE id = {victim['id']}")
    assert_intact(ctrack, tenant)


def saved_copy(db, ids):
    """Copies rows aside (outside the application's schema) so that a test
    can put them back with their ids; returns the restore function."""
    cols = [c for (c,) in db.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ctrack' AND table_name = 'audit'"
        " AND generation_expression IS NULL ORDER BY ordinal_position")]
    assert "id" in cols and "chain_client" not in cols, cols
    table = f"ctrack_test_scratch.{unique('saved').replace(' ', '_').replace('-', '_')}"
    id_list = ",".join(str(i) for i in ids)
    p = db.run(f"CREATE DATABASE IF NOT EXISTS ctrack_test_scratch;"
               f" CREATE TABLE {table} AS SELECT {', '.join(cols)} FROM audit WHERE id IN ({id_list})")
    assert p.returncode == 0, p.stderr

    def restore():
        p = db.run(f"INSERT INTO audit ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {table}; DROP TABLE {table}")
        assert p.returncode == 0, p.stderr
    return restore


def test_a_deleted_row_is_named_by_the_row_after_the_gap(ctrack, tenant, db):
    rows = tenant.chain()
    gone, after = rows[1], rows[2]
    restore = saved_copy(db, [gone["id"]])
    db.run(f"DELETE FROM audit WHERE id = {gone['id']}")
    problem = first_problem(verify(ctrack, tenant))
    assert problem == (f"row {after['id']} (chain {tenant.id}/{after['chain']} seq 3): 1 row(s) before it are missing "
                       "(seq 2 to 2): deleted, or rows reordered"), problem
    restore()
    assert_intact(ctrack, tenant)


def test_reordered_rows_are_named(ctrack, tenant, db):
    rows = tenant.chain()
    a, b = rows[2], rows[3]
    # Swap two rows' places in the chain (the unique key needs a spare seq).
    swap = (f"UPDATE audit SET seq = 999999 WHERE id = {a['id']};"
            f" UPDATE audit SET seq = {a['seq']} WHERE id = {b['id']};"
            f" UPDATE audit SET seq = {b['seq']} WHERE id = {a['id']}")
    db.run(swap)
    problem = first_problem(verify(ctrack, tenant))
    assert problem.startswith(f"row {a['id']} (chain {tenant.id}/{a['chain']} seq 4)"), problem
    assert "reordered" in problem, problem
    db.run(swap.replace(f"seq = {a['seq']} WHERE id = {b['id']}", f"seq = {b['seq']} WHERE id = {b['id']}")
           .replace(f"seq = {b['seq']} WHERE id = {a['id']}", f"seq = {a['seq']} WHERE id = {a['id']}"))
    assert_intact(ctrack, tenant)


def test_an_inserted_row_is_named(ctrack, tenant, db):
    """A forged row at the end of the chain, with a plausible seq and a hash
    made without the key; and an unchained row after the chained ones."""
    last = tenant.chain()[-1]
    forged = db.int(
        "INSERT INTO audit (at, client_id, remote_addr, request_id, method, path, action, outcome, chain, seq, hash)"
        f" VALUES (UTC_TIMESTAMP(6), {tenant.id}, '', REPEAT('a', 32), 'CLI', 'nothing happened', 'audit.verify', 200,"
        f" {last['chain']}, {last['seq'] + 1}, UNHEX(SHA2('a guess', 256))); SELECT LAST_INSERT_ID()")
    problem = first_problem(verify(ctrack, tenant))
    assert problem == f"row {forged} (chain {tenant.id}/{last['chain']} seq {last['seq'] + 1}) does not match its " \
                      "hash: altered, or inserted", problem
    db.run(f"UPDATE audit SET chain = NULL, seq = NULL, hash = NULL WHERE id = {forged}")
    problem = first_problem(verify(ctrack, tenant))
    # The stack began chained: audit_genesis says no row came before.
    genesis = db.int("SELECT last_unchained_id FROM audit_genesis")
    assert problem == (f"row {forged} has no chain but is newer than the last row from before chaining began "
                       f"(row {genesis}): inserted"), problem
    # The program's own rows after the forged one (those of the verify runs)
    # link to it: they go with it.
    db.run(f"DELETE FROM audit WHERE chain_client = {tenant.id} AND id >= {forged}")
    assert_intact(ctrack, tenant)


def test_rows_cut_off_the_end_are_found_with_a_checkpoint(ctrack, tenant, db, tmp_path, audit):
    cp = str(tmp_path / "checkpoint")
    mark = audit.mark()
    out = ok(ctrack("checkpoint", "--out", cp))
    assert re.fullmatch(r"checkpoint of \d+ chains written to .*\n", out), out
    assert oct(os.stat(cp).st_mode & 0o777) == "0o640"
    row = audit.one_since(mark, "the checkpoint")
    detail = json.loads(row["detail"])
    with open(cp, "rb") as f:
        text = f.read()
    assert detail["sha256"] == __import__("hashlib").sha256(text).hexdigest(), detail
    rows = tenant.chain()
    last = rows[-1]
    assert f"chain {tenant.id} {last['chain']} {last['seq']} {last['hash'].hex()} {last['id']}\n".encode() in text
    p = verify(ctrack, tenant, cp)
    assert p.returncode == 0 and "checked against the checkpoint: intact" in p.stdout, p.stdout + p.stderr
    # Without the checkpoint, a chain cut short looks whole; with it, not.
    # (Verified as a whole here: a run for the client would append its own
    # row to the shortened chain.)
    cut = [r["id"] for r in tenant.chain() if r["seq"] >= last["seq"] - 1]
    restore = saved_copy(db, cut)
    db.run(f"DELETE FROM audit WHERE id IN ({', '.join(map(str, cut))})")
    assert_intact(ctrack)
    problem = first_problem(verify(ctrack, None, cp))
    assert problem == (f"chain {tenant.id}/{last['chain']} ends at seq {last['seq'] - 2} but the checkpoint has seq "
                       f"{last['seq']} (row {last['id']}): rows cut off its end"), problem
    restore()
    # Rewriting the chain from the checkpointed row on (with a key) is found
    # as well.
    db.run(f"UPDATE audit SET hash = UNHEX(SHA2('rewritten', 256)) WHERE id = {last['id']}")
    p = verify(ctrack, tenant, cp)
    assert f"row {last['id']} (chain {tenant.id}/{last['chain']} seq {last['seq']}) differs from the checkpoint" \
        in p.stdout, p.stdout
    db.run(f"UPDATE audit SET hash = UNHEX('{last['hash'].hex()}') WHERE id = {last['id']}")
    assert verify(ctrack, tenant, cp).returncode == 0


@pytest.mark.parametrize("damage", ["edit a head", "drop the mac", "truncate", "not a checkpoint", "missing"])
def test_a_damaged_checkpoint_is_refused(ctrack, tmp_path, audit, damage):
    cp = tmp_path / "checkpoint"
    ok(ctrack("checkpoint", "--out", str(cp)))
    text = cp.read_text()
    if damage == "edit a head":
        text = re.sub(r"^(chain \d+ \d+ )(\d+)", lambda m: m.group(1) + str(int(m.group(2)) - 1), text, count=1,
                      flags=re.M)
    elif damage == "drop the mac":
        text = re.sub(r"^mac .*\n", "", text, flags=re.M)
    elif damage == "truncate":
        text = text[:len(text) // 2]
    elif damage == "not a checkpoint":
        text = "id,name\n1,x\n"
    if damage == "missing":
        cp.unlink()
    else:
        cp.write_text(text)
    mark = audit.mark()
    p = verify(ctrack, checkpoint=str(cp))
    assert p.returncode == 3, f"exit {p.returncode}: {p.stdout}{p.stderr}"
    assert p.stderr.startswith("ctrack: audit: ") and str(cp) in p.stderr, p.stderr
    assert p.stdout == "", p.stdout
    row = audit.one_since(mark, "the refused checkpoint")
    assert (row["action"], row["outcome"]) == ("audit.verify", 400 if damage == "missing" else 422), row
    assert json.loads(row["detail"])["error"], row


def test_rows_slipped_in_among_the_unchained_ones_are_found(ctrack, db):
    """As if chaining had begun on an old trail: one more row without a
    chain than migration 010 counted is reported, whatever its id."""
    last, count = db.rows("SELECT last_unchained_id, unchained_rows FROM audit_genesis")[0]
    unchained = db.int("SELECT COUNT(*) FROM audit WHERE chain IS NULL")
    top = db.int("SELECT MAX(id) FROM audit")
    db.run(f"UPDATE audit_genesis SET last_unchained_id = {top + 100}, unchained_rows = {unchained}")
    try:
        forged = top + 50
        db.run("INSERT INTO audit (id, at, client_id, remote_addr, request_id, method, path, action, outcome)"
               f" VALUES ({forged}, UTC_TIMESTAMP(6), NULL, '', REPEAT('b', 32), 'GET', '/', 'contact.delete', 200)")
        problem = first_problem(verify(ctrack))
        assert problem == (f"{unchained + 1} rows have no chain and are from before chaining began, but {unchained} "
                           "were there when it began: rows inserted among them, or removed"), problem
        db.run(f"DELETE FROM audit WHERE id = {forged}")
    finally:
        db.run(f"UPDATE audit_genesis SET last_unchained_id = {last}, unchained_rows = {count}")
    assert_intact(ctrack)


# ---------------------------------------------------------------- retention and purge

def test_retention_is_shown_and_set_by_the_maintenance_account_only(ctrack, tenant, db, app_db, audit):
    assert ok(ctrack("retention", "--client", tenant.name)) == f"{tenant.name} keeps its audit trail forever\n"
    mark = audit.mark()
    out = ok(ctrack("retention", "--client", tenant.name, "400"))
    assert out.startswith(f"{tenant.name} now keeps its audit trail 400 days"), out
    assert db.int(f"SELECT audit_retention_days FROM clients WHERE id = {tenant.id}") == 400
    row = audit.one_since(mark)
    assert (row["action"], row["client_id"], row["object_id"]) == ("audit.retention", tenant.id, tenant.id)
    assert json.loads(row["detail"]) == {"before": None, "after": 400}, row["detail"]
    ok(ctrack("retention", "--client", tenant.name, "forever"))
    assert db.value(f"SELECT audit_retention_days FROM clients WHERE id = {tenant.id}") is None
    p = app_db.run(f"UPDATE clients SET audit_retention_days = 1 WHERE id = {tenant.id}")
    assert p.returncode != 0 and "denied" in p.stderr, "the application account can shorten the retention"


@pytest.mark.parametrize("value", ["0", "-5", "36501", "30days", "", "1e3"])
def test_bad_retention_values_are_refused_and_change_nothing(ctrack, tenant, db, audit, value):
    mark = audit.mark()
    p = ctrack("retention", "--client", tenant.name, value)
    assert p.returncode == 2, f"exit {p.returncode}: {p.stdout}{p.stderr}"
    assert "ctrack: audit: " in p.stderr and p.stdout == "", p.stderr
    assert db.value(f"SELECT audit_retention_days FROM clients WHERE id = {tenant.id}") is None
    assert audit.since(mark) == []


def test_an_unknown_client_is_refused(ctrack, audit):
    mark = audit.mark()
    for cmd in (["verify"], ["retention"], ["purge"]):
        p = ctrack(*cmd, "--client", "No such client at all")
        assert p.returncode == 1, f"{cmd}: exit {p.returncode}: {p.stdout}{p.stderr}"
        assert p.stderr == ('ctrack: audit: there is no client called "No such client at all"'
                            " (see ctrack client list)\n"), p.stderr
    rows = audit.since(mark)
    assert [(r["action"], r["outcome"]) for r in rows] == \
        [("audit.verify", 404), ("audit.retention", 404), ("audit.purge", 404)], rows


def test_purge_removes_exactly_the_old_rows_and_leaves_the_chain_verifiable(ctrack, tenant, db, key, audit):
    rows = tenant.chain()
    old = rows[:4]
    # Four rows made 40 days old; their hashes (and so those of every row
    # after them) recomputed with the key, as if they had been written then.
    for i, r in enumerate(old):
        r["at"] = db.value(f"SELECT DATE_FORMAT(UTC_TIMESTAMP(6) - INTERVAL 40 DAY + INTERVAL {i} SECOND,"
                           " '%Y-%m-%d %H:%i:%s.%f')").encode()
        db.run(f"UPDATE audit SET at = {sql_str(r['at'].decode())} WHERE id = {r['id']}")
    rehash(db, key, rows)
    assert_intact(ctrack, tenant)
    # Contacts named by the old rows and by a kept one.
    db.run("INSERT INTO audit_contacts (client_id, contact_id, audit_id) VALUES "
           + ", ".join(f"({tenant.id}, {n}, {r['id']})" for n, r in enumerate(rows[:5], start=1)))

    ok(ctrack("retention", "--client", tenant.name, "30"))
    mark = audit.mark()
    out = ok(ctrack("purge", "--client", tenant.name, "--dry-run"))
    assert out == f"{tenant.name}: 4 audit rows older than 30 days would be removed\n", out
    assert len(tenant.rows()) == len(rows) + 3, "the dry run removed rows"  # + verify, retention, dry run
    dry = audit.one_since(mark, "the dry run")
    assert json.loads(dry["detail"])["removed"] == 4 and json.loads(dry["detail"])["dry_run"] is True, dry

    mark = audit.mark()
    out = ok(ctrack("purge", "--client", tenant.name))
    assert out == f"{tenant.name}: 4 audit rows older than 30 days removed\n", out
    left = {r["id"] for r in tenant.rows()}
    assert not left & {r["id"] for r in old}, "an old row is still there"
    assert {r["id"] for r in rows[4:]} <= left, "a row within the retention was removed"
    assert db.rows(f"SELECT contact_id FROM audit_contacts WHERE client_id = {tenant.id} ORDER BY contact_id") == \
        [("5",)], "audit_contacts of purged rows were kept, or of kept rows removed"
    anchor = db.rows(f"SELECT seq, HEX(hash) FROM audit_anchors WHERE chain_client = {tenant.id}")
    assert anchor == [("4", old[-1]["hash"].hex().upper())], anchor
    row = audit.one_since(mark, "the purge")
    assert (row["action"], row["client_id"], row["outcome"]) == ("audit.purge", tenant.id, 200), row
    detail = json.loads(row["detail"])
    assert detail["removed"] == 4 and detail["retention_days"] == 30 and detail["dry_run"] is False, detail
    assert detail["chains"] == [{"chain": old[0]["chain"], "from": 1, "to": 4}], detail
    out = assert_intact(ctrack, tenant)
    # Nothing is old any more: a second purge removes nothing.
    assert ok(ctrack("purge", "--client", tenant.name)) == \
        f"{tenant.name}: 0 audit rows older than 30 days removed\n"
    assert_intact(ctrack)


def test_a_forged_anchor_cannot_hide_deleted_rows(ctrack, tenant, db, maint_db, tmp_path):
    """With only the maintenance account: delete the oldest rows of a chain
    that was never purged and write the anchor that would make the rest link
    up; or delete a whole chain behind an anchor. The anchor's mac (made
    with the key, which the account does not have) gives both away."""
    rows = tenant.chain()
    cp = str(tmp_path / "checkpoint")
    ok(ctrack("checkpoint", "--out", cp))
    cut = rows[2]
    p = maint_db.run(
        f"DELETE FROM audit WHERE chain_client = {tenant.id} AND chain = {cut['chain']} AND seq <= {cut['seq']};"
        "INSERT INTO audit_anchors (chain_client, chain, seq, hash, at, purged_at, mac) VALUES"
        f" ({tenant.id}, {cut['chain']}, {cut['seq']}, UNHEX('{cut['hash'].hex()}'), {sql_str(cut['at'].decode())},"
        " UTC_TIMESTAMP(6), UNHEX(SHA2('no key', 256)))")
    assert p.returncode == 0, p.stderr
    want = (f"the anchor of chain {tenant.id}/{cut['chain']} (seq {cut['seq']}) does not match its mac: made up or "
            "changed, not left by a purge")
    assert first_problem(verify(ctrack, None)) == want
    assert first_problem(verify(ctrack, None, cp)) == want
    # The whole chain gone behind it (verified as a whole: a run for the
    # client would start its chain again).
    p = maint_db.run(f"DELETE FROM audit WHERE chain_client = {tenant.id}")
    assert p.returncode == 0, p.stderr
    assert first_problem(verify(ctrack, None, cp)) == want
    db.run(f"DELETE FROM audit_anchors WHERE chain_client = {tenant.id}")
    assert_intact(ctrack)


def test_a_purge_while_another_runs_is_refused_and_audited(ctrack, tenant, db, audit):
    """Two purges never run at once: the second is refused, and says so in
    the trail."""
    ok(ctrack("retention", "--client", tenant.name, "30"))
    holder = subprocess.Popen(
        ["mariadb", f"--defaults-extra-file={os.environ['CTRACK_DB_ROOT_CNF']}", "ctrack", "-e",
         "SELECT GET_LOCK(CONCAT('ctrack.purge.', LEFT(DATABASE(), 40)), 0); SELECT SLEEP(20)"],
        stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while db.value("SELECT IS_USED_LOCK(CONCAT('ctrack.purge.', LEFT(DATABASE(), 40)))") is None:
            assert time.monotonic() < deadline, "the lock was not taken"
            time.sleep(0.05)
        mark = audit.mark()
        p = ctrack("purge", "--client", tenant.name)
        assert p.returncode == 3, f"exit {p.returncode}: {p.stdout}{p.stderr}"
        assert p.stderr == (f"ctrack: audit: purge of {tenant.name} not started: another purge is running; try again"
                            " when it has ended\n"), p.stderr
        row = audit.one_since(mark, "the refused purge")
        assert (row["action"], row["outcome"], row["client_id"]) == ("audit.purge", 409, tenant.id), row
        assert json.loads(row["detail"]) == {"retention_days": 30, "dry_run": False, "busy": True, "removed": 0,
                                             "error": "another purge is running; try again when it has ended"}
    finally:
        holder.kill()
        holder.wait()


def test_purge_of_a_client_that_keeps_everything_does_nothing(ctrack, tenant):
    out = ok(ctrack("purge", "--client", tenant.name))
    assert out == f"{tenant.name} keeps its audit trail forever: nothing to purge\n", out
    assert len(tenant.rows()) == 7


# ---------------------------------------------------------------- append-only at the database

@pytest.mark.parametrize("account, sql, what", [
    ("app", "UPDATE audit SET outcome = 0 LIMIT 1", "UPDATE audit rows"),
    ("app", "DELETE FROM audit LIMIT 1", "DELETE audit rows"),
    ("app", "DELETE FROM audit_contacts LIMIT 1", "DELETE audit_contacts rows"),
    ("app", "INSERT INTO audit_anchors VALUES (1, 1, 1, UNHEX(SHA2('x', 256)), NOW(), NOW())", "write anchors"),
    ("app", "UPDATE clients SET audit_retention_days = 1", "shorten retention"),
    ("app", "TRUNCATE TABLE audit", "TRUNCATE audit"),
    ("maint", "UPDATE audit SET outcome = 0 LIMIT 1", "UPDATE audit rows"),
    ("maint", "UPDATE clients SET name = 'x' LIMIT 1", "rename clients"),
    ("maint", "SELECT COUNT(*) FROM contacts", "read contacts"),
    ("maint", "SELECT COUNT(*) FROM users", "read users"),
    ("maint", "DROP TABLE audit_anchors", "DROP TABLE"),
])
def test_accounts_are_refused_what_they_must_not_do(app_db, maint_db, account, sql, what):
    d = app_db if account == "app" else maint_db
    p = d.run(sql)
    assert p.returncode != 0 and "denied" in p.stderr, f"the {account} account can {what}: {p.stdout}{p.stderr}"
