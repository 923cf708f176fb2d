package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/sbom"
)

// readDockerfile parses the Dockerfile at path for --dockerfile flags.
func readDockerfile(path string) (*dockerfile.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("--dockerfile: %v", err)
	}
	defer f.Close()
	df, err := dockerfile.Parse(path, f)
	if err != nil {
		return nil, usageErr("--dockerfile: %v", err)
	}
	return df, nil
}

// isTree reports whether target is a directory read as a root filesystem:
// a directory that is not an OCI layout.
func isTree(target string) bool {
	st, err := os.Stat(target)
	if err != nil || !st.IsDir() {
		return false
	}
	_, err = os.Stat(filepath.Join(target, "oci-layout"))
	return err != nil
}

// inventoryOf lists the packages of target, an image of any transport or a
// directory tree, with their layers attributed to df's instructions when
// df is set, and the time the SBOM is dated by (SOURCE_DATE_EPOCH, else
// the image's creation).
func inventoryOf(ctx context.Context, target string, topts transport.Options, df *dockerfile.File) (*sbom.Inventory, time.Time, error) {
	if isTree(target) {
		if df != nil {
			return nil, time.Time{}, usageErr("--dockerfile: %s is a directory, not an image with layers", target)
		}
		created, err := sbom.Timestamp(nil)
		if err != nil {
			return nil, time.Time{}, usageErr("%v", err)
		}
		inv, err := sbom.FromDir(ctx, target)
		if err != nil {
			return nil, time.Time{}, &ExitError{Code: ExitUsage, Err: err}
		}
		return inv, created, nil
	}
	img, err := transport.Open(ctx, target, topts)
	if err != nil {
		return nil, time.Time{}, &ExitError{Code: ExitUsage, Err: err}
	}
	return imageInventory(ctx, target, img, df)
}

// imageInventory is inventoryOf for an image already opened.
func imageInventory(ctx context.Context, target string, img v1.Image, df *dockerfile.File) (*sbom.Inventory, time.Time, error) {
	created, err := sbom.Timestamp(img)
	if err != nil {
		return nil, time.Time{}, usageErr("%v", err)
	}
	inv, err := sbom.FromImage(ctx, img)
	if err != nil {
		return nil, time.Time{}, &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", target, err)}
	}
	if df != nil {
		inv.Attribute(df)
	}
	return inv, created, nil
}
