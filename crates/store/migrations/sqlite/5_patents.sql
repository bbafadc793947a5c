-- The patents an enterprise registers products under (one patent may serve several products).

CREATE TABLE patents (
    id              INTEGER PRIMARY KEY,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id),
    number          TEXT NOT NULL,
    patent_type     TEXT NOT NULL CHECK (patent_type IN ('invention', 'utility_model', 'design')),
    title           TEXT NOT NULL,
    patentees       TEXT NOT NULL,
    grant_date      TEXT,
    legal_status    TEXT NOT NULL CHECK (legal_status IN ('valid', 'lapsed', 'transferred')),
    patent_right    TEXT NOT NULL CHECK (patent_right IN ('own', 'exclusive', 'sole', 'ordinary')),
    licence_record  TEXT NOT NULL,
    status_since    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    UNIQUE (enterprise_id, number)
);
CREATE INDEX patents_number ON patents (number);
CREATE INDEX patents_status ON patents (legal_status, enterprise_id);
