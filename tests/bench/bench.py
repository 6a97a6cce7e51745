#!/usr/bin/python3
"""Load figures for ctrack: wrk against the contacts list page (logged in), a
static file served by nginx and the minimal worker route (/healthz).

For each target it prints requests per second, p50 and p99 latency, and the
CPU milliseconds per request spent by nginx, the ctrack workers and MariaDB,
read from /proc before and after the run; then the ratio of the list page to
the static file. Figures only: no assertion on speed (the machine is shared).
"""
import argparse
import os
import re
import subprocess
import sys
import urllib.parse

import requests
import urllib3

urllib3.disable_warnings()

TICK = os.sysconf("SC_CLK_TCK")


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


def login(url, var, cert):
    creds = {}
    with open(f"{var}/initial-credentials") as f:
        for line in f:
            k, _, v = line.partition(":")
            creds[k.strip()] = v.strip()
    s = requests.Session()
    # Otherwise REQUESTS_CA_BUNDLE in the environment overrides verify=.
    s.trust_env = False
    s.verify = cert
    r = s.get(url + "/login")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = s.post(url + "/login", data={"csrf": token, "username": creds["username"],
                                     "password": creds["password"], "next": "/contacts"},
               allow_redirects=False)
    if r.status_code != 303:
        sys.exit(f"bench: login failed with {r.status_code}")
    return s.cookies.get("__Host-ctrack")


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
    cmd = ["wrk", "-t", "2", "-c", str(conns), "-d", f"{seconds}s", "--latency"]
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--var", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
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
    hdr = f"{'target':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'nginx':>7} {'workers':>8} {'mariadb':>8} {'total':>7}  non-2xx/3xx"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['name']:28} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['nginx']:7.3f} "
              f"{r['workers']:8.3f} {r['mariadb']:8.3f} {r['cpu']:7.3f}  {r['bad']}{' ' + r['errors'] if r['errors'] else ''}")
    lst, static = rows[0], rows[1]
    print(f"\nlist page / static file: {lst['rps'] / static['rps']:.3f} of the static file's req/s, "
          f"{lst['cpu'] / max(static['cpu'], 1e-9):.1f}x its CPU per request")
    print(f"list page CPU per request: {lst['cpu']:.3f} ms (target: under 1 ms)")


if __name__ == "__main__":
    main()
