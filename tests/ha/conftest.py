"""Fixtures of the high-availability tests (`make test-ha`, and part of
`make test`): each test module gets private stacks of its own, started with
conf/stack.sh in a temporary folder on free loopback ports, and stopped at
the end. The web client and page parser are the integration tests' own."""
import importlib.util
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location(
    "ctrack_web", os.path.join(REPO, "tests", "integration", "conftest.py"))
web = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(web)

STACK = os.path.join(REPO, "conf", "stack.sh")


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except OSError:
        return False


class Stack:
    """A private stack: one database server, or a replicated pair."""

    def __init__(self, folder, standby):
        self.dir = folder
        self.standby = standby
        self.port = free_port()
        self.password = "Ha-" + os.urandom(12).hex()
        self.url = f"https://127.0.0.1:{self.port}"
        self.cert = os.path.join(folder, "tls", "cert.pem")

    def run(self, *args, check=True, timeout=300):
        env = dict(os.environ, ADMIN_PASSWORD=self.password, CTRACK_LOGIN_RATE="300r/m",
                   CTRACK_DB_BUFFER_POOL="64M")
        if self.standby:
            env["CTRACK_STANDBY"] = "1"
        p = subprocess.run([STACK, *args], capture_output=True, text=True, env=env, timeout=timeout)
        if check:
            assert p.returncode == 0, f"conf/stack.sh {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}"
        return p

    def start(self):
        self.run("start", self.dir, str(self.port), "2")
        with open(os.path.join(self.dir, "initial-credentials")) as f:
            text = f.read()
        self.user = re.search(r"(?im)^\s*user(?:name)?\s*[:=]\s*(\S+)", text).group(1)
        self.password = re.search(r"(?im)^\s*password\s*[:=]\s*(\S+)", text).group(1)

    def stop(self):
        self.run("stop", self.dir, check=False)

    # database servers ("" is the one server of a single stack, 1 and 2 the pair's)
    def db(self, node=""):
        return web.Database(os.path.join(self.dir, "secrets", f"root{node}.cnf"))

    def db_pid(self, node=""):
        with open(os.path.join(self.dir, "run", f"mysqld{node}.pid")) as f:
            return int(f.read().strip())

    def primary(self):
        with open(os.path.join(self.dir, "ha-primary")) as f:
            return int(f.read().strip())

    def ctl(self, *args, check=True):
        return self.run("db", self.dir, *args, check=check)

    def app_pid(self):
        with open(os.path.join(self.dir, "run", "ctrack.pid")) as f:
            return int(f.read().strip())

    def log(self):
        with open(os.path.join(self.dir, "log", "ctrack.log"), errors="replace") as f:
            return f.read()

    def login(self):
        w = web.Web(self.url, self.cert)
        r = w.get("/login")
        assert r.status_code == 200, r.status_code
        token = w.cookie(web.LOGIN_COOKIE)
        r = w.request("POST", "/login", data=[("csrf", token), ("username", self.user),
                                              ("password", self.password)])
        assert r.status_code == 303, f"login answered {r.status_code}"
        page = w.get("/contacts")
        assert page.status_code == 200, page.status_code
        w.csrf = web.Page(page.text).form("/logout")["fields"]["csrf"]
        return w

    def clone(self, w):
        """Another client with the same session (requests.Session is not
        shared between threads)."""
        c = web.Web(self.url, self.cert)
        for ck in w.s.cookies:
            c.s.cookies.set_cookie(ck)
        c.csrf = w.csrf
        return c


@pytest.fixture(scope="module")
def tmp_root():
    d = tempfile.mkdtemp(prefix="ctrack-ha.", dir=os.environ.get("TMPDIR", "/tmp"))
    yield d
    if not os.environ.get("CTRACK_KEEP_TMP"):
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def pair(tmp_root):
    s = Stack(os.path.join(tmp_root, "pair"), standby=True)
    try:
        s.start()
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def single(tmp_root):
    s = Stack(os.path.join(tmp_root, "single"), standby=False)
    try:
        s.start()
        yield s
    finally:
        s.stop()


class Writer:
    """Creates contacts through the web form from several threads, as fast
    as the stack answers, and records every answer: (monotonic time, status,
    contact id or None, last name). A 303 to /contacts/ID is an acknowledged
    write; anything else (an error answer, or no answer) is not."""

    def __init__(self, stack, client, threads=4, tag="W"):
        self.stack = stack
        self.clients = [stack.clone(client) for _ in range(threads)]
        self.tag = tag + os.urandom(3).hex()
        self.answers = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(c, i), daemon=True)
                        for i, c in enumerate(self.clients)]

    def _run(self, client, n):
        k = 0
        while not self.stopping.is_set():
            k += 1
            name = f"{self.tag}-{n}-{k}"
            t0 = time.monotonic()
            try:
                r = client.request("POST", "/contacts", allow_5xx=True, timeout=30,
                                   data=[("csrf", client.csrf)] + list(web.contact_form(last_name=name).items()),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
                status = r.status_code
                m = re.fullmatch(r"/contacts/([1-9][0-9]*)", web.location_path(r)) if status == 303 else None
                cid = int(m.group(1)) if m else None
            except Exception:  # no answer at all: not acknowledged
                status, cid = None, None
            with self.lock:
                self.answers.append((t0, time.monotonic(), status, cid, name))
            if status not in (303,):
                time.sleep(0.05)

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(60)

    def acked(self, since=None, until=None):
        with self.lock:
            return [(cid, name, t1) for (t0, t1, st, cid, name) in self.answers
                    if st == 303 and cid and (since is None or t1 >= since) and (until is None or t1 <= until)]

    def statuses(self, since=None, until=None):
        out = {}
        with self.lock:
            for (t0, t1, st, cid, name) in self.answers:
                if (since is None or t0 >= since) and (until is None or t0 <= until):
                    out[st] = out.get(st, 0) + 1
        return out

    def wait_acked(self, n, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.acked()) >= n:
                return
            time.sleep(0.1)
        raise AssertionError(f"fewer than {n} writes acknowledged in {timeout} s: {self.statuses()}")

    def first_ack_after(self, t):
        with self.lock:
            times = [t1 for (t0, t1, st, cid, name) in self.answers if st == 303 and t0 >= t]
        return min(times) if times else None


def found_names(db, tag):
    """The last names of the tag's contacts in a database, with their audit
    row counts."""
    rows = db.rows(
        "SELECT c.id, c.last_name, (SELECT COUNT(*) FROM audit a WHERE a.object_type = 'contact' "
        "AND a.object_id = c.id AND a.action = 'contact.create') FROM contacts c "
        f"WHERE c.last_name LIKE {web.sql_str(tag + '-%')}")
    return {name: (int(cid), int(n)) for cid, name, n in rows}


def kill9(pid):
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(pid), f"process {pid} survived SIGKILL"
