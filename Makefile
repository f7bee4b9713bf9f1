# kaohe — see README.md. `make demo` and `make test` are the two commands a
# newcomer needs.
GO ?= go

.PHONY: demo test build bench fuzz

demo:
	$(GO) run ./cmd/kaohe demo

test:
	./scripts/test.sh

build:
	$(GO) build -o bin/kaohe ./cmd/kaohe

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./scoring/

# Short fuzz runs of every target (RELIABILITY.md G10); FUZZTIME overrides.
FUZZTIME ?= 30s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)
