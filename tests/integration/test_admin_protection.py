"""The administration page's "Data protection" panel: the last good backup
(its time, age, off-site copy, and a failed run since), whether commits wait
for a standby, and the standbys. The test stack has one database server and
its own backups table; a pair is in tests/ha."""
import pytest

from conftest import Page, sql_str


@pytest.fixture
def backups(db):
    """The backups table emptied for the test, and put back afterwards."""
    saved = db.rows("SELECT COUNT(*) FROM backups")[0][0]
    db.run("CREATE TABLE IF NOT EXISTS backups_saved LIKE backups")
    db.run("DELETE FROM backups_saved")
    assert db.run("INSERT INTO backups_saved SELECT * FROM backups").returncode == 0
    db.run("DELETE FROM backups")
    yield db
    db.run("DELETE FROM backups")
    assert db.run("INSERT INTO backups SELECT * FROM backups_saved").returncode == 0
    db.run("DROP TABLE backups_saved")
    assert db.rows("SELECT COUNT(*) FROM backups")[0][0] == saved


def add_backup(db, name, hours_ago, ok=True, offsite=True, error=None):
    at = f"UTC_TIMESTAMP(6) - INTERVAL {int(hours_ago * 3600)} SECOND"
    p = db.run("INSERT INTO backups (name, started_at, finished_at, ok, offsite_ok, verified, size_bytes, "
               f"binlog_file, binlog_pos, gtid_pos, error) VALUES ({sql_str(name)}, {at} - INTERVAL 5 SECOND, "
               f"{at}, {int(ok)}, {int(offsite)}, {int(ok)}, 1000, 'binlog.000001', 4, '0-1-1', "
               f"{sql_str(error) if error else 'NULL'})")
    assert p.returncode == 0, p.stderr


def panel(admin):
    r = admin.get("/admin")
    assert r.status_code == 200
    return Page(r.text)


def test_no_backup_yet_and_no_standby(admin, backups):
    page = panel(admin)
    assert page.by_id["backup-last"] == "None recorded: no backup has succeeded yet."
    assert "backup-failed" not in page.by_id
    assert page.by_id["replication-mode"] == "Not replicated: the database has no standby."
    assert "standby" not in page.by_class


def test_last_good_backup_and_a_failure_since(admin, backups):
    add_backup(backups, "2026-01-01T020000Z", hours_ago=50)
    add_backup(backups, "2026-01-02T020000Z", hours_ago=3.2, offsite=True)
    page = panel(admin)
    at = backups.value("SELECT DATE_FORMAT(MAX(finished_at), '%Y-%m-%d %H:%i UTC') FROM backups WHERE ok")
    assert page.by_id["backup-last"] == f"{at} (3 hours ago), copied off-site"
    assert "backup-failed" not in page.by_id
    # A failed run after it is shown, its message as text.
    add_backup(backups, "2026-01-03T020000Z", hours_ago=0.5, ok=False, offsite=False,
               error="mariadb-backup failed: <b>disk full</b>")
    page = panel(admin)
    assert page.by_id["backup-last"] == f"{at} (3 hours ago), copied off-site"
    failed_at = backups.value("SELECT DATE_FORMAT(MAX(finished_at), '%Y-%m-%d %H:%i UTC') FROM backups WHERE NOT ok")
    assert page.by_id["backup-failed"] == f"The backup of {failed_at} failed: mariadb-backup failed: <b>disk full</b>"
    assert "<b>disk full</b>" not in page.source


def test_a_late_backup_and_one_not_copied_off_site(admin, backups):
    add_backup(backups, "2026-01-01T020000Z", hours_ago=30, offsite=False)
    text = panel(admin).by_id["backup-last"]
    assert text.endswith("(1 day ago), not copied off-site Late: the daily backup has not succeeded for more "
                         "than a day."), text
    add_backup(backups, "2026-01-02T020000Z", hours_ago=0)
    assert panel(admin).by_id["backup-last"].endswith("(less than a minute ago), copied off-site")
