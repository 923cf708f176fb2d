package suggest

import (
	"reflect"
	"testing"
)

func TestClosest(t *testing.T) {
	ids := []string{"DL3008", "DL3009", "DL3018", "SS001", "container-resources", "ignored", "override"}
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"DL3080", []string{"DL3008", "DL3009", "DL3018"}},
		{"dl3008", []string{"DL3008", "DL3009", "DL3018"}},
		{"container-resource", []string{"container-resources"}},
		{"ignord", []string{"ignored"}},
		{"zzzzzzzz", nil},
	} {
		if got := Closest(tc.in, ids); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Hint("ignord", ids); got != " (did you mean ignored?)" {
		t.Errorf("Hint = %q", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"DL3008", "DL3080", 2}} {
		if got := Distance(tc.a, tc.b); got != tc.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}
