-- Audit entries past their retention move here, whole and in order, so the chain stays
-- verifiable end to end. A row may leave audit_log only once an identical copy is archived.

CREATE TABLE audit_archive (
    seq          BIGINT PRIMARY KEY,
    at           TEXT NOT NULL,
    user_id      BIGINT,
    username     TEXT NOT NULL,
    role         TEXT NOT NULL,
    ip           TEXT NOT NULL,
    action       TEXT NOT NULL,
    object       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    archived_at  TEXT NOT NULL
);

CREATE TRIGGER audit_archive_no_update BEFORE UPDATE ON audit_archive
BEGIN SELECT RAISE(ABORT, 'the audit archive is append-only'); END;
CREATE TRIGGER audit_archive_no_delete BEFORE DELETE ON audit_archive
BEGIN SELECT RAISE(ABORT, 'the audit archive is append-only'); END;

DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_archive a WHERE a.seq = OLD.seq AND a.hash = OLD.hash)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
