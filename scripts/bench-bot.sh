#!/usr/bin/env bash
# Callback load test (BENCHMARKS.md, "Bot"): builds kaohe, starts
# `kaohe serve` in webhook mode with a benchmark organisation, sends signed
# and encrypted card callbacks from a separate `kaohe load` process at RATE
# per second for DURATION, prints the report and stops the server.
# Bounded: the load run is capped by DURATION (+ 3 s for the last answers)
# and the whole script by `timeout`.
#   RATE=500 DURATION=20s PEOPLE=10000 ./scripts/bench-bot.sh
# With KAOHE_DATABASE_URL set the server runs on that PostgreSQL (use an
# empty database or schema: the fixture is seeded once); without it, on the
# memory store.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${RATE:-500}"
DURATION="${DURATION:-20s}"
PEOPLE="${PEOPLE:-10000}"
TOKEN="bench-verification-token"
KEY="bench-encrypt-key"

work="$(mktemp -d)"
server_pid=""
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/kaohe" ./cmd/kaohe

store=(--store memory)
if [ -n "${KAOHE_DATABASE_URL:-}" ]; then
	store=(--store postgres)
fi
# The relay has nothing to send in this run (weekly submissions queue no
# messages) and the scheduler is off, so the base URL is never dialled.
KAOHE_APP_ID=cli_bench KAOHE_APP_SECRET=bench-secret KAOHE_BASE_URL=http://127.0.0.1:9 \
KAOHE_VERIFICATION_TOKEN="$TOKEN" KAOHE_ENCRYPT_KEY="$KEY" \
KAOHE_TICK_INTERVAL=0 KAOHE_LOG_LEVEL=warn \
	"$work/kaohe" serve "${store[@]}" --callback webhook --listen 127.0.0.1:0 --addr-file "$work/addr" \
	--bench-fixture "$PEOPLE" >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!

# The port is bound (and --addr-file written) before the database and the
# fixture are ready; "listening on" is printed once serve takes callbacks.
for _ in $(seq 600); do
	grep -q 'listening on' "$work/serve.out" 2>/dev/null && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
	sleep 0.1
done
grep -q 'listening on' "$work/serve.out" || { echo "server did not start"; cat "$work/serve.log"; exit 1; }
addr="$(cat "$work/addr")"
echo "server pid $server_pid on $addr, $PEOPLE people; load: $RATE/s for $DURATION"

status=0
timeout 330 "$work/kaohe" load --url "http://$addr/lark/webhook" --encrypt-key "$KEY" --token "$TOKEN" \
	--people "$PEOPLE" --rate "$RATE" --duration "$DURATION" || status=$?

kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
if grep -q 'level=ERROR' "$work/serve.log"; then
	echo "server errors:"; grep 'level=ERROR' "$work/serve.log" | head -20
	status=1
fi
exit "$status"
