package sbom

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/google/osv-scalibr/extractor"
)

// Corrupt databases. scalibr's dpkg and apk extractors stop at the first
// stanza they cannot parse, and name neither its line nor the packages
// after it; go-rpmdb reads Berkeley DB and NDB files in a goroutine of
// its own, where a corrupt page index panics (out of range) or loops for
// ever, and a corrupt NDB slot is printed to standard output. So: a stanza
// database that fails is read again stanza by stanza, each error with the
// line its stanza starts on; an rpm Berkeley DB or NDB file is walked and
// bounds-checked here before go-rpmdb sees it; and any extractor panic on
// this goroutine is an error naming the file.

// stanza is one blank-line separated paragraph of a dpkg or apk database.
type stanza struct {
	line int // 1-based line of its first line
	text []byte
}

// stanzas splits data at blank lines.
func stanzas(data []byte) []stanza {
	var out []stanza
	line, start, startLine := 1, -1, 0
	for off := 0; off <= len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data) - off
		}
		l := data[off : off+end]
		blank := len(bytes.TrimSpace(l)) == 0
		switch {
		case !blank && start < 0:
			start, startLine = off, line
		case blank && start >= 0:
			out = append(out, stanza{line: startLine, text: data[start:off]})
			start = -1
		}
		off += end + 1
		line++
	}
	if start >= 0 {
		out = append(out, stanza{line: startLine, text: data[start:]})
	}
	return out
}

// extractStanzas reads a dpkg or apk database one stanza at a time, so a
// bad stanza costs only its own package; each error names its line.
func extractStanzas(ctx context.Context, k kind, p string, data []byte) ([]*extractor.Package, []error) {
	var pkgs []*extractor.Package
	var errs []error
	for _, s := range stanzas(data) {
		got, err := extractWith(ctx, k, p, append(bytes.Clone(s.text), '\n'))
		if err != nil {
			what := ""
			if name := stanzaName(k, s.text); name != "" {
				what = " (package " + name + ")"
			}
			errs = append(errs, fmt.Errorf("line %d%s: %w", s.line, what, err))
			continue
		}
		pkgs = append(pkgs, got...)
	}
	return pkgs, errs
}

// stanzaName is the package a stanza names ("Package:" or "P:"), if any.
func stanzaName(k kind, text []byte) string {
	key := "Package:"
	if k == kindApk {
		key = "P:"
	}
	for l := range strings.SplitSeq(string(text), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// cleanRPMError drops the temporary file scalibr copies a database to
// from go-rpmdb's messages: "ParseRPMDB(/tmp/scalibr-tmp1/file): x" is x.
func cleanRPMError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "ParseRPMDB("); i >= 0 {
		if j := strings.Index(msg[i:], "): "); j >= 0 {
			return errors.New(msg[:i] + msg[i+j+3:])
		}
	}
	return err
}

// Berkeley DB hash databases, as go-rpmdb reads them
// (lib/backend/db3.c's Packages): a metadata page, then hash pages whose
// index entries point at off-page items, chains of overflow pages.
const (
	bdbHashMagic     = 0x061561
	bdbHashPage      = 13 // P_HASH
	bdbHashUnsorted  = 2  // P_HASH_UNSORTED
	bdbOverflowPage  = 7  // P_OVERFLOW
	bdbOffPageItem   = 3  // H_OFFPAGE
	bdbPageHeader    = 26
	bdbOffPageLength = 12
)

