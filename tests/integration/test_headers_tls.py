"""Security headers on every kind of answer, and the TLS versions offered."""
import re
import socket
import ssl
import warnings
from urllib.parse import urlsplit

import pytest

from conftest import Web, contact_form, unique

# One request per kind of answer. Each builds its request from the logged-in
# client `admin`, a fresh anonymous client `anon` and a contact id `cid`.
CASES = {
    "200 page": (200, lambda admin, anon, cid: admin.get("/contacts")),
    "200 static file": (200, lambda admin, anon, cid: anon.get("/static/ctrack.css")),
    "303 redirect": (303, lambda admin, anon, cid: anon.get("/")),
    "303 after a form": (303, lambda admin, anon, cid: admin.post(f"/contacts/{cid}/delete")),
    "400 bad UTF-8": (400, lambda admin, anon, cid: admin.get("/contacts?q=%C3%28")),
    "403 no CSRF": (403, lambda admin, anon, cid: admin.post("/contacts", contact_form(), csrf=False)),
    "404 unknown route": (404, lambda admin, anon, cid: anon.get("/" + unique("nothing-here-"))),
    "404 unknown static file": (404, lambda admin, anon, cid: anon.get("/static/" + unique("no-") + ".css")),
    "405 wrong method": (405, lambda admin, anon, cid: admin.request("DELETE", "/contacts")),
    "413 body too large": (413, lambda admin, anon, cid: admin.post(
        "/contacts", contact_form(notes="x" * (1024 * 1024 + 10)))),
    "415 not a form": (415, lambda admin, anon, cid: admin.request(
        "POST", "/contacts", data=b"csrf=" + admin.csrf.encode(), headers={"Content-Type": "text/plain"})),
    "422 invalid form": (422, lambda admin, anon, cid: admin.post("/contacts", contact_form(email="nope"))),
}


def header_lines(response, name):
    """Every line of a header, unmerged (a repeated header is a bug too)."""
    return response.raw.headers.getlist(name)


def check_security_headers(r):
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
        if not m or int(m.group(1)) < 180 * 86400:
            problems.append(f"Strict-Transport-Security has no max-age of at least 180 days: {hsts}")
    csp = one("Content-Security-Policy")
    frame_ancestors = None
    if csp is not None:
        directives = {}
        for part in csp.split(";"):
            words = part.split()
            if words:
                directives[words[0].lower()] = [w.lower() for w in words[1:]]
        script = directives.get("script-src", directives.get("default-src"))
        if script is None:
            problems.append(f"Content-Security-Policy restricts no scripts: {csp}")
        elif "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script:
            problems.append(f"Content-Security-Policy allows unsafe scripts: {csp}")
        frame_ancestors = directives.get("frame-ancestors")
    nosniff = one("X-Content-Type-Options")
    if nosniff is not None and nosniff.strip().lower() != "nosniff":
        problems.append(f"X-Content-Type-Options is {nosniff!r}, not nosniff")
    xfo = header_lines(r, "X-Frame-Options")
    if xfo:
        if len(xfo) != 1 or xfo[0].strip().upper() not in ("DENY", "SAMEORIGIN"):
            problems.append(f"X-Frame-Options is {xfo}")
    elif frame_ancestors is None or frame_ancestors not in (["'none'"], ["'self'"]):
        problems.append("neither X-Frame-Options nor a frame-ancestors 'none'/'self' directive")
    referrer = one("Referrer-Policy")
    if referrer is not None and referrer.strip().lower() not in (
            "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy {referrer!r} leaks addresses to other sites")
    server = r.headers.get("Server", "")
    if re.search(r"\d", server):
        problems.append(f"the Server header tells the version: {server!r}")
    return problems


@pytest.mark.parametrize("case", list(CASES))
def test_security_headers(case, admin, anon, create_contact):
    status, make = CASES[case]
    cid = create_contact(last_name=unique("Headers"))
    r = make(admin, anon, cid)
    assert r.status_code == status, f"{case}: expected {status}, got {r.status_code}"
    problems = check_security_headers(r)
    assert not problems, f"{case} ({r.status_code}): " + "; ".join(problems)


def test_app_pages_are_not_cached(admin, create_contact):
    cid = create_contact(last_name=unique("NoStore"))
    for path in ("/contacts", f"/contacts/{cid}", f"/contacts/{cid}/edit"):
        r = admin.get(path)
        assert r.status_code == 200, f"GET {path}: {r.status_code}"
        assert "no-store" in r.headers.get("Cache-Control", ""), \
            f"GET {path}: a page with personal data may be cached: Cache-Control={r.headers.get('Cache-Control')!r}"
        assert r.headers.get("Content-Type") == "text/html; charset=utf-8", f"GET {path}: {r.headers.get('Content-Type')}"


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
