#!/usr/bin/env bash
# The baseline for the PostgreSQL callback numbers (BENCHMARKS.md): the
# transaction a weekly-record callback runs, as raw SQL through pgbench
# (scripts/pgbench/callback.sql), on a scratch schema migrated by kaohe.
#   CLIENTS=8 DURATION=10 ./scripts/bench-pg.sh
# DATABASE_URL defaults to the test database; the schema is dropped after.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
CLIENTS="${CLIENTS:-8}"
DURATION="${DURATION:-10}"
schema="bench_pg_$$"
psql "$DATABASE_URL" -qc "CREATE SCHEMA $schema"
trap 'psql "$DATABASE_URL" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true' EXIT
sep='?'; case "$DATABASE_URL" in *\?*) sep='&';; esac
go run ./cmd/kaohe migrate up --database-url "${DATABASE_URL}${sep}search_path=$schema" >/dev/null
PGOPTIONS="-c search_path=$schema" timeout 300 pgbench -n -f scripts/pgbench/callback.sql \
	-c "$CLIENTS" -j 2 -T "$DURATION" "$DATABASE_URL"
