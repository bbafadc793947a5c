-- The national administrator may close a batch's opt-in before its date (a round that cannot
-- wait, a date set too far): when, by whom and why, kept on the batch. A batch whose opt-in is
-- closed takes no opt-in, whatever its date says.
ALTER TABLE identification_batches ADD COLUMN opt_in_closed_at TEXT;
ALTER TABLE identification_batches ADD COLUMN opt_in_closed_by TEXT;
ALTER TABLE identification_batches ADD COLUMN opt_in_closed_reason TEXT;

-- An enterprise's identified products (its dashboard) are read by enterprise and outcome.
CREATE INDEX identification_candidates_enterprise
    ON identification_candidates (enterprise_id, outcome);
