"""Security headers on every kind of answer, and the TLS versions offered."""
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import warnings
from urllib.parse import urlsplit

import pytest

from conftest import Web, _stat, contact_form, supervisor_pid, unique, wait_for, workers

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# One request per kind of answer. Each builds its request from the logged-in
# client `admin`, a fresh anonymous client `anon`, a contact id `cid` and the
# suite's login gate `gate` (conftest.LoginGate). Every route of the route
# table is covered on its own by test_route_security.py.
CASES = {
    "200 page": (200, lambda admin, anon, cid, gate: admin.get("/contacts")),
    "200 HEAD of a page": (200, lambda admin, anon, cid, gate: admin.request("HEAD", "/contacts")),
    "200 account page": (200, lambda admin, anon, cid, gate: admin.get("/account")),
    "200 static file": (200, lambda admin, anon, cid, gate: anon.get("/static/ctrack.css")),
    "200 HEAD of a static file": (200, lambda admin, anon, cid, gate: anon.request("HEAD", "/static/ctrack.css")),
    "303 redirect": (303, lambda admin, anon, cid, gate: anon.get("/")),
    "303 to the login page": (303, lambda admin, anon, cid, gate: anon.get("/contacts")),
    "303 after a form": (303, lambda admin, anon, cid, gate: admin.post(f"/contacts/{cid}/delete")),
    "400 bad UTF-8": (400, lambda admin, anon, cid, gate: admin.get("/contacts?q=%C3%28")),
    # An incomplete logon form is refused unchecked: no failure is counted.
    "401 logon refused": (401, lambda admin, anon, cid, gate: gate.post({"username": unique("u"), "password": ""})[1]),
    "403 no CSRF": (403, lambda admin, anon, cid, gate: admin.post("/contacts", contact_form(), csrf=False)),
    "404 unknown route": (404, lambda admin, anon, cid, gate: anon.get("/" + unique("nothing-here-"))),
    "404 unknown static file": (404, lambda admin, anon, cid, gate: anon.get("/static/" + unique("no-") + ".css")),
    "404 HEAD of an unknown route": (404, lambda admin, anon, cid, gate: anon.request("HEAD", "/" + unique("none-"))),
    "404 not found in the database": (404, lambda admin, anon, cid, gate: admin.get("/contacts/999999999")),
    "405 wrong method": (405, lambda admin, anon, cid, gate: admin.request("DELETE", "/contacts")),
    "409 edit conflict": (409, lambda admin, anon, cid, gate: admin.post(f"/contacts/{cid}", contact_form())),
    "413 body too large": (413, lambda admin, anon, cid, gate: admin.post(
        "/contacts", contact_form(notes="x" * (1024 * 1024 + 10)))),
    "415 not a form": (415, lambda admin, anon, cid, gate: admin.request(
        "POST", "/contacts", data=b"csrf=" + admin.csrf.encode(), headers={"Content-Type": "text/plain"})),
    "414 address too long (nginx)": (414, lambda admin, anon, cid, gate: anon.get("/contacts?q=" + "x" * 20000)),
    "422 invalid form": (422, lambda admin, anon, cid, gate: admin.post("/contacts", contact_form(email="nope"))),
}
# Answers nginx makes from files, which may be cached; every other answer
# (the app's, and nginx's own for the app's addresses) says no-store.
CACHEABLE = {"200 static file", "200 HEAD of a static file", "404 unknown static file"}


def header_lines(response, name):
    """Every line of a header, unmerged (a repeated header is a bug too)."""
    return response.raw.headers.getlist(name)


