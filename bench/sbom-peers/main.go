// Command sbom-peers compares slimship's SBOM of each image with trivy's
// offline CycloneDX SBOM, as (type, name, version) sets and, for the
// packages both list, their licenses, and prints per image the figures
// and every difference with its explanation (or UNEXPLAINED). It exits 1
// when a difference is unexplained.
//
//	go run ./bench/sbom-peers -trivy PATH IMAGE...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/slimship/slimship/internal/sbompeer"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/sbom"
)

func main() {
	trivy := flag.String("trivy", os.Getenv("SLIMSHIP_E2E_TRIVY"), "trivy binary")
	flag.Parse()
	if *trivy == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: sbom-peers -trivy PATH IMAGE...")
		os.Exit(2)
	}
	cache, err := os.MkdirTemp("", "sbom-peers-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer os.RemoveAll(cache)
	if err := sbompeer.TrivyCache(cache); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	unexplained, failed := 0, 0
	fmt.Printf("%-48s %8s %8s %8s %6s %6s\n", "image", "slimship", "trivy", "same", "expl", "unexpl")
	var details, licenseRows []string
	for _, in := range flag.Args() {
		r, lr, err := compare(ctx, *trivy, in, cache)
		name := in[strings.LastIndex(in, "/")+1:]
		if err != nil {
			fmt.Printf("%-48s ERROR %v\n", name, err)
			failed++
			continue
		}
		u := len(r.Unexplained())
		unexplained += u
		fmt.Printf("%-48s %8d %8d %8d %6d %6d\n", name, r.Slimship, r.Trivy, r.Same, len(r.Diffs)-u, u)
		if r.DupSlimship > 0 {
			details = append(details, fmt.Sprintf("%s: %d slimship entries repeat a triple (one package in two places; trivy merges equal purls)", name, r.DupSlimship))
		}
		for _, d := range r.Diffs {
			why := "UNEXPLAINED"
			if d.Reason != nil {
				why = d.Reason.ID
			}
			details = append(details, fmt.Sprintf("%s: only in %s: %s [%s] %s", name, d.OnlyIn, d.Triple, why, strings.Join(d.Paths, ",")))
		}
		lu := len(lr.Unexplained())
		unexplained += lu
		licenseRows = append(licenseRows, fmt.Sprintf("%-48s %8d %8d %8d %8d %6d %6d", name, lr.Packages, lr.Licensed, lr.Equal, lr.SameTerms, len(lr.Diffs)-lu, lu))
		for _, d := range lr.Diffs {
			details = append(details, fmt.Sprintf("%s: licenses of %s [%s]: only slimship %q, only trivy %q", name, d.Triple, d.Why(), d.OnlySlimship, d.OnlyTrivy))
		}
	}
	fmt.Printf("\nlicenses of the packages both list (equal: as spelled; terms: equal up to spelling, sbompeer.LicenseKey)\n")
	fmt.Printf("%-48s %8s %8s %8s %8s %6s %6s\n", "image", "both", "licensed", "equal", "terms", "expl", "unexpl")
	for _, row := range licenseRows {
		fmt.Println(row)
	}
	fmt.Println()
	for _, d := range details {
		fmt.Println(d)
	}
	fmt.Printf("%d images, %d unexplained differences, %d errors\n", flag.NArg(), unexplained, failed)
	if unexplained > 0 || failed > 0 {
		os.Exit(1)
	}
}

func compare(ctx context.Context, trivy, in, cache string) (*sbompeer.Result, *sbompeer.LicenseResult, error) {
	img, err := transport.Open(ctx, in, transport.Options{})
	if err != nil {
		return nil, nil, err
	}
	inv, err := sbom.FromImage(ctx, img)
	if err != nil {
		return nil, nil, err
	}
	facts, err := sbompeer.ImageFacts(ctx, img)
	if err != nil {
		return nil, nil, err
	}
	tr, err := sbompeer.RunTrivy(ctx, trivy, in, cache)
	if err != nil {
		return nil, nil, err
	}
	slim := sbompeer.Slimship(inv)
	r := sbompeer.Compare(slim, tr, facts)
	lr := sbompeer.CompareLicenses(slim, tr, facts)
	return &r, &lr, nil
}
