-- One enterprise per credit code, and changes to who an enterprise is (its name, its region)
-- reviewed before they hold.

-- A change of an enterprise's name or region (变更) waits here until a reviewer decides: the
-- approved name and region stay in force on /verify, certificates, lists and statistics until
-- then. A name change is reviewed in the enterprise's region, a move by the destination's
-- reviewers. An enterprise has at most one open change (submitted or returned).
CREATE TABLE enterprise_amendments (
    id             INTEGER PRIMARY KEY,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id),
    name           TEXT,
    region         BIGINT REFERENCES regions (code),
    status         TEXT NOT NULL
                   CHECK (status IN ('submitted', 'returned', 'approved', 'discarded')),
    requested_by   TEXT NOT NULL,
    requested_at   TEXT NOT NULL,
    reviewed_by    TEXT,
    reviewed_at    TEXT,
    reason         TEXT,
    CHECK (name IS NOT NULL OR region IS NOT NULL)
);
CREATE UNIQUE INDEX enterprise_amendments_open ON enterprise_amendments (enterprise_id)
    WHERE status IN ('submitted', 'returned');
CREATE INDEX enterprise_amendments_queue ON enterprise_amendments (status, region);

-- A further account of an enterprise, added by its existing account or a reviewer of its
-- region, chooses its own password with a one-time code (stored as a hash only): whoever adds
-- it never learns the password.
CREATE TABLE account_setups (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id),
    code_hash   TEXT NOT NULL UNIQUE,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- The accounts bound to a credit code are looked up at every sign-up.
CREATE INDEX users_enterprise_verification ON users (enterprise, verification);
