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

CREATE TRIGGER audit_archive_no_change BEFORE UPDATE OR DELETE ON audit_archive
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_log' AND EXISTS (
        SELECT 1 FROM audit_archive a WHERE a.seq = OLD.seq AND a.hash = OLD.hash
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
