package lint

import "testing"

// secretsCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_secrets.go; a name starts with its rule's ID.
var secretsCases = table([]tableCase{
	{"DL3064", "ARG GITHUB_TOKEN\nFROM debian\n", 1, nil},
	{"DL3064", "FROM debian\nENV db_password=x\n", 1, nil},
	{"DL3064", "FROM debian\nENV APP_HOME=/app\nARG VERSION\n", 0, nil},

	{"SS009", "FROM alpine\nENV SLACK=xoxb-123456789012-abcdefghijkl\n", 1, nil},
	{"SS009", "FROM alpine\nENV KEY=\"-----BEGIN RSA PRIVATE KEY-----\"\n", 1, nil},
	{"SS009", "FROM alpine\nARG SECRET_KEY_BASE=dummy\nENV SECRET_TOKEN=\"\"\n", 0, nil},
	{"SS009", "FROM alpine\nARG PIP_INDEX_URL=https://user:hunter2@pypi.example.com/simple\nARG MIRROR=https://${U}:${P}@example.com\n", 1, nil},
})

func TestSecretsRules(t *testing.T) { runTableCases(t, secretsCases) }

// secretsBuildKitCases are the BuildKit checks of rules_secrets.go: the findings
// ("line: message") each Dockerfile gives.
var secretsBuildKitCases = []bkCase{
	{"SecretsUsedInArgOrEnv", "ARG TOKEN\nFROM alpine\nARG GITHUB_TOKEN\nENV DB_PASSWORD=x PUBLIC_KEY=y GPG_KEY_FILE=z NPM_VERSION=1 TOKENIZER=2\n", []string{`3: Do not use ARG or ENV instructions for sensitive data (ARG "GITHUB_TOKEN")`, `4: Do not use ARG or ENV instructions for sensitive data (ENV "DB_PASSWORD")`}},
}

func TestSecretsBuildKitRules(t *testing.T) { runBKCases(t, secretsBuildKitCases) }
