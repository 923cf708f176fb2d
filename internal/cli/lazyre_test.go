package cli

import (
	"testing"

	"github.com/slimship/slimship/internal/lazyre"
)

// TestLazyRegexpsCompile compiles every rule package's lazily compiled
// expression (this package links them all).
func TestLazyRegexpsCompile(t *testing.T) {
	if err := lazyre.CheckAll(); err != nil {
		t.Fatal(err)
	}
}
