package audit

import "github.com/slimship/slimship/pkg/finding"

const (
	dockleDocs = "https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#"
	ssaDocs    = "https://github.com/slimship/slimship/blob/main/docs/rules/"
)

// Rule IDs. dockle's IDs are kept where dockle has the check (its FATAL is
// an error, WARN a warning, INFO info); slimship's own are SSA.
const (
	RootUser          = "CIS-DI-0001"
	ContentTrust      = "CIS-DI-0005"
	NoHealthcheck     = "CIS-DI-0006"
	SetuidFile        = "CIS-DI-0008"
	AddInHistory      = "CIS-DI-0009"
	SecretInConfig    = "CIS-DI-0010"
	Sudo              = "DKL-DI-0001"
	SensitiveVolume   = "DKL-DI-0002"
	DistUpgrade       = "DKL-DI-0003"
	ApkAddCache       = "DKL-DI-0004"
	PackageCache      = "DKL-DI-0005"
	LatestTag         = "DKL-DI-0006"
	EmptyPassword     = "DKL-LI-0001"
	DuplicateID       = "DKL-LI-0002"
	UnnecessaryFile   = "DKL-LI-0003"
	WorldWritableDir  = "SSA001"
	SSHPort           = "SSA002"
	EntrypointMissing = "SSA003"
	EntrypointWorldW  = "SSA004"
	ShadowReadable    = "SSA005"
	PrivateKey        = "SSA006"
	TokenInFile       = "SSA007"
	SecretInLowerLyr  = "SSA008"
)

func dockle(id string, sev finding.Severity, cat finding.Category, anchor, desc string) finding.Rule {
	return finding.Rule{ID: id, Severity: sev, Category: cat, Domain: finding.Image, Description: desc,
		DocsURL: dockleDocs + anchor}
}

func ssa(id string, sev finding.Severity, cat finding.Category, desc string) finding.Rule {
	return finding.Rule{ID: id, Severity: sev, Category: cat, Domain: finding.Image, Description: desc,
		DocsURL: ssaDocs + id + ".md"}
}

var rules = func() map[string]finding.Rule {
	const (
		E, W, I = finding.Error, finding.Warning, finding.Info
		sec     = finding.Security
	)
	list := []finding.Rule{
		dockle(RootUser, W, sec, "cis-di-0001-create-a-user-for-the-container", "The image runs as a non-root user"),
		func() finding.Rule {
			r := dockle(ContentTrust, I, sec, "cis-di-0005-enable-content-trust-for-docker", "Docker content trust is enabled (DOCKER_CONTENT_TRUST=1) where the image is pulled")
			r.DefaultOff = true
			return r
		}(),
		dockle(NoHealthcheck, I, finding.Correctness, "cis-di-0006-add-healthcheck-instruction-to-the-container-image", "The image has a HEALTHCHECK"),
		dockle(SetuidFile, I, sec, "cis-di-0008-confirm-safety-of-setuid-and-setgid-files", "No setuid or setgid files in the final image"),
		dockle(AddInHistory, E, sec, "cis-di-0009-use-copy-instead-of-add-in-dockerfile", "The image history uses COPY, not ADD"),
		dockle(SecretInConfig, E, sec, "cis-di-0010-do-not-store-secrets-in-dockerfiles", "No secrets in ENV, build arguments, RUN history or credential files"),
		dockle(Sudo, E, sec, "dkl-di-0001-avoid-sudo-command", "RUN steps do not use sudo"),
		dockle(SensitiveVolume, E, sec, "dkl-di-0002-avoid-sensitive-directory-mounting", "No VOLUME on /dev, /proc or /sys"),
		dockle(DistUpgrade, E, finding.Correctness, "dkl-di-0003-avoid-apt-get-upgrade-apk-upgrade-dist-upgrade", "RUN steps do not run apt-get upgrade, dist-upgrade or apk upgrade"),
		dockle(ApkAddCache, E, finding.Size, "dkl-di-0004-use-apk-add-with---no-cache", "apk add runs with --no-cache"),
		dockle(PackageCache, E, finding.Size, "dkl-di-0005-clear-apt-get-caches", "No layer ships apt, apk, dnf or yum package caches"),
		dockle(LatestTag, W, finding.Correctness, "dkl-di-0006-avoid-latest-tag", "The image is not referenced by the latest tag"),
		dockle(EmptyPassword, E, sec, "dkl-li-0001-avoid-empty-password", "No account in /etc/shadow has an empty password"),
		dockle(DuplicateID, E, sec, "dkl-li-0002-be-unique-uidgroups", "UIDs in /etc/passwd and GIDs in /etc/group are unique"),
		dockle(UnnecessaryFile, I, finding.Size, "dkl-li-0003-only-put-necessary-files", "No VCS, editor, cache or build files (.git, .DS_Store, .npmrc, Dockerfile ...) in the image"),
		ssa(WorldWritableDir, W, sec, "No world-writable directory without the sticky bit (outside /tmp and /var/tmp)"),
		ssa(SSHPort, W, sec, "The image does not expose SSH (port 22)"),
		ssa(EntrypointMissing, E, finding.Correctness, "The ENTRYPOINT/CMD program exists in the image and is executable"),
		ssa(EntrypointWorldW, E, sec, "The ENTRYPOINT/CMD program is not writable by every user"),
		ssa(ShadowReadable, E, sec, "/etc/shadow and /etc/gshadow are not readable by others"),
		ssa(PrivateKey, E, sec, "No private keys (PEM or OpenSSH) in files of the final image"),
		ssa(TokenInFile, E, sec, "No access keys or tokens (AWS, GitHub, GitLab, Slack, npm ...) in .env, config or other text files"),
		ssa(SecretInLowerLyr, E, sec, "No secret in a file of any layer, even one a later layer deletes or replaces (every layer is shipped)"),
	}
	m := make(map[string]finding.Rule, len(list))
	for _, r := range list {
		if _, dup := m[r.ID]; dup {
			panic("audit: duplicate rule " + r.ID)
		}
		m[r.ID] = r
	}
	return m
}()

// Rules returns every audit rule, sorted by ID.
func Rules() []finding.Rule {
	reg := finding.NewRegistry()
	for _, r := range rules {
		reg.Register(r)
	}
	return reg.All()
}
