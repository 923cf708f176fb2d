package lint

import (
	"bytes"
	"regexp"
	"sync"
	"unicode/utf8"

	"github.com/slimship/slimship/pkg/finding"
)

// envRules check containers' environment variables.
func envRules() []Rule {
	return []Rule{
		containerCheck(kubeScore(finding.Spec{ID: "environment-variable-key-duplication", Severity: sevE, Category: finding.Correctness,
			Description: "A container does not set the same environment variable twice",
			Remediation: "Remove the repeated env entry; Kubernetes uses the last value, which hides the first."}),
			checkEnvDup),
		containerCheck(kubeLinter(finding.Spec{ID: "env-var-secret", Severity: sevW, Category: finding.Security,
			Description: "Secrets are not written into environment variable literals",
			Remediation: "Move the value into a Secret and read it with env[].valueFrom.secretKeyRef."}),
			checkEnvSecret),
	}
}

func checkEnvDup(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	seen := map[string]bool{}
	for i, e := range c.C.Env {
		if seen[e.Name] {
			r.Report(c.At("env", i), "container %q: environment variable %q is set more than once", c.C.Name, e.Name)
		}
		seen[e.Name] = true
	}
}

// secretNameRE is what isSecretName matches, for names that are not ASCII
// (where case folding goes beyond ASCII letters).
var secretNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(secret|password|passwd|token|api_?key|private_?key|credential)`)
})

var secretWords = []string{"secret", "password", "passwd", "token", "apikey", "api_key", "privatekey", "private_key", "credential"}

// isSecretName reports whether an environment variable's name looks like it
// holds a secret: secretNameRE matches it.
func isSecretName(name string) bool {
	var buf [64]byte
	if len(name) > len(buf) {
		return secretNameRE().MatchString(name)
	}
	lower := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return secretNameRE().MatchString(name)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for _, w := range secretWords {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}

func checkEnvSecret(_ *Context, _ *Object, _ *Workload, c ContainerRef, r *Reporter) {
	for i, e := range c.C.Env {
		if e.Value != "" && e.ValueFrom == nil && isSecretName(e.Name) {
			r.Report(c.At("env", i, "value"), "container %q: environment variable %s holds a literal secret; use valueFrom.secretKeyRef", c.C.Name, e.Name)
		}
	}
}
