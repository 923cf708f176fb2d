package prune

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/slimship/slimship/pkg/registry"
)

// Skip is a deletion the re-check refused: a tag outside the plan's
// deletions points at the manifest now.
type Skip struct {
	Digest string `json:"digest"`
	// Tags are the image's tags, or the artifact's.
	Tags []string `json:"tags,omitempty"`
	Kind string   `json:"kind"`
	Why  string   `json:"why"`
}

// Deletion is one manifest deleted (or found already gone).
type Deletion struct {
	Digest  string   `json:"digest"`
	Kind    string   `json:"kind"`
	Tags    []string `json:"tags,omitempty"`
	Subject string   `json:"subject,omitempty"`
	// Gone: the registry no longer had it (404), which counts as done.
	Gone bool `json:"gone,omitempty"`
}

// Result is what Execute did.
type Result struct {
	Deleted []Deletion `json:"deleted"`
	Skipped []Skip     `json:"skipped,omitempty"`
	// Err is the first deletion that failed: what was deleted before it
	// is in Deleted, and the images not reached are left whole. Running
	// prune again finishes the work.
	Err error `json:"-"`
	// NotDone lists the images whose deletion did not finish.
	NotDone []string `json:"notDone,omitempty"`
}

// KindImage is the kind of a deleted image's own manifest.
const KindImage = "image"

// group is one deleted image: its artifacts, then itself, then the
// platform images of an index. An orphan group has no image.
type group struct {
	image *Planned
	pre   []Artifact
	post  []Artifact
}

// resolve applies the rule every deletion obeys to the tags as they are
// now (cur: tag -> digest): a manifest is deleted only when every tag that
// points at it is to be deleted too, that is an image tag the plan deletes
// and that pointed at this same manifest when planned, or an artifact tag
// (sha256-<hex>.sig, .att, .sbom, sha256-<hex>) of a subject that is
// deleted. An artifact tag moved since the plan (a signature added) is
// deleted at its new digest. needs lists, for every index a tag points at,
// its platform images: those are never deleted.
func (p *Plan) resolve(cur map[string]string, needs map[string]bool) ([]group, []Skip) {
	byDigest := map[string][]string{}
	for t, d := range cur {
		byDigest[d] = append(byDigest[d], t)
	}
	for _, ts := range byDigest {
		slices.Sort(ts)
	}
	var skips []Skip
	// images first: an image stays when a tag outside its own planned
	// tags points at it
	deleted := map[string]bool{} // subjects whose artifact tags may go
	var groups []group
	for _, im := range p.Images {
		if im.Keep {
			continue
		}
		var blocker string
		for _, t := range byDigest[im.Digest] {
			if p.tagDigest[t] != im.Digest || !slices.Contains(im.Tags, t) {
				blocker = t
				break
			}
		}
		if blocker == "" && needs[im.Digest] {
			blocker = "an index"
		}
		if blocker != "" {
			skips = append(skips, Skip{Digest: im.Digest, Tags: im.Tags, Kind: KindImage, Why: "tag " + blocker + " points at it now"})
			continue
		}
		deleted[im.Digest] = true
		groups = append(groups, group{image: im})
	}
	// artifacts: an artifact's subject must be deleted (or gone), no
	// index a tag points at may list it, and no tag but the artifact
	// tags of deleted subjects may point at it. An artifact comes after
	// its own artifacts in the list, so walking it backwards meets each
	// subject before what belongs to it.
	orphanSubjects := map[string]bool{}
	for _, a := range p.Orphans {
		orphanSubjects[a.Subject] = true
	}
	settle := func(arts []Artifact) (pre, post []Artifact) {
		arts = slices.Clone(arts)
		ok := make([]bool, len(arts))
		for i := len(arts) - 1; i >= 0; i-- {
			a := &arts[i]
			if a.Tag != "" {
				d, found := cur[a.Tag]
				if !found {
					continue // gone already
				}
				a.Digest = d
			}
			why := ""
			switch {
			case !deleted[a.Subject] && !orphanSubjects[a.Subject]:
				why = "its subject " + a.Subject + " stays"
			case needs[a.Digest]:
				why = "an index a tag points at lists it"
			default:
				for _, t := range byDigest[a.Digest] {
					if t == a.Tag {
						continue
					}
					m := artifactTag.FindStringSubmatch(t)
					if m == nil || !(deleted["sha256:"+m[1]] || orphanSubjects["sha256:"+m[1]]) {
						why = "tag " + t + " points at it"
						break
					}
				}
			}
			if why != "" {
				skips = append(skips, Skip{Digest: a.Digest, Tags: tagList(a.Tag), Kind: a.Kind, Why: why})
				continue
			}
			ok[i] = true
			deleted[a.Digest] = true
		}
		for i, a := range arts {
			switch {
			case !ok[i]:
			case a.Kind == KindPlatform:
				post = append(post, a)
			default:
				pre = append(pre, a)
			}
		}
		return pre, post
	}
	for i := range groups {
		groups[i].pre, groups[i].post = settle(groups[i].image.Artifacts)
	}
	if len(p.Orphans) > 0 {
		pre, _ := settle(p.Orphans)
		if len(pre) > 0 {
			groups = append(groups, group{pre: pre})
		}
	}
	return groups, skips
}

