"""After the whole suite (this file's name sorts last): the audit trail of
everything the suite did, thousands of rows from parallel workers, the
command line and the tests that tampered with rows and put them back,
verifies as intact, chain by chain and against a checkpoint."""
import subprocess

from conftest import cli_paths


def test_the_whole_audit_trail_verifies_after_the_suite(db, tmp_path):
    path, conf = cli_paths()
    rows = db.int("SELECT COUNT(*) FROM audit WHERE chain IS NOT NULL")
    assert rows > 0, "no chained rows at all"
    cp = str(tmp_path / "checkpoint")
    p = subprocess.run([path, "audit", "checkpoint", "-c", conf, "--out", cp], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    p = subprocess.run([path, "audit", "verify", "-c", conf, "--checkpoint", cp], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0 and p.stdout.rstrip().endswith("checked against the checkpoint: intact"), \
        p.stdout + p.stderr
    checked = int(p.stdout.split()[0])
    assert checked >= rows, f"verify checked {checked} of {rows} chained rows"
