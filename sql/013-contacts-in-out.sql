-- 013: contacts as files carry them, and imports that can be undone.
--
-- A postal address in parts (the street lines stay in address), the types of
-- the contact's own email and phone, any further emails and phones
-- (contact_channels), tags, and birthdays without a year. The import tables
-- keep each upload until it is run, what every run did to which contact
-- (so a whole import can be undone), and its per-row report.

-- A birthday is a calendar date, never a point in time: 'YYYY-MM-DD', or
-- '--MM-DD' when the year is not known (the form of RFC 6350). Text, so no
-- time zone of the server, the connection or the reader can move it.
ALTER TABLE contacts
  MODIFY birthday VARCHAR(10) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN city           VARCHAR(100) NOT NULL DEFAULT '' AFTER address,
  ADD COLUMN address_region VARCHAR(100) NOT NULL DEFAULT '' AFTER city,
  ADD COLUMN postal_code    VARCHAR(20)  NOT NULL DEFAULT '' AFTER address_region,
  ADD COLUMN country        VARCHAR(100) NOT NULL DEFAULT '' AFTER postal_code,
  ADD COLUMN email_type     VARCHAR(40) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL DEFAULT '' AFTER email,
  ADD COLUMN phone_type     VARCHAR(40) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL DEFAULT '' AFTER phone,
  -- The key imports match an email on: trimmed on the way in, case-folded
  -- here, compared byte for byte (so accents still count, as in addresses).
  ADD COLUMN email_key      VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
                            AS (LOWER(email)) STORED,
  ADD KEY contacts_email (client_id, email_key),
  ADD CONSTRAINT contacts_birthday CHECK (birthday REGEXP '^([0-9]{4}|-)-[0-9]{2}-[0-9]{2}$');

-- Emails and phones beyond the contact's own (contacts.email and .phone,
-- the preferred ones): seq 1, 2, ... in the order the contact gave them.
CREATE TABLE contact_channels (
  client_id   INT UNSIGNED NOT NULL,
  contact_id  INT UNSIGNED NOT NULL,
  kind        ENUM('email','phone') CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  seq         TINYINT UNSIGNED NOT NULL,
  value       VARCHAR(254) NOT NULL,
  types       VARCHAR(40) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL DEFAULT '',
  PRIMARY KEY (client_id, contact_id, kind, seq),
  CONSTRAINT contact_channels_contact FOREIGN KEY (client_id, contact_id) REFERENCES contacts (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Tags (labels, categories): free words a client files its contacts under.
CREATE TABLE contact_tags (
  client_id   INT UNSIGNED NOT NULL,
  contact_id  INT UNSIGNED NOT NULL,
  tag         VARCHAR(100) NOT NULL,
  PRIMARY KEY (client_id, contact_id, tag),
  KEY contact_tags_tag (client_id, tag, contact_id),
  CONSTRAINT contact_tags_contact FOREIGN KEY (client_id, contact_id) REFERENCES contacts (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- One upload (or command-line file) and its runs. content holds the file
-- until it has been imported (then it is cleared); the SHA-256 stays.
CREATE TABLE imports (
  client_id   INT UNSIGNED NOT NULL,
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id     INT UNSIGNED NULL,
  file_name   VARCHAR(255) NOT NULL,
  file_sha256 BINARY(32) NOT NULL,
  file_size   BIGINT UNSIGNED NOT NULL,
  content     LONGBLOB NULL,
  format      VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  options     TEXT NOT NULL DEFAULT '{}',
  -- The options of the last run as the import form sends them, to show
  -- them again (a dry run, then the run).
  settings    TEXT NOT NULL DEFAULT '',
  status      ENUM('uploaded','imported','undone') CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'uploaded',
  dry_run     TINYINT NOT NULL DEFAULT 0,
  rows_read   INT UNSIGNED NOT NULL DEFAULT 0,
  created     INT UNSIGNED NOT NULL DEFAULT 0,
  updated     INT UNSIGNED NOT NULL DEFAULT 0,
  restored    INT UNSIGNED NOT NULL DEFAULT 0,
  skipped     INT UNSIGNED NOT NULL DEFAULT 0,
  failed      INT UNSIGNED NOT NULL DEFAULT 0,
  created_at  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  run_at      DATETIME(6) NULL,
  undone_at   DATETIME(6) NULL,
  PRIMARY KEY (client_id, id),
  UNIQUE KEY imports_id (id),
  CONSTRAINT imports_client FOREIGN KEY (client_id) REFERENCES clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- What an import did to each contact: enough to undo it. before holds the
-- fields of an updated or restored contact as they were (JSON); version is
-- the contact's updated_at right after the import, so an undo can tell a
-- later change from the import's own.
CREATE TABLE import_contacts (
  client_id   INT UNSIGNED NOT NULL,
  import_id   INT UNSIGNED NOT NULL,
  contact_id  INT UNSIGNED NOT NULL,
  action      ENUM('created','updated','restored') CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  before_json MEDIUMTEXT NULL,
  version     DATETIME(6) NOT NULL,
  PRIMARY KEY (client_id, import_id, contact_id),
  CONSTRAINT import_contacts_import FOREIGN KEY (client_id, import_id) REFERENCES imports (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The report of the last run of an import: one row per problem.
CREATE TABLE import_problems (
  client_id   INT UNSIGNED NOT NULL,
  import_id   INT UNSIGNED NOT NULL,
  seq         INT UNSIGNED NOT NULL,
  record      INT UNSIGNED NOT NULL,
  line        INT UNSIGNED NOT NULL,
  column_name VARCHAR(200) NOT NULL DEFAULT '',
  severity    ENUM('error','warning') CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reason      VARCHAR(1000) NOT NULL,
  PRIMARY KEY (client_id, import_id, seq),
  CONSTRAINT import_problems_import FOREIGN KEY (client_id, import_id) REFERENCES imports (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

GRANT SELECT, INSERT, UPDATE, DELETE ON contact_channels TO ctrack_app_role;
GRANT SELECT, INSERT, DELETE ON contact_tags TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE ON imports TO ctrack_app_role;
GRANT SELECT, INSERT ON import_contacts TO ctrack_app_role;
GRANT SELECT, INSERT, DELETE ON import_problems TO ctrack_app_role;
