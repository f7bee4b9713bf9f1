-- Reverts 0001 except the role kaohe_app: roles are cluster-wide and may
-- serve other schemas or databases (and have login roles as members), so
-- only an administrator may drop it, after checking nothing else uses it.
REVOKE ALL ON schema_migrations FROM kaohe_app;
DO $$
BEGIN
    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM kaohe_app', current_schema());
END
$$;

DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse();
DROP TABLE outbox;
DROP TABLE idempotency;
DROP TABLE schedule_fires;
DROP TABLE annuals;
DROP TABLE reviews;
DROP TABLE results;
DROP TABLE ballots;
DROP TABLE vote_marks;
DROP TABLE steps;
DROP TABLE entries;
DROP TABLE periods;
DROP TABLE targets;
DROP TABLE delegations;
DROP TABLE people;
DROP TABLE units;
DROP TABLE settings;
