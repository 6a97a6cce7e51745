"""Helpers shared by the import and export tests (test_import_cases.py,
test_import_web.py, test_export_formats.py): a client of its own per test,
`ctrack import` and the web import, the stored contacts read exactly from
the database, and the four contact exports read back."""
import csv
import io
import json
import os
import re
import subprocess

from conftest import Page, cli_paths, location_path, sql_int, sql_str, unhex, unique

CASES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "cases")

# Everything an importing user of the tests may do.
IMPORT_FUNCTIONS = ["contacts.view", "contacts.create", "contacts.edit", "contacts.delete", "contacts.export",
                    "contacts.import", "contacts.bulk_edit", "campaigns.view", "campaigns.manage", "audit.view"]

# The stored text columns compared field by field.
TEXT_FIELDS = ("first_name", "middle_name", "last_name", "suffix", "nickname", "title", "organisation", "party",
               "email", "email_type", "phone", "phone_type", "address", "city", "address_region", "postal_code",
               "country", "website", "contact_form", "notes", "external_id")

EXPORT_COLUMNS = ["id", "external_id", "first_name", "middle_name", "last_name", "suffix", "nickname", "title",
                  "organisation", "party", "email", "email_type", "phone", "phone_type", "other_emails",
                  "other_phones", "address", "city", "address_region", "postal_code", "country", "website",
                  "contact_form", "birthday", "region_code", "region_name", "tags", "notes", "updated_at"]


def case_bytes(name):
    with open(os.path.join(CASES, name), "rb") as f:
        return f.read()


def case_path(name):
    return os.path.join(CASES, name)


# ---------------------------------------------------------------- a client of its own

class Tenant:
    """A new client with one user allowed to import, export, edit and
    delete (every region and campaign in scope), and a session of that
    user. Nothing another test or the demo data holds can collide."""

    def __init__(self, db, people, sessions, functions=IMPORT_FUNCTIONS):
        self.db = db
        self.client_id = people.client()
        self.name = db.value(f"SELECT name FROM clients WHERE id = {self.client_id}")
        self.user_id = people.user(self.client_id, functions)
        self.web, self.token = sessions.make(client_id=self.client_id, user_id=self.user_id)

    # -- the database
    def contacts(self, live=True):
        return stored_contacts(self.db, self.client_id, live=live)

    def by(self, field="first_name", live=True):
        out = {}
        for c in self.contacts(live=live):
            assert c[field] not in out, f"two contacts with {field} {c[field]!r}"
            out[c[field]] = c
        return out

    def count(self, live=True):
        return self.db.int(f"SELECT COUNT(*) FROM contacts WHERE client_id = {self.client_id}"
                           + (" AND deleted_at IS NULL" if live else ""))

    def add_region(self, code, name=None):
        rid = self.db.int(
            "INSERT INTO regions (client_id, parent_id, kind, code, name, sort_key) VALUES"
            f" ({self.client_id}, NULL, 'state', {sql_str(code)}, {sql_str(name or code)}, {sql_str(code)});"
            " SELECT LAST_INSERT_ID()")
        self.db.rows("INSERT INTO region_closure (client_id, ancestor_id, descendant_id, depth) VALUES"
                     f" ({self.client_id}, {rid}, {rid}, 0)")
        return rid

    # -- the command line
    def cli(self, *args, env=None, timeout=180):
        return cli_import("--client", self.name, *args, env=env, timeout=timeout)

    def cli_file(self, path, *args, env=None):
        return self.cli(*args, path, env=env)

    # -- the web
    def upload(self, name, data, content_type="text/csv"):
        return upload(self.web, name, data, content_type)

    def web_import(self, name, data, action="import", **options):
        return web_import(self.web, name, data, action=action, **options)


