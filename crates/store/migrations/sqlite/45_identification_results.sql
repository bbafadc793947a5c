-- Each candidate's computed patent evaluation (its field, whether it passed, the result
-- document) moves from the wide candidate row into a table of its own that a computation only
-- inserts into: written in bulk (multi-row INSERTs on SQLite, COPY on PostgreSQL) instead of one
-- update a candidate of a row carrying six indexes, and cleared by batch before a batch is
-- computed again. No foreign key: the rows are written only by computing their batch, in the
-- transaction that reads the batch's candidates (never deleted), and a check a row would cost
-- the national batch more than the write itself. Keyed by its primary key alone (WITHOUT ROWID:
-- one b-tree written, not a table and an index).
CREATE TABLE identification_results (
    batch_id    BIGINT NOT NULL,
    product_id  BIGINT NOT NULL,
    field       TEXT NOT NULL,
    passed      BOOLEAN NOT NULL,
    result      TEXT NOT NULL,
    PRIMARY KEY (batch_id, product_id)
) WITHOUT ROWID;

INSERT INTO identification_results (batch_id, product_id, field, passed, result)
SELECT batch_id, product_id, COALESCE(field, ''), COALESCE(passed, 0), result
FROM identification_candidates WHERE result IS NOT NULL;

ALTER TABLE identification_candidates DROP COLUMN field;
ALTER TABLE identification_candidates DROP COLUMN passed;
ALTER TABLE identification_candidates DROP COLUMN result;

-- The frozen inputs the same way: written once by the freeze (in the transaction that claims
-- the batch), read back by their key; no check a row against the batch, one b-tree.
CREATE TABLE identification_inputs_new (
    batch_id             BIGINT NOT NULL,
    product_id           BIGINT NOT NULL,
    region               BIGINT NOT NULL,
    industry             TEXT NOT NULL,
    valid_patents        BIGINT NOT NULL,
    invention_patents    BIGINT NOT NULL,
    core_patents         BIGINT NOT NULL,
    sales_revenue        BIGINT,
    prior_sales_revenue  BIGINT,
    ip_investment        BIGINT,
    export_value         BIGINT,
    update_approved      BOOLEAN NOT NULL,
    PRIMARY KEY (batch_id, product_id)
) WITHOUT ROWID;
INSERT INTO identification_inputs_new SELECT batch_id, product_id, region, industry,
    valid_patents, invention_patents, core_patents, sales_revenue, prior_sales_revenue,
    ip_investment, export_value, update_approved FROM identification_inputs;
DROP TABLE identification_inputs;
ALTER TABLE identification_inputs_new RENAME TO identification_inputs;
