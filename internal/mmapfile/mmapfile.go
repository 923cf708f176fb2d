// Package mmapfile reads a file by mapping it into memory where the
// system can, and with os.ReadFile elsewhere.
//
// It earns its place on `slimship scan`: the vulnerability database's
// record files are tens of megabytes of which a scan decodes the lines of
// its packages only. Mapped, only the pages touched are read, from the page
// cache, with no copy and no fresh heap pages to fault in and clear: CPU of
// a scan of 10,000 packages against 100,000 records 1400 -> 1160 ms
// (-17%, bench/scan-speed.sh, interleaved runs). FuzzSameAsReadFile holds
// it to os.ReadFile.
package mmapfile

import "os"

// File is a file's bytes. Data must not be written, nor used after Close.
type File struct {
	Data   []byte
	mapped bool
}

// Read returns the bytes of the file at path.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Mode().IsRegular() && st.Size() > 0 && int64(int(st.Size())) == st.Size() {
		if b, err := mmap(f, int(st.Size())); err == nil {
			return &File{Data: b, mapped: true}, nil
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &File{Data: b}, nil
}

// Close releases the mapping; Data is nil afterwards.
func (f *File) Close() error {
	if f == nil || f.Data == nil {
		return nil
	}
	b := f.Data
	f.Data = nil
	if f.mapped {
		return munmap(b)
	}
	return nil
}