def stored_contacts(db, client_id, live=True, where="1"):
    """Every contact of the client (live ones, or all) with every text
    exactly as stored, the birthday, the region code, the further emails
    and phones (value, types) in order, the tags and the campaigns (sorted),
    ordered by id."""
    cols = ", ".join(f"HEX(c.{f})" for f in TEXT_FIELDS)
    rows = db.rows(
        f"SELECT c.id, {cols}, c.birthday, r.code, c.deleted_at FROM contacts c"
        " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id"
        f" WHERE c.client_id = {sql_int(client_id)}" + (" AND c.deleted_at IS NULL" if live else "")
        + f" AND ({where}) ORDER BY c.id")
    out = []
    for row in rows:
        d = {"id": int(row[0])}
        for i, f in enumerate(TEXT_FIELDS):
            d[f] = unhex(row[1 + i])
        n = 1 + len(TEXT_FIELDS)
        d["birthday"], d["region"], d["deleted_at"] = row[n], row[n + 1], row[n + 2]
        d["emails"], d["phones"], d["tags"], d["campaigns"] = [], [], [], []
        out.append(d)
    index = {c["id"]: c for c in out}
    for cid, kind, _, value, types in db.rows(
            "SELECT contact_id, kind, seq, HEX(value), types FROM contact_channels"
            f" WHERE client_id = {sql_int(client_id)} ORDER BY contact_id, kind, seq"):
        if int(cid) in index:
            index[int(cid)]["emails" if kind == "email" else "phones"].append((unhex(value), types))
    for cid, tag in db.rows(f"SELECT contact_id, HEX(tag) FROM contact_tags WHERE client_id = {sql_int(client_id)}"):
        if int(cid) in index:
            index[int(cid)]["tags"].append(unhex(tag))
    for cid, name in db.rows(
            "SELECT cc.contact_id, HEX(g.name) FROM contact_campaigns cc JOIN campaigns g"
            " ON g.client_id = cc.client_id AND g.id = cc.campaign_id"
            f" WHERE cc.client_id = {sql_int(client_id)}"):
        if int(cid) in index:
            index[int(cid)]["campaigns"].append(unhex(name))
    for c in out:
        c["tags"].sort()
        c["campaigns"].sort()
    return out


def values(contacts, campaigns=False):
    """The contacts' values without ids and times, in a stable order, for
    comparing two clients' copies of the same file."""
    keep = [f for f in TEXT_FIELDS] + ["birthday", "region", "emails", "phones", "tags"]
    if campaigns:
        keep.append("campaigns")
    vals = [{k: c[k] for k in keep} for c in contacts]
    return sorted(vals, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))


# ---------------------------------------------------------------- imports in the database

IMPORT_COLS = ("status", "dry_run", "rows_read", "created", "updated", "restored", "skipped", "failed", "file_name",
               "sha256", "file_size", "content_kept", "user_id")


def import_record(db, import_id):
    rows = db.rows("SELECT status, dry_run, rows_read, created, updated, restored, skipped, failed, HEX(file_name),"
                   " HEX(file_sha256), file_size, content IS NOT NULL, user_id FROM imports"
                   f" WHERE id = {sql_int(import_id)}")
    assert len(rows) == 1, f"no import {import_id}"
    d = dict(zip(IMPORT_COLS, rows[0]))
    for k in ("dry_run", "rows_read", "created", "updated", "restored", "skipped", "failed", "file_size",
              "content_kept"):
        d[k] = int(d[k])
    d["file_name"] = unhex(d["file_name"])
    return d


def problems(db, import_id):
    """The report of the import's last run: (record, line, severity, column, reason)."""
    return [(int(r), int(l), s, unhex(c), unhex(why)) for r, l, s, c, why in db.rows(
        "SELECT record, line, severity, HEX(column_name), HEX(reason) FROM import_problems"
        f" WHERE import_id = {sql_int(import_id)} ORDER BY seq")]


def imports_of(db, client_id):
    return db.int(f"SELECT COUNT(*) FROM imports WHERE client_id = {sql_int(client_id)}")


# ---------------------------------------------------------------- the command line

HEAD_RE = re.compile(r"^import (\d+) of (.+) \(([a-z]+), ([^)]+)\): (.+)$", re.M)
COUNTS_RE = re.compile(r"^  rows read (\d+), created (\d+), updated (\d+), restored (\d+), unchanged (\d+),"
                       r" skipped (\d+), failed (\d+), warnings (\d+)$", re.M)
COUNT_NAMES = ("read", "created", "updated", "restored", "unchanged", "skipped", "failed", "warnings")


def cli_import(*args, env=None, timeout=180):
    path, conf = cli_paths()
    full_env = None
    if env is not None:
        full_env = dict(os.environ)
        full_env.update(env)
    return subprocess.run([path, "import", *args, "-c", conf], capture_output=True, timeout=timeout, env=full_env)


class Run:
    """What `ctrack import` printed: the import number, format, encoding,
    outcome and counts."""

    def __init__(self, p):
        self.p = p
        self.rc = p.returncode
        self.out = p.stdout.decode("utf-8", "replace")
        self.err = p.stderr.decode("utf-8", "replace")
        m = HEAD_RE.search(self.out)
        self.id = int(m.group(1)) if m else None
        self.format, self.encoding, self.outcome = (m.group(3), m.group(4), m.group(5)) if m else (None, None, None)
        c = COUNTS_RE.search(self.out)
        self.n = dict(zip(COUNT_NAMES, (int(x) for x in c.groups()))) if c else None

    def __repr__(self):
        return f"exit {self.rc}\n{self.out}{self.err}"


