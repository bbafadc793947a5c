-- Reference data: GB/T 2260 regions and GB/T 4754-2017 industries, loaded from data/ at start.

CREATE TABLE reference_datasets (
    name       TEXT PRIMARY KEY,
    version    TEXT NOT NULL,
    source     TEXT NOT NULL,
    row_count  BIGINT NOT NULL,
    loaded_at  TEXT NOT NULL
);

-- code is the six-digit GB/T 2260 code as an integer, so that a region subtree is a range.
CREATE TABLE regions (
    code    INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    level   TEXT NOT NULL CHECK (level IN ('nation', 'province', 'city', 'county')),
    parent  INTEGER REFERENCES regions (code),
    active  BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX regions_parent ON regions (parent, code);

CREATE TABLE industries (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    level    TEXT NOT NULL CHECK (level IN ('section', 'division', 'group', 'class')),
    parent   TEXT REFERENCES industries (code),
    section  TEXT NOT NULL,
    active   BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX industries_parent ON industries (parent, code);