func tagList(t string) []string {
	if t == "" {
		return nil
	}
	return []string{t}
}

// settlePlan applies resolve to the tags as planned, so that the plan
// shows what Execute would do if nothing changed meanwhile.
func (p *Plan) settlePlan() {
	needs := map[string]bool{}
	for _, im := range p.Images {
		if im.Keep {
			for _, c := range im.Platforms {
				needs[c] = true
			}
		}
	}
	groups, skips := p.resolve(p.tagDigest, needs)
	kept := map[string]bool{}
	for _, s := range skips {
		if s.Kind == KindImage {
			kept[s.Digest] = true
		}
	}
	for _, im := range p.Images {
		if kept[im.Digest] {
			im.Keep = true
			im.Overruled = append(im.Overruled, im.Reasons...)
			im.Reasons = []Reason{{Rule: RuleShared}}
		}
		im.Artifacts = nil
	}
	for _, g := range groups {
		if g.image == nil {
			p.Orphans = g.pre
			continue
		}
		g.image.Artifacts = append(append(g.image.Artifacts, g.pre...), g.post...)
	}
}

// ErrDeleteRefused is a registry that does not allow deletes.
var ErrDeleteRefused = errors.New("the registry refuses to delete manifests (distribution: set storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true)")

// Execute deletes what the plan deletes. Just before, it lists and reads
// every tag again: an image a tag points at now (a tag pushed meanwhile,
// or one moved onto it) is skipped, and so is a platform image an index
// lists. A read that fails stops it before anything is deleted. Images are
// deleted JobCount() at a time, each with its artifacts first; the first
// deletion that fails stops the rest (Result.Err), and a manifest already
// gone counts as deleted, so running it again finishes the work.
func Execute(ctx context.Context, p *Plan, o Options) (*Result, error) {
	r, err := newReader(ctx, o.Registry, p.repo)
	if err != nil {
		return nil, err
	}
	l, err := r.read(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("re-checking the tags before deleting: %w", err)
	}
	needs, err := p.indexNeeds(ctx, r, l.digest)
	if err != nil {
		return nil, fmt.Errorf("re-checking the tags before deleting: %w", err)
	}
	groups, skips := p.resolve(l.digest, needs)
	res := &Result{Skipped: skips}

	pusher, err := remote.NewPusher(o.Registry.Remote(ctx)...)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	done := make([]bool, len(groups))
	del := func(ctx context.Context, d Deletion) error {
		err := pusher.Delete(ctx, p.repo.Digest(d.Digest))
		var terr *transport.Error
		switch {
		case err == nil:
		case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
			// gone already, unless the registry just has no DELETE (ECR
			// once answered 404 page not found): then it still has it
			_, herr := r.puller.Head(ctx, p.repo.Digest(d.Digest))
			if herr == nil {
				return fmt.Errorf("deleting %s@%s: the registry answered 404 but still has it: %w", p.repo, d.Digest, ErrDeleteRefused)
			}
			if !registry.IsNotFound(herr) {
				return fmt.Errorf("deleting %s@%s: %w", p.repo, d.Digest, herr)
			}
			d.Gone = true
		case errors.As(err, &terr) && (terr.StatusCode == http.StatusMethodNotAllowed ||
			terr.StatusCode == http.StatusBadRequest && hasCode(terr, transport.UnsupportedErrorCode)):
			return fmt.Errorf("deleting %s@%s: %w", p.repo, d.Digest, ErrDeleteRefused)
		default:
			return fmt.Errorf("deleting %s@%s: %w", p.repo, d.Digest, err)
		}
		mu.Lock()
		res.Deleted = append(res.Deleted, d)
		mu.Unlock()
		return nil
	}
	res.Err = o.Registry.Each(ctx, len(groups), func(ctx context.Context, i int) error {
		g := groups[i]
		for _, a := range g.pre {
			if err := del(ctx, Deletion{Digest: a.Digest, Kind: a.Kind, Tags: tagList(a.Tag), Subject: a.Subject}); err != nil {
				return err
			}
		}
		if g.image != nil {
			if err := del(ctx, Deletion{Digest: g.image.Digest, Kind: KindImage, Tags: g.image.Tags}); err != nil {
				return err
			}
		}
		for _, a := range g.post {
			if err := del(ctx, Deletion{Digest: a.Digest, Kind: a.Kind, Subject: a.Subject}); err != nil {
				return err
			}
		}
		done[i] = true
		return nil
	})
	for i, g := range groups {
		if !done[i] && g.image != nil {
			res.NotDone = append(res.NotDone, g.image.Digest)
		}
	}
	slices.SortFunc(res.Deleted, func(a, b Deletion) int { return strings.Compare(a.Digest, b.Digest) })
	return res, nil
}

