-- 三员分立 that holds, and a lockout a stranger cannot abuse.

-- Where an account's one-time setup codes go (an e-mail address or a mobile number), and whether
-- the security administrator has granted the role and region it was created with. Accounts
-- made before this, or on the server with `zhichan user add`, are granted.
ALTER TABLE users ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN granted BOOLEAN NOT NULL DEFAULT TRUE;

-- One-time codes that let an account's owner set its password (a new account, or after a
-- reset). Only the hash is kept; the code itself travels once, through account_outbox.
CREATE TABLE password_setups (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX password_setups_user ON password_setups (user_id);

-- Messages to an account's own contact (sms or email), drained by the same adapters as the
-- enterprise notifications. The body is blanked once sent: a setup code is not kept readable.
CREATE TABLE account_outbox (
    id               INTEGER PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id),
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    address          TEXT NOT NULL,
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    sent_at          TEXT
);
CREATE INDEX account_outbox_pending ON account_outbox (channel, status, next_attempt_at);

-- Failed logins per typed username and client address, known usernames and unknown alike: a
-- lock holds for that address only, so a stranger cannot lock anyone else out, and the answer
-- says nothing about which usernames exist.
CREATE TABLE login_failures (
    username      TEXT NOT NULL,
    ip            TEXT NOT NULL,
    failures      BIGINT NOT NULL,
    locked_until  TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (username, ip)
);
