-- One weekly-record callback's transaction as kaohe runs it on PostgreSQL
-- (BENCHMARKS.md "Callbacks on PostgreSQL"): queue for the audit chain,
-- read the idempotency key, the person, the period and the entry, write
-- the entry and the idempotency key, then append the chained audit row.
\set p random(1, 10000)
\set k random(1, 2000000000)
SELECT pg_advisory_lock(1801547624, hashtext(current_schema()));
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT result FROM idempotency WHERE source = 'lark-card' AND key = 'pgbench-' || :k;
SELECT id, name FROM people WHERE id = 'ou_bench_' || lpad(:p::text, 6, '0');
SELECT id, state FROM periods ORDER BY start_on DESC LIMIT 1;
SELECT version FROM entries WHERE kind = 'weekly' AND person = 'ou_bench_' || lpad(:p::text, 6, '0') AND period = 'pgbench-' || :k;
INSERT INTO entries (kind, person, period, cycle, state, body, comment, comment_by, reason, submitted_at, version)
  VALUES ('weekly', 'ou_bench_' || lpad(:p::text, 6, '0'), 'pgbench-' || :k, '2026-Q4', 'submitted',
          '{"tasks":[{"title":"压测周记实","progress":50}],"presence":"full"}', '', '', '', now(), 1)
  ON CONFLICT DO NOTHING;
INSERT INTO idempotency (source, key, result, created_at) VALUES ('lark-card', 'pgbench-' || :k, '', now()) ON CONFLICT DO NOTHING;
SELECT pg_advisory_xact_lock(1801547624, hashtext(current_schema()));
INSERT INTO audit_log (seq, logged_at, actor, action, object, detail, denied, prev_hash, row_hash)
  SELECT coalesce(h.seq, 0) + 1, now(), 'pgbench', 'entry.submit', 'weekly/pgbench-' || :k, '', false, coalesce(h.row_hash, ''),
         encode(sha256(convert_to(coalesce(h.row_hash, '') || (coalesce(h.seq, 0) + 1)::text || 'pgbench' || :k, 'UTF8')), 'hex')
  FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, row_hash FROM audit_log ORDER BY seq DESC LIMIT 1) h ON true;
COMMIT;
SELECT pg_advisory_unlock(1801547624, hashtext(current_schema()));
