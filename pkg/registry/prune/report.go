package prune

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slimship/slimship/internal/units"
)

// GC says what to run after deleting: registries delete a manifest at
// once, but its blobs only when their garbage collection runs.
var GC = []string{
	"distribution (Debian's docker-registry, the registry:2 image): blobs stay on disk until its garbage collection runs, with the registry stopped or read-only:",
	"  docker-registry garbage-collect /etc/docker/registry/config.yml   (Debian's package)",
	"  registry garbage-collect /etc/docker/registry/config.yml          (in the registry:2 image: docker exec REGISTRY registry garbage-collect ...)",
	"  (without --delete-untagged: distribution 2.x would also delete the untagged platform images of kept indexes and their referrers)",
	"Harbor: Administration > Clean Up > Garbage Collection (run now, or schedule it).",
	"Zot: its storage gc (on by default) collects them after gcDelay.",
	"ECR, Artifact Registry, GHCR, Quay: the registry reclaims unreferenced layers by itself.",
}

// Counts sums up a plan.
type Counts struct {
	Images        int `json:"images"`
	Tags          int `json:"tags"`
	KeptImages    int `json:"keptImages"`
	KeptTags      int `json:"keptTags"`
	DeletedImages int `json:"deletedImages"`
	DeletedTags   int `json:"deletedTags"`
	Artifacts     int `json:"artifacts"`
	Orphans       int `json:"orphans"`
}

// Count sums up p.
func (p *Plan) Count() Counts {
	var c Counts
	for _, im := range p.Images {
		c.Images++
		c.Tags += len(im.Tags)
		if im.Keep {
			c.KeptImages++
			c.KeptTags += len(im.Tags)
		} else {
			c.DeletedImages++
			c.DeletedTags += len(im.Tags)
			c.Artifacts += len(im.Artifacts)
		}
	}
	c.Orphans = len(p.Orphans)
	return c
}

type jsonImage struct {
	Digest      string     `json:"digest"`
	Tags        []string   `json:"tags"`
	Created     *time.Time `json:"created,omitempty"`
	CreatedFrom string     `json:"createdFrom,omitempty"`
	MediaType   string     `json:"mediaType"`
	Action      string     `json:"action"`
	Reasons     []jsonWhy  `json:"reasons"`
	Overruled   []jsonWhy  `json:"overruled,omitempty"`
	Artifacts   []Artifact `json:"artifacts,omitempty"`
}

type jsonWhy struct {
	Reason
	Text string `json:"text"`
}

type jsonReport struct {
	Repository   string      `json:"repository"`
	Policy       string      `json:"policy"`
	Now          time.Time   `json:"now"`
	DryRun       bool        `json:"dryRun"`
	ReferrersAPI bool        `json:"referrersAPI"`
	Counts       Counts      `json:"counts"`
	Images       []jsonImage `json:"images"`
	Orphans      []Artifact  `json:"orphans,omitempty"`
	Result       *jsonResult `json:"result,omitempty"`
	GC           []string    `json:"gc,omitempty"`
}

type jsonResult struct {
	*Result
	Error string `json:"error,omitempty"`
}

func whys(rs []Reason) []jsonWhy {
	out := make([]jsonWhy, 0, len(rs))
	for _, r := range rs {
		out = append(out, jsonWhy{r, r.String()})
	}
	return out
}

func action(keep bool) string {
	if keep {
		return "keep"
	}
	return "delete"
}

