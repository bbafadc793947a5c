-- The round of an identification batch from computed to announced: the experts' industry
-- evaluation (产业性评价, a panel of the batch), the national administrator's review, the public
-- notice (公示) with objections, and the announcement (公告). The batch's status gains those
-- stages; on SQLite its CHECK constraint is widened by `sqlite_batch_stages` (migrate.rs), which
-- rebuilds the table with foreign keys off, outside the migrator's transaction.
ALTER TABLE identification_batches ADD COLUMN panel_id BIGINT;
ALTER TABLE identification_batches ADD COLUMN reviewed_by TEXT;
ALTER TABLE identification_batches ADD COLUMN reviewed_at TEXT;
ALTER TABLE identification_batches ADD COLUMN review_reason TEXT;
-- The Beijing date of the announcement, `YYYY-MM-DD` (a date as every date of the schema).
ALTER TABLE identification_batches ADD COLUMN announced_on TEXT;

-- Per candidate: its item in the batch's panel, the experts' aggregate, whether the review put
-- it on the notice, why it was not identified, and its identification number (认定编号).
ALTER TABLE identification_candidates ADD COLUMN panel_item BIGINT;
ALTER TABLE identification_candidates ADD COLUMN industry_score TEXT;
ALTER TABLE identification_candidates ADD COLUMN proposed BOOLEAN;
ALTER TABLE identification_candidates ADD COLUMN outcome_reason TEXT;
ALTER TABLE identification_candidates ADD COLUMN identification_number TEXT;
CREATE UNIQUE INDEX identification_candidates_number
    ON identification_candidates (identification_number);
CREATE INDEX identification_candidates_outcome
    ON identification_candidates (outcome, batch_id);
