-- Identification methods (评价方法) as versioned data kept by the national administrator. A
-- method's versions are drafts until published; a published version is never edited (a change
-- is a new version), which the triggers below hold even against a stray UPDATE.
CREATE TABLE identification_methods (
    id          INTEGER PRIMARY KEY,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE identification_method_versions (
    method_id     BIGINT NOT NULL REFERENCES identification_methods (id),
    version       BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    name          TEXT NOT NULL,
    body          TEXT NOT NULL,
    changed_by    TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    published_by  TEXT,
    published_at  TEXT,
    PRIMARY KEY (method_id, version)
);

CREATE TRIGGER identification_method_published_update
BEFORE UPDATE ON identification_method_versions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published method version is never edited');
END;

CREATE TRIGGER identification_method_published_delete
BEFORE DELETE ON identification_method_versions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published method version is never deleted');
END;