def check_security_headers(r, no_store=True):
    """What is wrong with the security headers of a response (a list of
    problems, empty when none). no_store: Cache-Control must say no-store
    (everything but static files)."""
    problems = []

    def one(name):
        lines = header_lines(r, name)
        if len(lines) != 1:
            problems.append(f"{name} appears {len(lines)} times: {lines}")
            return None
        return lines[0]

    hsts = one("Strict-Transport-Security")
    if hsts is not None:
        m = re.search(r"max-age=(\d+)", hsts)
        if not m or int(m.group(1)) < 365 * 86400:
            problems.append(f"Strict-Transport-Security has no max-age of at least a year: {hsts}")
    csp = one("Content-Security-Policy")
    if csp is not None:
        directives = {}
        for part in csp.split(";"):
            words = part.split()
            if words:
                directives[words[0].lower()] = [w.lower() for w in words[1:]]
        script = directives.get("script-src", directives.get("default-src"))
        if script is None:
            problems.append(f"Content-Security-Policy restricts no scripts: {csp}")
        elif "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script or "data:" in script:
            problems.append(f"Content-Security-Policy allows unsafe scripts: {csp}")
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append(f"Content-Security-Policy has no frame-ancestors 'none': {csp}")
    nosniff = one("X-Content-Type-Options")
    if nosniff is not None and nosniff.strip().lower() != "nosniff":
        problems.append(f"X-Content-Type-Options is {nosniff!r}, not nosniff")
    xfo = header_lines(r, "X-Frame-Options")
    if xfo and (len(xfo) != 1 or xfo[0].strip().upper() != "DENY"):
        problems.append(f"X-Frame-Options is {xfo}")
    referrer = one("Referrer-Policy")
    if referrer is not None and referrer.strip().lower() not in (
            "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy {referrer!r} leaks addresses to other sites")
    if no_store:
        cache = one("Cache-Control")
        if cache is not None and "no-store" not in [d.strip().lower() for d in cache.split(",")]:
            problems.append(f"Cache-Control is {cache!r}, not no-store")
    # No version anywhere: not in Server, not from a framework, not on
    # nginx's own error pages.
    server = r.headers.get("Server", "")
    if re.search(r"\d", server):
        problems.append(f"the Server header tells the version: {server!r}")
    for name in ("X-Powered-By", "X-AspNet-Version", "X-Runtime", "Via"):
        if name in r.headers:
            problems.append(f"a {name} header: {r.headers[name]!r}")
    if re.search(r"nginx/\d|ClearSilver|MariaDB [0-9]|libfcgi", r.text, re.I):
        problems.append("the body names a server version: " + r.text[:200])
    return problems


@pytest.mark.parametrize("case", list(CASES))
def test_security_headers(case, admin, anon, create_contact, login_gate):
    status, make = CASES[case]
    cid = create_contact(last_name=unique("Headers"))
    r = make(admin, anon, cid, login_gate)
    assert r.status_code == status, f"{case}: expected {status}, got {r.status_code}"
    problems = check_security_headers(r, no_store=case not in CACHEABLE)
    assert not problems, f"{case} ({r.status_code}): " + "; ".join(problems)


def test_app_pages_are_not_cached(admin, create_contact):
    cid = create_contact(last_name=unique("NoStore"))
    for path in ("/contacts", f"/contacts/{cid}", f"/contacts/{cid}/edit"):
        r = admin.get(path)
        assert r.status_code == 200, f"GET {path}: {r.status_code}"
        assert "no-store" in r.headers.get("Cache-Control", ""), \
            f"GET {path}: a page with personal data may be cached: Cache-Control={r.headers.get('Cache-Control')!r}"
        assert r.headers.get("Content-Type") == "text/html; charset=utf-8", f"GET {path}: {r.headers.get('Content-Type')}"


def test_the_logon_rate_limit_answer_has_the_headers(login_gate):
    """nginx's own 429. Logon forms without a CSRF token (refused at once by
    the app, nothing counted) until the limit answers; then a pause, so that
    the limit has forgiven the burst before the next test logs on."""
    web = Web(login_gate.base_url, login_gate.cert)
    limited = None
    for _ in range(40):
        r = web.s.post(web.url("/login"), data={"username": "x", "password": "y"}, allow_redirects=False,
                       timeout=30)
        if r.status_code == 429:
            limited = r
            break
        login_gate._count(lambda: None)
        assert r.status_code == 403, f"a logon form without a CSRF token answered {r.status_code}"
    assert limited is not None, "the logon rate limit never answered 429"
    problems = check_security_headers(limited)
    # Burst 10 at the test stack's 2 a second: empty again within 5 s.
    time.sleep(6)
    assert not problems, "429 from nginx: " + "; ".join(problems)


