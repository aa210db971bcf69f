# Causeway. `make run` shows the demo (no server needed); `make test` sets up
# the real servers its tests need (Debian's Prometheus, VictoriaMetrics,
# kube-apiserver + etcd, cached under .cache/) and runs every test.

GO        ?= go
BIN       := bin/causeway
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
PKGS      := ./...

.PHONY: all build run demo report test test-deps unit vet lint bench bench-e2e fuzz clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/causeway

# The demo: the TUI on the embedded DB-restart scenario. Without a terminal
# (e.g. piped), it prints the markdown report of the same scenario instead.
run: build
	@if [ -t 0 ] && [ -t 1 ]; then ./$(BIN) demo; else ./$(BIN) report --scenario db-restart; fi

report: build
	./$(BIN) report --scenario db-restart

# Everything the tests need, then vet, then the whole suite with the race
# detector (integration tests start their own servers on 127.0.0.1).
test: test-deps vet
	$(GO) test -race -timeout 40m $(PKGS)

test-deps:
	bash hack/test-deps.sh
	bash hack/kube-deps.sh

unit:
	$(GO) test -short $(PKGS)

vet:
	$(GO) vet $(PKGS)

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

bench-e2e: build test-deps
	bash hack/bench-e2e.sh

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseWindow -fuzztime 20s ./queries
	$(GO) test -run '^$$' -fuzz FuzzLoadBank -fuzztime 20s ./queries
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 20s ./queries/bundle

clean:
	rm -rf bin
