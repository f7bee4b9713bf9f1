# kaohe — see README.md. `make demo` and `make test` are the two commands a
# newcomer needs.
GO ?= go

.PHONY: demo test build bench bench-bot bench-fanout fuzz

demo:
	$(GO) run ./cmd/kaohe demo

test:
	./scripts/test.sh

build:
	$(GO) build -o bin/kaohe ./cmd/kaohe

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./scoring/

# Callback load test: kaohe serve (webhook) and a separate kaohe load
# process on loopback; RATE, DURATION and PEOPLE override (BENCHMARKS.md).
bench-bot:
	./scripts/bench-bot.sh

# 10,000-person reminder fan-out through larksim's rate limits on simulated
# time (CI runs 1,000 people in the ordinary test run).
bench-fanout:
	KAOHE_FULL=1 $(GO) test -run TestFanout -v ./bot/

# Short fuzz runs of every target (docs/reliability.md G10); FUZZTIME overrides.
FUZZTIME ?= 30s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)
