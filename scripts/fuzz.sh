#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time (RELIABILITY.md G10).
# Usage: scripts/fuzz.sh [duration]   (default 30s per target)
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-30s}"
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "== fuzz $pkg $target ($t)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg"
	done
done
