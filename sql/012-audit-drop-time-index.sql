-- 012: the audit table loses its (client_id, at) index.
--
-- Nothing reads through it any more: the viewer turns a time range into an
-- id range on the primary key (ids and times grow together) and pages on
-- the (client_id, ..., id) indexes of 010; a purge walks each chain in seq
-- order on audit_chain. Every request appends a row, so an index nobody
-- reads is pure cost on every request.
ALTER TABLE audit DROP KEY audit_client_time;
