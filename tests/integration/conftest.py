"""Shared fixtures for the integration tests.

The tests talk to a running stack (nginx with TLS in front of `ctrack serve`
and MariaDB) described by environment variables; tests/run-tests.sh sets
them. The suite may run several times against the same database, so every
test makes its own data with unique values and never assumes it runs first.

nginx limits POST /login per address (to 300 a minute in the test stack,
tests/run-tests.sh): the suite fetches the login form once and logs in only
where logging in is what a test is about (see LOGIN_BUDGET).
"""
import base64
import contextlib
import datetime
import hashlib
import hmac
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

REQUIRED_ENV = (
    "CTRACK_URL",
    "CTRACK_VAR",
    "CTRACK_ADMIN_USER",
    "CTRACK_ADMIN_PASSWORD",
    "CTRACK_DB_ROOT_CNF",
    "CTRACK_DB_APP_CNF",
)

SESSION_COOKIE = "__Host-ctrack"
LOGIN_COOKIE = "__Host-ctrack-login"
DEMO_CLIENT = "Example Advocacy"
DEMO_CONTACTS = 12767
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# Requests to /login a single run may make (GET and POST together).
LOGIN_BUDGET = 200


def pytest_configure(config):
    missing = [n for n in REQUIRED_ENV if not os.environ.get(n)]
    if missing:
        raise pytest.UsageError(
            "the integration tests need a running stack; missing environment: "
            + ", ".join(missing) + " (tests/run-tests.sh sets them)")
    for name in ("CTRACK_DB_ROOT_CNF", "CTRACK_DB_APP_CNF"):
        if not os.path.isfile(os.environ[name]):
            raise pytest.UsageError(f"{name}={os.environ[name]} is not a file")
    cert = os.path.join(os.environ["CTRACK_VAR"], "tls", "cert.pem")
    if not os.path.isfile(cert):
        raise pytest.UsageError(f"no TLS certificate at {cert}")


def unique(prefix="T"):
    """A value no other test or run uses: prefix + 12 hex digits."""
    return prefix + uuid.uuid4().hex[:12]


# ---------------------------------------------------------------- database

def sql_str(value):
    """A SQL expression for a Python string that needs no escaping at all."""
    return "_utf8mb4 X'%s'" % value.encode("utf-8").hex()


def sql_int(value):
    return str(int(value))


_BATCH_ESCAPES = {"0": "\0", "t": "\t", "n": "\n", "\\": "\\", "b": "\b", "r": "\r", "Z": "\x1a"}


def _unbatch(field):
    if field == "NULL":
        return None
    return re.sub(r"\\(.)", lambda m: _BATCH_ESCAPES.get(m.group(1), m.group(1)), field)


class Database:
    """The mariadb command-line client with a given option file."""

    def __init__(self, cnf):
        self.cnf = cnf

    def run(self, sql):
        """Runs SQL; returns the CompletedProcess whatever the outcome."""
        return subprocess.run(
            ["mariadb", f"--defaults-extra-file={self.cnf}", "--batch", "--skip-column-names",
             "--default-character-set=utf8mb4", "ctrack", "-e", sql],
            capture_output=True, text=True, encoding="utf-8", timeout=60)

    def rows(self, sql):
        """The rows of a query as tuples of str (None for NULL). Text columns
        that must be compared exactly should be selected with HEX() and
        decoded with unhex()."""
        p = self.run(sql)
        assert p.returncode == 0, f"query failed: {sql}\n{p.stderr}"
        out = []
        for line in p.stdout.split("\n"):
            if line == "":
                continue
            out.append(tuple(_unbatch(f) for f in line.split("\t")))
        return out

    def value(self, sql):
        rows = self.rows(sql)
        assert len(rows) == 1 and len(rows[0]) == 1, f"expected one value from {sql}, got {rows!r}"
        return rows[0][0]

    def int(self, sql):
        v = self.value(sql)
        assert v is not None, f"NULL from {sql}"
        return int(v)


def recount_totals(db, client_id):
    """Sets the kept number of live contacts of a client (contact_totals,
    which the unfiltered list shows) from its rows: call it after inserting
    or deleting contacts in SQL, as the application does in the same
    transaction as its own changes."""
    db.rows("INSERT INTO contact_totals (client_id, live) SELECT %d, COUNT(*) FROM contacts"
            " WHERE client_id = %d AND deleted_at IS NULL ON DUPLICATE KEY UPDATE live = VALUES(live)"
            % (int(client_id), int(client_id)))


