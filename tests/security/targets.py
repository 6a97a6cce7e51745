#!/usr/bin/python3
"""The injection scanners' targets: every route of the route table, as one
raw HTTP request each, with the parameters of the real forms and links.

    targets.py BASE_URL CA_FILE ROUTES_TSV OUT_DIR

Logs in as the demo administrator (CTRACK_ADMIN_USER/CTRACK_ADMIN_PASSWORD:
the demo type has every function), creates one object of each kind a route
names by {id} (a campaign, a user type, a user, an activity, a saved view,
an API token, an import, a second session), fetches every GET route with
those ids, and collects the forms and links of every page. For each route
it writes OUT_DIR/NN.req (a raw request for sqlmap -r: the session cookie,
the CSRF token, the form's fields with sample values; the {id} marked as an
injection point with *) and one line of OUT_DIR/targets.tsv: file, method,
path, parameters, source of the parameters. It also writes OUT_DIR/secrets
(the session token, its CSRF token and the password put in forms, which no
log may hold) and prints a count. `targets.py --session BASE_URL CA_FILE`
prints only a fresh session's cookie.

Routes that end the session or log out come last (sqlmap runs them in that
order); routes about a user, a type or a token use the ones created here,
never the administrator's own.
"""
import html.parser
import os
import re
import subprocess
import sys
import urllib.parse
import uuid

import requests

SESSION_COOKIE = "__Host-ctrack"
LOGIN_COOKIE = "__Host-ctrack-login"
# Run last: they end the scanner's session or change what the others need.
PASSWORD = "Scan-" + uuid.uuid4().hex
DESTRUCTIVE = ("delete", "revoke", "undo", "remove", "reset", "end")
LAST = ["/account/sessions/end-others", "/account/sessions/{id}/end", "/logout"]


class Forms(html.parser.HTMLParser):
    """The forms (action, method, enctype, fields with sample values) and the
    links of a page."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.forms, self.links = [], []
        self._form = self._select = self._textarea = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").upper(),
                          "enctype": a.get("enctype", ""), "fields": {}, "files": [], "unchecked": set()}
            self.forms.append(self._form)
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "option" and self._select and self._form is not None:
            value = a.get("value", "")
            f = self._form["fields"]
            # The selected option, else the first one with a value.
            if self._select not in f or (value and (not f[self._select] or "selected" in a)):
                f[self._select] = value
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name, value = a["name"], a.get("value")
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                # The checked value, else the first one (so that the
                # parameter is there to inject into).
                value = value if value is not None else "on"
                if "checked" in a and name in self._form["unchecked"]:
                    self._form["unchecked"].discard(name)
                    self._form["fields"][name] = value
                elif name not in self._form["fields"]:
                    if "checked" not in a:
                        self._form["unchecked"].add(name)
                    self._form["fields"][name] = value
            elif kind not in ("submit", "button", "reset", "image"):
                self._form["fields"].setdefault(name, value if value else sample(name, kind))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"].setdefault(a["name"], "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._form is not None and self._textarea and not self._form["fields"][self._textarea]:
                self._form["fields"][self._textarea] = "Security scan"
            self._textarea = None


def sample(name, kind):
    """A plausible value for an empty field, so that the request passes the
    form's checks and the scanners compare like with like."""
    if kind == "password":
        return PASSWORD     # the same in both fields of a new password
    if kind == "email" or "email" in name:
        return "scan@example.org"
    if kind == "number" or name in ("days", "position", "page"):
        return "1"
    if name in ("contact", "user", "object_id", "version"):
        return "1"
    if kind == "date" or name.endswith("_on") or name.endswith("_since") or name in ("from", "to", "before"):
        return "2024-01-02"
    if kind == "datetime-local" or name.endswith("_at"):
        return "2024-01-02T10:00"
    if kind == "time":
        return "10:00"
    if kind == "url":
        return "https://example.org/"
    if name == "username":
        return "scan" + uuid.uuid4().hex[:10]
    return "Security scan " + uuid.uuid4().hex[:6]


