-- Accounts, sessions, API tokens, security settings, real-name verification and the audit log.

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE,
    display_name          TEXT NOT NULL DEFAULT '',
    role                  TEXT NOT NULL,
    region                BIGINT REFERENCES regions (code),
    enterprise            TEXT,
    password_hash         TEXT NOT NULL,
    password_changed_at   TEXT NOT NULL,
    must_change_password  BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret           TEXT,
    totp_pending          TEXT,
    totp_enabled          BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step        BIGINT NOT NULL DEFAULT 0,
    failed_logins         BIGINT NOT NULL DEFAULT 0,
    locked_until          TEXT,
    verification          TEXT NOT NULL DEFAULT 'verified'
                          CHECK (verification IN ('pending', 'returned', 'verified')),
    disabled              BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    version               BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_region ON users (region);
CREATE INDEX users_enterprise ON users (enterprise);

-- A session is found by the hash of its cookie value; the value itself is never stored.
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ip            TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    ended_at      TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    token_hash    TEXT NOT NULL UNIQUE,
    label         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Security settings are versioned: every change is a new row, the newest is in force.
CREATE TABLE security_settings (
    version     INTEGER PRIMARY KEY,
    settings    TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    reason      TEXT NOT NULL
);

CREATE TABLE verifications (
    id               INTEGER PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id),
    enterprise_name  TEXT NOT NULL,
    credit_code      TEXT NOT NULL,
    region           BIGINT REFERENCES regions (code),
    contact_name     TEXT NOT NULL,
    contact_phone    TEXT NOT NULL,
    document_name    TEXT NOT NULL,
    document_type    TEXT NOT NULL,
    document         BLOB NOT NULL,
    pledge_accepted  TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'returned')),
    submitted_at     TEXT NOT NULL,
    reviewed_by      TEXT,
    reviewed_at      TEXT,
    reason           TEXT
);
CREATE INDEX verifications_status ON verifications (status, region, submitted_at);
CREATE INDEX verifications_user ON verifications (user_id);

-- Append-only, hash-chained with SM3. audit_head holds the last link; appending updates it in
-- the same transaction, which serialises appenders.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    BIGINT,
    username   TEXT NOT NULL,
    role       TEXT NOT NULL,
    ip         TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (username, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
