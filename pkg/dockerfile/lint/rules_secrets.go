package lint

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/finding"
)

func secretsRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3064", Severity: finding.Warning, Category: finding.Security,
			Description: "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
			Remediation: "Pass secrets with `RUN --mount=type=secret` instead of ARG or ENV.",
			DocsURL:     hadolintWiki + "DL3064"}, checkDL3064).WithTwins(linter.RuleSecretsUsedInArgOrEnv.Name, "SS009"),
		rule(finding.Spec{ID: "SS009", Severity: finding.Error, Category: finding.Security,
			Description: "Secret-looking value hard-coded in ENV or ARG: it stays in the image config or history.",
			Remediation: "Pass the secret at build time with `RUN --mount=type=secret`, or at run time, not in ENV or ARG."}, checkSS009),
		bk(linter.RuleSecretsUsedInArgOrEnv, finding.Spec{Category: finding.Security,
			Remediation: "Pass secrets with `RUN --mount=type=secret` instead of ARG or ENV."}, bkCheckSecretsInArgOrEnv),
	}
}

// sensitiveNames are hadolint's known secret variable names.
var sensitiveNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`ACCESS_TOKEN APPLICATION_KEY APP_SECRET AUTH_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
		BITTREX_API_KEY BITTREX_API_SECRET CF_PASSWORD CF_USERNAME CIRCLE_TOKEN CI_DEPLOY_PASSWORD CI_DEPLOY_USER
		DOCKERHUB_PASSWORD DOCKER_EMAIL DOCKER_PASSWORD DOCKER_USERNAME FACEBOOK_ACCESS_TOKEN FACEBOOK_APP_ID
		FACEBOOK_APP_SECRET FIREBASE_API_TOKEN FIREBASE_TOKEN FOSSA_API_KEY GH_ENTERPRISE_TOKEN GH_TOKEN
		GITHUB_ENTERPRISE_TOKEN GITHUB_TOKEN HEROKU_API_KEY HEROKU_API_USER NPM_AUTH_TOKEN NPM_TOKEN
		OKTA_AUTHN_GROUPID OKTA_CLIENT_ORGURL OKTA_CLIENT_TOKEN OKTA_OAUTH2_CLIENTID OKTA_OAUTH2_CLIENTSECRET
		OPENAI_API_KEY OS_PASSWORD OS_USERNAME POSTGRES_PASSWORD SLACK_TOKEN STRIPE_API_KEY STRIPE_DEVICE_NAME
		TRAVIS_OS_NAME TRAVIS_SECURE_ENV_VARS TRAVIS_SUDO VAULT_CLIENT_KEY VAULT_TOKEN`) {
		m[n] = true
	}
	return m
}()

var suspicious = []string{"api_key", "client_key", "password", "private", "secret", "token", "username"}

func sensitive(name string) bool {
	if sensitiveNames[strings.ToUpper(name)] {
		return true
	}
	low := strings.ToLower(name)
	for _, s := range suspicious {
		if strings.Contains(low, s) {
			return true
		}
	}
	return false
}

func checkDL3064(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		var names []string
		switch in.Cmd {
		case "arg":
			for _, a := range argPairs(in) {
				if sensitive(a.Key) {
					names = append(names, a.Key)
				}
			}
		case "env":
			for _, p := range keyValues(in) {
				if sensitive(p.Key) {
					names = append(names, p.Key)
				}
			}
		default:
			continue
		}
		if len(names) > 0 {
			what := "looks like a secret"
			if len(names) > 1 {
				what = "look like secrets"
			}
			r.At(in, "`"+strings.Join(names, "`, `")+"` "+what+": ARG and ENV values stay in the image history; pass secrets with `RUN --mount=type=secret` instead.")
		}
	}
}

// secretWords are name parts that mark a secret (whole words of the
// variable name split on _ - and .).
var secretWords = map[string]bool{"password": true, "passwd": true, "pass": true, "pwd": true, "token": true, "secret": true,
	"apikey": true, "credentials": true, "credential": true, "privatekey": true, "accesskey": true, "secretkey": true, "authtoken": true}

// secretPairs are two adjacent name parts that mark a secret.
var secretPairs = map[string]bool{"api_key": true, "private_key": true, "access_key": true, "secret_key": true, "client_secret": true, "auth_token": true}

// notSecretWords as a name part mean the variable holds a reference to a
// secret, not the secret (TOKEN_URL, PASSWORD_FILE, SECRET_PATH).
var notSecretWords = map[string]bool{"url": true, "uri": true, "file": true, "path": true, "dir": true, "host": true, "port": true,
	"name": true, "user": true, "username": true, "length": true, "len": true, "type": true, "header": true, "endpoint": true,
	"id": true, "enabled": true, "enable": true, "disable": true, "disabled": true, "required": true, "public": true, "version": true,
	"env": true, "prefix": true, "policy": true, "mode": true, "expiry": true, "ttl": true, "timeout": true, "location": true, "ref": true, "method": true, "algorithm": true}

