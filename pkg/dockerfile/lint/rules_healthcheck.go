package lint

import (
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/finding"
)

func healthcheckRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3012", Severity: finding.Error, Category: finding.Correctness,
			Description: "Multiple `HEALTHCHECK` instructions.",
			Remediation: "Keep one HEALTHCHECK instruction per stage.",
			DocsURL:     hadolintWiki + "DL3012"}, checkDL3012),
		rule(finding.Spec{ID: "DL3057", Severity: finding.Info, Category: finding.Correctness,
			Description: "`HEALTHCHECK` instruction missing.",
			Remediation: "Add a HEALTHCHECK instruction to the final stage.",
			DocsURL:     hadolintWiki + "DL3057", DefaultOff: true}, checkDL3057),
		rule(finding.Spec{ID: "SS008", Severity: finding.Info, Category: finding.Maintainability,
			Description: "Service image without a HEALTHCHECK.",
			Remediation: "Add a HEALTHCHECK to the service image (or let the orchestrator probe it)."}, checkSS008),
	}
}

func checkDL3012(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		n := 0
		for _, in := range st.Instructions {
			if in.Cmd == "healthcheck" {
				n++
				if n > 1 {
					r.At(in, "Multiple `HEALTHCHECK` instructions: only the last one takes effect; keep one per stage.")
				}
			}
		}
	}
}

func checkDL3057(c *Context, r *Reporter) {
	final := c.File.Final()
	if final == nil || final.From == nil {
		return
	}
	for idx := range finalChain(c.File) {
		for _, in := range c.File.Stages[idx].Instructions {
			if in.Cmd == "healthcheck" {
				return
			}
		}
	}
	r.At(final.From, "`HEALTHCHECK` instruction missing: add `HEALTHCHECK CMD <probe>` (or `HEALTHCHECK NONE` to say there is none on purpose).")
}

var serverWords = lazyre.New(`(?i)(^|[\s/"'\[,])(nginx|httpd|httpd-foreground|apache2-foreground|apache2ctl|gunicorn|uvicorn|hypercorn|daphne|waitress-serve|puma|unicorn|php-fpm[0-9.]*|caddy|traefik|http-server|runserver|catalina\.sh|tomcat|kestrel)($|[\s"',\]])`)

// checkSS008: service image without a HEALTHCHECK.
//
// Scratch and distroless bases are skipped: they have no shell, curl or
// wget, so a HEALTHCHECK would need a probe built into the app; liveness
// of such images belongs to the orchestrator's probes (Kubernetes ignores
// HEALTHCHECK anyway).
func checkSS008(c *Context, r *Reporter) {
	final := finalStage(c)
	if final == nil {
		return
	}
	img, _, ok := baseImage(c.File, final)
	if ok && (img.isScratch() || img.isDistroless() || strings.Contains(img.Tag, "chiseled") || img.isWindows()) || toolchainImage(c, final) {
		return
	}
	service := false
	for _, in := range chainInstructions(c, final) {
		switch in.Cmd {
		case "healthcheck":
			return
		case "expose":
			service = true
		case "cmd", "entrypoint":
			if serverWords.MatchString(strings.Join(in.Args, " ")) {
				service = true
			}
		}
	}
	if !service {
		return
	}
	r.At(final.From, "the final stage runs a service but has no HEALTHCHECK: add one (HEALTHCHECK CMD curl -f http://localhost:PORT/health || exit 1) or state HEALTHCHECK NONE")
}
