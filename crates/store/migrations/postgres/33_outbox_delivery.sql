-- Delivery of the outboxes by a worker in the server: a message is claimed before it is sent
-- (its next attempt moved past a lease, the claim token written), so that two server processes
-- never send the same message; the outcome is recorded only by the claim that sent it.
ALTER TABLE account_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE notification_outbox ADD COLUMN claimed_by TEXT;
