package audit

import "github.com/slimship/slimship/pkg/finding"

// dockleDocs is dockle's page of checkpoints (its rules' upstream docs).
const dockleDocs = "https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#"

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

// dockle defines a rule dockle has under the same ID; its docs are
// dockle's checkpoint page.
func dockle(id string, sev finding.Severity, cat finding.Category, anchor, desc, remedy string) finding.Rule {
	return finding.Define(finding.Image, finding.Spec{ID: id, Severity: sev, Category: cat, Description: desc,
		Remediation: remedy, DocsURL: dockleDocs + anchor})
}

// ssa defines one of slimship's own audit rules (docs/rules/<ID>.md).
func ssa(id string, sev finding.Severity, cat finding.Category, desc, remedy string) finding.Rule {
	return finding.Define(finding.Image, finding.Spec{ID: id, Severity: sev, Category: cat, Description: desc, Remediation: remedy})
}

var rules = func() map[string]finding.Rule {
	const (
		E, W, I = finding.Error, finding.Warning, finding.Info
		sec     = finding.Security
	)
	list := []finding.Rule{
		dockle(RootUser, W, sec, "cis-di-0001-create-a-user-for-the-container", "The image runs as a non-root user",
			"Create a user in the image and switch to it with `USER` (a numeric UID such as 65532 works everywhere)."),
		func() finding.Rule {
			r := dockle(ContentTrust, I, sec, "cis-di-0005-enable-content-trust-for-docker", "Docker content trust is enabled (DOCKER_CONTENT_TRUST=1) where the image is pulled",
				"Sign the image and verify signatures where it is pulled (DOCKER_CONTENT_TRUST=1, or cosign with a policy controller).")
			r.DefaultOff = true
			return r
		}(),
		dockle(NoHealthcheck, I, finding.Correctness, "cis-di-0006-add-healthcheck-instruction-to-the-container-image", "The image has a HEALTHCHECK",
			"Add a `HEALTHCHECK` instruction, or rely on the orchestrator's probes and say so."),
		dockle(SetuidFile, I, sec, "cis-di-0008-confirm-safety-of-setuid-and-setgid-files", "No setuid or setgid files in the final image",
			"Remove the setuid/setgid bits (`chmod u-s,g-s`) of programs the container does not need to run as another user."),
		dockle(AddInHistory, E, sec, "cis-di-0009-use-copy-instead-of-add-in-dockerfile", "The image history uses COPY, not ADD",
			"Use `COPY` for local files; fetch remote files with `curl` in a RUN whose checksum you verify, or `ADD --checksum`."),
		dockle(SecretInConfig, E, sec, "cis-di-0010-do-not-store-secrets-in-dockerfiles", "No secrets in ENV, build arguments, RUN history or credential files",
			"Pass secrets at build time with `RUN --mount=type=secret` and at run time from the orchestrator, never in ENV, ARG or files."),
		dockle(Sudo, E, sec, "dkl-di-0001-avoid-sudo-command", "RUN steps do not use sudo",
			"Drop `sudo`: RUN steps run as the current USER; switch with `USER root` and back where root is needed."),
		dockle(SensitiveVolume, E, sec, "dkl-di-0002-avoid-sensitive-directory-mounting", "No VOLUME on /dev, /proc or /sys",
			"Remove the `VOLUME` on /dev, /proc or /sys; mount what the container needs from the orchestrator instead."),
		dockle(DistUpgrade, E, finding.Correctness, "dkl-di-0003-avoid-apt-get-upgrade-apk-upgrade-dist-upgrade", "RUN steps do not run apt-get upgrade, dist-upgrade or apk upgrade",
			"Rebuild on a newer base image instead of upgrading packages in a layer."),
		dockle(ApkAddCache, E, finding.Size, "dkl-di-0004-use-apk-add-with---no-cache", "apk add runs with --no-cache",
			"Run `apk add --no-cache`, or use a cache mount for /var/cache/apk."),
		dockle(PackageCache, E, finding.Size, "dkl-di-0005-clear-apt-get-caches", "No layer ships apt, apk, dnf or yum package caches",
			"Clean the package manager's caches in the RUN that installs (e.g. `rm -rf /var/lib/apt/lists/*`), or use a cache mount."),
		dockle(LatestTag, W, finding.Correctness, "dkl-di-0006-avoid-latest-tag", "The image is not referenced by the latest tag",
			"Reference the image by a version tag or a digest."),
		dockle(EmptyPassword, E, sec, "dkl-li-0001-avoid-empty-password", "No account in /etc/shadow has an empty password",
			"Lock the account (`passwd -l`) or give it a password hash; container users need no password."),
		dockle(DuplicateID, E, sec, "dkl-li-0002-be-unique-uidgroups", "UIDs in /etc/passwd and GIDs in /etc/group are unique",
			"Give every user and group its own ID."),
		dockle(UnnecessaryFile, I, finding.Size, "dkl-li-0003-only-put-necessary-files", "No VCS, editor, cache or build files (.git, .DS_Store, .npmrc, Dockerfile ...) in the image",
			"List such files in .dockerignore, or copy only what the program needs."),
		ssa(WorldWritableDir, W, sec, "No world-writable directory without the sticky bit (outside /tmp and /var/tmp)",
			"Remove write permission for others (`chmod o-w`), or set the sticky bit (`chmod +t`) on shared directories."),
		ssa(SSHPort, W, sec, "The image does not expose SSH (port 22)",
			"Remove the SSH server and `EXPOSE 22`; use `kubectl exec` or `podman exec` to get a shell."),
		ssa(EntrypointMissing, E, finding.Correctness, "The ENTRYPOINT/CMD program exists in the image and is executable",
			"Copy the program into the image (and its libraries and interpreter), or fix the path in ENTRYPOINT/CMD."),
		ssa(EntrypointWorldW, E, sec, "The ENTRYPOINT/CMD program is not writable by every user",
			"Make the program writable by its owner only (`COPY --chmod=0755`)."),
		ssa(ShadowReadable, E, sec, "/etc/shadow and /etc/gshadow are not readable by others",
			"Restore their modes (`chmod 0640 /etc/shadow /etc/gshadow`)."),
		ssa(PrivateKey, E, sec, "No private keys (PEM or OpenSSH) in files of the final image",
			"Remove the key from the image and mount it at run time as a secret."),
		ssa(TokenInFile, E, sec, "No access keys or tokens (AWS, GitHub, GitLab, Slack, npm ...) in .env, config or other text files",
			"Remove the token, revoke it, and pass credentials at run time as secrets."),
		ssa(SecretInLowerLyr, E, sec, "No secret in a file of any layer, even one a later layer deletes or replaces (every layer is shipped)",
			"Never copy secrets into a build layer: use `RUN --mount=type=secret`; revoke the leaked secret and rebuild."),
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
