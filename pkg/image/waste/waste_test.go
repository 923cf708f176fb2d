package waste_test

import (
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/image/waste"
)

// classCase is a path, the image rule of its waste ("" for none), and the
// group safe slim removes it as; why says what the case is about.
type classCase struct {
	path, rule string
	slim       waste.Group
	why        string
}

func check(t *testing.T, cases []classCase) {
	t.Helper()
	for _, c := range cases {
		m, ok := waste.Classify(c.path)
		got := ""
		if ok {
			got = m.Kind.Rule
		}
		if got != c.rule || m.Slim != c.slim {
			t.Errorf("%sClassify(%q) = %q, slim %q; want %q, slim %q", c.why, c.path, got, m.Slim, c.rule, c.slim)
		}
	}
}

func TestClassify(t *testing.T) {
	check(t, []classCase{
		{"/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", "SSI001", waste.AptLists, ""},
		{"/var/lib/apt/lists/partial/x_Packages", "SSI001", waste.AptLists, ""},
		{"/var/lib/apt/lists/auxfiles/x", "SSI001", waste.AptLists, ""},
		{"/var/cache/apt/archives/python3.deb", "SSI002", waste.Caches, ""},
		{"/var/cache/apk/APKINDEX.tar.gz", "SSI003", waste.Caches, ""},
		{"/var/cache/apkfoo/APKINDEX.tar.gz", "", "", ""},
		{"/var/cache/aptitude/x", "", "", ""},
		{"/usr/share/docs/x", "", "", ""},
		{"/root/.cache/pip/http/x", "SSI005", waste.Caches, ""},
		{"/root/.cache/pipx/x", "", "", ""},
		{"/root/.npm/_cacache/index-v5/x", "SSI006", waste.Caches, ""},
		{"/root/.cache/go-build/00/x", "SSI007", waste.Caches, ""},
		{"/go/pkg/mod/cache/download/x.zip", "SSI007", "", ""},
		{"/go/pkg/mod/cachex/x", "", "", ""},
		{"/usr/share/doc/python3/README", "SSI008", waste.Docs, ""},
		{"/usr/share/man/man1/python3.1.gz", "SSI008", waste.Man, ""},
		{"/usr/share/locale/de/LC_MESSAGES/x.mo", "SSI008", waste.Locales, ""},
		{"/usr/lib/python3/__pycache__/x.pyc", "SSI009", waste.PyCache, ""},
		{"/app/__pycache__x/y.py", "", "", ""},
		{"/app/core", "SSI010", "", ""},
		{"/core.1234", "SSI010", "", ""},
		{"/usr/lib/python3/site-packages/x/core", "", "", ""},
		{"/app/core/main.py", "", "", ""},
		{"/app/.git/objects/pack/x.pack", "SSI011", "", ""},
		{"/app/.github/workflows/ci.yml", "", "", ""},
		{"/usr/bin/gcc-12", "SSI012", "", ""},
		{"/usr/lib/jvm/java-17/bin/java", "SSI012", "", ""},
		{"/usr/lib/jvmx/x", "", "", ""},
		{"/usr/bin/cc", "", "", ""},
	})
}

