DROP INDEX outbox_finished;
DROP INDEX idempotency_created;
