-- 011: a contact's history comes from audit_contacts alone.
--
-- The rows whose object is a contact (its page, its edit, its delete) are
-- listed in audit_contacts as well from now on (app.c), so that the history
-- of one contact is one range of that table's primary key, newest first,
-- however many millions of rows the client's audit trail holds. The rows
-- written before are listed here once, for every client at once: a single
-- read of the table; INSERT IGNORE makes a second run harmless.

INSERT IGNORE INTO audit_contacts (client_id, contact_id, audit_id)
  SELECT client_id, object_id, id FROM audit
  WHERE object_type = 'contact' AND object_id IS NOT NULL AND client_id IS NOT NULL;
