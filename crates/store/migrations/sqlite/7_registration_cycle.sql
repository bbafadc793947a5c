-- The yearly cycle of a registration: rules as versioned data, annual updates, notifications.

-- Rules an official keeps (the working-day calendar, review and update deadlines, reason
-- templates): every change is a new version; the newest is in force.
CREATE TABLE rules (
    kind        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    body        TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);

-- A registration stands from its first approval until its withdrawal, whatever changes are
-- under review meanwhile; statistics count it between these two dates.
ALTER TABLE products ADD COLUMN registered_on TEXT;
ALTER TABLE products ADD COLUMN withdrawn_on TEXT;
CREATE INDEX products_registered ON products (region, registered_on);
UPDATE products SET registered_on = substr(reviewed_at, 1, 10)
    WHERE status IN ('approved', 'withdrawn') OR registration_number IS NOT NULL;
UPDATE products SET withdrawn_on = substr(updated_at, 1, 10) WHERE status = 'withdrawn';

-- The extra figures the annual update files (empty for years registered without them).
ALTER TABLE product_figures ADD COLUMN export_value BIGINT;
ALTER TABLE product_figures ADD COLUMN profit BIGINT;
ALTER TABLE product_figures ADD COLUMN ip_investment BIGINT;

-- 信息更新: one per product and year of figures, reviewed like a registration.
CREATE TABLE annual_updates (
    id             INTEGER PRIMARY KEY,
    product_id     BIGINT NOT NULL REFERENCES products (id),
    region         BIGINT NOT NULL REFERENCES regions (code),
    year           BIGINT NOT NULL,
    sales_revenue  BIGINT NOT NULL,
    output_value   BIGINT NOT NULL,
    export_value   BIGINT NOT NULL,
    profit         BIGINT NOT NULL,
    ip_investment  BIGINT NOT NULL,
    still_sold     BOOLEAN NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'approved')),
    submitted_by   TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,
    reviewed_by    TEXT,
    reviewed_at    TEXT,
    return_reason  TEXT,
    version        BIGINT NOT NULL,
    UNIQUE (product_id, year)
);
CREATE INDEX annual_updates_queue ON annual_updates (region, status, submitted_at);
CREATE INDEX annual_updates_year ON annual_updates (year, status);

-- In-app notifications of an enterprise; `dedupe` keeps a reminder from being written twice.
CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    link           TEXT NOT NULL,
    dedupe         TEXT NOT NULL UNIQUE,
    created_at     TEXT NOT NULL,
    read_at        TEXT
);
CREATE INDEX notifications_enterprise ON notifications (enterprise_id, id);

-- The outbox: one row per notification and outside channel (sms, email), drained by adapters.
CREATE TABLE notification_outbox (
    id               INTEGER PRIMARY KEY,
    notification_id  BIGINT NOT NULL REFERENCES notifications (id),
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    address          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    sent_at          TEXT
);
CREATE INDEX notification_outbox_pending ON notification_outbox (channel, status, next_attempt_at);
