//go:build sbom

package cli

// slimship sbom links osv-scalibr's extractors, whose package inits and
// larger binary add ~12 ms of CPU to the start-up of every command
// (`slimship version` 40 -> 52 ms, `k8s lint` over the corpus 70 -> 82 ms,
// median of 30 interleaved runs). Until that is paid back, the command is
// built only with `-tags sbom` (`make build-sbom`); pkg/sbom is a package
// either way.
func init() { commands = append(commands, newSBOMCmd) }
