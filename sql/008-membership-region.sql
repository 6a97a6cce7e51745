-- 008: each membership holds its contact's region, so that one index answers
-- "the members of these campaigns in these regions".
--
-- A user limited to a state and to large campaigns had MariaDB intersect
-- every contact of the state (37,858 for Ohio at 1,000,000 contacts) with
-- every member of the campaigns (67,000): 130-400 ms for the first list
-- page, because no index held both the region and the campaign. With
-- (client_id, campaign_id, region_id, contact_id) the scope condition
-- (acl_scope_sql) reads only the user's members in the user's regions.
--
-- region_id is a copy of contacts.region_id. The scope still checks the
-- contact's own region as well, so a wrong copy could only hide a contact,
-- never show one outside the user's regions. Triggers keep the copy right in
-- the same transaction as every write, whoever the writer is (the program,
-- imports, SQL by hand): a new membership takes the contact's region, and a
-- change of a contact's region is copied to all its memberships (through
-- contact_campaigns_contact). Contacts never change client, and memberships
-- never change contact (their key), so those two cases are all.
--
-- Triggers run with the rights of their definer, the schema owner running
-- this migration; the application account needs nothing more. With the
-- binary log on, creating them needs SUPER or log_bin_trust_function_creators
-- (see the README, Configuration reference). A trigger body is one statement:
-- the migration runner splits statements at a ';' at the end of a line.

ALTER TABLE contact_campaigns
  ADD COLUMN region_id INT UNSIGNED NULL AFTER contact_id,
  ADD KEY contact_campaigns_region (client_id, campaign_id, region_id, contact_id);

UPDATE contact_campaigns cc
  JOIN contacts c ON c.client_id = cc.client_id AND c.id = cc.contact_id
  SET cc.region_id = c.region_id;

CREATE TRIGGER contact_campaigns_region_insert BEFORE INSERT ON contact_campaigns FOR EACH ROW
  SET NEW.region_id = (SELECT c.region_id FROM contacts c WHERE c.client_id = NEW.client_id AND c.id = NEW.contact_id);

-- The UPDATE runs only when the region changed: MariaDB refuses a trigger
-- that writes a table the triggering statement reads (error 1442), and a
-- scoped UPDATE of contacts reads contact_campaigns for the campaign limit;
-- such a statement must not change the region (contacts_update sets it
-- apart, under the region limit alone). The IF is on one line: the inner
-- ';' does not end a line, so the runner keeps it in the statement.
CREATE TRIGGER contacts_region_copy AFTER UPDATE ON contacts FOR EACH ROW
  IF NOT (NEW.region_id <=> OLD.region_id) THEN UPDATE contact_campaigns SET region_id = NEW.region_id WHERE client_id = NEW.client_id AND contact_id = NEW.id; END IF;
