package lint

import (
	"reflect"
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// TestEnvPairsUnquoteWords: the SS rules' envPairs used to strip only a
// pair of outer quotes and keep a quoted ENV key as written, while the DL
// rules unquoted whole words as the shell does; both now read
// `ENV "A"=x B="y"z` as A=x, B=yz.
func TestEnvPairsUnquoteWords(t *testing.T) {
	f, err := dockerfile.ParseBytes("Dockerfile", []byte("FROM alpine\nENV \"A\"=x B=\"y\"z\nARG C=\"d\"e D\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []kv
	for _, in := range f.Instructions {
		got = append(got, envPairs(in)...)
	}
	want := []kv{{Key: "A", Value: "x", HasValue: true}, {Key: "B", Value: "yz", HasValue: true},
		{Key: "C", Value: "de", HasValue: true}, {Key: "D"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("envPairs = %+v, want %+v", got, want)
	}
}

// TestSS009QuotedKey: a secret under a quoted ENV key is found.
func TestSS009QuotedKey(t *testing.T) {
	fs := lintInContext(t, "SS009", "Dockerfile", []byte("FROM alpine\nENV \"DB_PASSWORD\"=hunter2longvalue\n"), "")
	if len(fs) != 1 {
		t.Errorf("got %d findings, want 1: %v", len(fs), fs)
	}
}