class Stack:
    def __init__(self, base, ca):
        self.base, self.s = base, requests.Session()
        self.s.verify = ca
        self.s.trust_env = False   # no proxy, and no CA bundle from the environment over ca
        self.pages = {}   # path -> Forms
        self.csrf = None

    def get(self, path):
        r = self.s.get(self.base + path, allow_redirects=False, timeout=60)
        if r.status_code == 200 and "html" in r.headers.get("Content-Type", ""):
            self.pages[path] = Forms(r.text)
        return r

    def login(self, user, password):
        self.get("/login")
        form = next(f for f in self.pages["/login"].forms if f["action"] == "/login")
        r = self.s.post(self.base + "/login", data={**form["fields"], "username": user, "password": password},
                        allow_redirects=False, timeout=60)
        if r.status_code != 303 or not self.s.cookies.get(SESSION_COOKIE):
            sys.exit(f"targets.py: logon as {user} failed ({r.status_code})")
        self.get("/account")
        self.csrf = next(f["fields"]["csrf"] for f in self.pages["/account"].forms if "csrf" in f["fields"])

    def form(self, action):
        """The first form of any page fetched so far that posts to action."""
        for page in self.pages.values():
            for f in page.forms:
                if urllib.parse.urlsplit(f["action"]).path == action and f["method"] == "POST":
                    return f
        return None

    def create(self, page, action, overrides=None, files=None):
        """Submits the form of page that posts to action, filled in."""
        self.get(page)
        f = self.form(action)
        if f is None:
            print(f"targets.py: no form for {action} on {page}", file=sys.stderr)
            return None
        data = {**f["fields"], **(overrides or {})}
        return self.s.post(self.base + f["action"], data=data, files=files, allow_redirects=False, timeout=120)


def marked_query(params):
    """params URL-encoded with sqlmap's injection marker after every value
    but the CSRF token's: with a marker anywhere, sqlmap tests only the
    marked places."""
    return "&".join(f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(v)}" + ("" if k == "csrf" else "*")
                    for k, v in params.items())


