package tags

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/internal/bounded"
)

// Ledger records, per repository, the digest each SemVer tag was first
// seen at, so that a tag pushed again to another image is noticed on the
// next run (SSR003). It is a JSON file, written whole on every update.
type Ledger struct {
	Version      int                               `json:"version"`
	Repositories map[string]map[string]Observation `json:"repositories"`

	path string
}

// Observation is what the ledger knows of one tag.
type Observation struct {
	// Digest is the digest the tag was first seen at.
	Digest    string    `json:"digest"`
	FirstSeen time.Time `json:"firstSeen"`
	// Now is the digest of the last run, when it differs from Digest.
	Now      string    `json:"now,omitempty"`
	LastSeen time.Time `json:"lastSeen"`
}

// ledgerVersion is the file's format.
const ledgerVersion = 1

// MaxLedger bounds the ledger file.
const MaxLedger = 64 << 20

// DefaultLedgerPath is tags-ledger.json in slimship's directory of the
// user cache directory.
func DefaultLedgerPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory for the tag ledger (%v): give --ledger FILE or --no-ledger", err)
	}
	return filepath.Join(dir, "slimship", "tags-ledger.json"), nil
}

// LoadLedger reads the ledger at path; a missing file is an empty ledger.
func LoadLedger(path string) (*Ledger, error) {
	l := &Ledger{Version: ledgerVersion, Repositories: map[string]map[string]Observation{}, path: path}
	b, err := bounded.ReadFile(path, MaxLedger)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tag ledger: %w", err)
	}
	if err := json.Unmarshal(b, l); err != nil {
		return nil, fmt.Errorf("tag ledger %s: %v (move it away to start a new one)", path, err)
	}
	if l.Version != ledgerVersion {
		return nil, fmt.Errorf("tag ledger %s: version %d, want %d", path, l.Version, ledgerVersion)
	}
	if l.Repositories == nil {
		l.Repositories = map[string]map[string]Observation{}
	}
	return l, nil
}

// Seen returns what the ledger knew of repo's tags.
func (l *Ledger) Seen(repo string) map[string]Observation {
	return l.Repositories[repo]
}

// Observe records the SemVer tags of a listing at time now.
func (l *Ledger) Observe(ls *Listing, now time.Time) {
	m := l.Repositories[ls.Repository]
	if m == nil {
		m = map[string]Observation{}
		l.Repositories[ls.Repository] = m
	}
	now = now.UTC().Truncate(time.Second)
	for _, t := range ls.Tags {
		if t.Kind != SemVer {
			continue
		}
		o, ok := m[t.Name]
		if !ok {
			o = Observation{Digest: t.Digest, FirstSeen: now}
		}
		o.Now = ""
		if t.Digest != o.Digest {
			o.Now = t.Digest
		}
		o.LastSeen = now
		m[t.Name] = o
	}
}

// Save writes the ledger atomically, creating its directory.
func (l *Ledger) Save() error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(l.path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("tag ledger: %w", err)
	}
	return nil
}