// checkBerkeleyDB walks an rpm Berkeley DB Packages file as go-rpmdb will
// and reports the first thing that would make it panic, loop or allocate
// without bound.
func checkBerkeleyDB(data []byte) error {
	if len(data) < 72 {
		return fmt.Errorf("Berkeley DB: %d bytes, shorter than its metadata page", len(data))
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint32(data[12:]) == bdbHashMagic:
	case binary.BigEndian.Uint32(data[12:]) == bdbHashMagic:
		order = binary.BigEndian
	default:
		return fmt.Errorf("Berkeley DB: no hash database magic at offset 12")
	}
	pageSize := order.Uint32(data[20:])
	lastPage := order.Uint32(data[32:])
	if pageSize < 512 || pageSize > 64<<10 || pageSize&(pageSize-1) != 0 {
		return fmt.Errorf("Berkeley DB: page size %d", pageSize)
	}
	pages := uint64(len(data)) / uint64(pageSize)
	if uint64(lastPage) >= pages {
		return fmt.Errorf("Berkeley DB: last page %d, but the file holds %d pages (truncated?)", lastPage, pages)
	}
	page := func(n uint32) []byte { return data[uint64(n)*uint64(pageSize):][:pageSize] }
	for n := uint32(0); n <= lastPage; n++ {
		pg := page(n)
		if t := pg[25]; t != bdbHashPage && t != bdbHashUnsorted {
			continue
		}
		entries := int(order.Uint16(pg[20:]))
		if entries%2 != 0 || bdbPageHeader+2*entries > len(pg) {
			return fmt.Errorf("Berkeley DB: page %d: %d index entries", n, entries)
		}
		for i := 1; i < entries; i += 2 {
			off := int(order.Uint16(pg[bdbPageHeader+2*i:]))
			if off >= len(pg) {
				return fmt.Errorf("Berkeley DB: page %d: item %d at offset %d, past the page", n, i, off)
			}
			if pg[off] != bdbOffPageItem {
				continue
			}
			if off+bdbOffPageLength > len(pg) {
				return fmt.Errorf("Berkeley DB: page %d: item %d at offset %d, past the page", n, i, off)
			}
			seen := map[uint32]bool{}
			for next := order.Uint32(pg[off+4:]); next != 0; {
				if next > lastPage || seen[next] {
					return fmt.Errorf("Berkeley DB: page %d: item %d: overflow chain reaches page %d (out of the file or a loop)", n, i, next)
				}
				seen[next] = true
				op := page(next)
				if op[25] != bdbOverflowPage {
					return fmt.Errorf("Berkeley DB: page %d: item %d: overflow chain reaches page %d of type %d", n, i, next, op[25])
				}
				if free := int(order.Uint16(op[22:])); free+bdbPageHeader > min(len(op), 0xffff) {
					return fmt.Errorf("Berkeley DB: overflow page %d holds %d bytes, more than a page", next, free)
				}
				next = order.Uint32(op[16:])
			}
		}
	}
	return nil
}

// checkNDB checks an rpm NDB Packages.db file's slots and blob headers
// as go-rpmdb reads them (lib/backend/ndb/rpmpkg.c).
func checkNDB(data []byte) error {
	const slotSize, pageSize, blobHeader = 16, 4096, 16
	if !bytes.HasPrefix(data, []byte("RpmP")) {
		return fmt.Errorf("NDB: no RpmP magic")
	}
	if len(data) < 32 {
		return fmt.Errorf("NDB: %d bytes, shorter than its header (truncated?)", len(data))
	}
	le := binary.LittleEndian
	if v := le.Uint32(data[4:]); v != 0 {
		return fmt.Errorf("NDB: version %d", v)
	}
	npages := le.Uint32(data[12:])
	if npages == 0 || npages > 2048 || uint64(npages)*pageSize > uint64(len(data)) {
		return fmt.Errorf("NDB: %d slot pages in a file of %d bytes (truncated?)", npages, len(data))
	}
	for s := 2; s < int(npages)*pageSize/slotSize; s++ {
		slot := data[s*slotSize:][:slotSize]
		if string(slot[:4]) != "Slot" {
			return fmt.Errorf("NDB: slot %d has no Slot magic", s-2)
		}
		pkg, blk := le.Uint32(slot[4:]), uint64(le.Uint32(slot[8:]))
		if pkg == 0 {
			continue
		}
		off := blk * blobHeader
		if off+blobHeader > uint64(len(data)) {
			return fmt.Errorf("NDB: package %d: blob at offset %d, past the end of the file (truncated?)", pkg, off)
		}
		b := data[off:]
		if string(b[:4]) != "BlbS" || le.Uint32(b[4:]) != pkg {
			return fmt.Errorf("NDB: package %d: no blob header at offset %d", pkg, off)
		}
		if n := uint64(le.Uint32(b[12:])); off+blobHeader+n > uint64(len(data)) {
			return fmt.Errorf("NDB: package %d: blob of %d bytes past the end of the file (truncated?)", pkg, n)
		}
	}
	return nil
}

// checkRPM bounds-checks the rpm databases go-rpmdb reads in a goroutine.
func checkRPM(p string, data []byte) error {
	switch {
	case strings.HasSuffix(p, "/Packages"):
		return checkBerkeleyDB(data)
	case strings.HasSuffix(p, "/Packages.db"):
		return checkNDB(data)
	}
	return nil
}
