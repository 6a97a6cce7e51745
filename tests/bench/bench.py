#!/usr/bin/python3
"""Load figures for ctrack: wrk against the contacts list page (logged in), a
static file served by nginx and the minimal worker route (/healthz); with
--million, also the list pages of the benchmark client of 1,000,000 contacts
(tests/bench/bench_data.py) for a user who sees everything and for a user
limited to Ohio and two campaigns.

For each target it prints requests per second, p50 and p99 latency, and the
CPU milliseconds per request spent by nginx, the ctrack workers and MariaDB,
read from /proc before and after the run; then the ratio of the list page to
the static file. For the 1,000,000-contact pages it also prints the server
time: the p50 latency with one connection (no queueing) minus the static
file's p50 with one connection (TLS, HTTP and loopback, which every request
pays), i.e. what nginx's FastCGI hop, the worker and MariaDB add.
Figures only: no assertion on speed (the machine is shared); but each
1,000,000-contact page must answer 200 with the total the database gives.
"""
import argparse
import base64
import hashlib
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

import requests
import urllib3

urllib3.disable_warnings()

TICK = os.sysconf("SC_CLK_TCK")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_pid(path):
    with open(path) as f:
        return int(f.read().strip())


def children(pid):
    out = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            out = [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid):
    """pid and all its descendants, read now."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(children(p))
    return pids


def cpu_ticks(pids):
    """utime+stime of the processes plus the children they have reaped."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[11..14] = utime stime cutime cstime (after the ")" split)
        total += sum(int(x) for x in fields[11:15])
    return total


def groups(var):
    return {
        "nginx": tree(read_pid(f"{var}/run/nginx.pid")),
        "workers": tree(read_pid(f"{var}/run/ctrack.pid")),
        "mariadb": tree(read_pid(f"{var}/run/mysqld.pid")),
    }


def credentials(var):
    """The demo administrator's username and password, as setup-demo wrote them."""
    creds = {}
    with open(f"{var}/initial-credentials") as f:
        for line in f:
            k, _, v = line.partition(":")
            creds[k.strip()] = v.strip()
    return creds


def web(cert):
    s = requests.Session()
    # Otherwise REQUESTS_CA_BUNDLE in the environment overrides verify=.
    s.trust_env = False
    s.verify = cert
    return s


def login(url, var, cert):
    creds = credentials(var)
    s = web(cert)
    r = s.get(url + "/login")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = s.post(url + "/login", data={"csrf": token, "username": creds["username"],
                                     "password": creds["password"], "next": "/contacts"},
               allow_redirects=False)
    if r.status_code != 303:
        sys.exit(f"bench: login failed with {r.status_code}")
    return s.cookies.get("__Host-ctrack")


def logon_timing(url, var, cert, tries=4):
    """Server time of a wrong password for an existing user and of any
    password for an unknown one, alternating (nginx's logon limit allows 10
    POSTs at once: with the bench's own logon, 4 of each stay under it).
    Printed, never asserted: the two should match within the noise."""
    creds = credentials(var)
    s = web(cert)
    token = re.search(r'name="csrf" value="([^"]+)"', s.get(url + "/login").text).group(1)
    times = {"wrong password": [], "unknown user": []}
    for i in range(tries):
        for what, name in (("wrong password", creds["username"]), ("unknown user", f"nobody-{os.getpid()}-{i}")):
            t0 = time.perf_counter()
            r = s.post(url + "/login", data={"csrf": token, "username": name, "password": f"not it {i}"},
                       allow_redirects=False)
            times[what].append((time.perf_counter() - t0) * 1000)
            if r.status_code != 401:
                sys.exit(f"bench: a wrong logon answered {r.status_code}")
    print("\nlogon answer time, ms (median of %d): %s" % (tries, ", ".join(
        f"{k} {statistics.median(v):.1f}" for k, v in times.items())))
    # The failures of the bench's own user are forgotten by its next logon;
    # the unknown usernames' go with the stack.


