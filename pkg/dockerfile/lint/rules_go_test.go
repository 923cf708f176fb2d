package lint

import "testing"

// goCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_go.go; a name starts with its rule's ID.
var goCases = table([]tableCase{
	{"DL3062", "FROM golang\nRUN go install example.com/cmd/x\n", 1, nil},
	{"DL3062", "FROM golang\nRUN go install example.com/cmd/x@latest\n", 1, nil},
	{"DL3062", "FROM golang\nRUN go install -tags netgo example.com/cmd/x@v1.2.3 && go run ./cmd/y && go run example.com/z@v1.0.0 arg\n", 0, nil},

	{"SS011", "FROM golang:1.22 AS b\nRUN go build -ldflags '-extldflags \"-static\"' -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=b /app /app\n", 0, nil},
	{"SS011", "FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=b /app /app\n", 1, nil},

	{"SS012", "FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -o /app .\nFROM alpine:3.20\nCOPY --from=b /app /app\nCOPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n", 0, nil},
})

func TestGoRules(t *testing.T) { runTableCases(t, goCases) }
