-- Each candidate's computed patent evaluation (its field, whether it passed, the result
-- document) moves from the wide candidate row into a table of its own that a computation only
-- inserts into: written in bulk (COPY on PostgreSQL, multi-row INSERTs on SQLite) instead of one
-- update a candidate of a row carrying six indexes, and cleared by batch before a batch is
-- computed again. No foreign key: the rows are written only by computing their batch, in the
-- transaction that reads the batch's candidates (never deleted), and a per-row check would cost
-- the national batch more than the write itself.
CREATE TABLE identification_results (
    batch_id    BIGINT NOT NULL,
    product_id  BIGINT NOT NULL,
    field       TEXT NOT NULL,
    passed      BOOLEAN NOT NULL,
    result      TEXT NOT NULL,
    PRIMARY KEY (batch_id, product_id)
);

INSERT INTO identification_results (batch_id, product_id, field, passed, result)
SELECT batch_id, product_id, COALESCE(field, ''), COALESCE(passed, FALSE), result
FROM identification_candidates WHERE result IS NOT NULL;

ALTER TABLE identification_candidates DROP COLUMN field;
ALTER TABLE identification_candidates DROP COLUMN passed;
ALTER TABLE identification_candidates DROP COLUMN result;

-- The frozen inputs are written once by the freeze, in the transaction that claims the batch:
-- no check a row against the batch (a trigger a row, three million at national scale).
ALTER TABLE identification_inputs DROP CONSTRAINT identification_inputs_batch_id_fkey;
