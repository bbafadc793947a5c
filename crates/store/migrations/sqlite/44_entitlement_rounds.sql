-- Notification rounds of entitlements (免申即享通知): publishing an award rule (or an office
-- asking for a year) tells every enterprise of the rule's region that qualifies, in a task of
-- its own that the request does not wait for. A round is a row: how many qualify (known once the
-- facts are read), how many it has reached so far and of those how many it told now (the others
-- were told before for the same rule version and year), the last enterprise it reached (a round
-- cut short by a restart resumes after it), when it started and finished, and whether and when
-- it was resumed.
CREATE TABLE entitlement_rounds (
    id              INTEGER PRIMARY KEY,
    rule_id         BIGINT NOT NULL REFERENCES award_rules (id),
    rule_version    BIGINT NOT NULL,
    year            BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    eligible        BIGINT,
    reached         BIGINT NOT NULL DEFAULT 0,
    notified        BIGINT NOT NULL DEFAULT 0,
    last_enterprise BIGINT NOT NULL DEFAULT 0,
    started_by      TEXT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    resumes         BIGINT NOT NULL DEFAULT 0,
    resumed_at      TEXT,
    error           TEXT,
    FOREIGN KEY (rule_id, rule_version) REFERENCES award_rule_versions (rule_id, version)
);
CREATE INDEX entitlement_rounds_rule ON entitlement_rounds (rule_id, id);
CREATE INDEX entitlement_rounds_status ON entitlement_rounds (status, id);
