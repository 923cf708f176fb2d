package lint

import "testing"

// labelsCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_labels.go; a name starts with its rule's ID.
var labelsCases = table([]tableCase{
	{"DL3048", "FROM debian\nLABEL com.docker.x=1\n", 1, nil},
	{"DL3048", "FROM debian\nLABEL Invalid=1 a..b=2\n", 1, nil},
	{"DL3048", "FROM debian\nLABEL org.opencontainers.image.title=x valid-1=y\n", 0, nil},

	{"DL3049", "FROM debian\n", 1, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian\nLABEL maintainer=x\n", 0, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian AS base\nLABEL maintainer=x\nFROM base\n", 0, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian AS build\nFROM alpine\nLABEL maintainer=x\nCOPY --from=build /a /a\n", 0, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian AS build\nFROM alpine\nLABEL maintainer=x\n", 1, schema(map[string]string{"maintainer": "text"}, false)},
	{"DL3049", "FROM debian\n", 0, nil},

	{"DL3050", "FROM debian\nLABEL a=1 b=2\n", 1, schema(map[string]string{"a": "text"}, true)},
	{"DL3050", "FROM debian\nLABEL a=1 b=2\n", 0, schema(map[string]string{"a": "text"}, false)},
	{"DL3050", "FROM debian\nLABEL a=1\n", 0, schema(map[string]string{"a": "text"}, true)},

	{"DL3051", "FROM debian\nLABEL a=\"\"\n", 1, schema(map[string]string{"a": "text"}, false)},
	{"DL3051", "FROM debian\nLABEL a=x b=\"\"\n", 0, schema(map[string]string{"a": "text"}, false)},

	{"DL3052", "FROM debian\nLABEL u=not-a-url\n", 1, schema(map[string]string{"u": "url"}, false)},
	{"DL3052", "FROM debian\nLABEL u=https://example.com/x\n", 0, schema(map[string]string{"u": "url"}, false)},

	{"DL3053", "FROM debian\nLABEL d=yesterday\n", 1, schema(map[string]string{"d": "rfc3339"}, false)},
	{"DL3053", "FROM debian\nLABEL d=2021-03-10T10:26:33.564595127+01:00\n", 0, schema(map[string]string{"d": "rfc3339"}, false)},

	{"DL3054", "FROM debian\nLABEL l=not-spdx\n", 1, schema(map[string]string{"l": "spdx"}, false)},
	{"DL3054", "FROM debian\nLABEL l=Apache-2.0\n", 0, schema(map[string]string{"l": "spdx"}, false)},

	{"DL3055", "FROM debian\nLABEL h=xyz\n", 1, schema(map[string]string{"h": "hash"}, false)},
	{"DL3055", "FROM debian\nLABEL h=abc1234\n", 0, schema(map[string]string{"h": "hash"}, false)},

	{"DL3056", "FROM debian\nLABEL v=v1.0\n", 1, schema(map[string]string{"v": "semver"}, false)},
	{"DL3056", "FROM debian\nLABEL v=2.0.1-rc1+build.5\n", 0, schema(map[string]string{"v": "semver"}, false)},

	{"DL3058", "FROM debian\nLABEL m=not-email\n", 1, schema(map[string]string{"m": "email"}, false)},
	{"DL3058", "FROM debian\nLABEL m=team@example.com\n", 0, schema(map[string]string{"m": "email"}, false)},

	{"DL4000", "FROM debian\nMAINTAINER me\n", 1, nil},
	{"DL4000", "FROM debian\nLABEL maintainer=me\n", 0, nil},
})

func TestLabelsRules(t *testing.T) { runTableCases(t, labelsCases) }

// labelsFixes are the in-file fixes of the rules of rules_labels.go.
var labelsFixes = []fixCase{
	{"DL4000", "FROM debian\nMAINTAINER Jane \"JD\" Doe <jd@example.com>\n", "FROM debian\nLABEL maintainer=\"Jane \\\"JD\\\" Doe <jd@example.com>\"\n"},
}

func TestLabelsFixes(t *testing.T) { runFixCases(t, labelsFixes) }

// labelsBuildKitCases are the BuildKit checks of rules_labels.go: the findings
// ("line: message") each Dockerfile gives.
var labelsBuildKitCases = []bkCase{
	{"MaintainerDeprecated", "FROM alpine\nMAINTAINER me\n", []string{"2: Maintainer instruction is deprecated in favor of using label"}},
	{"MaintainerDeprecated", "# check=skip=MaintainerDeprecated\nFROM alpine\nMAINTAINER me\n", nil},
	{"MaintainerDeprecated", "# check=skip=all\nFROM alpine\nMAINTAINER me\n", nil},
	{"MaintainerDeprecated", "FROM alpine\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nMAINTAINER you\n", []string{"4: Maintainer instruction is deprecated in favor of using label"}},
}

func TestLabelsBuildKitRules(t *testing.T) { runBKCases(t, labelsBuildKitCases) }
