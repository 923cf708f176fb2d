package registry

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Each calls f(ctx, i) for i in [0, n), at most JobCount() at a time. The
// first error cancels the calls not yet started and is returned; ctx's
// cancellation stops the rest too.
func (o Options) Each(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.JobCount())
	for i := 0; i < n; i++ {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return f(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
