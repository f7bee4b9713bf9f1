#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time
# (docs/reliability.md G10).
# Usage: scripts/fuzz.sh [duration]   (default 30s per target)
#
# A run that fails and leaves a new reproducer in testdata/fuzz is a real
# finding and fails the script. A run that fails without one (the fuzzing
# engine's worker was killed or starved on a loaded machine) is retried
# once, so CI is not turned red by the machine rather than the code.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-30s}"
fail=0
for pkg in $(go list ./...); do
	dir="$(go list -f '{{.Dir}}' "$pkg")"
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		for attempt in 1 2; do
			before="$( (ls "$dir/testdata/fuzz/$target" 2>/dev/null || true) | wc -l)"
			echo "== fuzz $pkg $target ($t, attempt $attempt)"
			if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg"; then
				break
			fi
			after="$( (ls "$dir/testdata/fuzz/$target" 2>/dev/null || true) | wc -l)"
			if [ "$after" -gt "$before" ]; then
				echo "FAIL: $target found a failing input (saved in $dir/testdata/fuzz/$target)"
				fail=1
				break
			fi
			if [ "$attempt" = 2 ]; then
				echo "FAIL: $target failed twice without a reproducer"
				fail=1
			fi
		done
	done
done
exit "$fail"
