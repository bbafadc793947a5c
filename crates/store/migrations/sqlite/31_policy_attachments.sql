-- A policy's attachments (附件), kept as the files they were: served back only as a download
-- with the type found from the file's own bytes (never the uploader's claim).
CREATE TABLE policy_attachments (
    id            INTEGER PRIMARY KEY,
    policy_id     BIGINT NOT NULL REFERENCES policies (id),
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    data          BLOB NOT NULL,
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL
);
CREATE INDEX policy_attachments_policy ON policy_attachments (policy_id, id);