// Where analyze, slim and audit classified the same path differently,
// the table now gives one answer.
func TestFormerDisagreements(t *testing.T) {
	check(t, []classCase{
		// analyze counted apt's lock files; slim kept lists/lock but removed archives/lock.
		{"/var/lib/apt/lists/lock", "", "", "apt's lock is not waste: "},
		{"/var/cache/apt/archives/lock", "", "", "apt's lock is not waste: "},
		// audit skipped partial downloads; analyze and slim counted them.
		{"/var/cache/apt/archives/partial/x.deb", "SSI002", waste.Caches, "a partial download is waste: "},
		// analyze counted debconf's database as a cache; slim kept it.
		{"/var/cache/debconf/config.dat", "", "", "debconf's database is not a cache: "},
		{"/var/cache/debconf/templates.dat-old", "SSI002", waste.Caches, "debconf's backups are waste: "},
		// analyze knew these caches, slim and audit did not.
		{"/etc/apk/cache/APKINDEX.tar.gz", "SSI003", waste.Caches, "apk cache: "},
		{"/var/cache/libdnf5/x.solv", "SSI004", waste.Caches, "dnf5 cache: "},
		{"/var/cache/zypp/raw/x", "SSI004", waste.Caches, "zypper cache: "},
		{"/usr/local/share/man/man1/x.1", "SSI008", waste.Man, "man pages: "},
		// analyze looked only under /root and /home; slim anywhere (HOME may be /app).
		{"/app/.cache/pip/http/x", "SSI005", waste.Caches, "pip cache outside /home: "},
		{"/nonexistent/.cache/yarn/v6/x", "SSI006", waste.Caches, "yarn cache outside /home: "},
		{"/usr/local/share/.cache/yarn/v6/x", "SSI006", waste.Caches, "yarn global cache: "},
		{"/srv/.cache/go-build/00/x", "SSI007", waste.Caches, "go build cache outside /home: "},
		// analyze counted all of ~/.npm; npx's packages are not a cache.
		{"/root/.npm/_npx/1234/node_modules/x/index.js", "", "", "npx packages: "},
		{"/root/.npm/_logs/x-debug.log", "SSI006", waste.Caches, "npm logs: "},
		// analyze counted /home/*/proj/.yarn/cache, a Plug'n'Play install's packages.
		{"/home/node/app/.yarn/cache/x.zip", "", "", "a PnP project's packages: "},
		{"/home/node/.yarn/cache/x.zip", "SSI006", "", "yarn's global cache: "},
		// analyze counted licences and English messages; slim kept them.
		{"/usr/share/doc/python3/copyright", "", "", "licences must ship: "},
		{"/usr/share/doc/x/LICENSE.txt", "", "", "licences must ship: "},
		{"/usr/share/locale/locale.alias", "", "", "locale.alias is configuration: "},
		{"/usr/share/locale/en_GB/LC_MESSAGES/x.mo", "", "", "English stays: "},
	})
}

func TestMatchDir(t *testing.T) {
	for p, want := range map[string]string{
		"/var/lib/apt/lists/partial/x":         "/var/lib/apt/lists",
		"/var/cache/debconf/templates.dat-old": "/var/cache/debconf",
		"/etc/apk/cache/x":                     "/etc/apk/cache",
	} {
		m, ok := waste.Classify(p)
		if !ok || m.Dir() != want {
			t.Errorf("Classify(%q).Dir() = %q, want %q", p, m.Dir(), want)
		}
	}
}

// Every Dockerfile rule a kind links to exists, and every kind is complete.
func TestTable(t *testing.T) {
	dockerfileRules := map[string]bool{}
	for _, r := range lint.All() {
		dockerfileRules[r.ID] = true
	}
	rules := map[string]bool{}
	for i, k := range waste.Kinds() {
		if k.ID != i+1 {
			t.Errorf("%s: ID %d at position %d", k.Name, k.ID, i+1)
		}
		if k.FixRule != "" {
			if !dockerfileRules[k.FixRule] {
				t.Errorf("%s links to Dockerfile rule %s, which does not exist", k.Name, k.FixRule)
			}
		}
		if k.Name == "" || k.Cause == "" || k.Remedy == "" || k.Min <= 0 || len(k.Paths) == 0 {
			t.Errorf("kind %q is incomplete: %+v", k.Rule, k)
		}
		if rules[k.Rule] {
			t.Errorf("image rule %s is used twice", k.Rule)
		}
		rules[k.Rule] = true
		for _, p := range k.Paths {
			known := p.Slim == ""
			for _, g := range waste.Groups() {
				known = known || p.Slim == g
			}
			if !known {
				t.Errorf("%s: %s has unknown slim group %q", k.Name, p.Pattern, p.Slim)
			}
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	paths := []string{"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/share/doc/x/copyright", "/app/node_modules/left-pad/index.js",
		"/var/lib/apt/lists/x_Packages", "/usr/lib/python3.12/__pycache__/os.cpython-312.pyc", "/usr/bin/python3"}
	for b.Loop() {
		for _, p := range paths {
			waste.Classify(p)
		}
	}
}
