-- 002: the number of live contacts per client, kept in the same transaction
-- as every insert and soft delete (fcgi/counts.c), so the unfiltered list
-- shows its total without counting 10,000s of index entries on every page.

CREATE TABLE contact_totals (
  client_id  INT UNSIGNED NOT NULL,
  live       INT NOT NULL,
  PRIMARY KEY (client_id),
  CONSTRAINT contact_totals_client FOREIGN KEY (client_id) REFERENCES clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO contact_totals (client_id, live)
  SELECT client_id, COUNT(*) FROM contacts WHERE deleted_at IS NULL GROUP BY client_id;

GRANT SELECT, INSERT, UPDATE ON contact_totals TO ctrack_app_role;
