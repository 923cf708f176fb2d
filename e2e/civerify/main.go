// Command civerify asks the containers/image library (what podman, skopeo,
// buildah and CRI-O use) whether an image in a registry may run under a
// policy.json with one sigstoreSigned requirement: the image's cosign
// signatures (its sha256-<hex>.sig tag, read because registries.d sets
// use-sigstore-attachments) must verify with the public key, and claim an
// identity the signedIdentity rule accepts. It is the independent verifier
// of slimship's signatures in the e2e tests, built in its own module so
// containers/image stays out of slimship's go.mod.
//
// Usage: civerify -key cosign.pub [-identity matchRepository|matchRepoDigestOrExact|matchExact] REGISTRY/REPO[:TAG|@DIGEST]
//
// Exit codes: 0 accepted, 1 rejected (the reason on stderr), 2 bad usage or
// an error before the policy was evaluated.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/image"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/types"
)

func main() {
	key := flag.String("key", "", "public key (PEM)")
	identity := flag.String("identity", "matchRepository", "signedIdentity type")
	flag.Parse()
	if *key == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: civerify -key cosign.pub [-identity TYPE] REGISTRY/REPO[:TAG|@DIGEST]")
		os.Exit(2)
	}
	ok, err := verify(context.Background(), *key, *identity, flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "civerify:", err)
		os.Exit(2)
	}
	if ok != nil {
		fmt.Fprintln(os.Stderr, "civerify: rejected:", ok)
		os.Exit(1)
	}
	fmt.Println("accepted")
}

// verify returns (nil, nil) when the policy accepts the image, (reason, nil)
// when it rejects it.
func verify(ctx context.Context, keyPath, identity, imageRef string) (rejected, err error) {
	keyPath, err = filepath.Abs(keyPath)
	if err != nil {
		return nil, err
	}
	host, _, _ := strings.Cut(imageRef, "/")
	dir, err := os.MkdirTemp("", "civerify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	// policy.json as an administrator would write it
	policy := map[string]any{
		"default": []any{map[string]any{"type": "reject"}},
		"transports": map[string]any{"docker": map[string]any{
			host: []any{map[string]any{
				"type": "sigstoreSigned", "keyPath": keyPath,
				"signedIdentity": map[string]any{"type": identity},
			}},
		}},
	}
	pj, _ := json.Marshal(policy)
	pol, err := signature.NewPolicyFromBytes(pj)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", pj, err)
	}
	// registries.d: read the sigstore attachments (the .sig tag) of this registry
	regd := filepath.Join(dir, "registries.d")
	if err := os.MkdirAll(regd, 0o755); err != nil {
		return nil, err
	}
	yaml := fmt.Sprintf("docker:\n  %q:\n    use-sigstore-attachments: true\n", host)
	if err := os.WriteFile(filepath.Join(regd, "e2e.yaml"), []byte(yaml), 0o644); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "registries.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("[[registry]]\nlocation = %q\ninsecure = true\n", host)), 0o644); err != nil {
		return nil, err
	}
	sys := &types.SystemContext{
		RegistriesDirPath:           regd,
		SystemRegistriesConfPath:    conf,
		SystemRegistriesConfDirPath: filepath.Join(dir, "none"),
		DockerInsecureSkipTLSVerify: types.OptionalBoolTrue,
		AuthFilePath:                filepath.Join(dir, "auth.json"),
	}

	ref, err := docker.ParseReference("//" + imageRef)
	if err != nil {
		return nil, err
	}
	pc, err := signature.NewPolicyContext(pol)
	if err != nil {
		return nil, err
	}
	defer pc.Destroy()
	src, err := ref.NewImageSource(ctx, sys)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	allowed, err := pc.IsRunningImageAllowed(ctx, image.UnparsedInstance(src, nil))
	if allowed {
		return nil, nil
	}
	if err == nil {
		err = fmt.Errorf("not allowed")
	}
	return err, nil
}
