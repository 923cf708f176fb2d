// Command prune-scale pushes a repository for bench/prune-scale.sh: IMAGES
// small images built over DAYS days, and TAGS tags spread over them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slimship/slimship/internal/registrytest"
	"github.com/slimship/slimship/pkg/registry"
)

func main() {
	repoName := flag.String("repo", "", "repository (127.0.0.1:PORT/name)")
	tags := flag.Int("tags", 5000, "tags to push")
	images := flag.Int("images", 50, "distinct images")
	days := flag.Int("days", 60, "days the images are spread over")
	jobs := flag.Int("jobs", 8, "parallel pushes")
	flag.Parse()
	if err := run(*repoName, *tags, *images, *days, *jobs); err != nil {
		fmt.Fprintln(os.Stderr, "prune-scale:", err)
		os.Exit(1)
	}
}

func run(repoName string, tags, images, days, jobs int) error {
	ctx := context.Background()
	ro := registry.Options{Insecure: true, Jobs: jobs}
	repo, err := ro.ParseRepository(repoName)
	if err != nil {
		return err
	}
	pusher, err := remote.NewPusher(ro.Remote(ctx)...)
	if err != nil {
		return err
	}
	opts := ro.Remote(ctx, remote.Reuse(pusher))
	now := time.Now().UTC()
	start := time.Now()
	imgs := make([]v1.Image, images)
	err = ro.Each(ctx, images, func(ctx context.Context, i int) error {
		created := now.Add(-time.Duration(days*24) * time.Hour * time.Duration(images-i) / time.Duration(images))
		img, err := registrytest.Small(created)
		if err != nil {
			return err
		}
		imgs[i] = img
		return remote.Write(repo.Tag(fmt.Sprintf("img-%05d", i)), img, opts...)
	})
	if err != nil {
		return err
	}
	var done atomic.Int64
	err = ro.Each(ctx, max(tags-images, 0), func(ctx context.Context, i int) error {
		done.Add(1)
		return remote.Tag(repo.Tag(fmt.Sprintf("t-%05d", i)), imgs[i%images], opts...)
	})
	if err != nil {
		return err
	}
	fmt.Printf("pushed %d images and %d tags in all to %s in %.1f s\n", images, images+int(done.Load()), repo, time.Since(start).Seconds())
	return nil
}