func hasCode(e *transport.Error, code transport.ErrorCode) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// indexNeeds lists the platform images of every index a tag points at
// now: the plan's kept indexes, and any index pushed since (read now).
func (p *Plan) indexNeeds(ctx context.Context, r *reader, cur map[string]string) (map[string]bool, error) {
	planned := map[string]*Planned{}
	for _, im := range p.Images {
		planned[im.Digest] = im
	}
	needs := map[string]bool{}
	seen := map[string]bool{}
	var fresh []string
	for t, d := range cur {
		if artifactTag.MatchString(t) {
			continue
		}
		if im, ok := planned[d]; ok {
			// a kept index, or one a tag was pushed onto since
			if im.Keep || p.tagDigest[t] != d || !slices.Contains(im.Tags, t) {
				for _, c := range im.Platforms {
					needs[c] = true
				}
			}
			continue
		}
		if !seen[d] {
			seen[d] = true
			fresh = append(fresh, d)
		}
	}
	children := make([][]string, len(fresh))
	err := r.o.Each(ctx, len(fresh), func(_ context.Context, i int) error {
		return r.o.Retry(ctx, func() error {
			var err error
			children[i], err = r.children(ctx, fresh[i])
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	for _, cs := range children {
		for _, c := range cs {
			needs[c] = true
		}
	}
	return needs, nil
}

// children lists the manifests of the index at digest (none when it is
// not an index, or gone).
func (r *reader) children(ctx context.Context, digest string) ([]string, error) {
	d, err := r.puller.Get(ctx, r.repo.Digest(digest))
	if registry.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s@%s: %w", r.repo, digest, withStatus(err))
	}
	if !d.MediaType.IsIndex() {
		return nil, nil
	}
	idx, err := d.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading %s@%s: %w", r.repo, digest, withStatus(err))
	}
	out := make([]string, 0, len(im.Manifests))
	for _, m := range im.Manifests {
		out = append(out, m.Digest.String())
	}
	return out, nil
}
