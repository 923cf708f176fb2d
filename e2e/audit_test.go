//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAuditPodmanImage audits an image podman built from the Debian base:
// a key copied in and deleted by a later step, an AWS key in a .env file,
// a setuid binary, a token in ENV, root user, a world-writable directory.
func TestAuditPodmanImage(t *testing.T) {
	BaseImage(t)
	bin := Bin(t)
	dir := t.TempDir()
	key := "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + strings.Repeat("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 2) + "\n-----END OPENSSH PRIVATE KEY-----\n"
	infraWrite(t, filepath.Join(dir, "deploy_key"), key)
	infraWrite(t, filepath.Join(dir, "app.env"), "AWS_ACCESS_KEY_ID="+"AKIA"+"Q3EGXNPVT7RJ5ZWM\n")
	infraWrite(t, filepath.Join(dir, "Containerfile"), `ARG BASE
FROM ${BASE}
ENV API_TOKEN=not-really-a-token
COPY deploy_key /root/deploy_key
COPY app.env /srv/app/.env
RUN rm /root/deploy_key && mkdir -m 0777 /srv/drop && cp /bin/true /usr/local/bin/helper && chmod 4755 /usr/local/bin/helper
EXPOSE 22
CMD ["/usr/local/bin/app"]
`)
	tag := fmt.Sprintf("localhost/slimship-e2e-audit:%d", time.Now().UnixNano())
	PodmanBuild(t, dir, tag)
	archive := filepath.Join(t.TempDir(), "img.tar")
	PodmanSave(t, tag, archive)

	for _, ref := range []string{"docker-archive:" + archive, "podman:" + tag} {
		t.Run(strings.SplitN(ref, ":", 2)[0], func(t *testing.T) {
			cmd := exec.Command(bin, "audit", "--format", "json", ref)
			out, err := cmd.Output()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("slimship audit %s: %v (want exit 1)\n%s", ref, err, out)
			}
			var doc struct {
				Findings []struct {
					Rule    string `json:"rule"`
					Path    string `json:"path"`
					Layer   string `json:"layer"`
					Message string `json:"message"`
				} `json:"findings"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			got := map[string]bool{}
			for _, f := range doc.Findings {
				got[f.Rule+" "+f.Path] = true
				got[f.Rule] = true
			}
			for _, want := range []string{
				"CIS-DI-0001", "CIS-DI-0010", "SSA002", "SSA003",
				"SSA008 /root/deploy_key", "SSA007 /srv/app/.env", "CIS-DI-0008 /usr/local/bin/helper", "SSA001 /srv/drop",
			} {
				if !got[want] {
					t.Errorf("%s not reported; got %v", want, got)
				}
			}
			if got["SSA006 /root/deploy_key"] {
				t.Errorf("deleted key reported as present in the final image")
			}
		})
	}
}