def test_nginx_answers_for_a_stopped_app_have_the_headers(stack_dir, admin):
    """With the app stopped nginx answers 502 itself; the app is started
    again afterwards (the suite's sessions live in the database and
    survive)."""
    sup = supervisor_pid(stack_dir)
    try:
        os.kill(sup, signal.SIGTERM)
        wait_for(lambda: _gone(sup) and not workers(sup), "the app did not stop after SIGTERM", timeout=20)
        r = admin.s.get(admin.url("/contacts"), allow_redirects=False, timeout=30)
        head = admin.s.head(admin.url("/contacts"), allow_redirects=False, timeout=30)
    finally:
        binary = os.environ.get("CTRACK_BIN") or os.path.join(REPO, "fcgi", "ctrack")
        p = subprocess.run([os.path.join(REPO, "conf", "stack.sh"), "restart-app", stack_dir, binary],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"the app did not start again: {p.stdout}{p.stderr}"
    assert admin.get("/contacts").status_code == 200, "the app does not answer after its restart"
    for what, resp in (("GET", r), ("HEAD", head)):
        assert resp.status_code == 502, f"{what} with the app stopped answered {resp.status_code}"
        problems = check_security_headers(resp)
        assert not problems, f"502 from nginx ({what}): " + "; ".join(problems)


def _gone(pid):
    try:
        return _stat(pid)[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


# ---------------------------------------------------------------- TLS

def _address(base_url):
    u = urlsplit(base_url)
    assert u.scheme == "https", f"CTRACK_URL is not https: {base_url}"
    return u.hostname, u.port or 443


def _handshake(base_url, cert, version, ciphers=None):
    """Connects with exactly one protocol version; returns (version, cipher)
    or raises ssl.SSLError / OSError. The client side is opened wide (security
    level 0) so that a refusal can only come from the server."""
    host, port = _address(base_url)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cert)
    ctx.check_hostname = True
    with warnings.catch_warnings():  # Python deprecates the old versions
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    if version < ssl.TLSVersion.TLSv1_3:
        ctx.set_ciphers(ciphers or "ALL:@SECLEVEL=0")
    with socket.create_connection((host, port), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname=host) as tls:
            return tls.version(), tls.cipher()[0]


def _client_can_offer(version):
    """Whether this Python/OpenSSL can speak the version at all; without it a
    refusal would prove nothing about the server."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = version
            ctx.maximum_version = version
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        return False
    return True


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=["TLSv1.0", "TLSv1.1"])
def test_old_tls_versions_are_refused(version, base_url, cert):
    assert _client_can_offer(version), f"this client cannot offer {version.name}: the test cannot tell"
    with pytest.raises((ssl.SSLError, ConnectionResetError)) as err:
        got = _handshake(base_url, cert, version)
        pytest.fail(f"the server accepted {version.name}: {got}")
    # The server must say so (protocol version alert / no shared protocol),
    # not fail for some unrelated reason such as the certificate.
    assert "CERTIFICATE" not in str(err.value).upper(), f"failed for another reason: {err.value}"


@pytest.mark.parametrize("version, name", [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")],
                         ids=["TLSv1.2", "TLSv1.3"])
def test_current_tls_versions_work(version, name, base_url, cert):
    got, cipher = _handshake(base_url, cert, version)
    assert got == name, f"negotiated {got}, not {name}"
    if version == ssl.TLSVersion.TLSv1_2:
        assert cipher.startswith("ECDHE") and ("GCM" in cipher or "CHACHA20" in cipher), \
            f"TLS 1.2 negotiated {cipher}, not a forward-secret AEAD suite"


def test_tls12_without_forward_secrecy_is_refused(base_url, cert):
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        got = _handshake(base_url, cert, ssl.TLSVersion.TLSv1_2, ciphers="AES128-SHA:AES256-SHA:AES128-GCM-SHA256:@SECLEVEL=0")
        pytest.fail(f"the server accepted a suite without forward secrecy: {got}")


def test_certificate_matches_the_address(base_url, cert):
    """requests verifies the chain and the address against the stack's
    certificate: a plain GET works with verification on."""
    web = Web(base_url, cert)
    r = web.get("/healthz")
    assert r.status_code == 200 and r.text == "ok\n", f"/healthz: {r.status_code} {r.text!r}"


def test_pages_use_only_existing_same_origin_assets(admin, anon, create_contact):
    """Everything a page loads comes from this site (the CSP allows nothing
    else) and is actually there, with a type that matches."""
    cid = create_contact()
    seen = {}
    for client, path in ((admin, "/contacts"), (admin, f"/contacts/{cid}"), (admin, f"/contacts/{cid}/edit"),
                         (anon, "/no-such-page")):
        r = client.get(path)
        for m in re.finditer(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"', r.text):
            seen.setdefault(m.group(1), path)
    assert seen, "the pages load no style sheet at all"
    for url, page in seen.items():
        assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url} from another site"
        r = anon.get(url)
        assert r.status_code == 200, f"{page} loads {url}, which answers {r.status_code}"
        ctype = r.headers.get("Content-Type", "")
        if url.endswith(".css"):
            assert ctype.startswith("text/css"), f"{url} is served as {ctype}"
        if url.endswith(".svg"):
            assert ctype.startswith("image/svg+xml"), f"{url} is served as {ctype}"
