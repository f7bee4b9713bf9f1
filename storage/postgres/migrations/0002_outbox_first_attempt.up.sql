-- Lark's one-hour uuid window starts with the first send, not when the
-- message was queued: a message that waited out an outage unsent is not
-- expired (docs/reliability.md §2).
ALTER TABLE outbox ADD COLUMN first_attempt_at timestamptz;
UPDATE outbox SET first_attempt_at = updated_at WHERE attempts > 0;
