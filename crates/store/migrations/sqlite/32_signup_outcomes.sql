-- A sign-up answers the same whether its username is free or taken; the outcome travels to the
-- applicant's own contact. A message about a name already taken belongs to no account.
CREATE TABLE account_outbox_32 (
    id               INTEGER PRIMARY KEY,
    user_id          BIGINT REFERENCES users (id),
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
INSERT INTO account_outbox_32 (id, user_id, channel, address, title, body, status, attempts,
    next_attempt_at, last_error, sent_at)
SELECT id, user_id, channel, address, title, body, status, attempts, next_attempt_at,
    last_error, sent_at FROM account_outbox;
DROP TABLE account_outbox;
ALTER TABLE account_outbox_32 RENAME TO account_outbox;
CREATE INDEX account_outbox_pending ON account_outbox (channel, status, next_attempt_at);
