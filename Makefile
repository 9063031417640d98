# The portal's everyday commands. "make test" is what CI runs.

GO ?= go
FUZZTIME ?= 10s

.PHONY: run test vet unit fuzz build

# Run the portal on its embedded default: SQLite under ./data.
run:
	$(GO) run ./cmd/portal serve

build:
	$(GO) build -o portal ./cmd/portal

# Everything CI checks: vet, every test on SQLite and PostgreSQL (with the
# interoperability tests against real peers), and each fuzzer briefly.
test: vet unit fuzz

vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then \
		echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test -count=1 -timeout 30m -tags interop ./...

# Each fuzzer runs FUZZTIME; what they find is kept in testdata/fuzz.
fuzz:
	@set -e; grep -rlE '^func Fuzz' --include='*_test.go' . | while read -r f; do \
		dir=$$(dirname "$$f"); \
		for name in $$(grep -oE '^func Fuzz[A-Za-z0-9_]+' "$$f" | sed 's/^func //'); do \
			echo "fuzz $$dir $$name ($(FUZZTIME))"; \
			$(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) "./$$dir" || exit 1; \
		done; \
	done
