-- Key-enterprise directories (重点名录) an office imports to follow their registration: each
-- belongs to a region and is visible to that region and its ancestors.
CREATE TABLE directories (
    id          INTEGER PRIMARY KEY,
    region      BIGINT NOT NULL REFERENCES regions (code),
    name        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    listed      BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX directories_region ON directories (region, id);

CREATE TABLE directory_entries (
    directory_id  BIGINT NOT NULL REFERENCES directories (id),
    row_number    BIGINT NOT NULL,
    credit_code   TEXT NOT NULL,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    PRIMARY KEY (directory_id, credit_code)
);
CREATE INDEX directory_entries_code ON directory_entries (credit_code);