def unhex(value):
    return None if value is None else bytes.fromhex(value).decode("utf-8")


CONTACT_TEXT_COLUMNS = (
    "first_name", "middle_name", "last_name", "suffix", "nickname", "title", "organisation", "party",
    "email", "phone", "address", "website", "contact_form", "notes",
)


class Demo:
    """What the database says about the demo client and its admin."""

    def __init__(self, db):
        self.db = db
        rows = db.rows(
            "SELECT c.id, u.id FROM clients c JOIN users u ON u.client_id = c.id"
            f" WHERE c.name = {sql_str(DEMO_CLIENT)} AND u.username = {sql_str(os.environ['CTRACK_ADMIN_USER'])}")
        assert len(rows) == 1, f"the demo client {DEMO_CLIENT!r} and its admin user are not in the database: {rows}"
        self.client_id = int(rows[0][0])
        self.user_id = int(rows[0][1])

    def live_count(self, where="1"):
        return self.db.int(
            f"SELECT COUNT(*) FROM contacts c WHERE c.client_id = {self.client_id} AND c.deleted_at IS NULL"
            f" AND ({where})")

    def contact(self, contact_id):
        """A contact row with every text exactly as stored, or None."""
        cols = ", ".join(f"HEX(c.{c})" for c in CONTACT_TEXT_COLUMNS)
        rows = self.db.rows(
            f"SELECT {cols}, c.birthday, r.code, c.client_id, c.created_at, c.updated_at, c.deleted_at,"
            " c.external_id FROM contacts c LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id"
            f" WHERE c.id = {sql_int(contact_id)}")
        if not rows:
            return None
        row = rows[0]
        n = len(CONTACT_TEXT_COLUMNS)
        out = {c: unhex(v) for c, v in zip(CONTACT_TEXT_COLUMNS, row[:n])}
        for i, name in enumerate(("birthday", "region", "client_id", "created_at", "updated_at", "deleted_at",
                                  "external_id")):
            out[name] = row[n + i]
        out["client_id"] = int(out["client_id"])
        return out

    def contact_by_external(self, external_id):
        return self.db.int(
            f"SELECT id FROM contacts WHERE client_id = {self.client_id} AND external_id = {sql_str(external_id)}")

    def contact_count(self):
        """Every contact row of the client, deleted or not."""
        return self.db.int(f"SELECT COUNT(*) FROM contacts WHERE client_id = {self.client_id}")


AUDIT_COLUMNS = ("id", "at", "client_id", "user_id", "remote_addr", "request_id", "method", "path", "action",
                 "object_type", "object_id", "outcome", "detail")


class Audit:
    """Reads the audit trail. The suite is the stack's only client, so rows
    after a mark belong to the requests made since."""

    def __init__(self, db):
        self.db = db

    def mark(self):
        return self.db.int("SELECT COALESCE(MAX(id), 0) FROM audit")

    def since(self, mark):
        rows = self.db.rows(
            "SELECT id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), client_id, user_id, remote_addr, request_id,"
            f" method, HEX(path), action, object_type, object_id, outcome, HEX(detail) FROM audit WHERE id > {int(mark)}"
            " ORDER BY id")
        out = []
        for r in rows:
            d = dict(zip(AUDIT_COLUMNS, r))
            d["path"] = unhex(d["path"])
            d["detail"] = unhex(d["detail"])
            for k in ("id", "client_id", "user_id", "object_id", "outcome"):
                d[k] = None if d[k] is None else int(d[k])
            out.append(d)
        return out

    def one_since(self, mark, what=""):
        rows = self.since(mark)
        assert len(rows) == 1, (
            f"expected exactly one new audit row{' for ' + what if what else ''}, found {len(rows)}: "
            + "; ".join(f"{r['method']} {r['path']} {r['action']} {r['outcome']}" for r in rows))
        return rows[0]


# ---------------------------------------------------------------- passwords

def password_hash(password, iterations=600000, salt=None):
    """A stored hash as the program writes it: "pbkdf2-sha256$ITER$SALT$HASH"
    in standard base64, of the password's UTF-8 bytes as given."""
    salt = salt or os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, 32)
    return f"pbkdf2-sha256${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def password_matches(stored, password):
    """The PBKDF2-SHA256 check of a stored "pbkdf2-sha256$ITER$SALT$HASH"."""
    algo, iterations, salt, key = stored.split("$")
    assert algo == "pbkdf2-sha256", stored[:20]
    got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    return got == base64.b64decode(key)


