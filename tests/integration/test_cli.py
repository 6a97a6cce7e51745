"""The `ctrack` command line against the running stack (CTRACK_BIN is the
build under test): the commands a restart of `make run` repeats must be
harmless, and a second `serve` must not take over the socket."""
import os
import re
import subprocess

import pytest

from conftest import cli_paths, DEMO_CLIENT, Web, sql_str


@pytest.fixture(scope="module")
def ctrack():
    path, conf = cli_paths()

    def run(*args, timeout=120, env=None):
        return subprocess.run([path, *args], capture_output=True, text=True, timeout=timeout,
                              env=env if env is not None else os.environ)
    run.path, run.conf = path, conf
    return run


def test_route_table_is_valid(ctrack):
    p = ctrack("check-routes")
    assert p.returncode == 0 and re.search(r"\d+ routes, all valid", p.stdout), p.stdout + p.stderr


def test_migrate_again_changes_nothing(ctrack, db):
    before = db.rows("SELECT * FROM schema_migrations ORDER BY 1")
    p = ctrack("migrate", "-c", ctrack.conf)
    assert p.returncode == 0, f"a repeated migrate failed: {p.stdout}{p.stderr}"
    assert re.search(r"\b0 applied\b", p.stdout + p.stderr), p.stdout + p.stderr
    assert db.rows("SELECT * FROM schema_migrations ORDER BY 1") == before


def test_setup_demo_again_imports_nothing(ctrack, demo, tmp_path):
    credentials = tmp_path / "credentials"
    count = demo.contact_count()
    env = {k: v for k, v in os.environ.items() if k != "ADMIN_PASSWORD"}
    p = ctrack("setup-demo", "-c", ctrack.conf, "--credentials", str(credentials), env=env)
    assert p.returncode == 0, f"a repeated setup-demo failed: {p.stdout}{p.stderr}"
    assert "already set up" in p.stdout, p.stdout + p.stderr
    assert not credentials.exists(), "a repeated setup-demo wrote a credentials file (with a password nobody has)"
    assert demo.contact_count() == count, "a repeated setup-demo imported contacts again"
    assert demo.db.int(f"SELECT COUNT(*) FROM clients WHERE name = {sql_str(DEMO_CLIENT)}") == 1


def test_a_second_serve_refuses_to_take_the_socket(ctrack, base_url, cert):
    proc = subprocess.Popen([ctrack.path, "serve", "-c", ctrack.conf], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"a second `ctrack serve` on the same socket kept running: {out[-500:]}")
    assert proc.returncode != 0, f"a second `ctrack serve` exited with 0: {out[-500:]}"
    assert "another instance" in out, out[-500:]
    r = Web(base_url, cert).get("/healthz")
    assert r.status_code == 200, "the running instance stopped answering after a second serve was tried"
