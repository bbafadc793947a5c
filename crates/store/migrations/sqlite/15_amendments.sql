-- Amendments (变更) and revocation (撤销备案).
-- A registration can be revoked by a reviewer of its region (status `revoked`). SQLite cannot
-- change a CHECK constraint in place, and sqlx runs every migration inside a transaction, where
-- foreign keys cannot be switched off for the rebuild SQLite's documentation prescribes; so the
-- rebuild of `products` is done by `migrate::sqlite_products_revoked`, once, after the last
-- migration, on one connection of its own (from the table's own definition and indexes then).

-- The one change in progress of an approved product: its proposed content (the product as the
-- enterprise typed it, as JSON) waits here until it is approved, so that the product's row, its
-- figures, its links and everything read from them stay the registered version meanwhile.
CREATE TABLE product_amendments (
    product_id     BIGINT PRIMARY KEY REFERENCES products (id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned')),
    content        TEXT NOT NULL,
    submitted_at   TEXT,
    reviewed_at    TEXT,
    reviewed_by    TEXT,
    return_reason  TEXT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX product_amendments_queue ON product_amendments (status, submitted_at);
