"""What the high-availability tests (tests/ha) and the chaos checks
(tests/chaos) share: a private stack started with conf/stack.sh in a
temporary folder on a free loopback port, a writer that creates contacts
through the web form and records every answer, the check of what the
database holds, SIGKILL, and the database restart under load. The web
client and page parser are the integration tests' own."""
import importlib.util
import os
import re
import signal
import subprocess
import threading
import time

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

    def __init__(self, folder, standby, workers=2):
        self.dir = folder
        self.standby = standby
        self.workers = workers
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
        self.run("start", self.dir, str(self.port), str(self.workers))
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

    def worker_pids(self):
        """The supervisor's children: its workers."""
        app = self.app_pid()
        try:
            with open(f"/proc/{app}/task/{app}/children") as f:
                return [int(p) for p in f.read().split() if pid_alive(int(p))]
        except OSError:
            return []

    def reconfigure(self, **server):
        """Sets keys of the Server block of ctrack.hdf (None removes one) and
        reloads (SIGHUP): the supervisor replaces every worker. Returns once
        the new workers serve."""
        path = os.path.join(self.dir, "ctrack.hdf")
        with open(path) as f:
            text = f.read()
        for key, value in server.items():
            text = re.sub(rf"(?m)^  {key} = .*\n", "", text)
            if value is not None:
                text = text.replace("Server {\n", f"Server {{\n  {key} = {value}\n", 1)
        with open(path, "w") as f:
            f.write(text)
        old = set(self.worker_pids())
        want = int(re.search(r"(?m)^  Workers = (\d+)", text).group(1))
        os.kill(self.app_pid(), signal.SIGHUP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = self.worker_pids()
            if len(now) == want and not old & set(now):
                return now
            time.sleep(0.1)
        raise AssertionError(f"the workers were not replaced after a reload: {old} -> {self.worker_pids()}")

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


def vm_kib(pid, field):
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM, ...), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def db_restart_under_load(single, back_within=5.0):
    """Stops the one database server of a single stack (SIGTERM, as a
    restart does) while a writer creates contacts and two readers load the
    list, and starts it again with conf/stack.sh. Returns (figures, problems):
    while it is away every request gets a quick 503 (never a hang, never a
    500); once it is back writes are acknowledged again within back_within
    seconds by the same supervisor (no restart of ctrack), and every write
    that was acknowledged is there once with its audit row."""
    app_pid = single.app_pid()
    w = single.login()
    readers = [single.clone(w) for _ in range(2)]
    writer = Writer(single, w, threads=2, tag="Restart").start()
    reads = []

    def read_loop(client, stop_at):
        while time.monotonic() < stop_at:
            t0 = time.monotonic()
            try:
                st = client.request("GET", "/contacts", allow_5xx=True, timeout=30).status_code
            except Exception:
                st = None
            reads.append((t0, time.monotonic(), st))

    back = None
    try:
        writer.wait_acked(20)
        pid = single.db_pid()
        t_down = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(pid), "mariadbd did not stop"
        t_gone = time.monotonic()
        stop_at = time.monotonic() + 3
        threads = [threading.Thread(target=read_loop, args=(c, stop_at)) for c in readers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_start = time.monotonic()
        single.run("start", single.dir, str(single.port), str(single.workers))  # starts only what is not running
        t_up = time.monotonic()
        deadline = time.monotonic() + 30
        while back is None and time.monotonic() < deadline:
            back = writer.first_ack_after(t_up)
            time.sleep(0.1)
        if back is not None:
            read_loop(readers[0], time.monotonic() + 1)
        time.sleep(1)
    finally:
        writer.stop()
    down_reads = [(t0, t1, st) for (t0, t1, st) in reads if t_gone <= t0 and t1 <= t_start]
    codes = {}
    for _, _, st in down_reads:
        codes[st] = codes.get(st, 0) + 1
    slowest = max((t1 - t0 for t0, t1, st in down_reads), default=0)
    after = [st for (t0, t1, st) in reads if back is not None and t0 >= back]
    acked = writer.acked()
    found = found_names(single.db(), writer.tag)
    lost = [name for cid, name, t in acked if name not in found]
    write_errors = {k: v for k, v in writer.statuses(since=t_down).items() if k != 303}
    figures = {
        "reads while down": len(down_reads), "answers while down": codes,
        "slowest answer while down (ms)": round(slowest * 1000),
        "database restart (s)": round(t_up - t_start, 1),
        "writes acknowledged again after (s)": None if back is None else round(back - t_up, 2),
        "write errors": write_errors, "acknowledged": len(acked), "lost": len(lost),
    }
    print(f"\ndatabase restart under load: {len(down_reads)} page views while it was down: {codes}, "
          f"slowest {slowest * 1000:.0f} ms; restart took {t_up - t_start:.1f} s; writes acknowledged again "
          f"{figures['writes acknowledged again after (s)']} s after it answered; write errors meanwhile "
          f"{write_errors}; {len(acked)} writes acknowledged, {len(lost)} lost")
    problems = []
    if not down_reads:
        problems.append("no request was made while the database was down")
    if set(codes) - {503}:
        problems.append(f"answers other than 503 while the database was down: {codes}")
    if slowest >= 10:
        problems.append(f"a 503 took {slowest:.1f} s (it should not wait for the database)")
    if back is None:
        problems.append("no write acknowledged after the database came back")
    elif back - t_up > back_within:
        problems.append(f"writes acknowledged again only {back - t_up:.1f} s after the database was back "
                        f"(at most {back_within} s)")
    if not after or set(after) != {200}:
        problems.append(f"page views after the database was back: {after}")
    if set(write_errors) - {503}:
        problems.append(f"write errors other than 503: {write_errors}")
    if lost:
        problems.append(f"{len(lost)} acknowledged writes lost")
    dup = [n for cid, n in found.values() if n != 1]
    if dup:
        problems.append(f"contacts without exactly one audit row: {len(dup)}")
    if single.app_pid() != app_pid:
        problems.append("ctrack was restarted")
    return figures, problems
