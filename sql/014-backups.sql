-- 014: the record of backups. `ctrack-backup take` (conf/ctrack-backup) adds
-- one row per run, successful or not, through the backup account; the
-- administration pages read the last good one. Times are UTC.
--
-- ok: the whole run succeeded (backup, prepare, verification, off-site copy,
-- pruning); verified: the backup started as a server and its manifest (row
-- counts and CHECKSUM TABLE per table) was written; offsite_ok: the off-site
-- copy completed. binlog_file, binlog_pos and gtid_pos are where the backup's
-- data ends in the binary log: a point-in-time restore replays from there.
-- error: why the run failed, NULL when it did not.
-- IF NOT EXISTS: a run stopped by a missing role (the GRANTs below need
-- ctrack_backup_role) can simply be repeated once the role exists.
CREATE TABLE IF NOT EXISTS backups (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  started_at  DATETIME(6) NOT NULL,
  finished_at DATETIME(6) NOT NULL,
  ok          BOOL NOT NULL,
  offsite_ok  BOOL NOT NULL,
  verified    BOOL NOT NULL,
  size_bytes  BIGINT UNSIGNED NULL,
  binlog_file VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  binlog_pos  BIGINT UNSIGNED NULL,
  gtid_pos    VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NULL,
  error       VARCHAR(1000) NULL,
  PRIMARY KEY (id),
  KEY backups_ok_finished (ok, finished_at),
  KEY backups_finished (finished_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

GRANT SELECT ON backups TO ctrack_app_role;

-- The backup account (DB_DEFAULTS of ctrack-backup's configuration) records
-- its runs. The operator creates the role and grants it the global
-- privileges mariadb-backup needs (README: "Backups and restores"), as
-- conf/stack.sh does for the private stack.
GRANT INSERT ON backups TO ctrack_backup_role;
