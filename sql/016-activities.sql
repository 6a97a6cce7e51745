-- 016: a client's administrator (users.manage) sets the client's time zone
-- on the administration page: the application may change that one column
-- of its client's row, nothing else of clients.
GRANT UPDATE (time_zone) ON clients TO ctrack_app_role;
