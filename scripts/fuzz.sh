#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time
# (docs/reliability.md G10), then prints each target's inputs per second.
# Usage: scripts/fuzz.sh [duration]   (default 30s per target)
#
# A run that fails and leaves a new reproducer in testdata/fuzz is a real
# finding and fails the script. A run that fails without one (the fuzzing
# engine's worker was killed or starved on a loaded machine) is retried
# once, so CI is not turned red by the machine rather than the code.
#
# A package whose tests do not build fails the script: listing its targets
# fails, and skipping it would let its targets silently stop running.
#
# FUZZMINIMIZE bounds the minimizing of each new input (default 1000x, a
# count of runs): with Go's default of 60s, a cold cache made a target
# spend its whole run minimizing at 0 inputs/s. A failing input is still
# saved, minimized as far as the bound allows.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-30s}"
minimize="${FUZZMINIMIZE:-1000x}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
fail=0
rates=""
for pkg in $(go list ./...); do
	dir="$(go list -f '{{.Dir}}' "$pkg")"
	if ! list="$(go test -list '^Fuzz' "$pkg" 2>&1)"; then
		echo "FAIL: cannot list the fuzz targets of $pkg (do its tests build?):"
		echo "$list"
		fail=1
		continue
	fi
	for target in $(echo "$list" | grep '^Fuzz' || true); do
		for attempt in 1 2; do
			before="$( (ls "$dir/testdata/fuzz/$target" 2>/dev/null || true) | wc -l)"
			echo "== fuzz $pkg $target ($t, attempt $attempt)"
			if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" -fuzzminimizetime "$minimize" "$pkg" 2>&1 | tee "$out"; then
				# The engine's last line holds the totals: "fuzz: elapsed: 8s, execs: 123 (...)".
				# None when loading the cached corpus took the whole run.
				rate="$(sed -nE 's/^fuzz: elapsed: ([0-9]+)s, execs: ([0-9]+).*/\1 \2/p' "$out" | tail -n 1 |
					awk '{ if ($1 > 0) printf "%d", $2 / $1; else printf "?" }')"
				rates+="$(printf '%8s/s  %s %s' "${rate:-?}" "$pkg" "$target")"$'\n'
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
echo "== inputs per second over each run (elapsed time includes loading the cached corpus)"
printf '%s' "$rates"
exit "$fail"
