-- A panel closes when its subject moves on (an identification batch leaves the industry
-- evaluation; a programme's review stage ends): no assignment or score is taken after that, so
-- what the subject stored at its decision stays what the experts gave. The subject reopens it
-- when it comes back (an identification list sent back to the experts).
ALTER TABLE panels ADD COLUMN closed_at TEXT;

-- Identification panels whose batch has already left `evaluating`: closed when it was reviewed.
UPDATE panels SET closed_at = (
    SELECT COALESCE(b.reviewed_at, panels.created_at) FROM identification_batches b
     WHERE b.id = panels.subject_id
)
WHERE kind = 'identification'
  AND subject_id IN (
    SELECT id FROM identification_batches WHERE status IN ('reviewed', 'published', 'announced')
  );
