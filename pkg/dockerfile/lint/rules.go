package lint

import (
	"slices"
	"sync"

	"github.com/slimship/slimship/pkg/finding"
)

// Rules live in files named by topic: rules_apt.go (apt-get), rules_apk.go,
// rules_rpm.go (yum, dnf, zypper), rules_pip.go, rules_npm.go (npm, yarn),
// rules_gem.go, rules_go.go, rules_labels.go (LABEL, MAINTAINER),
// rules_from.go (FROM and stages), rules_copy.go (COPY, ADD, the build
// context), rules_user.go (USER, WORKDIR, EXPOSE), rules_shell.go (SHELL,
// pipefail, CMD and ENTRYPOINT), rules_run.go (what a RUN should not do),
// rules_env.go (ENV), rules_healthcheck.go, rules_secrets.go,
// rules_cache.go (layer and cache order), rules_pragma.go (DL1001),
// rules_shellcheck.go (SC) and rules_buildkit.go (BuildKit's checks that
// have no hadolint twin; a twin lives next to its DL rule). Each file
// starts with its list of rules; helpers shared by several files live in
// helpers_*.go.

// hadolintWiki is where hadolint documents its rules: a DL rule links to
// hadolintWiki + ID.
const hadolintWiki = "https://github.com/hadolint/hadolint/wiki/"

// rule makes a Dockerfile rule of a spec (finding.Define, the one rule
// constructor) and its check.
func rule(s finding.Spec, check func(*Context, *Reporter)) Rule {
	return Rule{Rule: finding.Define(finding.Dockerfile, s), Check: check}
}

// topicRules are the rule lists of the topic files, one function each.
var topicRules = []func() []Rule{
	aptRules, apkRules, rpmRules, pipRules, npmRules, gemRules, goRules,
	labelsRules, fromRules, copyRules, userRules, shellRules, runRules,
	envRules, healthcheckRules, secretsRules, cacheRules, pragmaRules,
	shellcheckRules, buildkitRules,
}

// All returns every Dockerfile rule, sorted by ID: a copy of the list
// built once (Lint runs it for every file).
func All() []Rule { return slices.Clone(allRules()) }

var allRules = sync.OnceValue(func() []Rule {
	var all []Rule
	for _, group := range topicRules {
		all = append(all, group()...)
	}
	reg := finding.NewRegistry() // panics on a duplicate ID
	for _, r := range all {
		reg.Register(r.Rule)
	}
	sortRules(all)
	return all
})
