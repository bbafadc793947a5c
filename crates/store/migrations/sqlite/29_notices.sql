-- Public notice (公示) and objections (异议), a component a subject plugs into: a notice
-- belongs to a subject `(kind, subject_id)` (an identification batch, later a programme), lists
-- the subject's items, runs for `notice_days` working days from `opens_on` to `closes_on`
-- (both included), takes objections to one item each, and is announced (公告) once; an
-- announced item that no upheld objection removed gets its `number`.
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject_id    BIGINT NOT NULL,
    region        TEXT NOT NULL,
    title         TEXT NOT NULL,
    notice_days   BIGINT NOT NULL,
    opens_on      TEXT NOT NULL,
    closes_on     TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    announced_by  TEXT,
    announced_at  TEXT,
    UNIQUE (kind, subject_id)
);
CREATE INDEX notices_recent ON notices (published_at);

CREATE TABLE notice_items (
    id            INTEGER PRIMARY KEY,
    notice_id     BIGINT NOT NULL REFERENCES notices (id),
    subject_item  BIGINT NOT NULL,
    position      BIGINT NOT NULL,
    title         TEXT NOT NULL,
    enterprise    TEXT NOT NULL,
    region        TEXT NOT NULL,
    field         TEXT NOT NULL,
    removed_at    TEXT,
    number        TEXT UNIQUE,
    UNIQUE (notice_id, subject_item)
);

CREATE TABLE objections (
    id           INTEGER PRIMARY KEY,
    notice_id    BIGINT NOT NULL REFERENCES notices (id),
    item_id      BIGINT NOT NULL REFERENCES notice_items (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    reason       TEXT NOT NULL,
    filed_at     TEXT NOT NULL,
    decision     TEXT CHECK (decision IN ('upheld', 'dismissed')),
    answer       TEXT,
    answered_by  TEXT,
    answered_at  TEXT
);
CREATE INDEX objections_notice ON objections (notice_id, id);
CREATE INDEX objections_user ON objections (user_id, id);
