-- The workbenches' counts of rare rows in large tables, each a partial index that holds only
-- those rows: accounts waiting for the security administrator's grant, and login locks.
CREATE INDEX users_awaiting_grant ON users (created_at, id) WHERE granted = FALSE AND disabled = FALSE;
CREATE INDEX login_failures_locked ON login_failures (locked_until) WHERE locked_until IS NOT NULL;
