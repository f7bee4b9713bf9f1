-- Tx.Prune deletes the oldest idempotency records and finished outbox rows
-- in small batches (docs/reliability.md §2, "How long records are kept");
-- without these indexes every batch would scan the whole table.
CREATE INDEX idempotency_created ON idempotency (created_at);
-- Only finished rows: pending ones are never pruned and have their own
-- index (outbox_pending).
CREATE INDEX outbox_finished ON outbox (state, updated_at) WHERE state IN ('sent', 'dead');