def ran(p, rc=0):
    r = Run(p)
    assert r.rc == rc, f"expected exit {rc}: {r!r}"
    assert r.id is not None and r.n is not None, f"no import line or counts in the output: {r!r}"
    return r


def counts(r, **want):
    """Asserts the given counts of a run (the rest must be 0)."""
    full = {k: 0 for k in COUNT_NAMES if k != "warnings"}
    full.update(want)
    got = {k: v for k, v in r.n.items() if k != "warnings"}
    assert got == full, f"counts {got}, expected {full}\n{r!r}"


# ---------------------------------------------------------------- the web import

def upload(web, name, data, content_type="text/csv"):
    return web.request("POST", "/imports", data={"csrf": web.csrf}, files={"file": (name, data, content_type)})


def uploaded_id(r):
    assert r.status_code == 303, f"the upload answered {r.status_code}: {Page(r.text).text[:400]}"
    m = re.fullmatch(r"/imports/([1-9][0-9]*)", location_path(r))
    assert m, location_path(r)
    return int(m.group(1))


def run_form(web, import_id):
    """(page, fields) of the import's mapping and run form."""
    r = web.get(f"/imports/{import_id}")
    assert r.status_code == 200, f"GET /imports/{import_id} answered {r.status_code}"
    page = Page(r.text)
    fields = dict(page.form(f"/imports/{import_id}/run")["fields"])
    fields.pop("csrf", None)
    return page, fields


def web_import(web, name, data, action="import", **options):
    """Uploads, takes the form as the page fills it in (the recognised
    mapping), changes the given options and runs it. Returns (import id,
    the run's response)."""
    import_id = uploaded_id(upload(web, name, data))
    _, fields = run_form(web, import_id)
    fields.update(options)
    fields["action"] = action
    r = web.post(f"/imports/{import_id}/run", fields)
    return import_id, r


def report_counts(page):
    return {k: int(page.by_id[f"count-{k}"].strip()) for k in ("read", "created", "updated", "restored", "skipped",
                                                               "failed")}


def column_headers(page):
    """The header of each CSV column as the mapping form shows it."""
    return [(int(n), Page(text).text) for n, text in re.findall(r'<label for="col-(\d+)">(.*?)</label>', page.source,
                                                                   re.S)]


# ---------------------------------------------------------------- exports

def export(web, fmt, params=""):
    path = f"/export/contacts.{fmt}" + (f"?{params}" if params else "")
    r = web.get(path)
    assert r.status_code == 200, f"GET {path} answered {r.status_code}: {r.text[:300]}"
    return r


def export_csv(web, params=""):
    body = export(web, "csv", params).content
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    header = next(reader)
    assert header == EXPORT_COLUMNS, f"the export's header is {header}"
    return [dict(zip(header, rec)) for rec in reader]


def export_json(web, params=""):
    return json.loads(export(web, "json", params).content.decode("utf-8"))


def export_ndjson(web, params=""):
    text = export(web, "ndjson", params).content.decode("utf-8")
    assert text == "" or text.endswith("\n"), "an NDJSON export ends with a line break"
    return [json.loads(line) for line in text.split("\n") if line]


def unfold(text):
    return re.sub(r"\r\n[ \t]", "", text)


def vunescape(s):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), s)


def vsplit(s, sep=";"):
    """A structured vCard value split at unescaped separators, unescaped."""
    parts, cur, i = [], "", 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            cur += s[i:i + 2]
            i += 2
            continue
        if s[i] == sep:
            parts.append(vunescape(cur))
            cur = ""
        else:
            cur += s[i]
        i += 1
    parts.append(vunescape(cur))
    return parts


def parse_vcards(text):
    """Cards as lists of (NAME, params text, raw value) from a vCard file."""
    cards, card = [], None
    for line in unfold(text).split("\r\n"):
        if not line:
            continue
        m = re.match(r"^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", line, re.S)
        assert m, f"not a vCard line: {line!r}"
        name, params, value = m.group(1).upper(), m.group(2), m.group(3)
        if name == "BEGIN":
            card = []
        elif name == "END":
            cards.append(card)
            card = None
        else:
            assert card is not None, f"{line!r} outside a card"
            card.append((name, params, value))
    assert card is None, "an unterminated card"
    return cards


def card_props(card, name):
    return [(p, v) for n, p, v in card if n == name]


def card_id(card):
    ids = card_props(card, "X-CTRACK-ID")
    assert len(ids) == 1, card
    return int(ids[0][1])


def export_vcf(web, params=""):
    r = export(web, "vcf", params)
    return r.content, parse_vcards(r.content.decode("utf-8"))


def new_client_name():
    return unique("Import client ")
