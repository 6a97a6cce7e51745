"""Fixtures of the high-availability tests (`make test-ha`, and part of
`make test`): each test module gets private stacks of its own, started with
conf/stack.sh in a temporary folder on free loopback ports, and stopped at
the end. The pieces are in harness.py (the chaos checks use them too)."""
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (REPO, Stack, Writer, db_restart_under_load, found_names, kill9,  # noqa: E402,F401
                     pid_alive, web)


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
