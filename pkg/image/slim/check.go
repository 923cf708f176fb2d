package slim

import (
	"context"
	"fmt"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/image/walk"
)

// StartError lists what an image lacks to start its entrypoint.
type StartError struct {
	Missing []Missing
}

func (e *StartError) Error() string {
	parts := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		parts[i] = m.String()
	}
	return "the image cannot start its entrypoint: missing " + strings.Join(parts, "; ")
}

// maxMissing bounds how many missing files Check lists.
const maxMissing = 20

// Check reads img as it is (run it on the image written, not on a plan)
// and returns a *StartError naming what starting its ENTRYPOINT and CMD
// needs and it lacks: the program (looked up in the config's PATH, through
// symlinks and hardlinks), the interpreter of a script, an ELF file's
// interpreter and DT_NEEDED libraries (searched as ld.so does), and theirs
// in turn. An image without ENTRYPOINT or CMD passes.
func Check(ctx context.Context, img v1.Image, maxUncompressed int64) error {
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	if len(argv(cf)) == 0 {
		return nil
	}
	v := newView()
	if err := walk.Walk(ctx, img, walk.Options{MaxUncompressed: maxUncompressed}, v.add); err != nil {
		return err
	}
	return check(v, cf)
}

func check(v *view, cf *v1.ConfigFile) error {
	l := newLoader(v, cf)
	var missing []Missing
	seenMissing := map[Missing]bool{}
	miss := func(m Missing) {
		if !seenMissing[m] && len(missing) < maxMissing {
			seenMissing[m] = true
			missing = append(missing, m)
		}
	}
	p, n, m := l.program(cf, func(string) {})
	if m != nil {
		return &StartError{Missing: []Missing{*m}}
	}
	if n == nil {
		return nil
	}
	type item struct {
		p         string
		n         *node
		inherited []string
	}
	queue := []item{{p, n, nil}}
	seen := map[string]bool{p: true}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		l.deps(it.p, it.n, it.inherited, func(string) {}, func(dp string, dn *node) {
			if !seen[dp] {
				seen[dp] = true
				queue = append(queue, item{dp, dn, inheritedRpath(it.n.elf, path.Dir(it.p), it.inherited)})
			}
		}, miss)
	}
	if len(missing) > 0 {
		return &StartError{Missing: missing}
	}
	return nil
}