def set_password(db, user_id, password, iterations=600000):
    """Gives a user a password, stored the way ctrack stores it."""
    db.run(f"UPDATE users SET password_hash = {sql_str(password_hash(password, iterations))} WHERE id = {int(user_id)}")


# ---------------------------------------------------------------- HTML

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """Just enough of a page to test it: forms and their fields, links,
    element texts by id and class, table rows and error messages."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.source = text
        self.forms = []          # {"action", "method", "fields": {name: value}}
        self.inputs = []         # attrs of every <input>
        self.textareas = {}      # name -> text
        self.selects = {}        # name -> {"options": [(value, text, selected)]}
        self.selects_by_id = {}  # id -> the same (two forms of a page may share a name)
        self.links = []          # {"href", "rel", "text"}
        self.by_id = {}
        self.by_class = {}
        self.rows = []           # <tbody> rows: {"cells": [text], "links": [href]}
        self.title = ""
        self.h1 = []             # text of each <h1>, spaces collapsed
        self._h1 = False
        self._stack = []         # (tag, collectors)
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None
        self._link = None
        self._in_tbody = False
        self._row = None
        self._cell = None
        self._title = False
        self.texts = []
        self.feed(text)
        self.close()
        self.text = re.sub(r"\s+", " ", "".join(self.texts))

    # parser callbacks
    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        collectors = []
        if "id" in a:
            self.by_id[a["id"]] = ""
            collectors.append(("id", a["id"]))
        for cls in a.get("class", "").split():
            self.by_class.setdefault(cls, []).append("")
            collectors.append(("class", cls, len(self.by_class[cls]) - 1))
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif tag == "input":
            self.inputs.append(a)
            if self._form is not None and "name" in a:
                t = a.get("type", "text")
                if t not in ("checkbox", "radio") or "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name", "")
            self.textareas[self._textarea] = ""
        elif tag == "select":
            self._select = {"options": []}
            self.selects[a.get("name", "")] = self._select
            if a.get("id"):
                self.selects_by_id[a["id"]] = self._select
            if self._form is not None:
                self._form["fields"][a.get("name", "")] = ""
                self._select["form"] = self._form
            self._select["name"] = a.get("name", "")
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value", ""), "", "selected" in a]
            self._select["options"].append(self._option)
        elif tag == "a":
            self._link = {"href": a.get("href", ""), "rel": a.get("rel", ""), "text": ""}
            self.links.append(self._link)
            if self._row is not None:
                self._row["links"].append(a.get("href", ""))
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self._row = {"cells": [], "links": []}
            self.rows.append(self._row)
        elif tag == "td" and self._row is not None:
            self._cell = len(self._row["cells"])
            self._row["cells"].append("")
        elif tag == "title":
            self._title = True
        elif tag == "h1":
            self._h1 = True
            self.h1.append("")
        if tag not in VOID_TAGS:
            self._stack.append((tag, collectors))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        # Pop to the matching open tag (the templates close what they open).
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._form is not None and self._textarea is not None:
                self._form["fields"][self._textarea] = self.textareas[self._textarea]
            self._textarea = None
        elif tag == "select":
            if self._select is not None and "form" in self._select:
                chosen = [o[0] for o in self._select["options"] if o[2]]
                first = self._select["options"][0][0] if self._select["options"] else ""
                self._select["form"]["fields"][self._select["name"]] = chosen[0] if chosen else first
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "a":
            self._link = None
        elif tag == "tbody":
            self._in_tbody = False
        elif tag == "tr":
            self._row = None
        elif tag == "td":
            self._cell = None
        elif tag == "title":
            self._title = False
        elif tag == "h1":
            self._h1 = False
            self.h1[-1] = re.sub(r"\s+", " ", self.h1[-1]).strip()

    def handle_data(self, data):
        self.texts.append(data)
        if self._title:
            self.title += data
        if self._h1:
            self.h1[-1] += data
        if self._textarea is not None:
            # The browser drops one newline right after <textarea>.
            if self.textareas[self._textarea] == "" and data.startswith("\n"):
                data = data[1:]
            self.textareas[self._textarea] += data
        if self._option is not None:
            self._option[1] += data
        if self._link is not None:
            self._link["text"] += data
        if self._row is not None and self._cell is not None:
            self._row["cells"][self._cell] += data
        for _, collectors in self._stack:
            for c in collectors:
                if c[0] == "id":
                    self.by_id[c[1]] += data
                else:
                    self.by_class[c[1]][c[2]] += data

    # helpers
    def form(self, action=None, method="post"):
        found = [f for f in self.forms if (action is None or f["action"] == action) and f["method"] == method]
        assert found, f"no {method} form with action {action!r}; forms: {[(f['method'], f['action']) for f in self.forms]}"
        return found[0]

    def input(self, name):
        found = [i for i in self.inputs if i.get("name") == name]
        assert found, f"no <input name={name!r}> on the page"
        return found[0]

    def field_error(self, name):
        """The message shown next to a field, or None."""
        v = self.by_id.get(f"{name}-error")
        return None if v is None else re.sub(r"\s+", " ", v).strip()

    def link(self, rel):
        found = [l for l in self.links if l["rel"] == rel]
        return found[0]["href"] if found else None

    def reference(self):
        """The request id an error page shows."""
        m = re.search(r"reference <code>([0-9a-f]{32})</code>", self.source)
        return m.group(1) if m else None


class ListPage:
    """The contacts list page, read."""

    def __init__(self, response):
        self.response = response
        self.page = Page(response.text)
        counts = self.page.by_class.get("count", [])
        assert counts, f"no contact count on the list page ({response.url})"
        self.total = int(counts[0].strip())
        m = re.search(r"Page (\d+) of (\d+)", self.page.text)
        self.page_no, self.pages = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        m = re.search(r"Showing (\d+)\s*\u2013\s*(\d+) of (\d+)", self.page.text)
        self.showing = tuple(int(x) for x in m.groups()) if m else None
        self.ids = []
        for row in self.page.rows:
            ids = [int(m.group(1)) for h in row["links"] for m in [re.fullmatch(r"/contacts/(\d+)", h)] if m]
            assert ids, f"a list row without a contact link: {row}"
            self.ids.append(ids[0])
        self.cells = [[re.sub(r"\s+", " ", c).strip() for c in row["cells"]] for row in self.page.rows]

    def pager(self, rel):
        """The query of a pager link (first, prev, next, last) as a dict."""
        href = self.page.link(rel)
        if href is None:
            return None
        u = urlsplit(href)
        assert u.path == "/contacts", f"pager link {rel} goes to {href}"
        return {k: v for k, v in parse_qs(u.query, keep_blank_values=True).items()}


# ---------------------------------------------------------------- HTTP

class Web:
    """A browser-like client: one requests.Session, redirects not followed,
    the CSRF token of its logged-in session added to forms. Every answer is
    checked for a 5xx: the application must never fail a request."""

    def __init__(self, base_url, cert):
        self.base = base_url.rstrip("/")
        self.cert = cert
        self.s = requests.Session()
        self.s.verify = cert
        self.s.trust_env = False  # no proxy between the tests and the stack
        self.csrf = None

    def url(self, path):
        return self.base + path

    def request(self, method, path, raw_path=False, allow_5xx=False, **kw):
        """raw_path=True sends the path byte for byte (requests would
        otherwise decode escapes such as %31 before sending). A 5xx fails
        the test unless it is what the test provokes (allow_5xx)."""
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 60)
        if raw_path:
            send = {k: kw.pop(k) for k in ("allow_redirects", "timeout") if k in kw}
            prep = self.s.prepare_request(requests.Request(method, self.url("/"), **kw))
            prep.url = self.url(path)
            r = self.s.send(prep, **send)
        else:
            r = self.s.request(method, self.url(path), **kw)
        if r.status_code >= 500 and not allow_5xx:
            ref = Page(r.text).reference() if "text/html" in r.headers.get("Content-Type", "") else None
            raise AssertionError(f"{method} {path[:200]} answered {r.status_code} (reference {ref}); "
                                 "see the ctrack log")
        return r

    def raw_get(self, target):
        """GET target exactly as given (even malformed %-escapes, which
        urllib3 would repair), with this client's cookies. Returns
        (status, body bytes)."""
        host = urlsplit(self.base).netloc
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.s.cookies)
        req = (f"GET {target} HTTP/1.1\r\nHost: {host}\r\n"
               + (f"Cookie: {cookies}\r\n" if cookies else "") + "Connection: close\r\n\r\n")
        status, _, body = raw_http(self.base, self.cert, req.encode("latin-1"))
        if status >= 500:
            raise AssertionError(f"GET {target[:200]} answered {status}; see the ctrack log")
        return status, body

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data=None, csrf=True, **kw):
        """POSTs a form. csrf=True adds the session's token, a str sends that
        token, False sends none."""
        if isinstance(data, dict):
            data = list(data.items())
        data = list(data or [])
        if csrf is True:
            assert self.csrf, "this client has no CSRF token (not logged in)"
            data.insert(0, ("csrf", self.csrf))
        elif isinstance(csrf, str):
            data.insert(0, ("csrf", csrf))
        # Like a browser, name the form type even when the form is empty.
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers.update(kw.pop("headers", {}))
        return self.request("POST", path, data=data, headers=headers, **kw)

    def cookie(self, name):
        return self.s.cookies.get(name)

    def set_cookie(self, name, value):
        host = urlsplit(self.base).hostname
        self.s.cookies.set(name, value, domain=host, path="/", secure=True)


def raw_http(base_url, cert, request_bytes):
    """Sends bytes as they are over TLS (HTTP/1.1); returns (status, head
    text, body bytes)."""
    u = urlsplit(base_url)
    ctx = ssl.create_default_context(cafile=cert)
    ctx.set_alpn_protocols(["http/1.1"])
    with socket.create_connection((u.hostname, u.port), timeout=30) as sock:
        with ctx.wrap_socket(sock, server_hostname=u.hostname) as tls:
            tls.sendall(request_bytes)
            data = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head.decode("latin-1"), body


def location_path(response):
    """The local target of a redirect (path and query)."""
    loc = response.headers.get("Location")
    assert loc, f"no Location header in a {response.status_code} answer"
    u = urlsplit(loc)
    return u.path + ("?" + u.query if u.query else "")


def set_cookie_headers(response):
    """Every Set-Cookie line of a response, unmerged."""
    return response.raw.headers.getlist("Set-Cookie")


def parse_set_cookie(line):
    """'name=value; A=b; Flag' -> (name, value, {attr-lower: value})."""
    parts = [p.strip() for p in line.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip()
    return name, value, attrs


def route_table():
    """(method, pattern, function, action, flags) of every route, as the
    program lists them with `check-routes --list`; flags is a frozenset
    ("token", "setup")."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    binary = os.environ.get("CTRACK_BIN") or os.path.join(repo, "fcgi", "ctrack")
    p = subprocess.run([binary, "check-routes", "--list"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, f"check-routes --list failed: {p.stderr}"
    routes = [tuple(line.split("\t")) for line in p.stdout.splitlines() if line]
    assert routes and all(len(r) == 5 for r in routes), p.stdout
    return [(m, pat, f, a, frozenset() if fl == "-" else frozenset(fl.split(","))) for m, pat, f, a, fl in routes]


def cli_paths():
    """(binary, configuration) of the build under test, checked."""
    path = os.environ.get("CTRACK_BIN")
    assert path and os.access(path, os.X_OK), f"CTRACK_BIN={path!r} is not an executable"
    conf = os.environ.get("CTRACK_CONF")
    assert conf and os.path.isfile(conf), f"CTRACK_CONF={conf!r} is not a file"
    return path, conf


def audit_row_hash(key, prev, row):
    """The chain hash of an audit row, computed apart from the program from
    the documented encoding (README, "Tamper evidence"): HMAC-SHA-256 under
    key of "ctrack-audit-v1" NUL, the previous hash, then each field as a
    0 byte for NULL or a 1 byte, a 4-byte big-endian length and the bytes
    (numbers in decimal). row holds bytes or None (texts) and ints or None."""
    def field(v):
        if v is None:
            return b"\0"
        if isinstance(v, int):
            v = str(v).encode()
        return b"\1" + len(v).to_bytes(4, "big") + v
    msg = b"ctrack-audit-v1\0" + prev + b"".join(field(row[k]) for k in (
        "chain_client", "chain", "seq", "at", "client_id", "user_id", "remote_addr", "request_id", "method",
        "path", "action", "object_type", "object_id", "outcome", "detail", "token_id"))
    return hmac.new(key, msg, hashlib.sha256).digest()


def sha256_hex(text):
    return hashlib.sha256(text.encode("ascii")).hexdigest().upper()


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def base_url():
    return os.environ["CTRACK_URL"].rstrip("/")


@pytest.fixture(scope="session")
def cert():
    return os.path.join(os.environ["CTRACK_VAR"], "tls", "cert.pem")


@pytest.fixture(scope="session")
def stack_dir():
    return os.environ["CTRACK_VAR"]


@pytest.fixture(scope="session")
def db():
    d = Database(os.environ["CTRACK_DB_ROOT_CNF"])
    p = d.run("SELECT 1")
    assert p.returncode == 0, f"cannot reach MariaDB as root: {p.stderr}"
    return d


@pytest.fixture(scope="session")
def app_db():
    return Database(os.environ["CTRACK_DB_APP_CNF"])


@pytest.fixture(scope="session")
def maint_db():
    return Database(os.environ["CTRACK_DB_MAINT_CNF"])


@pytest.fixture(scope="session")
def demo(db):
    return Demo(db)


@pytest.fixture(scope="session")
def audit(db):
    return Audit(db)


@pytest.fixture
def anon(base_url, cert):
    """A client that is not logged in."""
    return Web(base_url, cert)


class LoginGate:
    """The one GET /login of the run, and every POST /login, counted."""

    def __init__(self, base_url, cert):
        self.base_url = base_url
        self.cert = cert
        self.used = 0
        web = Web(base_url, cert)
        self.form_response = self._count(lambda: web.get("/login"))
        assert self.form_response.status_code == 200, f"GET /login answered {self.form_response.status_code}"
        self.form_cookies = set_cookie_headers(self.form_response)
        self.token = web.cookie(LOGIN_COOKIE)
        assert self.token, f"GET /login set no {LOGIN_COOKIE} cookie: {self.form_cookies}"

    def _count(self, fn):
        self.used += 1
        assert self.used <= LOGIN_BUDGET, f"the suite made more than {LOGIN_BUDGET} requests to /login"
        return fn()

    def post(self, fields, csrf=True, cookie=True, cookies=None, headers=None, path="/login"):
        """POST /login (or another logon form's path) from a fresh client carrying the login cookie (unless
        cookie=False), any other cookies given, the extra headers given, and
        the token as csrf (True), another token (str) or none (False).
        Returns (client, response). nginx's rate limit (429) is waited out:
        it is not what these tests are about."""
        web = Web(self.base_url, self.cert)
        if cookie:
            web.set_cookie(LOGIN_COOKIE, self.token)
        for name, value in (cookies or {}).items():
            web.set_cookie(name, value)
        data = list(fields.items())
        if csrf is True:
            data.insert(0, ("csrf", self.token))
        elif isinstance(csrf, str):
            data.insert(0, ("csrf", csrf))
        for attempt in range(4):
            r = self._count(lambda: web.request("POST", path, data=data, headers=headers or {}))
            if r.status_code != 429:
                return web, r
            self.used -= 1  # nginx answered, not the app
            time.sleep(8)
        raise AssertionError("POST /login stayed rate-limited (429) for half a minute")

    def login(self, username=None, password=None):
        """Logs a fresh client in; returns (client, response)."""
        web, r = self.post({
            "username": username if username is not None else os.environ["CTRACK_ADMIN_USER"],
            "password": password if password is not None else os.environ["CTRACK_ADMIN_PASSWORD"],
        })
        assert r.status_code == 303, f"login answered {r.status_code}, not 303: {Page(r.text).text[:300]}"
        token = web.cookie(SESSION_COOKIE)
        assert token, f"login set no {SESSION_COOKIE} cookie: {set_cookie_headers(r)}"
        page = web.get("/contacts")
        assert page.status_code == 200, f"GET /contacts after login answered {page.status_code}"
        web.csrf = Page(page.text).form("/logout")["fields"].get("csrf")
        assert web.csrf and TOKEN_RE.match(web.csrf), f"no session CSRF token in the logout form: {web.csrf!r}"
        return web, r

    def first_login(self, username, given, chosen):
        """Logs in a user whose password an administrator set (given): every
        page leads to /account/password until they choose their own
        (chosen). Returns the client, logged in with the new password's
        fresh session."""
        web, r = self.post({"username": username, "password": given})
        assert r.status_code == 303, f"login answered {r.status_code}, not 303: {Page(r.text).text[:300]}"
        r = web.get("/contacts")
        assert r.status_code == 303 and location_path(r) == "/account/password", (r.status_code, r.headers)
        r = web.get("/account/password")
        assert r.status_code == 200, r.status_code
        web.csrf = Page(r.text).form("/account/password")["fields"]["csrf"]
        r = web.post("/account/password", {"current_password": given, "password": chosen, "password2": chosen})
        assert r.status_code == 303, f"the change answered {r.status_code}: {Page(r.text).text[:300]}"
        assert location_path(r) == "/account/password?changed=1"
        page = web.get("/contacts")
        assert page.status_code == 200, f"GET /contacts after the change answered {page.status_code}"
        web.csrf = Page(page.text).form("/logout")["fields"].get("csrf")
        assert web.csrf and TOKEN_RE.match(web.csrf)
        return web


@pytest.fixture(scope="session")
def login_gate(base_url, cert):
    return LoginGate(base_url, cert)


@pytest.fixture(scope="session")
def admin_login(login_gate):
    """(client, login response) of the suite's logged-in admin session."""
    return login_gate.login()


@pytest.fixture(scope="session")
def admin(admin_login):
    """The suite's logged-in admin client."""
    return admin_login[0]


def contact_form(**fields):
    """A complete, valid contact form with a unique last name; keyword
    arguments replace fields."""
    data = {
        "title": "", "first_name": "Test", "middle_name": "", "last_name": unique("Contact"),
        "suffix": "", "nickname": "", "organisation": "", "party": "", "region": "",
        "email": "", "phone": "", "address": "", "website": "", "contact_form": "",
        "birthday": "", "notes": "",
    }
    data.update(fields)
    return data


@pytest.fixture(scope="session")
def create_contact(admin):
    """create_contact(**fields) -> id: creates a contact through the form."""
    def create(**fields):
        r = admin.post("/contacts", contact_form(**fields))
        assert r.status_code == 303, (
            f"creating a contact answered {r.status_code}: "
            + "; ".join(f"{k}: {v}" for k, v in Page(r.text).by_id.items() if k.endswith("-error")))
        m = re.fullmatch(r"/contacts/([1-9][0-9]*)", location_path(r))
        assert m, f"create redirected to {location_path(r)}, not /contacts/ID"
        return int(m.group(1))
    return create


# ---------------------------------------------------------------- people and sessions

class People:
    """Clients, user types and users made directly in the database, for
    tests that need someone other than the demo admin."""

    def __init__(self, db):
        self.db = db

    def client(self):
        name = unique("Client ")
        return self.db.int(f"INSERT INTO clients (name) VALUES ({sql_str(name)}); SELECT LAST_INSERT_ID()")

    def user(self, client_id, functions, status="active", all_regions=True, all_campaigns=True):
        """A user of a new user type allowed exactly `functions`, by default
        with every region and campaign in scope. It has no usable password:
        tests give it a session with Sessions.make."""
        grants = "".join(
            f"INSERT INTO user_type_functions (client_id, user_type_id, function_name)"
            f" VALUES ({int(client_id)}, @t, {sql_str(f)});" for f in functions)
        return self.db.int(
            f"INSERT INTO user_types (client_id, name) VALUES ({int(client_id)}, {sql_str(unique('Type '))});"
            f" SET @t = LAST_INSERT_ID(); {grants}"
            " INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, status,"
            " all_regions, all_campaigns)"
            f" VALUES ({int(client_id)}, {sql_str(unique('user-'))}, 'Test user', @t, '!', {sql_str(status)},"
            f" {int(bool(all_regions))}, {int(bool(all_campaigns))});"
            " SELECT LAST_INSERT_ID()")


class Sessions:
    """Sessions written straight into the database, as a login writes them,
    so that a test can have any user and any session age without using up
    the login rate limit. Removed again at the end of the test."""

    def __init__(self, db, demo, base_url, cert):
        self.db, self.demo, self.base_url, self.cert = db, demo, base_url, cert
        self.tokens = []

    def make(self, client_id=None, user_id=None, created_ago_s=0, last_seen_ago_s=0, expires_in_s=3600,
             stage="full", user_agent="", remote_addr="127.0.0.1"):
        """(client, token) for a new session; the client knows its CSRF token.
        stage "password" is a session waiting for the second factor."""
        client_id = self.demo.client_id if client_id is None else client_id
        user_id = self.demo.user_id if user_id is None else user_id
        token = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        csrf = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        p = self.db.run(
            "INSERT INTO sessions (token_hash, client_id, user_id, csrf_token, created_at, last_seen, expires_at,"
            f" remote_addr, stage, user_agent) VALUES (UNHEX('{sha256_hex(token)}'), {int(client_id)},"
            f" {int(user_id)}, '{csrf}',"
            f" UTC_TIMESTAMP(6) - INTERVAL {int(created_ago_s)} SECOND,"
            f" UTC_TIMESTAMP(6) - INTERVAL {int(last_seen_ago_s)} SECOND,"
            f" UTC_TIMESTAMP(6) + INTERVAL {int(expires_in_s)} SECOND, {sql_str(remote_addr)},"
            f" {sql_str(stage)}, {sql_str(user_agent)})")
        assert p.returncode == 0, p.stderr
        self.tokens.append(token)
        web = Web(self.base_url, self.cert)
        web.set_cookie(SESSION_COOKIE, token)
        web.csrf = csrf
        return web, token

    def id_of(self, token):
        """sessions.id of a token's session, or None when it has none."""
        rows = self.db.rows(f"SELECT id FROM sessions WHERE token_hash = UNHEX('{sha256_hex(token)}')")
        return int(rows[0][0]) if rows else None

    def last_seen_ago(self, token):
        return float(self.db.value(
            "SELECT TIMESTAMPDIFF(MICROSECOND, last_seen, UTC_TIMESTAMP(6)) / 1e6 FROM sessions"
            f" WHERE token_hash = UNHEX('{sha256_hex(token)}')"))

    def remove(self):
        for t in self.tokens:
            self.db.run(f"DELETE FROM sessions WHERE token_hash = UNHEX('{sha256_hex(t)}')")


@pytest.fixture(scope="session")
def people(db):
    return People(db)


@pytest.fixture
def sessions(db, demo, base_url, cert):
    s = Sessions(db, demo, base_url, cert)
    yield s
    s.remove()


# ---------------------------------------------------------------- the supervisor

def supervisor_pid(stack_dir):
    path = os.path.join(stack_dir, "run", "ctrack.pid")
    with open(path) as f:
        pid = int(f.read().strip())
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().split(b"\0")
    except FileNotFoundError:
        pytest.fail(f"the supervisor ({pid}, from {path}) is not running")
    assert b"serve" in cmdline, f"pid {pid} is not `ctrack serve`: {cmdline}"
    return pid


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])  # state, parent pid


