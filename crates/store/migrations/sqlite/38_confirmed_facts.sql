-- Facts an award counts must be confirmed by a reviewer of the enterprise's region.
--
-- Qualifications: those a reviewer enters are `confirmed`; those the enterprise enters or
-- changes are `pending` until a reviewer confirms or returns them. Qualifications entered before
-- this step were never confirmed by anyone: they start `pending`. Who confirmed or returned one,
-- and when, is in the audit log (`enterprise.qualifications_review`).
ALTER TABLE enterprise_qualifications ADD COLUMN review TEXT NOT NULL DEFAULT 'pending'
    CHECK (review IN ('pending', 'confirmed', 'returned'));
ALTER TABLE enterprise_qualifications ADD COLUMN review_reason TEXT;
CREATE INDEX enterprise_qualifications_review ON enterprise_qualifications (review, enterprise_id);

-- Declarations (申报事项): a cost or an event of a year that the platform does not hold itself,
-- declared by the enterprise with its evidence, approved or returned by a reviewer of its
-- region. Only approved ones feed entitlements. The evidence is kept as the file it was and
-- served back only as a download typed from its own bytes.
CREATE TABLE declarations (
    id              INTEGER PRIMARY KEY,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id),
    kind            TEXT NOT NULL,
    year            BIGINT NOT NULL,
    amount_fen      BIGINT,
    note            TEXT NOT NULL DEFAULT '',
    evidence_name   TEXT,
    evidence_type   TEXT,
    evidence_size   BIGINT,
    evidence        BLOB,
    status          TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned')),
    declared_by     TEXT NOT NULL,
    declared_at     TEXT NOT NULL,
    reviewed_by     TEXT,
    reviewed_at     TEXT,
    reason          TEXT,
    version         BIGINT NOT NULL
);
CREATE INDEX declarations_enterprise ON declarations (enterprise_id, year, status);
CREATE INDEX declarations_status ON declarations (status, id);