// WriteJSON writes the plan, and what Execute did when res is not nil.
func WriteJSON(w io.Writer, p *Plan, res *Result) error {
	out := jsonReport{Repository: p.Repository, Policy: p.Policy.String(), Now: p.Now.UTC(), DryRun: res == nil,
		ReferrersAPI: p.ReferrersAPI, Counts: p.Count(), Images: []jsonImage{}, Orphans: p.Orphans}
	for _, im := range p.Images {
		j := jsonImage{Digest: im.Digest, Tags: im.Tags, CreatedFrom: im.CreatedFrom, MediaType: im.MediaType,
			Action: action(im.Keep), Reasons: whys(im.Reasons), Artifacts: im.Artifacts}
		if !im.Created.IsZero() {
			t := im.Created.UTC()
			j.Created = &t
		}
		if len(im.Overruled) > 0 {
			j.Overruled = whys(im.Overruled)
		}
		out.Images = append(out.Images, j)
	}
	if res != nil {
		out.Result = &jsonResult{Result: res}
		if res.Deleted == nil {
			res.Deleted = []Deletion{}
		}
		if res.Err != nil {
			out.Result.Error = res.Err.Error()
		}
		if len(res.Deleted) > 0 {
			out.GC = GC
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteText writes the plan as a table, newest first, and what Execute did
// when res is not nil.
func WriteText(w io.Writer, p *Plan, res *Result) error {
	c := p.Count()
	fmt.Fprintf(w, "%s: %s (%s); policy: %s\n", p.Repository, units.Count(c.Images, "image"), units.Count(c.Tags, "tag"), p.Policy)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, im := range p.Images {
		created := "unknown"
		if !im.Created.IsZero() {
			created = im.Created.UTC().Format("2006-01-02 15:04")
		}
		why := make([]string, 0, len(im.Reasons))
		for _, r := range im.Reasons {
			why = append(why, r.String())
		}
		if len(im.Overruled) > 0 {
			var o []string
			for _, r := range im.Overruled {
				o = append(o, r.String())
			}
			if im.Keep {
				why = append(why, "otherwise: "+strings.Join(o, ", "))
			} else {
				why = append(why, "would be kept as "+strings.Join(o, ", "))
			}
		}
		if n := len(im.Artifacts); n > 0 {
			why = append(why, "+ "+artifactSummary(im.Artifacts))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", action(im.Keep), created, short(im.Digest), strings.Join(im.Tags, ", "), strings.Join(why, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(p.Orphans) > 0 {
		fmt.Fprintf(w, "delete %s of subjects no longer in the repository\n", artifactSummary(p.Orphans))
	}
	fmt.Fprintf(w, "keep %s (%s); delete %s (%s)", units.Count(c.KeptImages, "image"), units.Count(c.KeptTags, "tag"),
		units.Count(c.DeletedImages, "image"), units.Count(c.DeletedTags, "tag"))
	if c.Artifacts+c.Orphans > 0 {
		fmt.Fprintf(w, " and %s", units.Count(c.Artifacts+c.Orphans, "artifact"))
	}
	fmt.Fprintln(w)
	if res == nil {
		if c.DeletedImages+c.Orphans > 0 {
			fmt.Fprintln(w, "dry run: nothing was deleted; run again with --yes to delete")
		}
		return nil
	}
	images, gone := 0, 0
	for _, d := range res.Deleted {
		if d.Kind == KindImage {
			images++
		}
		if d.Gone {
			gone++
		}
	}
	fmt.Fprintf(w, "deleted %s and %s", units.Count(images, "image"), units.Count(len(res.Deleted)-images, "artifact"))
	if gone > 0 {
		fmt.Fprintf(w, " (%d already gone)", gone)
	}
	fmt.Fprintln(w)
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "skipped %s %s %s: %s\n", s.Kind, short(s.Digest), strings.Join(s.Tags, ", "), s.Why)
	}
	if res.Err != nil {
		fmt.Fprintf(w, "stopped: %v\n%s not finished (left whole or partly: run prune again to finish)\n", res.Err, units.Count(len(res.NotDone), "image"))
	}
	if len(res.Deleted) > 0 {
		fmt.Fprintln(w, "to reclaim the space:")
		for _, l := range GC {
			fmt.Fprintln(w, "  "+l)
		}
	}
	return nil
}

func artifactSummary(arts []Artifact) string {
	n := map[string]int{}
	var order []string
	for _, a := range arts {
		if n[a.Kind] == 0 {
			order = append(order, a.Kind)
		}
		n[a.Kind]++
	}
	parts := make([]string, 0, len(order))
	for _, k := range order {
		noun := k
		if k == KindPlatform {
			noun = "platform image"
		}
		if k == KindReferrers {
			noun = "referrers index/referrers indexes"
		}
		parts = append(parts, units.Count(n[k], noun))
	}
	return strings.Join(parts, ", ")
}

// short is a digest cut to 12 hex digits, as docker prints image IDs.
func short(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}
