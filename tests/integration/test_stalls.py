"""A database that is slow or holds a lock. The answer must come from the
application, in time for nginx to deliver it, and say what happened: a 503
that changed nothing and is in the audit trail. Never a write committed
behind an error the user was shown."""
import subprocess
import time

import pytest

from conftest import Page, config_changed, unique, wait_for


class RowLock:
    """Holds a row lock on a contact from another MariaDB connection until
    released (or for at most `seconds`)."""

    def __init__(self, db, contact_id, seconds):
        self.db = db
        self.tag = unique("hold")
        sql = (f"BEGIN; SELECT id FROM contacts WHERE id = {int(contact_id)} FOR UPDATE;"
               f" SELECT SLEEP({int(seconds)}) AS `{self.tag}`; ROLLBACK;")
        self.proc = subprocess.Popen(
            ["mariadb", f"--defaults-extra-file={db.cnf}", "--batch", "ctrack", "-e", sql],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # The SLEEP runs once the lock is held.
        self.conn = wait_for(lambda: self._sleeper(), "the lock holder did not take its lock", timeout=10)

    def _sleeper(self):
        rows = self.db.rows("SELECT id FROM information_schema.processlist"
                            f" WHERE info LIKE '%{self.tag}%' AND info NOT LIKE '%processlist%'")
        return int(rows[0][0]) if rows else None

    def release(self):
        if self.proc.poll() is None:
            self.db.run(f"KILL {self.conn}")
        self.proc.wait(timeout=30)


def edit_form(admin, cid):
    r = admin.get(f"/contacts/{cid}/edit")
    assert r.status_code == 200
    return Page(r.text).form(f"/contacts/{cid}")["fields"]


def post_raw(admin, path, form):
    """POST without the client's own 5xx check: a 503 is the answer wanted."""
    return admin.s.post(admin.url(path), data=form, allow_redirects=False, timeout=60)


def assert_refused_and_audited(r, demo, audit, mark, cid, before, reason):
    assert r.status_code == 503, f"the edit answered {r.status_code}"
    assert r.headers.get("Retry-After") == "5"
    assert "Nothing was changed" in Page(r.text).text
    assert demo.contact(cid) == before, "the refused edit changed the contact"
    row = audit.one_since(mark, "the refused edit")
    assert (row["method"], row["path"], row["outcome"]) == ("POST", f"/contacts/{cid}", 503), row
    assert row["detail"] and reason in row["detail"], f"the audit row gives no reason: {row['detail']!r}"


def test_a_held_row_lock_ends_in_an_audited_503(admin, db, demo, audit, create_contact):
    """Row lock waits give up (after half of DB.TimeoutSeconds) before the
    client's read timeout: the request stays connected, rolls back, and
    records its failure."""
    cid = create_contact(phone="+1 202 555 0100")
    before = demo.contact(cid)
    form = dict(edit_form(admin, cid), phone="+1 202 555 0199")
    lock = RowLock(db, cid, 30)
    try:
        mark = audit.mark()
        r = post_raw(admin, f"/contacts/{cid}", form)
    finally:
        lock.release()
    assert_refused_and_audited(r, demo, audit, mark, cid, before, "lock wait")
    # Once the lock is gone the same form goes through.
    r = post_raw(admin, f"/contacts/{cid}", form)
    assert r.status_code == 303, f"the edit after the lock was released answered {r.status_code}"
    assert demo.contact(cid)["phone"] == "+1 202 555 0199"


@pytest.fixture
def short_deadline(stack_dir):
    """Server.RequestDeadlineSeconds = 2 for one test, then the original
    configuration again."""
    with config_changed(stack_dir, r"^(\s*)(MaxBody\s*=.*)$", r"\1\2\n\1RequestDeadlineSeconds = 2",
                        "Server.MaxBody line to put the deadline after"):
        yield


def test_a_request_past_its_deadline_is_rolled_back(short_deadline, admin, db, demo, audit, create_contact):
    """The lock is held for 4 s: the UPDATE then succeeds (lock waits allow
    5 s), but the request has used more than its 2 s. Committing could
    change data after nginx gave up, so the work is rolled back instead."""
    cid = create_contact(phone="+1 202 555 0100")
    before = demo.contact(cid)
    form = dict(edit_form(admin, cid), phone="+1 202 555 0142")
    lock = RowLock(db, cid, 4)
    try:
        mark = audit.mark()
        started = time.monotonic()
        r = post_raw(admin, f"/contacts/{cid}", form)
        took = time.monotonic() - started
    finally:
        lock.release()
    assert took >= 2, f"the edit was answered after {took:.1f} s, before the lock was released"
    assert_refused_and_audited(r, demo, audit, mark, cid, before, "deadline")
