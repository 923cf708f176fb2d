package hardening

import (
	"strings"
	"testing"
)

// TestTable: every row is a [Service] key once, says why podman units go
// without it when they do, and accepts the values slimship writes.
func TestTable(t *testing.T) {
	keys, ids := map[string]bool{}, map[string]bool{}
	for _, s := range Settings {
		if keys[s.Key] {
			t.Errorf("%s twice", s.Key)
		}
		keys[s.Key] = true
		if s.RuleID != "" {
			if ids[s.RuleID] || !strings.HasPrefix(s.RuleID, "SSU1") {
				t.Errorf("%s: rule %s duplicate or not SSU1xx", s.Key, s.RuleID)
			}
			ids[s.RuleID] = true
			if s.Description == "" {
				t.Errorf("%s: rule without description", s.Key)
			}
			if !s.Accepts(s.Value) {
				t.Errorf("%s: refuses its own value %q", s.Key, s.Value)
			}
			if s.Podman != "" && !s.Accepts(s.Podman) {
				t.Errorf("%s: refuses its podman value %q", s.Key, s.Podman)
			}
		}
		if s.Value == "" {
			t.Errorf("%s: no value for a direct service", s.Key)
		}
		if (s.Podman == "") == (s.NotPodman == "") {
			t.Errorf("%s: want either a podman value or the reason it has none", s.Key)
		}
	}
	if f, ok := Find("RestrictNamespaces"); !ok || f.Accepts("cgroup user") || !f.Accepts(PodmanNamespaces) {
		t.Error("RestrictNamespaces: a podman list may not allow user namespaces")
	}
	if f, _ := Find("UMask"); !f.Accepts("0027") || f.Accepts("0022") {
		t.Error("UMask")
	}
}

func TestPodmanCaps(t *testing.T) {
	got := PodmanCaps([]string{"CAP_NET_BIND_SERVICE", "CAP_CHOWN"})
	if got[len(got)-1] != "CAP_NET_BIND_SERVICE" || len(got) != len(podmanCaps)+1 {
		t.Errorf("%v", got)
	}
}
