-- Award rules (奖补规则，免申即享) as versioned data kept by administrators of a region. A
-- rule's versions are drafts until published; a published version is never edited (a change
-- is a new version), which the triggers below hold even against a stray UPDATE. `region` is the
-- subtree where the rule applies and whose administrators (and the nation's) keep it.
CREATE TABLE award_rules (
    id          INTEGER PRIMARY KEY,
    region      BIGINT NOT NULL REFERENCES regions (code),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX award_rules_region ON award_rules (region);

CREATE TABLE award_rule_versions (
    rule_id       BIGINT NOT NULL REFERENCES award_rules (id),
    version       BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    name          TEXT NOT NULL,
    body          TEXT NOT NULL,
    changed_by    TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    published_by  TEXT,
    published_at  TEXT,
    PRIMARY KEY (rule_id, version)
);

CREATE TRIGGER award_rule_published_update
BEFORE UPDATE ON award_rule_versions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published award rule version is never edited');
END;

CREATE TRIGGER award_rule_published_delete
BEFORE DELETE ON award_rule_versions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published award rule version is never deleted');
END;
