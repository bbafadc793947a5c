-- Payouts of entitlements (免申即享兑现): the office's budget per published award rule and year
-- (what is paid of the ceiling, versioned: a change is a new row), the applications enterprises
-- confirm in one click (one per enterprise, rule and year), and the payments offices record
-- (one per application). Money in fen.
CREATE TABLE award_budgets (
    rule_id        BIGINT NOT NULL REFERENCES award_rules (id),
    year           BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    mode           TEXT NOT NULL CHECK (mode IN ('full', 'share')),
    share_percent  BIGINT NOT NULL CHECK (share_percent BETWEEN 1 AND 100),
    set_by         TEXT NOT NULL,
    set_at         TEXT NOT NULL,
    PRIMARY KEY (rule_id, year, version)
);

CREATE TABLE award_applications (
    id              INTEGER PRIMARY KEY,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id),
    region          BIGINT NOT NULL REFERENCES regions (code),
    rule_id         BIGINT NOT NULL REFERENCES award_rules (id),
    rule_version    BIGINT NOT NULL,
    rule_name       TEXT NOT NULL,
    clause          TEXT NOT NULL,
    year            BIGINT NOT NULL,
    ceiling         BIGINT NOT NULL,
    payable         BIGINT NOT NULL,
    budget_version  BIGINT,
    explanation     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('confirmed', 'paid')),
    version         BIGINT NOT NULL,
    confirmed_by    TEXT NOT NULL,
    confirmed_at    TEXT NOT NULL,
    UNIQUE (enterprise_id, rule_id, year),
    FOREIGN KEY (rule_id, rule_version) REFERENCES award_rule_versions (rule_id, version)
);
CREATE INDEX award_applications_region ON award_applications (region, year);
CREATE INDEX award_applications_rule ON award_applications (rule_id, year);

CREATE TABLE award_payments (
    id              INTEGER PRIMARY KEY,
    application_id  BIGINT NOT NULL UNIQUE REFERENCES award_applications (id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    paid_on         TEXT NOT NULL,
    reference       TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
