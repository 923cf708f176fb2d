// Package sbom lists the packages of an image's final filesystem, or of a
// directory, each with the layer that last wrote its database file or
// binary. Package databases are parsed by osv-scalibr's leaf extractors, fed
// from one streaming pass over the image.
package sbom

import (
	"context"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/image/history"
)

// Package is one installed package.
type Package struct {
	// Ecosystem is the OSV ecosystem: "Debian:12", "Alpine:v3.11", "Go",
	// "npm", "PyPI", "Maven", "crates.io".
	Ecosystem string `json:"ecosystem"`
	// Type is the package's kind: "deb", "apk", "golang", ... (the purl type).
	Type    string `json:"type"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// Arch is an OS package's architecture ("amd64", "x86_64"), or the
	// GOARCH of the Go binary a Go module was found in.
	Arch string `json:"arch,omitempty"`
	// GOOS is the GOOS of the Go binary a Go module was found in.
	GOOS          string `json:"goos,omitempty"`
	SourceName    string `json:"sourceName,omitempty"`
	SourceVersion string `json:"sourceVersion,omitempty"`
	PURL          string `json:"purl"`
	// Layer is the index (0 = base) of the layer that last wrote Path;
	// -1 for a directory.
	Layer       int    `json:"layer"`
	LayerDigest string `json:"layerDigest,omitempty"`
	// Path is the file the package was found in: its database or binary.
	Path string `json:"path"`
	// Instruction is what built the layer: its history's created_by.
	Instruction string `json:"instruction,omitempty"`
	// Origin is "base" for a package of the base image's layers and
	// "dockerfile" for one a Dockerfile instruction added; "" when not
	// known (no Dockerfile given, or its instructions not found in the
	// history).
	Origin string `json:"origin,omitempty"`
	// Dockerfile is the instruction that made Layer, when known.
	Dockerfile *history.Position `json:"dockerfile,omitempty"`
	// Licenses are what the package declares (licenses.go), each an SPDX
	// expression ("GPL-2.0-or-later OR Artistic-2.0") when its names all
	// have SPDX identifiers, else the name as found ("public-domain"),
	// deduplicated, in the order found.
	Licenses []string `json:"licenses,omitempty"`
}

// Origins of a package.
const (
	OriginBase       = "base"
	OriginDockerfile = "dockerfile"
)

// Layer is one layer of the image an inventory was read from.
type Layer struct {
	Digest    string `json:"digest"`
	CreatedBy string `json:"createdBy,omitempty"`
}

// OSInfo is what os-release says.
type OSInfo struct {
	ID              string `json:"id,omitempty"`
	VersionID       string `json:"versionId,omitempty"`
	VersionCodename string `json:"versionCodename,omitempty"`
	PrettyName      string `json:"prettyName,omitempty"`
}

// Inventory is the package set of a filesystem.
type Inventory struct {
	OS       OSInfo    `json:"os"`
	Packages []Package `json:"packages"`
	// Layers of the image, bottom first (none for a directory).
	Layers []Layer `json:"layers,omitempty"`
	// Warnings name files that could not be read or parsed.
	Warnings []string `json:"warnings,omitempty"`
}

// Options tune FromImageOptions.
type Options struct {
	// MaxRead bounds the bytes read of one file (DefaultMaxRead when 0).
	MaxRead int64
}

// DefaultMaxRead bounds the bytes of one database file or binary read.
const DefaultMaxRead int64 = 512 << 20

// FromImage lists the packages of img's final filesystem.
func FromImage(ctx context.Context, img v1.Image) (*Inventory, error) {
	return FromImageOptions(ctx, img, Options{})
}

// FromDir lists the packages of the tree under dir.
func FromDir(ctx context.Context, dir string) (*Inventory, error) {
	return fromDir(ctx, dir, Options{})
}

// Attribute marks each package with the Dockerfile instruction that made
// its layer and whether the layer came with the base image, as far as the
// image's history shows it (history.Match).
func (inv *Inventory) Attribute(df *dockerfile.File) {
	cb := make([]string, len(inv.Layers))
	for i, l := range inv.Layers {
		cb[i] = l.CreatedBy
	}
	m := history.Match(df, cb)
	for i := range inv.Packages {
		p := &inv.Packages[i]
		if p.Layer < 0 || p.Layer >= len(m.Positions) {
			continue
		}
		p.Dockerfile = m.Positions[p.Layer]
		switch {
		case m.Base < 0:
		case p.Layer < m.Base:
			p.Origin = OriginBase
		default:
			p.Origin = OriginDockerfile
		}
	}
}

// sortPackages orders packages so output is deterministic.
func sortPackages(p []Package) {
	sort.SliceStable(p, func(i, j int) bool {
		a, b := p[i], p[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c < 0
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Arch < b.Arch
	})
}
