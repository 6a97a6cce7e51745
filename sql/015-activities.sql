-- 015: the work done with contacts: activities and follow-ups, each
-- client's own campaign statuses, organisations, saved views, and the
-- client's time zone (what "today" and "this week" mean for its staff).

-- The client's IANA time zone (e.g. America/New_York): activity times are
-- entered and shown in it, and a follow-up is due "today" by its calendar.
-- Times are stored in UTC.
ALTER TABLE clients
  ADD COLUMN time_zone VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'UTC';

-- A client's membership statuses, in their order: a status further down the
-- list is further on (logging an activity may move a member forward, never
-- back). stage places each status in the funnel of the dashboard: every
-- member was targeted; contacted, responded and declined were reached;
-- responded answered. contact_campaigns.status holds the code.
CREATE TABLE campaign_statuses (
  client_id   INT UNSIGNED NOT NULL,
  code        VARCHAR(40) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  label       VARCHAR(100) NOT NULL,
  stage       ENUM('targeted','contacted','responded','declined') CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  position    SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (client_id, code),
  UNIQUE KEY campaign_statuses_position (client_id, position),
  CONSTRAINT campaign_statuses_client FOREIGN KEY (client_id) REFERENCES clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

INSERT INTO campaign_statuses (client_id, code, label, stage, position)
  SELECT c.id, s.code, s.label, s.code, s.position FROM clients c
  CROSS JOIN (SELECT 'targeted' AS code, 'Targeted' AS label, 1 AS position UNION ALL
              SELECT 'contacted', 'Contacted', 2 UNION ALL
              SELECT 'responded', 'Responded', 3 UNION ALL
              SELECT 'declined', 'Declined', 4) s;

-- Every new client starts with the four statuses above (the trigger runs
-- with the rights of its definer, the schema owner).
CREATE TRIGGER clients_default_statuses AFTER INSERT ON clients FOR EACH ROW
  INSERT INTO campaign_statuses (client_id, code, label, stage, position) VALUES (NEW.id, 'targeted', 'Targeted', 'targeted', 1), (NEW.id, 'contacted', 'Contacted', 'contacted', 2), (NEW.id, 'responded', 'Responded', 'responded', 3), (NEW.id, 'declined', 'Declined', 'declined', 4);

-- Organisations (an office, a committee, a company): a contact belongs to
-- the organisation named in its organisation field. The name is the key
-- (unique per client, ignoring case and accents), so every way a contact is
-- written (the form, imports, their undo, SQL by hand) links it the same
-- way: the triggers below create the organisation on first use and set
-- contacts.organisation_id.
CREATE TABLE organisations (
  client_id   INT UNSIGNED NOT NULL,
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(200) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (client_id, id),
  UNIQUE KEY organisations_id (id),
  UNIQUE KEY organisations_name (client_id, name),
  CONSTRAINT organisations_client FOREIGN KEY (client_id) REFERENCES clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

ALTER TABLE contacts
  ADD COLUMN organisation_id INT UNSIGNED NULL AFTER organisation,
  ADD KEY contacts_organisation (client_id, organisation_id, live, last_name, first_name, id);

-- The existing names, before the triggers exist (a trigger that writes
-- organisations may not fire from a statement that reads it: error 1442).
INSERT INTO organisations (client_id, name)
  SELECT client_id, MIN(organisation) FROM contacts WHERE organisation <> '' GROUP BY client_id, organisation;

UPDATE contacts c JOIN organisations o ON o.client_id = c.client_id AND o.name = c.organisation
  SET c.organisation_id = o.id WHERE c.organisation <> '';

-- One line each: the runner ends a statement at a ';' at the end of a line.
CREATE TRIGGER contacts_organisation_insert BEFORE INSERT ON contacts FOR EACH ROW
  IF NEW.organisation <> '' THEN INSERT INTO organisations (client_id, name) VALUES (NEW.client_id, NEW.organisation) ON DUPLICATE KEY UPDATE id = id; SET NEW.organisation_id = (SELECT o.id FROM organisations o WHERE o.client_id = NEW.client_id AND o.name = NEW.organisation); ELSE SET NEW.organisation_id = NULL; END IF;

CREATE TRIGGER contacts_organisation_update BEFORE UPDATE ON contacts FOR EACH ROW
  IF NOT (NEW.organisation <=> OLD.organisation) THEN IF NEW.organisation <> '' THEN INSERT INTO organisations (client_id, name) VALUES (NEW.client_id, NEW.organisation) ON DUPLICATE KEY UPDATE id = id; SET NEW.organisation_id = (SELECT o.id FROM organisations o WHERE o.client_id = NEW.client_id AND o.name = NEW.organisation); ELSE SET NEW.organisation_id = NULL; END IF; END IF;

-- Activities: what was done with a contact (a call, a meeting, a letter, an
-- email, a note) or is to be done (a task, the follow-up: due_on, an
-- assignee, done or not). Times in UTC. A soft delete keeps the row for the
-- audit trail. A user sees an activity when the contact is in their scope
-- and, for a campaign-limited user, its campaign (if any) is one of theirs.
CREATE TABLE activities (
  client_id     INT UNSIGNED NOT NULL,
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  contact_id    INT UNSIGNED NOT NULL,
  kind          ENUM('call','meeting','letter','email','note','task') CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  occurred_at   DATETIME(6) NOT NULL,
  user_id       INT UNSIGNED NOT NULL,
  subject       VARCHAR(200) NOT NULL DEFAULT '',
  body          TEXT NOT NULL DEFAULT '',
  outcome       VARCHAR(200) NOT NULL DEFAULT '',
  campaign_id   INT UNSIGNED NULL,
  due_on        DATE NULL,
  assignee_id   INT UNSIGNED NULL,
  done_at       DATETIME(6) NULL,
  done_by       INT UNSIGNED NULL,
  follow_up_of  INT UNSIGNED NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  deleted_at    DATETIME(6) NULL,
  live          TINYINT AS (IF(deleted_at IS NULL, 1, NULL)) STORED,
  -- 1 for a task still to do; NULL otherwise (keeps "my follow-ups" small).
  open_task     TINYINT AS (IF(kind = 'task' AND done_at IS NULL AND deleted_at IS NULL, 1, NULL)) STORED,
  PRIMARY KEY (client_id, id),
  UNIQUE KEY activities_id (id),
  KEY activities_contact (client_id, contact_id, live, occurred_at, id),
  KEY activities_assignee (client_id, assignee_id, open_task, due_on, id),
  KEY activities_contact_open (client_id, contact_id, open_task, due_on),
  KEY activities_time (client_id, live, occurred_at, contact_id),
  KEY activities_campaign (client_id, campaign_id, live, occurred_at),
  CONSTRAINT activities_due CHECK (kind = 'task' OR (due_on IS NULL AND assignee_id IS NULL AND done_at IS NULL)),
  CONSTRAINT activities_contact_fk FOREIGN KEY (client_id, contact_id) REFERENCES contacts (client_id, id),
  CONSTRAINT activities_user_fk FOREIGN KEY (client_id, user_id) REFERENCES users (client_id, id),
  CONSTRAINT activities_assignee_fk FOREIGN KEY (client_id, assignee_id) REFERENCES users (client_id, id),
  CONSTRAINT activities_campaign_fk FOREIGN KEY (client_id, campaign_id) REFERENCES campaigns (client_id, id),
  CONSTRAINT activities_follow_up_fk FOREIGN KEY (client_id, follow_up_of) REFERENCES activities (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- A list filter saved under a name: query is the filter as URL parameters
-- (q=..&region=..), read back by the same parser as the list's own. Shared
-- with the owner's user type when user_type_id is set.
CREATE TABLE saved_views (
  client_id     INT UNSIGNED NOT NULL,
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id       INT UNSIGNED NOT NULL,
  name          VARCHAR(100) NOT NULL,
  query         VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_type_id  INT UNSIGNED NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (client_id, id),
  UNIQUE KEY saved_views_id (id),
  UNIQUE KEY saved_views_name (client_id, user_id, name),
  KEY saved_views_shared (client_id, user_type_id),
  CONSTRAINT saved_views_user FOREIGN KEY (client_id, user_id) REFERENCES users (client_id, id),
  CONSTRAINT saved_views_type FOREIGN KEY (client_id, user_type_id) REFERENCES user_types (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

GRANT SELECT, INSERT, UPDATE, DELETE ON campaign_statuses TO ctrack_app_role;
GRANT SELECT ON organisations TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE ON activities TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO ctrack_app_role;
