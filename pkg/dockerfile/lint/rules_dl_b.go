package lint

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/slimship/slimship/pkg/finding"
)

// dlRulesB returns hadolint's rules DL3034-DL3067 and DL4000-DL4006 with
// hadolint's IDs, severities and wording (hadolint 2.15 semantics).
func dlRulesB() []Rule {
	return []Rule{
		dlbRule("DL3034", finding.Warning, finding.Correctness, "Non-interactive switch missing from `zypper` command: `zypper install -y`", checkDL3034),
		dlbRule("DL3035", finding.Warning, finding.Correctness, "Do not use `zypper dist-upgrade`.", checkDL3035),
		dlbRule("DL3036", finding.Warning, finding.Size, "`zypper clean` missing after zypper use.", checkDL3036),
		dlbRule("DL3037", finding.Warning, finding.Maintainability, "Specify version with `zypper install -y <package>[=]<version>`.", checkDL3037),
		dlbRule("DL3038", finding.Warning, finding.Correctness, "Use the `-y` switch to avoid manual input `dnf install -y <package>`", checkDL3038),
		dlbRule("DL3040", finding.Warning, finding.Size, "`dnf clean all` missing after dnf command.", checkDL3040),
		dlbRule("DL3041", finding.Warning, finding.Maintainability, "Specify version with `dnf install -y <package>-<version>`", checkDL3041),
		dlbRule("DL3042", finding.Warning, finding.Size, "Avoid cache directory with `pip install --no-cache-dir <package>`.", checkDL3042),
		dlbRule("DL3043", finding.Error, finding.Correctness, "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.", checkDL3043),
		dlbRule("DL3044", finding.Error, finding.Correctness, "Do not refer to an environment variable within the same `ENV` statement where it is defined.", checkDL3044),
		dlbRule("DL3045", finding.Warning, finding.Correctness, "`COPY` to a relative destination without `WORKDIR` set.", checkDL3045),
		dlbRule("DL3046", finding.Warning, finding.Size, "`useradd` without flag `-l` and high UID will result in excessively large Image.", checkDL3046),
		dlbRule("DL3047", finding.Info, finding.Maintainability, "`wget` without flag `--progress` will result in excessively bloated build logs when downloading larger files.", checkDL3047),
		dlbRule("DL3048", finding.Style, finding.Maintainability, "Invalid Label Key", checkDL3048),
		dlbRule("DL3049", finding.Info, finding.Maintainability, "Label `<label>` is missing.", checkDL3049),
		dlbRule("DL3050", finding.Info, finding.Maintainability, "Superfluous label(s) present.", checkDL3050),
		dlbRule("DL3051", finding.Warning, finding.Maintainability, "Label `<label>` is empty.", checkDL3051),
		dlbRule("DL3052", finding.Warning, finding.Maintainability, "Label `<label>` is not a valid URL.", checkDL3052),
		dlbRule("DL3053", finding.Warning, finding.Maintainability, "Label `<label>` is not a valid time format - must conform to RFC3339.", checkDL3053),
		dlbRule("DL3054", finding.Warning, finding.Maintainability, "Label `<label>` is not a valid SPDX license identifier.", checkDL3054),
		dlbRule("DL3055", finding.Warning, finding.Maintainability, "Label `<label>` is not a valid git hash.", checkDL3055),
		dlbRule("DL3056", finding.Warning, finding.Maintainability, "Label `<label>` does not conform to semantic versioning.", checkDL3056),
		dlbDefaultOff(dlbRule("DL3057", finding.Info, finding.Correctness, "`HEALTHCHECK` instruction missing.", checkDL3057)),
		dlbRule("DL3058", finding.Warning, finding.Maintainability, "Label `<label>` is not a valid email format - must conform to RFC5322.", checkDL3058),
		dlbRule("DL3059", finding.Info, finding.Size, "Multiple consecutive `RUN` instructions. Consider consolidation.", checkDL3059),
		dlbRule("DL3060", finding.Info, finding.Size, "`yarn cache clean` missing after `yarn install` was run.", checkDL3060),
		dlbRule("DL3061", finding.Error, finding.Correctness, "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.", checkDL3061),
		dlbRule("DL3062", finding.Warning, finding.Maintainability, "Pin versions in go install. Instead of `go install <package>` use `go install <package>@<version>`", checkDL3062),
		dlbRule("DL3063", finding.Warning, finding.Correctness, "Stage name should not be a reserved word", checkDL3063),
		dlbRule("DL3064", finding.Warning, finding.Security, "Potentially sensitive data should not be used in the `ARG` or `ENV` commands", checkDL3064).WithTwins(linter.RuleSecretsUsedInArgOrEnv.Name, "SS009"),
		dlbRule("DL3065", finding.Warning, finding.Maintainability, "Setting FROM --platform to predefined $TARGETPLATFORM in is redundant as this is the default behavior", checkDL3065),
		dlbRule("DL3066", finding.Info, finding.Security, "Non-numeric user-id may not be resolvable by host system", checkDL3066),
		dlbRule("DL3067", finding.Warning, finding.Size, "Do not copy an entire filesystem from another stage", checkDL3067),
		dlbRule("DL4000", finding.Error, finding.Maintainability, "`MAINTAINER` is deprecated.", checkDL4000).WithTwins(linter.RuleMaintainerDeprecated.Name),
		dlbRule("DL4001", finding.Warning, finding.Size, "Either use Wget or Curl but not both.", checkDL4001),
		dlbRule("DL4003", finding.Warning, finding.Correctness, "Multiple `CMD` instructions found.", checkDL4003).WithStageTwins(linter.RuleMultipleInstructionsDisallowed.Name),
		dlbRule("DL4004", finding.Error, finding.Correctness, "Multiple `ENTRYPOINT` instructions found.", checkDL4004).WithStageTwins(linter.RuleMultipleInstructionsDisallowed.Name),
		dlbRule("DL4005", finding.Warning, finding.Correctness, "Use `SHELL` to change the default shell.", checkDL4005),
		dlbRule("DL4006", finding.Warning, finding.Correctness, "Set the `SHELL` option -o pipefail before `RUN` with a pipe in it", checkDL4006),
	}
}

// dlbDefaultOff marks a rule that runs only when configuration enables it
// (hadolint's "ignore" default severity).
func dlbDefaultOff(r Rule) Rule {
	r.DefaultOff = true
	return r
}