func secretName(name string) bool {
	parts := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	hit := false
	for i, p := range parts {
		if notSecretWords[p] {
			return false
		}
		if secretWords[p] {
			hit = true
		}
		if i+1 < len(parts) && secretPairs[p+"_"+parts[i+1]] {
			hit = true
		}
	}
	// A lone PWD is the working directory.
	if len(parts) == 1 && parts[0] == "pwd" {
		return false
	}
	return hit
}

// secretValues are values shaped like well-known credentials.
var secretValues = []struct {
	what string
	re   *lazyre.Regexp
}{
	{"an AWS access key", lazyre.New(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a private key", lazyre.New(`-----BEGIN ([A-Z]+ )?PRIVATE KEY`)},
	{"a GitHub token", lazyre.New(`\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`)},
	{"a Slack token", lazyre.New(`\bxox[baprs]-[A-Za-z0-9-]{10,}`)},
	{"a GitLab token", lazyre.New(`\bglpat-[A-Za-z0-9_-]{20,}`)},
	{"a Stripe key", lazyre.New(`\b[sr]k_live_[A-Za-z0-9]{20,}`)},
	{"a Google API key", lazyre.New(`\bAIza[0-9A-Za-z_-]{35}\b`)},
}

// placeholderValue reports values that are not secrets: references,
// booleans, numbers, paths.
func placeholderValue(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || strings.Contains(v, "$") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.Contains(v, "://") {
		return true
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "-", "\"\"", "''", "changeme", "change_me", "xxx", "<token>", "your_token", "your-token", "secret", "password", "placeholder", "dummy", "test":
		return true
	}
	return strings.Trim(v, "0123456789") == ""
}

// checkSS009: secret-looking ENV or ARG values.
func checkSS009(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if in.Cmd != "env" && in.Cmd != "arg" {
			continue
		}
		for _, p := range envPairs(in) {
			if urlCredentials(p.Value) {
				r.At(in, fmt.Sprintf("%s %s holds a URL with a password, which stays in the image: pass it with RUN --mount=type=secret or at run time", strings.ToUpper(in.Cmd), p.Key))
				continue
			}
			for _, sv := range secretValues {
				if sv.re.MatchString(p.Value) {
					r.At(in, fmt.Sprintf("%s %s holds what looks like %s, which stays in the image: pass it with RUN --mount=type=secret or at run time", strings.ToUpper(in.Cmd), p.Key, sv.what))
					goto next
				}
			}
			if p.HasValue && secretName(p.Key) && !placeholderValue(p.Value) {
				where := "the image config"
				if in.Cmd == "arg" {
					where = "the build history"
				}
				r.At(in, fmt.Sprintf("%s %s has a hard-coded secret-looking value that stays in %s: use RUN --mount=type=secret,id=%s, or set it at run time", strings.ToUpper(in.Cmd), p.Key, where, strings.ToLower(p.Key)))
			}
		next:
		}
	}
}

var urlUserinfo = lazyre.New(`[a-z][a-z0-9+.-]*://([^/\s:@$]+):([^/\s@$]+)@([^/\s:?#]+)`)

// urlCredentials reports a URL with a real-looking password. Build-time
// dummies (postgresql://user:pass@localhost/dummy, placeholder:placeholder@)
// are left alone.
func urlCredentials(v string) bool {
	m := urlUserinfo.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	pass, host := strings.ToLower(m[2]), strings.ToLower(m[3])
	switch host {
	case "localhost", "127.0.0.1", "placeholder", "example.com", "host", "db", "postgres", "mysql", "redis":
		return false
	}
	return !placeholderValue(pass) && pass != "pass" && pass != "placeholder" && pass != m[1]
}

var (
	bkSecretDeny  = lazyre.New(`(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)`)
	bkSecretAllow = lazyre.New(`(?i)(?:_|^)(?:public|file|version)(?:_|$)`)
)

func bkCheckSecretsInArgOrEnv(c *Context, r *Reporter, format func(string, string) string) {
	for _, s := range c.File.Stages {
		for _, in := range bkStageCommands(s) {
			var keys []string
			switch in.Cmd {
			case "env":
				for i := 0; i < len(in.Args); i += 3 {
					keys = append(keys, in.Args[i])
				}
			case "arg":
				for _, a := range in.Args {
					k, _ := bkArgKeyValue(a)
					keys = append(keys, k)
				}
			default:
				continue
			}
			for _, k := range keys {
				if bkSecretDeny.MatchString(k) && !bkSecretAllow.MatchString(k) {
					r.At(in, format(strings.ToUpper(in.Cmd), k))
				}
			}
		}
	}
}
