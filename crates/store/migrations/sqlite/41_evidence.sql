-- One store of uploaded evidence (证明材料): a file as it was uploaded, its name, the type read
-- from its own bytes and its size. Declarations and real-name verifications point to it (and
-- whatever asks for evidence next); the files they held themselves move here, each keeping its
-- name, type and bytes, and their own columns go.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    bytes         BLOB NOT NULL,
    stored_at     TEXT NOT NULL,
    moved_from    TEXT,
    moved_id      BIGINT
);

INSERT INTO evidence (name, content_type, size, bytes, stored_at, moved_from, moved_id)
    SELECT evidence_name, evidence_type, LENGTH(evidence), evidence, declared_at, 'declaration', id
    FROM declarations WHERE evidence IS NOT NULL ORDER BY id;
INSERT INTO evidence (name, content_type, size, bytes, stored_at, moved_from, moved_id)
    SELECT document_name, document_type, LENGTH(document), document, submitted_at, 'verification', id
    FROM verifications ORDER BY id;

-- Found by an index while the rows move (a deployment may hold a million verifications); the
-- index goes before its columns do.
CREATE INDEX evidence_moved ON evidence (moved_from, moved_id);

ALTER TABLE declarations ADD COLUMN evidence_id BIGINT REFERENCES evidence (id);
UPDATE declarations SET evidence_id = (SELECT ev.id FROM evidence ev
    WHERE ev.moved_from = 'declaration' AND ev.moved_id = declarations.id);
ALTER TABLE verifications ADD COLUMN evidence_id BIGINT REFERENCES evidence (id);
UPDATE verifications SET evidence_id = (SELECT ev.id FROM evidence ev
    WHERE ev.moved_from = 'verification' AND ev.moved_id = verifications.id);

DROP INDEX evidence_moved;
ALTER TABLE declarations DROP COLUMN evidence_name;
ALTER TABLE declarations DROP COLUMN evidence_type;
ALTER TABLE declarations DROP COLUMN evidence_size;
ALTER TABLE declarations DROP COLUMN evidence;
ALTER TABLE verifications DROP COLUMN document_name;
ALTER TABLE verifications DROP COLUMN document_type;
ALTER TABLE verifications DROP COLUMN document;
ALTER TABLE evidence DROP COLUMN moved_from;
ALTER TABLE evidence DROP COLUMN moved_id;
