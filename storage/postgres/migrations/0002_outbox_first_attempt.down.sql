ALTER TABLE outbox DROP COLUMN first_attempt_at;
