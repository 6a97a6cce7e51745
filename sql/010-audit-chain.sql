-- The audit trail made tamper-evident, searchable and purgeable.
--
-- Chains. Every row written from now on belongs to one chain: the rows of
-- one client (chain_client, 0 for requests of nobody) written by one writer
-- slot (chain). A slot is held by one database connection at a time (a named
-- lock, see audit.c), so each chain has a single writer and no request waits
-- for another's. seq numbers a chain's rows from 1 without gaps; hash is the
-- HMAC-SHA-256, under Audit.KeyFile, of the previous row's hash and the
-- row's own fields, so that `ctrack audit verify` finds a row altered,
-- deleted, inserted or reordered. Rows written before this migration have no
-- chain and are reported as such.
ALTER TABLE audit
  ADD COLUMN chain SMALLINT UNSIGNED NULL,
  ADD COLUMN seq BIGINT UNSIGNED NULL,
  ADD COLUMN hash BINARY(32) NULL,
  ADD COLUMN chain_client INT UNSIGNED AS (IFNULL(client_id, 0)) STORED,
  ADD UNIQUE KEY audit_chain (chain_client, chain, seq),
  -- The viewer's filters, each newest first (by id).
  ADD KEY audit_client_id (client_id, id),
  ADD KEY audit_client_user (client_id, user_id, id),
  ADD KEY audit_client_action (client_id, action, id),
  ADD KEY audit_client_outcome (client_id, outcome, id);

-- Where a chain begins after `ctrack audit purge` removed its oldest rows:
-- the last removed row's seq, hash and time, which the first remaining row
-- links to, and a mac of them under the same key (audit_anchor_mac), so that
-- an anchor cannot be made up to hide rows deleted without a purge.
CREATE TABLE audit_anchors (
  chain_client INT UNSIGNED NOT NULL,
  chain        SMALLINT UNSIGNED NOT NULL,
  seq          BIGINT UNSIGNED NOT NULL,
  hash         BINARY(32) NOT NULL,
  at           DATETIME(6) NOT NULL,
  purged_at    DATETIME(6) NOT NULL,
  mac          BINARY(32) NOT NULL,
  PRIMARY KEY (chain_client, chain)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Where chaining began: the last row written before this migration and how
-- many rows there were. Any other row without a chain was put there later.
CREATE TABLE audit_genesis (
  id                TINYINT UNSIGNED NOT NULL DEFAULT 1,
  last_unchained_id BIGINT UNSIGNED NOT NULL,
  unchained_rows    BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT audit_genesis_one CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO audit_genesis (id, last_unchained_id, unchained_rows)
  SELECT 1, COALESCE(MAX(id), 0), COUNT(*) FROM audit;

-- The contacts a request touched without being its one object: each id of a
-- bulk action, an export or an import, so that a contact's history finds
-- them. Written in the same transaction as the audit row it points to.
CREATE TABLE audit_contacts (
  client_id  INT UNSIGNED NOT NULL,
  contact_id INT UNSIGNED NOT NULL,
  audit_id   BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (client_id, contact_id, audit_id),
  KEY audit_contacts_audit (audit_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- How many days each client keeps its audit trail; NULL keeps it forever.
-- Only the maintenance account may change it, so that the application's
-- account cannot shorten what `ctrack audit purge` keeps.
ALTER TABLE clients
  ADD COLUMN audit_retention_days INT UNSIGNED NULL;

GRANT SELECT, INSERT ON audit_contacts TO ctrack_app_role;
GRANT SELECT ON audit_anchors TO ctrack_app_role;
GRANT SELECT ON audit_genesis TO ctrack_app_role;

-- The maintenance account (`ctrack audit purge`, `ctrack audit retention`):
-- deletes old rows, records where each chain now begins, and appends its own
-- audit rows. The operator creates the role and grants it to the account
-- named by DB.MaintenanceUser, as for ctrack_app_role.
GRANT SELECT, INSERT, DELETE ON audit TO ctrack_maint_role;
GRANT SELECT, DELETE ON audit_contacts TO ctrack_maint_role;
GRANT SELECT, INSERT, UPDATE ON audit_anchors TO ctrack_maint_role;
GRANT SELECT ON audit_genesis TO ctrack_maint_role;
GRANT SELECT (id, name, audit_retention_days), UPDATE (audit_retention_days) ON clients TO ctrack_maint_role;
