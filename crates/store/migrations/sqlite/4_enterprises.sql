-- Enterprise profiles (企业信息), their qualifications, and every version of each profile.

CREATE TABLE enterprises (
    id             INTEGER PRIMARY KEY,
    credit_code    TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    region         BIGINT NOT NULL REFERENCES regions (code),
    address        TEXT NOT NULL,
    scale          TEXT NOT NULL CHECK (scale IN ('large', 'medium', 'small', 'micro')),
    ownership      TEXT NOT NULL,
    industry       TEXT NOT NULL REFERENCES industries (code),
    contact_name   TEXT NOT NULL,
    contact_phone  TEXT NOT NULL,
    contact_email  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        BIGINT NOT NULL
);
CREATE INDEX enterprises_region ON enterprises (region);
CREATE INDEX enterprises_industry ON enterprises (industry);

CREATE TABLE enterprise_qualifications (
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id),
    kind           TEXT NOT NULL,
    level          TEXT NOT NULL,
    valid_from     TEXT,
    valid_to       TEXT,
    certificate    TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, kind, level)
);
CREATE INDEX enterprise_qualifications_kind ON enterprise_qualifications (kind, level);

-- Nothing is overwritten without a trace: each save stores the whole profile as it became.
CREATE TABLE enterprise_versions (
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id),
    version        BIGINT NOT NULL,
    snapshot       TEXT NOT NULL,
    changed_by     TEXT NOT NULL,
    changed_at     TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, version)
);
