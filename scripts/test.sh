#!/usr/bin/env bash
# Runs every check CI runs: formatting, vet, and the race-enabled test suite
# (integration tests included). Starts the local PostgreSQL and Redis when
# they are installed but stopped, so a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

start_services() {
	if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
		echo "starting PostgreSQL"
		pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
	fi
	if command -v redis-server >/dev/null 2>&1 && ! (command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1); then
		echo "starting Redis"
		mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log || true
	fi
}
start_services

# The browser tests (cmd/kaohe TestPlaygroundInBrowser, demo/playground
# TestCardsRender) drive Debian's chromium headless. CI installs it when it
# is missing, so they never skip there; elsewhere they skip and say how.
if [ -n "${CI:-}" ] && ! command -v chromium >/dev/null 2>&1; then
	echo "installing chromium"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
# The filing forms' LibreOffice test (filing/render_test.go) opens each
# .xlsx in LibreOffice and renders a page with pdftoppm. On CI it fails
# without them, so CI installs them from Debian (about 150 MB, two to three
# minutes of CI's 90); on a developer's machine without them it skips.
install_render_tools() {
	if [ "${CI:-}" = "true" ] && ! { command -v soffice && command -v pdftoppm && fc-list | grep -q "Noto Serif CJK"; } >/dev/null 2>&1; then
		echo "installing LibreOffice, poppler and CJK fonts for the filing forms' render test"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			libreoffice-calc-nogui poppler-utils fonts-noto-cjk >/dev/null
	fi
}
install_render_tools

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"

echo "== gofmt"
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"
if [ -n "$unformatted" ]; then
	echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...
echo "== go test -race"
# PKGS narrows the run (make reliability); every package by default.
go test -race -count=1 "$@" ${PKGS:-./...}
