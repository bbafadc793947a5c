-- Part of migration 15 on SQLite (see 15_amendments.sql): `products.status` may be `revoked`.
-- The table is rebuilt as SQLite's documentation describes (foreign keys off, new table, copy,
-- drop, rename, every index again); `migrate::run` runs it when the constraint lacks `revoked`.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE products_new (
    id                   INTEGER PRIMARY KEY,
    enterprise_id        BIGINT NOT NULL REFERENCES enterprises (id),
    region               BIGINT NOT NULL REFERENCES regions (code),
    name                 TEXT NOT NULL,
    model                TEXT NOT NULL,
    field                TEXT NOT NULL REFERENCES industries (code),
    description          TEXT NOT NULL,
    first_sold_on        TEXT,
    status               TEXT NOT NULL
                         CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'withdrawn', 'revoked')),
    registration_number  TEXT UNIQUE,
    submitted_at         TEXT,
    reviewed_at          TEXT,
    reviewed_by          TEXT,
    return_reason        TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    version              BIGINT NOT NULL,
    registered_on        TEXT,
    withdrawn_on         TEXT,
    document             TEXT
);
INSERT INTO products_new (id, enterprise_id, region, name, model, field, description,
    first_sold_on, status, registration_number, submitted_at, reviewed_at, reviewed_by,
    return_reason, created_at, updated_at, version, registered_on, withdrawn_on, document)
SELECT id, enterprise_id, region, name, model, field, description,
    first_sold_on, status, registration_number, submitted_at, reviewed_at, reviewed_by,
    return_reason, created_at, updated_at, version, registered_on, withdrawn_on, document
FROM products;
DROP TABLE products;
ALTER TABLE products_new RENAME TO products;
-- The indexes of migrations 6, 7, 12, 13 and 14.
CREATE INDEX products_enterprise ON products (enterprise_id);
CREATE INDEX products_queue ON products (status, submitted_at);
CREATE INDEX products_registered ON products (region, registered_on);
CREATE INDEX products_scope ON products (region, status, field, updated_at, id);
CREATE INDEX products_status_updated ON products (status, updated_at, id);
CREATE INDEX products_scope_province ON products ((region / 10000), status, field, updated_at, id, region);
CREATE INDEX products_scope_city ON products ((region / 100), status, field, updated_at, id, region);
CREATE INDEX products_without_document ON products (id) WHERE document IS NULL;
COMMIT;
PRAGMA foreign_keys = ON;
