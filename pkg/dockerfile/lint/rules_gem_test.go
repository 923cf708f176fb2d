package lint

import "testing"

// gemCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_gem.go; a name starts with its rule's ID.
var gemCases = table([]tableCase{
	{"DL3028 unpinned", "FROM a:1\nRUN gem install bundler\n", 1, nil},
	{"DL3028 pinned", "FROM a:1\nRUN gem install bundler:2.5.0\n", 0, nil},
	{"DL3028 -v", "FROM a:1\nRUN gem install bundler -v 2.5.0\n", 0, nil},
	{"DL3028 build options", "FROM a:1\nRUN gem install nokogiri:1.16.0 -- --use-system-libraries\n", 0, nil},
})

func TestGemRules(t *testing.T) { runTableCases(t, gemCases) }
