package audit

import (
	"bytes"
	"path"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
)

// A secret found in file content. Values are never kept, only a redacted
// hint, so reports do not leak what they warn about.
type secret struct {
	rule string
	what string
	line int
}

var (
	pemKeyRe = lazyre.New(`-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----\r?\n(?:[A-Za-z-]+:[^\n]*\n)*\r?\n?[A-Za-z0-9+/=]{40,}`)

	tokenRes = []struct {
		what   string
		anchor string
		re     *lazyre.Regexp
		// only, when set, limits the pattern to files of that base name.
		only string
	}{
		{"AWS access key ID", "A", lazyre.New(`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b`), ""},
		{"AWS secret access key", "ws_secret", lazyre.New(`(?i)aws_secret_access_key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b`), ""},
		{"GitHub token", "gh", lazyre.New(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`), ""},
		{"GitHub token", "github_pat_", lazyre.New(`\bgithub_pat_[A-Za-z0-9_]{60,}\b`), ""},
		{"GitLab token", "glpat-", lazyre.New(`\bglpat-[A-Za-z0-9_-]{20,}\b`), ""},
		{"Slack token", "xox", lazyre.New(`\bxox[abprs]-[A-Za-z0-9-]{10,}\b`), ""},
		{"npm token", "npm_", lazyre.New(`\bnpm_[A-Za-z0-9]{36}\b`), ""},
		{"npm auth token", "_auth", lazyre.New(`(?m)_auth(?:Token)?\s*=\s*[^\s$][^\s]{8,}`), ".npmrc"},
		{"Stripe live key", "_live_", lazyre.New(`\b[rs]k_live_[A-Za-z0-9]{20,}\b`), ""},
		{"Google API key", "AIza", lazyre.New(`\bAIza[0-9A-Za-z_-]{35}\b`), ""},
		{"registry credentials", `"auth"`, lazyre.New(`"auth"\s*:\s*"[A-Za-z0-9+/=]{8,}"`), "config.json"},
	}

	// envSecretRe matches KEY=value lines of .env files whose key names a
	// secret and whose value is set.
	envSecretRe = lazyre.New(`(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*["']?([^\s"'#$][^\s"'#]*)`)
)

// isEnvFile reports whether base names a dotenv file.
func isEnvFile(base string) bool {
	return base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env")
}

// scanSecrets finds private keys and tokens in content (a bounded prefix
// of the file at p).
func scanSecrets(p string, content []byte, acceptKey func(string) bool) []secret {
	var out []secret
	if bytes.Contains(content, []byte("PRIVATE KEY")) {
		for _, m := range pemKeyRe.FindAllSubmatchIndex(content, -1) {
			out = append(out, secret{rule: PrivateKey, what: string(content[m[2]:m[3]]), line: lineAt(content, m[0])})
		}
	}
	base := path.Base(p)
	for _, t := range tokenRes {
		if (t.only != "" && t.only != base) || !bytes.Contains(content, []byte(t.anchor)) {
			continue
		}
		for _, m := range t.re.FindAllIndex(content, -1) {
			v := content[m[0]:m[1]]
			if bytes.HasSuffix(v, []byte("EXAMPLE")) || bytes.Contains(v, []byte("EXAMPLEKEY")) {
				continue // AWS's documented example keys
			}
			out = append(out, secret{rule: TokenInFile, what: t.what + " " + redact(string(v)), line: lineAt(content, m[0])})
		}
	}
	if isEnvFile(base) {
		seen := map[int]bool{}
		for _, s := range out {
			seen[s.line] = true
		}
		for _, m := range envSecretRe.FindAllSubmatchIndex(content, -1) {
			if seen[lineAt(content, m[2])] {
				continue // a token on this line is already reported
			}
			key := string(content[m[2]:m[3]])
			if suspiciousKey(key) && !acceptKey(key) && !placeholder(string(content[m[4]:m[5]])) {
				out = append(out, secret{rule: TokenInFile, what: "secret " + key + "=…", line: lineAt(content, m[2])})
			}
		}
	}
	return out
}

// placeholder reports values that are obviously not secrets.
func placeholder(v string) bool {
	l := strings.ToLower(v)
	switch l {
	case "changeme", "change-me", "xxx", "none", "null", "false", "true", "todo", "secret", "password", "example":
		return true
	}
	return strings.HasPrefix(l, "<") || strings.HasPrefix(l, "${")
}

// redact keeps the first four characters of a token.
func redact(v string) string {
	if i := strings.IndexAny(v, "=:"); i >= 0 && i < len(v)-1 && !strings.HasPrefix(v, "AKIA") {
		v = strings.TrimLeft(v[i+1:], " \t\"'")
	}
	if len(v) > 4 {
		return v[:4] + "…"
	}
	return "…"
}

func lineAt(b []byte, off int) int { return bytes.Count(b[:off], []byte("\n")) + 1 }

// suspiciousKey reports names dockle treats as secrets (PASSWD, PASSWORD,
// SECRET, KEY, ACCESS) plus TOKEN; GPG key names are public fingerprints.
func suspiciousKey(k string) bool {
	u := strings.ToUpper(k)
	if strings.Contains(u, "GPG") {
		return false
	}
	for _, s := range []string{"PASSWD", "PASSWORD", "SECRET", "KEY", "ACCESS", "TOKEN"} {
		if strings.Contains(u, s) {
			return true
		}
	}
	return false
}

// credentialNames and credentialExts are dockle's suspicious file names
// (CIS-DI-0010), plus a few well-known credential stores.
var credentialNames = map[string]bool{
	"credentials.json": true, "credential.json": true, "credentials": true, "credential": true,
	"password.txt": true, "id_rsa": true, "id_dsa": true, "id_ecdsa": true, "id_ed25519": true,
	"secret_token.rb": true, "carrierwave.rb": true, "omniauth.rb": true, "settings.py": true,
	"database.yml": true, "credentials.xml": true, ".git-credentials": true, ".netrc": true,
	".pgpass": true, ".htpasswd": true,
}

var credentialExts = map[string]bool{
	".secret": true, ".ovpn": true, ".private_key": true, ".cscfg": true, ".rdp": true, ".mdf": true,
	".sdf": true, ".bek": true, ".tpm": true, ".fve": true, ".jks": true, ".psafe3": true,
	".agilekeychain": true, ".keychain": true, ".pcap": true, ".gnucache": true,
}

// secretScanSkip are trees whose files are package documentation, tests
// or fixtures: keys there are examples, not the image's secrets.
var secretScanSkip = []string{
	"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/locale/", "/usr/include/",
	"/usr/share/ca-certificates/", "/etc/ssl/certs/", "/proc/", "/sys/",
}

var secretScanSkipParts = []string{"/node_modules/", "/site-packages/", "/dist-packages/", "/vendor/", "/test/", "/tests/", "/testdata/", "/fixtures/", "/__pycache__/", "/.git/"}

var binaryExts = map[string]bool{
	".so": true, ".a": true, ".o": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ico": true,
	".gz": true, ".tgz": true, ".xz": true, ".zst": true, ".bz2": true, ".zip": true, ".jar": true, ".war": true,
	".whl": true, ".pyc": true, ".mo": true, ".woff": true, ".woff2": true, ".ttf": true, ".otf": true,
	".pdf": true, ".wasm": true, ".deb": true, ".rpm": true, ".apk": true, ".db": true, ".sqlite": true,
	".svg": true, ".mp3": true, ".mp4": true, ".webp": true,
}

// wantsSecretScan is the cheap filter of the content scan: by path and size
// alone, before anything is read.
func wantsSecretScan(p string, size int64) bool {
	if size <= 0 || size > maxSecretFile {
		return false
	}
	for _, s := range secretScanSkip {
		if strings.HasPrefix(p, s) {
			return false
		}
	}
	for _, s := range secretScanSkipParts {
		if strings.Contains(p, s) {
			return false
		}
	}
	return !binaryExts[strings.ToLower(path.Ext(p))]
}

// maxSecretFile: larger files are data, not configuration.
const maxSecretFile = 16 << 20

// looksBinary reports content that is an executable or has NUL bytes
// early on.
func looksBinary(b []byte) bool {
	if bytes.HasPrefix(b, []byte("\x7fELF")) {
		return true
	}
	head := b
	if len(head) > 1024 {
		head = head[:1024]
	}
	return bytes.IndexByte(head, 0) >= 0
}
