.PHONY: build test unit e2e bench conformance
build:
	CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o bin/slimship ./cmd/slimship
# The one test command: unit tests, short fuzzing, then end-to-end tests.
test:
	./scripts/test-all.sh
unit:
	go test ./...
e2e:
	./scripts/e2e/run.sh
