"""One database server restarting under load: while it is away every
request gets a quick 503 (never a hang, never a 500); once it is back the
same workers answer normally within 5 s, without a restart of ctrack, and
every write that was acknowledged is there with its audit row. The scenario
is harness.db_restart_under_load (the chaos checks run it too)."""
from conftest import db_restart_under_load


def test_database_restart_under_load(single):
    figures, problems = db_restart_under_load(single)
    assert problems == [], problems