def sql(query):
    """One value from the stack's database (the root option file)."""
    p = subprocess.run(["mariadb", f"--defaults-extra-file={os.environ['CTRACK_DB_ROOT_CNF']}", "--batch",
                        "--skip-column-names", "ctrack", "-e", query], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        sys.exit(f"targets.py: {query}: {p.stderr}")
    v = p.stdout.strip()
    return v if v and v != "NULL" else None


def main():
    if sys.argv[1] == "--session":     # only a fresh session's cookie, for wapiti
        st = Stack(sys.argv[2], sys.argv[3])
        st.login(os.environ["CTRACK_ADMIN_USER"], os.environ["CTRACK_ADMIN_PASSWORD"])
        print(f"{SESSION_COOKIE}={st.s.cookies.get(SESSION_COOKIE)}")
        return
    base, ca, routes_tsv, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    user, password = os.environ["CTRACK_ADMIN_USER"], os.environ["CTRACK_ADMIN_PASSWORD"]
    st = Stack(base, ca)
    st.login(user, password)
    client = sql(f"SELECT client_id FROM users WHERE username = '{user}' ORDER BY id LIMIT 1")
    contact = sql(f"SELECT MIN(id) FROM contacts WHERE client_id = {client} AND deleted_at IS NULL")

    # One object of each kind, made through the pages as a user would.
    tag = uuid.uuid4().hex[:6]
    st.create("/campaigns", "/campaigns", {"name": f"Scan campaign {tag}"})
    st.create("/admin/types", "/admin/types", {"name": f"Scan type {tag}"})
    st.create("/admin/users/new", "/admin/users")
    st.create(f"/contacts/{contact}", f"/contacts/{contact}/activities", {"kind": "task"})
    st.get("/contacts")
    st.create("/contacts?q=Smith", "/views", {"name": f"Scan view {tag}"})
    st.create("/account/tokens", "/account/tokens", {"name": f"Scan token {tag}", "days": "1"})
    csv = f"name,email\nScan Person {tag},scan-{tag}@example.org\n".encode()
    st.create("/imports", "/imports", files={"file": ("scan.csv", csv, "text/csv")})
    other = Stack(base, ca)
    other.login(user, password)     # a second session, for /account/sessions/{id}/end

    ids = {
        "contacts": contact,
        "campaigns": sql(f"SELECT MAX(id) FROM campaigns WHERE client_id = {client}"),
        "activities": sql(f"SELECT MAX(id) FROM activities WHERE client_id = {client}"),
        "views": sql(f"SELECT MAX(id) FROM saved_views WHERE client_id = {client}"),
        "organisations": sql(f"SELECT MIN(id) FROM organisations WHERE client_id = {client}"),
        "admin/types": sql(f"SELECT MAX(id) FROM user_types WHERE client_id = {client}"),
        "admin/users": sql(f"SELECT MAX(id) FROM users WHERE client_id = {client}"),
        "account/tokens": sql(f"SELECT MAX(t.id) FROM api_tokens t JOIN users u ON u.id = t.user_id"
                              f" WHERE u.client_id = {client}"),
        "imports": sql(f"SELECT MAX(id) FROM imports WHERE client_id = {client}"),
        "account/sessions": sql(f"SELECT MAX(id) FROM sessions WHERE user_id ="
                                f" (SELECT id FROM users WHERE username = '{user}' AND client_id = {client})"),
    }
    ids["admin/tokens"] = ids["account/tokens"]
    admin_id = sql(f"SELECT id FROM users WHERE username = '{user}' AND client_id = {client}")
    if ids["admin/users"] == admin_id:
        sys.exit("targets.py: the user to scan would be the administrator: the new user was not created")
    ids["dashboard/campaigns"] = ids["campaigns"]

    def concrete(pattern, mark=False):
        if "{id}" not in pattern:
            return pattern
        prefix = pattern.split("/{id}")[0].lstrip("/")
        value = ids.get(prefix)
        if value is None:
            sys.exit(f"targets.py: no sample id for {pattern}")
        return pattern.replace("{id}", value + ("*" if mark else ""))

    routes = [line.split("\t")[:2] for line in open(routes_tsv) if line.strip()]
    # Every GET page first, so that every form and link is known.
    for method, pattern in routes:
        if method == "GET":
            st.get(concrete(pattern))
    query = {}   # path -> {name: value} from links and GET forms
    for page in st.pages.values():
        for href in page.links:
            u = urllib.parse.urlsplit(href)
            if u.query and (not u.netloc or base.endswith(u.netloc)):
                for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True):
                    query.setdefault(u.path, {}).setdefault(k, v or "1")
        for f in page.forms:
            if f["method"] == "GET":
                for k, v in f["fields"].items():
                    query.setdefault(f["action"], {})[k] = v or "1"

    # The filter of the list is the exports' and the audit's exports'.
    for path in list(query) + [p for _, p in routes]:
        for prefix, like in (("/export/contacts.", "/contacts"), ("/audit/export.", "/audit"), ("/dashboard/", "/dashboard")):
            if path.startswith(prefix):
                query[path] = {**query.get(like, {}), **query.get(path, {})}
    cookie = f"{SESSION_COOKIE}={st.s.cookies.get(SESSION_COOKIE)}"
    host = urllib.parse.urlsplit(base).netloc
    # Routes that delete or end something after the rest (a deleted contact
    # answers 404 for its activities too), the sample contact's deletion
    # last of them, and the session's end at the very end.
    def rank(route):
        pattern = route[1]
        if pattern in LAST:
            return 3
        if pattern == "/contacts/{id}/delete" and route[0] == "POST":
            return 2
        return 1 if route[0] == "POST" and pattern.rsplit("/", 1)[-1] in DESTRUCTIVE else 0
    ordered = sorted(routes, key=rank)
    lines, with_input = [], 0
    for n, (method, pattern) in enumerate(ordered):
        path = concrete(pattern)
        marked = concrete(pattern, mark=True)
        headers = [f"Host: {host}", f"Cookie: {cookie}", "Accept: text/html", f"Origin: {base}",
                   "User-Agent: ctrack-security-scan"]
        body, source = "", "none"
        if method == "GET":
            params = query.get(path, {})
            target = marked + ("?" + marked_query(params) if params else "")
            source = "links/forms" if params else source
        else:
            f = st.form(path)
            params = dict(f["fields"]) if f else {}
            source = "form" if f else "csrf only"
            params.setdefault("csrf", st.csrf)
            params["csrf"] = st.csrf
            if pattern == "/login":     # never the administrator: a lockout would end the scan
                params["username"] = "scan-nobody"
            action_query = urllib.parse.urlsplit(f["action"]).query if f else ""
            action_params = dict(urllib.parse.parse_qsl(action_query, keep_blank_values=True))
            target = marked + ("?" + marked_query(action_params) if action_params else "")
            if f and f["enctype"] == "multipart/form-data":
                boundary = "scanboundary" + uuid.uuid4().hex
                parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}{"" if k == "csrf" else "*"}\r\n'
                         for k, v in params.items()]
                for name in f["files"]:
                    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                                 f'filename="scan.csv"\r\nContent-Type: text/csv\r\n\r\nname,email\r\nA,a@example.org\r\n')
                body = "".join(parts) + f"--{boundary}--\r\n"
                headers.append(f"Content-Type: multipart/form-data; boundary={boundary}")
            else:
                body = marked_query(params)
                headers.append("Content-Type: application/x-www-form-urlencoded")
            headers.append(f"Content-Length: {len(body.encode())}")
        has_input = bool(params) and set(params) != {"csrf"} or "*" in marked
        with_input += has_input
        name = f"{n:03d}.req"
        with open(os.path.join(out, name), "w", newline="") as fh:
            fh.write(f"{method} {target} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n" + body)
        names = ",".join([k for k in params if k != "csrf"] + (["{id}"] if "*" in marked else []))
        lines.append("\t".join([name, method, pattern, names or "-", source, "yes" if has_input else "no"]))
    with open(os.path.join(out, "targets.tsv"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    # What must never be recorded (run-security.sh searches the logs).
    with open(os.path.join(out, "secrets"), "w") as fh:
        fh.write(f"session_token\t{st.s.cookies.get(SESSION_COOKIE)}\ncsrf_token\t{st.csrf}\n"
                 f"form_password\t{PASSWORD}\n")
    print(f"{len(lines)} routes, {with_input} with parameters or an id to inject")


if __name__ == "__main__":
    main()
