-- 001: the first schema: clients, users and their types, the function matrix,
-- regions, contacts, sessions and the audit trail.
--
-- Migrations are forward-only. `ctrack migrate` runs each file once, one
-- statement at a time (statements end with a semicolon at the end of a line),
-- and records it in schema_migrations. Every client-owned table leads its
-- primary key and indexes with client_id.
--
-- Text that people search is stored in utf8mb4 with an accent- and
-- case-insensitive UCA 14 collation, so `lujan` finds `Luján`.

CREATE TABLE clients (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(200) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY clients_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

CREATE TABLE user_types (
  client_id   INT UNSIGNED NOT NULL,
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(100) NOT NULL,
  PRIMARY KEY (client_id, id),
  UNIQUE KEY user_types_id (id),
  UNIQUE KEY user_types_name (client_id, name),
  CONSTRAINT user_types_client FOREIGN KEY (client_id) REFERENCES clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- The security matrix: a row means the function is allowed for the user type.
-- No row means prohibited (deny by default). Function names are fixed in code.
CREATE TABLE user_type_functions (
  client_id     INT UNSIGNED NOT NULL,
  user_type_id  INT UNSIGNED NOT NULL,
  function_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (client_id, user_type_id, function_name),
  CONSTRAINT utf_type FOREIGN KEY (client_id, user_type_id) REFERENCES user_types (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Usernames are unique across the whole installation (case-insensitively), so
-- a logon needs only a username and a password.
CREATE TABLE users (
  client_id     INT UNSIGNED NOT NULL,
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  username      VARCHAR(100) NOT NULL,
  display_name  VARCHAR(200) NOT NULL DEFAULT '',
  user_type_id  INT UNSIGNED NOT NULL,
  password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status        ENUM('active','disabled') NOT NULL DEFAULT 'active',
  all_regions   TINYINT(1) NOT NULL DEFAULT 0,
  all_campaigns TINYINT(1) NOT NULL DEFAULT 0,
  created_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (client_id, id),
  UNIQUE KEY users_id (id),
  UNIQUE KEY users_username (username),
  CONSTRAINT users_type FOREIGN KEY (client_id, user_type_id) REFERENCES user_types (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- Regions form a tree per client (country > state > district > ...).
-- region_closure holds every (ancestor, descendant) pair including (r, r), so
-- "in Ohio" is one indexed lookup whatever the depth.
CREATE TABLE regions (
  client_id   INT UNSIGNED NOT NULL,
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  parent_id   INT UNSIGNED NULL,
  kind        VARCHAR(20) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  code        VARCHAR(40) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  name        VARCHAR(200) NOT NULL,
  sort_key    VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (client_id, id),
  UNIQUE KEY regions_id (id),
  UNIQUE KEY regions_code (client_id, code),
  KEY regions_parent (client_id, parent_id),
  CONSTRAINT regions_client FOREIGN KEY (client_id) REFERENCES clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

CREATE TABLE region_closure (
  client_id     INT UNSIGNED NOT NULL,
  ancestor_id   INT UNSIGNED NOT NULL,
  descendant_id INT UNSIGNED NOT NULL,
  depth         SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (client_id, ancestor_id, descendant_id),
  KEY region_closure_desc (client_id, descendant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE contacts (
  client_id     INT UNSIGNED NOT NULL,
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  external_id   VARCHAR(64) NULL,
  first_name    VARCHAR(100) NOT NULL DEFAULT '',
  middle_name   VARCHAR(100) NOT NULL DEFAULT '',
  last_name     VARCHAR(100) NOT NULL DEFAULT '',
  suffix        VARCHAR(20)  NOT NULL DEFAULT '',
  nickname      VARCHAR(100) NOT NULL DEFAULT '',
  title         VARCHAR(100) NOT NULL DEFAULT '',
  organisation  VARCHAR(200) NOT NULL DEFAULT '',
  party         VARCHAR(100) NOT NULL DEFAULT '',
  email         VARCHAR(254) NOT NULL DEFAULT '',
  phone         VARCHAR(50)  NOT NULL DEFAULT '',
  address       VARCHAR(500) NOT NULL DEFAULT '',
  website       VARCHAR(500) NOT NULL DEFAULT '',
  contact_form  VARCHAR(500) NOT NULL DEFAULT '',
  birthday      DATE NULL,
  region_id     INT UNSIGNED NULL,
  notes         TEXT NOT NULL DEFAULT '',
  created_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  deleted_at    DATETIME(6) NULL,
  -- Whole name in one column for the accent- and case-insensitive search.
  -- (CONCAT_WS skips NULLs, not empty strings: hence NULLIF.)
  search_name   VARCHAR(420) AS (CONCAT_WS(' ', NULLIF(first_name, ''), NULLIF(middle_name, ''),
                  NULLIF(last_name, ''), NULLIF(nickname, ''))) STORED,
  -- 1 while the contact is visible; NULL once soft-deleted (keeps indexes small
  -- and lets every list index start with the live rows).
  live          TINYINT AS (IF(deleted_at IS NULL, 1, NULL)) STORED,
  PRIMARY KEY (client_id, id),
  UNIQUE KEY contacts_id (id),
  UNIQUE KEY contacts_external (client_id, external_id),
  KEY contacts_name (client_id, live, last_name, first_name, id),
  KEY contacts_updated (client_id, live, updated_at, id),
  KEY contacts_region (client_id, live, region_id),
  KEY contacts_party (client_id, live, party),
  CONSTRAINT contacts_client_fk FOREIGN KEY (client_id) REFERENCES clients (id),
  CONSTRAINT contacts_region_fk FOREIGN KEY (client_id, region_id) REFERENCES regions (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- Only the SHA-256 of a session token is stored; the token itself lives only
-- in the browser's cookie.
CREATE TABLE sessions (
  token_hash  BINARY(32) NOT NULL,
  client_id   INT UNSIGNED NOT NULL,
  user_id     INT UNSIGNED NOT NULL,
  csrf_token  CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  last_seen   DATETIME(6) NOT NULL,
  expires_at  DATETIME(6) NOT NULL,
  remote_addr VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  PRIMARY KEY (token_hash),
  KEY sessions_user (client_id, user_id),
  KEY sessions_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per request (and more for bulk work later). The application's
-- account may only INSERT and SELECT here.
CREATE TABLE audit (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  at          DATETIME(6) NOT NULL,
  client_id   INT UNSIGNED NULL,
  user_id     INT UNSIGNED NULL,
  remote_addr VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  request_id  CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  method      VARCHAR(10) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  path        VARCHAR(2000) NOT NULL,
  action      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  object_type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  object_id   BIGINT UNSIGNED NULL,
  outcome     SMALLINT UNSIGNED NOT NULL,
  detail      MEDIUMTEXT NULL,
  PRIMARY KEY (id),
  KEY audit_client_time (client_id, at),
  KEY audit_object (client_id, object_type, object_id),
  KEY audit_request (request_id),
  CONSTRAINT audit_detail_json CHECK (detail IS NULL OR JSON_VALID(detail))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The application's least privilege, given to a role so that the rule lives
-- beside the schema. The operator grants the role to the application account.
GRANT SELECT ON clients TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_types TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_type_functions TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE ON users TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE ON regions TO ctrack_app_role;
GRANT SELECT, INSERT ON region_closure TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE ON contacts TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO ctrack_app_role;
GRANT SELECT, INSERT ON audit TO ctrack_app_role;