def workers(parent):
    """Live (not zombie) child processes of the supervisor."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            state, ppid = _stat(int(name))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if ppid == parent and state not in ("Z", "X"):
            found.append(int(name))
    return sorted(found)


def configured_workers():
    with open(os.environ["CTRACK_CONF"]) as f:
        m = re.search(r"^\s*Workers\s*=\s*(\d+)", f.read(), re.M)
    assert m, "no Server.Workers in the configuration"
    return int(m.group(1))


def wait_for(condition, what, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} within {timeout} s")


@contextlib.contextmanager
def config_changed(stack_dir, pattern, replacement, what):
    """The running stack with one line of its configuration changed (the
    first match of the multi-line regular expression), its workers reloaded;
    the original configuration and workers again afterwards."""
    path = os.environ["CTRACK_CONF"]
    with open(path) as f:
        original = f.read()
    changed, n = re.subn(pattern, replacement, original, count=1, flags=re.M)
    assert n == 1, f"no {what} in the configuration"
    with open(path, "w") as f:
        f.write(changed)
    try:
        reload_and_wait(stack_dir)
        yield
    finally:
        with open(path, "w") as f:
            f.write(original)
        reload_and_wait(stack_dir)


def log_text(stack_dir):
    with open(os.path.join(stack_dir, "log", "ctrack.log"), errors="replace") as f:
        return f.read()


def reload_and_wait(stack_dir):
    """SIGHUP the supervisor and wait until every worker is a new one (so each
    has read the configuration file again)."""
    sup = supervisor_pid(stack_dir)
    want = configured_workers()
    before = set(wait_for(lambda: (lambda w: w if len(w) == want else None)(workers(sup)),
                          f"the supervisor does not have its {want} workers"))
    os.kill(sup, signal.SIGHUP)
    wait_for(lambda: (lambda w: len(w) == want and not (set(w) & before))(workers(sup)),
             "the workers were not all replaced after SIGHUP")
