-- The policy library (政策库). `policies` holds each policy as it stands now, for lists and
-- filters; `policy_versions` keeps every version as it was saved (every edit is a new version),
-- as a JSON document. Dates are `YYYY-MM-DD` text. A policy is found again on import by its own
-- 文号 (normalised) or, without one, by its normalised text (`text_key`, an SM3 digest).
CREATE TABLE policies (
    id              INTEGER PRIMARY KEY,
    version         BIGINT NOT NULL,
    title           TEXT,
    doc_number      TEXT,
    doc_number_key  TEXT,
    issuers         TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('nation', 'province', 'city', 'county')),
    region          BIGINT NOT NULL REFERENCES regions (code),
    published_on    TEXT,
    effective_on    TEXT,
    expires_on      TEXT,
    source          TEXT,
    posted_on       TEXT,
    url             TEXT,
    body            TEXT NOT NULL,
    text_key        TEXT NOT NULL,
    topics          TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    changed_by      TEXT NOT NULL,
    changed_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX policies_doc_number ON policies (doc_number_key) WHERE doc_number_key IS NOT NULL;
CREATE INDEX policies_text ON policies (text_key);
CREATE INDEX policies_region ON policies (region, published_on);
CREATE INDEX policies_published ON policies (published_on, id);

CREATE TABLE policy_versions (
    policy_id   BIGINT NOT NULL REFERENCES policies (id),
    version     BIGINT NOT NULL,
    document    TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (policy_id, version)
);
