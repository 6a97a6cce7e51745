"""The chaos checks (`make chaos`): faults against a private stack on
loopback, each scenario bounded in time, with figures. The stack, the writer
and the database restart are tests/ha/harness.py's. At the end a table of
every scenario's figures and the verdict line `CHAOS: PASS` or
`CHAOS: FAIL (...)`; pytest's exit status says the same."""
import json
import os
import re
import shutil
import sys
import tempfile

import pytest

HA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ha")
sys.path.insert(0, HA)
from harness import Stack  # noqa: E402

# scenario -> {figure: value}, filled by the tests through the `figures` fixture
FIGURES = {}
OUTCOMES = {}
WORKERS = 4


@pytest.fixture(scope="session")
def stack():
    reuse = os.environ.get("CTRACK_CHAOS_STACK")
    if reuse:
        # While working on the checks: a stack already running in that
        # folder (conf/stack.sh start DIR PORT 4), left running.
        s = Stack(reuse, standby=False, workers=WORKERS)
        with open(os.path.join(reuse, "nginx", "nginx.conf")) as f:
            s.port = int(re.search(r"listen 127\.0\.0\.1:(\d+)", f.read()).group(1))
        s.url = f"https://127.0.0.1:{s.port}"
        with open(os.path.join(reuse, "initial-credentials")) as f:
            text = f.read()
        s.user = re.search(r"(?im)^\s*user(?:name)?\s*[:=]\s*(\S+)", text).group(1)
        s.password = re.search(r"(?im)^\s*password\s*[:=]\s*(\S+)", text).group(1)
        yield s
        return
    root = tempfile.mkdtemp(prefix="ctrack-chaos.", dir=os.environ.get("TMPDIR", "/tmp"))
    s = Stack(os.path.join(root, "chaos"), standby=False, workers=WORKERS)
    try:
        s.start()
        yield s
    finally:
        s.stop()
        if not os.environ.get("CTRACK_KEEP_TMP"):
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def figures(request):
    """A dict for the running scenario's figures, printed in the summary."""
    d = FIGURES.setdefault(request.node.name, {})
    return d


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        name = report.nodeid.split("::")[-1]
        if report.outcome != "passed" or name not in OUTCOMES:
            msg = ""
            if report.outcome != "passed" and report.longrepr is not None:
                crash = getattr(report.longrepr, "reprcrash", None)
                msg = crash.message if crash else str(report.longrepr)
                msg = msg.splitlines()[0][:160] if msg else ""
            OUTCOMES[name] = (report.outcome, msg)


def pytest_terminal_summary(terminalreporter):
    tr = terminalreporter
    tr.write_sep("=", "chaos figures")
    for name, figs in FIGURES.items():
        outcome = OUTCOMES.get(name, ("not run", ""))[0]
        tr.write_line(f"{name} [{outcome}]")
        for k, v in figs.items():
            tr.write_line(f"    {k:<44} {json.dumps(v) if isinstance(v, (dict, list)) else v}")
    failed = [f"{n}: {m}" if m else n for n, (o, m) in OUTCOMES.items() if o != "passed"]
    ran = [n for n, (o, m) in OUTCOMES.items() if o == "passed"]
    path = os.environ.get("CTRACK_CHAOS_FIGURES")
    if path:
        with open(path, "w") as f:
            json.dump({"figures": FIGURES, "outcomes": OUTCOMES}, f, indent=1)
    if failed or not ran:
        tr.write_line("CHAOS: FAIL (" + ("; ".join(failed) if failed else "no scenario ran") + ")")
    else:
        tr.write_line(f"CHAOS: PASS ({len(ran)} scenarios)")
