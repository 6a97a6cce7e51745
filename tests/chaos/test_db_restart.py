"""MariaDB restarted under load (harness.db_restart_under_load, the same
scenario as tests/ha/test_db_restart.py): answers are 503 while it is away,
normal within 5 s after it is back, with no restart of ctrack and no
acknowledged write lost."""
from harness import db_restart_under_load


def test_database_restart(stack, figures):
    figs, problems = db_restart_under_load(stack, back_within=5.0)
    figures.update(figs)
    assert problems == [], problems
