"""The pre-fork supervisor of `ctrack serve`: a worker that dies is replaced,
and SIGHUP replaces every worker while requests keep being answered."""
import os
import re
import signal
import time

import pytest

from conftest import configured_workers, log_text, supervisor_pid, wait_for, workers


def assert_serving(admin, n=6):
    for i in range(n):
        r = admin.get("/contacts" if i % 2 else "/healthz")
        assert r.status_code == 200, f"request {i} answered {r.status_code}"


def test_a_killed_worker_is_replaced(stack_dir, admin):
    sup = supervisor_pid(stack_dir)
    want = configured_workers()
    before = wait_for(lambda: (lambda w: w if len(w) == want else None)(workers(sup)),
                      f"the supervisor does not have its {want} workers")
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: victim not in workers(sup), f"worker {victim} did not go away")
    assert_serving(admin)
    after = wait_for(lambda: (lambda w: w if len(w) == want and victim not in w else None)(workers(sup)),
                     f"no new worker replaced {victim}")
    assert set(after) - set(before), f"no new worker pid: before {before}, after {after}"
    assert supervisor_pid(stack_dir) == sup, "the supervisor changed"
    assert_serving(admin)
    assert f"worker {victim} died of signal 9" in log_text(stack_dir), "the death of the worker is not logged"


def test_sighup_replaces_all_workers_without_dropping_requests(stack_dir, admin):
    sup = supervisor_pid(stack_dir)
    want = configured_workers()
    before = set(wait_for(lambda: (lambda w: w if len(w) == want else None)(workers(sup)),
                          f"the supervisor does not have its {want} workers"))
    log_before = len(log_text(stack_dir))
    os.kill(sup, signal.SIGHUP)
    # Requests go on being answered while the workers are swapped.
    deadline = time.monotonic() + 3
    n = 0
    while time.monotonic() < deadline:
        r = admin.get("/healthz")
        assert r.status_code == 200, f"request {n} during the reload answered {r.status_code}"
        n += 1
    after = wait_for(lambda: (lambda w: w if len(w) == want and not (set(w) & before) else None)(workers(sup)),
                     f"the workers were not all replaced after SIGHUP (before {sorted(before)}, now {workers(sup)})")
    assert supervisor_pid(stack_dir) == sup, "SIGHUP replaced the supervisor itself"
    assert_serving(admin)
    assert "reloaded config" in log_text(stack_dir)[log_before:], "the reload is not logged"
    assert len(after) == want


def _app_connections(db):
    return [int(r[0]) for r in db.rows(
        "SELECT id FROM information_schema.processlist WHERE user = 'ctrack_app'")]


def test_a_dropped_database_connection_costs_no_request(admin, db, audit):
    """MariaDB closes idle connections (wait_timeout, a restart, KILL). The
    database itself is up, so no request should fail because of it: nothing
    has been done yet when the worker finds its connection gone."""
    want = configured_workers()
    assert_serving(admin, 2 * want)
    killed = _app_connections(db)
    assert killed, "no database connection of the application to drop"
    for cid in killed:
        db.run(f"KILL CONNECTION {cid}")
    answers = []
    try:
        mark = audit.mark()
        for _ in range(3 * want):
            r = admin.s.get(admin.url("/healthz"), allow_redirects=False, timeout=30)
            answers.append(r.status_code)
        assert answers == [200] * len(answers), \
            f"after the server dropped the workers' idle connections, requests answered {answers}"
        assert len(audit.since(mark)) == len(answers), "requests after the reconnect were not all audited"
    finally:
        # Leave every worker with a working connection for the tests after.
        for _ in range(6 * want):
            admin.s.get(admin.url("/healthz"), allow_redirects=False, timeout=30)
