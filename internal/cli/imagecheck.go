package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	sigsig "github.com/sigstore/sigstore/pkg/signature"

	"github.com/slimship/slimship/pkg/k8s/deploy"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/tags"
	"github.com/slimship/slimship/pkg/sign"
)

// imageCheck is what k8s deploy --verify-key needs: the key, the registry
// options and where signatures are kept.
type imageCheck struct {
	verifier sigsig.Verifier
	opts     sign.Options
	pin      bool
}

// verified is the outcome for one image reference.
type verified struct {
	digest name.Digest
	pinned string // the reference pinned to the digest that verified
	err    error
}

// verifyImages checks that every container image of objs has a signature
// by the key on the digest its reference resolves to now, as slimship
// verify does, and pins each reference to that digest (REF@sha256:...) so
// the kubelet pulls what was verified. Nothing is applied unless all pass:
// a verification failure exits 1, an image that cannot be resolved 2.
func (c *imageCheck) verifyImages(ctx context.Context, objs []deploy.Object, s Streams) error {
	uses := deploy.Images(objs)
	done := map[string]verified{}
	var failed, broken []string
	for _, u := range uses {
		r, ok := done[u.Image]
		if !ok {
			r = c.verifyOne(ctx, u.Image)
			done[u.Image] = r
			if r.err == nil {
				fmt.Fprintf(s.Err, "%s: signature verified on %s\n", u.Image, r.digest.DigestStr())
			}
		}
		var fail *sign.Failure
		switch {
		case errors.As(r.err, &fail):
			failed = append(failed, fmt.Sprintf("%s: %s: %v", u, u.Image, r.err))
		case r.err != nil:
			broken = append(broken, fmt.Sprintf("%s: %s: %v", u, u.Image, r.err))
		case c.pin && r.pinned != u.Image:
			if err := deploy.SetImage(u, r.pinned); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(broken) > 0 {
		return usageErr("%d of %d container images could not be checked; nothing was applied:\n  %s", len(broken), len(uses), strings.Join(append(broken, failed...), "\n  "))
	}
	if len(failed) > 0 {
		return failErr("%d of %d container images are not signed by the key; nothing was applied:\n  %s", len(failed), len(uses), strings.Join(failed, "\n  "))
	}
	if c.pin && len(done) > 0 {
		fmt.Fprintf(s.Err, "%d image%s verified and pinned to the digest%s that verified\n", len(done), plural(len(done)), plural(len(done)))
	}
	return nil
}

// verifyOne resolves and verifies one image reference.
func (c *imageCheck) verifyOne(ctx context.Context, image string) verified {
	ref, err := c.opts.Registry.ParseReference(image)
	if err != nil {
		return verified{err: err}
	}
	d, _, err := c.opts.Registry.Resolve(ctx, ref)
	if err != nil {
		return verified{err: err}
	}
	if _, err := sign.VerifyDigest(ctx, d, c.verifier, c.opts); err != nil {
		return verified{digest: d, err: err}
	}
	pinned := image
	if _, isDigest := ref.(name.Digest); !isDigest {
		pinned = image + "@" + d.DigestStr()
	}
	return verified{digest: d, pinned: pinned}
}

// completeImageCheck reads --verify-key's key and COSIGN_REPOSITORY.
func completeImageCheck(key string, insecure, pin bool) (*imageCheck, error) {
	if key == "" {
		return nil, nil
	}
	c := &imageCheck{pin: pin, opts: sign.Options{Registry: registry.Options{Insecure: insecure}}}
	var err error
	if c.opts.Repository, err = signatureRepository(c.opts.Registry); err != nil {
		return nil, err
	}
	if c.verifier, err = loadVerifyingKey(key); err != nil {
		return nil, err
	}
	return c, nil
}

// verifyTags sets each tag's Signature in ls: "verified" when its digest
// has a signature by the key, else why not (tags --verify-key, SSR004).
// Attachment tags (signatures themselves) are not checked; each digest is
// verified once, the registry options' jobs at a time.
func (c *imageCheck) verifyTags(ctx context.Context, repo name.Repository, ls *tags.Listing) error {
	var digests []string
	seen := map[string]bool{}
	for _, t := range ls.Tags {
		if t.Kind != tags.Attachment && !seen[t.Digest] {
			seen[t.Digest] = true
			digests = append(digests, t.Digest)
		}
	}
	found := make([]string, len(digests))
	err := c.opts.Registry.Each(ctx, len(digests), func(ctx context.Context, i int) error {
		_, err := sign.VerifyDigest(ctx, repo.Digest(digests[i]), c.verifier, c.opts)
		var fail *sign.Failure
		switch {
		case err == nil:
			found[i] = tags.SignatureVerified
		case errors.As(err, &fail):
			found[i] = fail.Error()
		default:
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	by := map[string]string{}
	for i, d := range digests {
		by[d] = found[i]
	}
	for i := range ls.Tags {
		if s, ok := by[ls.Tags[i].Digest]; ok && ls.Tags[i].Kind != tags.Attachment {
			ls.Tags[i].Signature = s
		}
	}
	return nil
}