def sql(var, text):
    p = subprocess.run(["mariadb", f"--defaults-extra-file={var}/secrets/root.cnf", "--batch", "--skip-column-names",
                        "ctrack"], input=text, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        sys.exit(f"bench: SQL failed: {p.stderr.strip()}")
    return p.stdout.strip()


def session_for(var, username):
    """A fresh session of the user, written as a login writes it (the bench
    users have no password). Returns the cookie value."""
    token = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    csrf = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    digest = hashlib.sha256(token.encode("ascii")).hexdigest()
    sql(var, "INSERT INTO sessions (token_hash, client_id, user_id, csrf_token, created_at, last_seen, expires_at,"
             f" remote_addr) SELECT UNHEX('{digest}'), client_id, id, '{csrf}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),"
             f" UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, '127.0.0.1' FROM users WHERE username = '{username}'")
    return token


def check_total(url, cert, token, path, expected):
    """The page answers 200 and shows the expected total."""
    s = web(cert)
    s.cookies.set("__Host-ctrack", token)
    r = s.get(url + path, allow_redirects=False)
    m = re.search(r'<span class="count">([^<]*)</span>', r.text)
    shown = int(m.group(1).replace(",", "")) if m else None
    if r.status_code != 200 or shown != expected:
        sys.exit(f"bench: {path} answered {r.status_code} with total {shown}, expected 200 and {expected}")


def parse_wrk(out):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return rps, total, pct(50), pct(99), int(non2xx.group(1)) if non2xx else 0, errors.group(1) if errors else ""


def run(name, url, seconds, conns, var, headers=()):
    before_groups = groups(var)
    before = {k: cpu_ticks(v) for k, v in before_groups.items()}
    # A long timeout: wrk's default (2 s) drops a slow page while its worker
    # goes on with it, and the CPU of the dropped work would be charged to
    # the requests that were counted.
    cmd = ["wrk", "-t", str(min(2, conns)), "-c", str(conns), "-d", f"{seconds}s", "--timeout", "30s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    after_groups = groups(var)
    # Count processes that existed before or after (a respawned worker's
    # time is lost with it; that would show as an unusually low figure).
    after = {k: cpu_ticks(sorted(set(after_groups[k]))) for k in after_groups}
    rps, total, p50, p99, bad, errors = parse_wrk(out)
    ms = {k: (after[k] - before[k]) * 1000.0 / TICK / max(total, 1) for k in before}
    row = dict(name=name, rps=rps, total=total, p50=p50, p99=p99, bad=bad, errors=errors, **ms)
    row["cpu"] = sum(ms.values())
    return row


def print_row(r):
    """One row of the throughput table; None prints the heading."""
    if r is None:
        hdr = (f"{'target':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'nginx':>7} {'workers':>8} {'mariadb':>8}"
               f" {'total':>7}  non-2xx/3xx")
        print(hdr)
        print("-" * len(hdr))
        return
    print(f"{r['name']:28} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['nginx']:7.3f} "
          f"{r['workers']:8.3f} {r['mariadb']:8.3f} {r['cpu']:7.3f}  {r['bad']}{' ' + r['errors'] if r['errors'] else ''}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--var", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--million", action="store_true",
                    help="also the pages of the 1,000,000-contact client (tests/bench/bench_data.py)")
    a = ap.parse_args()
    cert = f"{a.var}/tls/cert.pem"
    token = login(a.url, a.var, cert)
    cookie = f"Cookie: __Host-ctrack={token}"
    # Warm up caches and the statement cache of every worker.
    subprocess.run(["wrk", "-t", "1", "-c", "4", "-d", "2s", "-H", cookie, a.url + "/contacts"],
                   capture_output=True, check=True)
    rows = [
        run("contacts list (logged in)", a.url + "/contacts", a.seconds, a.connections, a.var, [cookie]),
        run("static file", a.url + "/static/ctrack.css", a.seconds, a.connections, a.var),
        run("minimal worker route", a.url + "/healthz", a.seconds, a.connections, a.var),
    ]
    print(f"\nwrk: {a.connections} connections, {a.seconds} s per target, "
          f"{os.cpu_count()} CPUs; CPU ms per request from /proc utime+stime\n")
    print_row(None)
    for r in rows:
        print_row(r)
    lst, static = rows[0], rows[1]
    print(f"\nlist page / static file: {lst['rps'] / static['rps']:.3f} of the static file's req/s, "
          f"{lst['cpu'] / max(static['cpu'], 1e-9):.1f}x its CPU per request")
    print(f"list page CPU per request: {lst['cpu']:.3f} ms (target: under 1 ms)")
    logon_timing(a.url, a.var, cert)
    audit_cost(a, cookie)
    imports(a)
    if a.million:
        million(a, cert)
        client = sql(a.var, "SELECT id FROM clients WHERE name = 'Bench: 1,000,000 contacts'")
        exports(a, cert, client, session_for(a.var, "bench-all"))


def audit_cost(a, cookie, rounds=2):
    """The contacts list page with its audit row chained (as in production),
    with the row unchained, and with no row at all: the benchmark-only
    setting Bench.Audit, which the server accepts only with CTRACK_BENCH=1.
    The modes take turns, `rounds` times, so that drift on a shared machine
    spreads over all three; the figure is the mean. The configuration is put
    back, and the workers restarted as in production, whatever happens."""
    conf = f"{a.var}/ctrack.hdf"
    with open(conf) as f:
        original = f.read()
    modes = ("full", "unchained", "off")
    results = {m: [] for m in modes}

    def restart(mode):
        with open(conf, "w") as f:
            f.write(original if mode == "full" else original + f"\nBench.Audit = {mode}\n")
        env = dict(os.environ, CTRACK_BENCH="1") if mode != "full" else {
            k: v for k, v in os.environ.items() if k != "CTRACK_BENCH"}
        subprocess.run([f"{REPO}/conf/stack.sh", "restart-app", a.var], env=env, check=True,
                       capture_output=True)
        subprocess.run(["wrk", "-t", "1", "-c", "4", "-d", "2s", "-H", cookie, a.url + "/contacts"],
                       capture_output=True, check=True)

    try:
        for _ in range(rounds):
            for m in modes:
                restart(m)
                before = int(sql(a.var, "SELECT COALESCE(MAX(id), 0) FROM audit"))
                r = run(f"list, audit {m}", a.url + "/contacts", a.seconds, a.connections, a.var, [cookie])
                written = int(sql(a.var, f"SELECT COUNT(*) FROM audit WHERE id > {before}"))
                chained = int(sql(a.var, f"SELECT COUNT(*) FROM audit WHERE id > {before} AND chain IS NOT NULL"))
                # What each mode promises, checked: every request its row,
                # chained or not, or none.
                want = {"full": (r["total"], r["total"]), "unchained": (r["total"], 0), "off": (0, 0)}[m]
                if (written < want[0] or chained < want[1] or (m != "full" and chained != want[1])
                        or (m == "off" and written != 0)):
                    sys.exit(f"bench: audit {m}: {r['total']} requests wrote {written} rows, {chained} chained")
                results[m].append(r)
    finally:
        with open(conf, "w") as f:
            f.write(original)
        subprocess.run([f"{REPO}/conf/stack.sh", "restart-app", a.var], check=True, capture_output=True,
                       env={k: v for k, v in os.environ.items() if k != "CTRACK_BENCH"})

    def mean(m, k):
        return statistics.mean(r[k] for r in results[m])
    print(f"\naudit cost on the contacts list page: {a.connections} connections, {a.seconds} s per run, "
          f"{rounds} runs per mode taking turns (means)\n")
    hdr = f"{'audit':28} {'req/s':>9} {'p50 ms':>8} {'workers':>8} {'mariadb':>8} {'total':>7}  req/s vs off"
    print(hdr)
    print("-" * len(hdr))
    off = mean("off", "rps")
    for m, label in (("full", "row + chain (production)"), ("unchained", "row, no chain"), ("off", "off")):
        print(f"{label:28} {mean(m, 'rps'):9.0f} {mean(m, 'p50'):8.2f} {mean(m, 'workers'):8.3f} "
              f"{mean(m, 'mariadb'):8.3f} {mean(m, 'cpu'):7.3f}  {mean(m, 'rps') / off:.3f}")
    full, unchained = mean("full", "rps"), mean("unchained", "rps")
    print(f"\naudit cost: {100 * (1 - full / off):.1f}% of the list page's throughput with the chained row "
          f"(target: under 10%); the chain alone {100 * (1 - full / unchained):.1f}%")


# The 1,000,000-contact pages: (label, user, path, SQL for the total the page
# must show). The limited user sees Ohio's contacts in its two campaigns.
LIMITED_SCOPE = (
    "c.region_id IN (SELECT rc.descendant_id FROM users u JOIN user_regions ur ON ur.client_id = u.client_id"
    " AND ur.user_id = u.id JOIN region_closure rc ON rc.client_id = ur.client_id AND rc.ancestor_id = ur.region_id"
    " WHERE u.username = 'bench-limited')"
    " AND c.id IN (SELECT cc.contact_id FROM users u JOIN user_campaigns uc ON uc.client_id = u.client_id"
    " AND uc.user_id = u.id JOIN contact_campaigns cc ON cc.client_id = uc.client_id"
    " AND cc.campaign_id = uc.campaign_id WHERE u.username = 'bench-limited')")
IN_STATE = ("c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions g"
            " ON g.client_id = rc.client_id AND g.id = rc.ancestor_id WHERE g.client_id = c.client_id"
            " AND g.code = '{}')")
MILLION = [
    ("1M: all, list", "bench-all", "/contacts", "1"),
    ("1M: all, state US-OH", "bench-all", "/contacts?region=US-OH", IN_STATE.format("US-OH")),
    ("1M: limited, list", "bench-limited", "/contacts", LIMITED_SCOPE),
    ("1M: limited, sort updated", "bench-limited", "/contacts?sort=updated", LIMITED_SCOPE),
    ("1M: limited, US-OH-05", "bench-limited", "/contacts?region=US-OH-05",
     LIMITED_SCOPE + " AND " + IN_STATE.format("US-OH-05")),
    ("1M: limited, search smith", "bench-limited", "/contacts?q=smith",
     LIMITED_SCOPE + " AND c.search_name LIKE '%smith%'"),
]


def million(a, cert):
    client = sql(a.var, "SELECT id FROM clients WHERE name = 'Bench: 1,000,000 contacts'")
    if not client:
        sys.exit("bench: no 1,000,000-contact client (run tests/bench/bench_data.py)")
    tokens = {u: session_for(a.var, u) for u in ("bench-all", "bench-limited")}
    for _, user, path, where in MILLION:
        expected = int(sql(a.var, f"SELECT COUNT(*) FROM contacts c WHERE c.client_id = {int(client)}"
                                  f" AND c.live = 1 AND {where}"))
        check_total(a.url, cert, tokens[user], path, expected)
    one = max(a.seconds // 2, 3)
    # The warm-up reads each page's indexes into the buffer pool.
    for _, user, path, _ in MILLION:
        subprocess.run(["wrk", "-t", "1", "-c", "1", "-d", "2s", "-H", f"Cookie: __Host-ctrack={tokens[user]}",
                        a.url + path], capture_output=True, check=True)
    # One connection first, for every page: after a loaded run the workers
    # may still be finishing requests that wrk gave up on.
    base = run("static file, 1 connection", a.url + "/static/ctrack.css", one, 1, a.var)
    cookies = {u: [f"Cookie: __Host-ctrack={t}"] for u, t in tokens.items()}
    single = [run(label, a.url + path, one, 1, a.var, cookies[user]) for label, user, path, _ in MILLION]
    rows = [run(label, a.url + path, a.seconds, a.connections, a.var, cookies[user])
            for label, user, path, _ in MILLION]
    print(f"\n1,000,000 contacts, about 100 campaigns; throughput with {a.connections} connections, "
          f"{a.seconds} s per target\n")
    print_row(None)
    for r in rows:
        print_row(r)
    print(f"\nserver time: p50 with 1 connection ({one} s per target) minus the static file's "
          f"({base['p50']:.2f} ms)\n")
    hdr = f"{'target':28} {'p50 ms':>8} {'p99 ms':>8} {'server ms':>10} {'CPU ms':>8}"
    print(hdr)
    print("-" * len(hdr))
    for r in single:
        print(f"{r['name']:28} {r['p50']:8.2f} {r['p99']:8.2f} {r['p50'] - base['p50']:10.2f} {r['cpu']:8.3f}")


# The statement of an export (fcgi/export.c, SQL_SELECT and filter_sql) for a
# user who sees the whole client: what `mariadb --batch --quick` runs for the
# comparison. Kept in step with export.c by hand.
EXPORT_SQL = """SELECT STRAIGHT_JOIN c.id, c.external_id, c.first_name, c.middle_name, c.last_name, c.suffix,
 c.nickname, c.title, c.organisation, c.party, c.email, c.email_type, c.phone, c.phone_type,
 (SELECT GROUP_CONCAT(CONCAT(x.types, '\t', x.value) ORDER BY x.seq SEPARATOR '\n') FROM contact_channels x
  WHERE x.client_id = c.client_id AND x.contact_id = c.id AND x.kind = 'email'),
 (SELECT GROUP_CONCAT(CONCAT(x.types, '\t', x.value) ORDER BY x.seq SEPARATOR '\n') FROM contact_channels x
  WHERE x.client_id = c.client_id AND x.contact_id = c.id AND x.kind = 'phone'),
 c.address, c.city, c.address_region, c.postal_code, c.country, c.website, c.contact_form, c.birthday, r.code,
 r.name, (SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR '\n') FROM contact_tags t
  WHERE t.client_id = c.client_id AND t.contact_id = c.id),
 c.notes, DATE_FORMAT(c.updated_at, '%Y-%m-%dT%H:%i:%s.%fZ'), c.live
 FROM contacts c LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id
 WHERE c.client_id = {client} AND c.live = 1 ORDER BY c.id"""


def worker_pids(var):
    sup = read_pid(f"{var}/run/ctrack.pid")
    return children(sup) if sup else []


def peak_kb(pid):
    """The process's peak resident memory (VmHWM) and its current (VmRSS), kB."""
    hwm = rss = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return hwm, rss


def exports(a, cert, client, token):
    """Each export of the whole 1,000,000-contact client to /dev/null
    (curl), its time and the serving worker's peak memory, against
    `mariadb --batch --quick` of the same statement to /dev/null."""
    rows = int(sql(a.var, f"SELECT COUNT(*) FROM contacts WHERE client_id = {int(client)} AND live = 1"))
    print(f"\nexport of {rows:,} contacts to /dev/null (one client, all of it), in the same run\n")
    hdr = f"{'what':34} {'seconds':>8} {'MB/s':>7} {'bytes':>14} {'worker peak RSS':>16}"
    print(hdr)
    print("-" * len(hdr))
    t0 = time.monotonic()
    q = subprocess.run(["mariadb", f"--defaults-extra-file={a.var}/secrets/root.cnf", "--batch", "--quick",
                        "ctrack", "-e", EXPORT_SQL.format(client=int(client))], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=True)
    base = time.monotonic() - t0
    print(f"{'mariadb --batch --quick':34} {base:8.2f} {len(q.stdout) / base / 1e6:7.1f} {len(q.stdout):14,} {'':>16}")
    del q
    for fmt in ("csv", "ndjson"):
        # Fresh workers: VmHWM is then the peak of this export, not of
        # anything an older worker did.
        subprocess.run([f"{REPO}/conf/stack.sh", "restart-app", a.var], capture_output=True, check=True)
        time.sleep(1)
        before = {p: peak_kb(p) for p in worker_pids(a.var)}
        t0 = time.monotonic()
        c = subprocess.run(["curl", "-sS", "--fail", "--cacert", cert, "-H", f"Cookie: __Host-ctrack={token}",
                            "-o", "/dev/null", "-w", "%{size_download}", f"{a.url}/export/contacts.{fmt}"],
                           capture_output=True, text=True, check=True)
        took = time.monotonic() - t0
        size = int(c.stdout)
        after = {p: peak_kb(p) for p in worker_pids(a.var)}
        grew = max(after, key=lambda p: after[p][0] - before.get(p, (0, 0))[0])
        print(f"{'/export/contacts.' + fmt:34} {took:8.2f} {size / took / 1e6:7.1f} {size:14,} "
              f"{after[grew][0] / 1024:12.1f} MB")
        print(f"{'  ratio to mariadb --quick':34} {took / base:8.2f}x   (worker RSS before: "
              f"{before.get(grew, (0, 0))[1] / 1024:.1f} MB)")


def imports(a):
    """`ctrack import` of 100,000 new CSV rows into the demo client (audit
    included), then its undo."""
    n = 100000
    path = f"{a.var}/bench-import.csv"
    stamp = int(time.time())
    with open(path, "w", newline="") as f:
        f.write("first_name,last_name,email,phone,address,city,postal_code,country,birthday,tags,notes\r\n")
        for i in range(n):
            f.write(f"First{i},Last{i % 5000},bench{stamp}.{i}@example.org,+1 555 {i % 10000:04d},"
                    f"{i} Main Street,Springfield,{i % 99999:05d},United States,19{50 + i % 50}-0{1 + i % 9}-1{i % 9},"
                    f"bench,imported for the benchmark\r\n")
    size = os.path.getsize(path)
    cmd = [f"{REPO}/fcgi/ctrack", "import", "-c", f"{a.var}/ctrack.hdf", "--client", "Example Advocacy", path]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    took = time.monotonic() - t0
    if p.returncode != 0 or f"created {n}" not in p.stdout:
        sys.exit(f"bench: the import failed: {p.stdout[-500:]} {p.stderr[-500:]}")
    imp = re.search(r"import (\d+) of", p.stdout).group(1)
    t0 = time.monotonic()
    u = subprocess.run([f"{REPO}/fcgi/ctrack", "import", "undo", "-c", f"{a.var}/ctrack.hdf", "--client",
                        "Example Advocacy", "--import", imp], capture_output=True, text=True, check=False)
    undo = time.monotonic() - t0
    if u.returncode != 0:
        sys.exit(f"bench: the undo failed: {u.stderr[-500:]}")
    os.unlink(path)
    print(f"\nimport of {n:,} CSV rows ({size / 1e6:.1f} MB) with ctrack import, audit included\n")
    print(f"import: {took:.2f} s, {n / took:,.0f} rows/s (aim: 50,000 rows/s)")
    print(f"undo of it: {undo:.2f} s")


if __name__ == "__main__":
    main()
