-- 003: campaigns, campaign membership, and the two limits of a user's scope
-- (geography and campaigns). fcgi/acl.c turns them into the one row-scope
-- condition that every query of contacts carries.
--
-- A user sees a contact when it belongs to the user's client, AND (the user
-- has all_regions, or the contact's region lies under one of user_regions),
-- AND (the user has all_campaigns, or the contact is a member of one of
-- user_campaigns). Empty sets with the flags off mean: sees nothing.

CREATE TABLE campaigns (
  client_id   INT UNSIGNED NOT NULL,
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(200) NOT NULL,
  archived_at DATETIME(6) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (client_id, id),
  UNIQUE KEY campaigns_id (id),
  UNIQUE KEY campaigns_name (client_id, name),
  CONSTRAINT campaigns_client FOREIGN KEY (client_id) REFERENCES clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_ai_ci;

-- Membership of a contact in a campaign, with its response status. The
-- second key serves the scope check "is this contact in one of my
-- campaigns?" from the contact's side.
CREATE TABLE contact_campaigns (
  client_id   INT UNSIGNED NOT NULL,
  campaign_id INT UNSIGNED NOT NULL,
  contact_id  INT UNSIGNED NOT NULL,
  status      VARCHAR(40) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL DEFAULT 'targeted',
  added_at    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (client_id, campaign_id, contact_id),
  KEY contact_campaigns_contact (client_id, contact_id, campaign_id),
  CONSTRAINT contact_campaigns_campaign FOREIGN KEY (client_id, campaign_id) REFERENCES campaigns (client_id, id),
  CONSTRAINT contact_campaigns_contact_fk FOREIGN KEY (client_id, contact_id) REFERENCES contacts (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The geography limit: regions at any level; a region includes everything
-- under it (region_closure).
CREATE TABLE user_regions (
  client_id INT UNSIGNED NOT NULL,
  user_id   INT UNSIGNED NOT NULL,
  region_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (client_id, user_id, region_id),
  CONSTRAINT user_regions_user FOREIGN KEY (client_id, user_id) REFERENCES users (client_id, id),
  CONSTRAINT user_regions_region FOREIGN KEY (client_id, region_id) REFERENCES regions (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The campaign limit.
CREATE TABLE user_campaigns (
  client_id   INT UNSIGNED NOT NULL,
  user_id     INT UNSIGNED NOT NULL,
  campaign_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (client_id, user_id, campaign_id),
  CONSTRAINT user_campaigns_user FOREIGN KEY (client_id, user_id) REFERENCES users (client_id, id),
  CONSTRAINT user_campaigns_campaign FOREIGN KEY (client_id, campaign_id) REFERENCES campaigns (client_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

GRANT SELECT, INSERT, UPDATE ON campaigns TO ctrack_app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON contact_campaigns TO ctrack_app_role;
GRANT SELECT, INSERT, DELETE ON user_regions TO ctrack_app_role;
GRANT SELECT, INSERT, DELETE ON user_campaigns TO ctrack_app_role;
