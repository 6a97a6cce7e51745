#!/usr/bin/python3
"""The verdicts of `make security` on the tools' real output.

    judge.py tls FILE.json        testssl.sh's findings of severity LOW or
                                  above, but those on the allow-list
    judge.py wapiti FILE.json     wapiti's vulnerabilities and anomalies
    judge.py secrets STACK_DIR    whether any of the secrets named in the
                                  environment (SECRET_*) is in a log of the
                                  stack or a row of its audit table

Each prints its findings, one a line, then a last line "FINDINGS N (figures)"
and exits 0 when N is 0, 1 otherwise (2 when the output cannot be judged).
"""
import json
import os
import subprocess
import sys

# testssl.sh findings that cannot apply to a private stack on loopback with
# its own self-signed certificate; each with its reason (README: "Security
# checks"). Nothing else of severity LOW or above is accepted.
TLS_ALLOWED = {
    "cert_chain_of_trust": "the private stack's certificate is self-signed (made by conf/stack.sh); "
                           "a deployment uses its CA's certificate",
    "cert_revocation": "a self-signed certificate has no CRL or OCSP responder to name; a CA's certificate does",
    "DNS_CAArecord": "127.0.0.1 has no DNS name, so no CAA record can exist",
}
SEVERE = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


def tls(path):
    with open(path) as f:
        entries = json.load(f)
    if isinstance(entries, dict):      # --jsonfile-pretty
        entries = [f for s in entries.get("scanResult", []) for v in s.values() if isinstance(v, list) for f in v]
    findings, allowed = [], []
    for e in entries:
        sev = e.get("severity", "")
        if sev == "FATAL" or e.get("id") == "scanProblem":
            findings.append(f"scan problem: {e.get('id')}: {e.get('finding')}")
        elif sev in SEVERE:
            (allowed if e.get("id") in TLS_ALLOWED else findings).append(f"{sev} {e.get('id')}: {e.get('finding')}")
    if len(entries) < 50:
        print(f"only {len(entries)} results: the scan did not run through")
        return 2
    for a in allowed:
        print(f"allowed ({TLS_ALLOWED[a.split()[1].rstrip(':')]}): {a}")
    for f in findings:
        print(f"FINDING {f}")
    print(f"FINDINGS {len(findings)} ({len(entries)} checks, {len(allowed)} allowed)")
    return 1 if findings else 0


def wapiti(path):
    with open(path) as f:
        report = json.load(f)
    findings = []
    for section in ("vulnerabilities", "anomalies"):
        for kind, items in (report.get(section) or {}).items():
            for it in items:
                findings.append(f"{section[:-1]}: {kind}: {it.get('method', '')} {it.get('path', '')}"
                                f" {it.get('parameter', '')}: {it.get('info', '')}")
    for f in findings:
        print(f"FINDING {f}")
    print(f"FINDINGS {len(findings)}")
    return 1 if findings else 0


def secrets(stack_dir):
    wanted = {k[len("SECRET_"):]: v for k, v in os.environ.items() if k.startswith("SECRET_") and v}
    if not wanted:
        print("no secrets given")
        return 2
    log_dir = os.path.join(stack_dir, "log")
    texts = {}
    for name in sorted(os.listdir(log_dir)):
        p = os.path.join(log_dir, name)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                texts[name] = f.read()
    cnf = os.path.join(stack_dir, "secrets", "root.cnf")
    p = subprocess.run(["mariadb", f"--defaults-extra-file={cnf}", "--batch", "--skip-column-names", "ctrack",
                        "-e", "SELECT CONCAT_WS('|', remote_addr, request_id, method, path, action, object_type,"
                              " detail) FROM audit"], capture_output=True, timeout=300)
    if p.returncode != 0:
        print(f"the audit table could not be read: {p.stderr.decode(errors='replace')}")
        return 2
    texts["audit table"] = p.stdout
    found = [f"{what} in {where}" for what, secret in wanted.items() for where, text in texts.items()
             if secret.encode() in text]
    for f in found:
        print(f"FINDING {f}")
    rows = p.stdout.count(b"\n")
    print(f"FINDINGS {len(found)} ({len(wanted)} secrets, {len(texts) - 1} logs, {rows} audit rows)")
    return 1 if found else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("tls", "wapiti", "secrets"):
        sys.exit(__doc__)
    sys.exit({"tls": tls, "wapiti": wapiti, "secrets": secrets}[sys.argv[1]](sys.argv[2]))
