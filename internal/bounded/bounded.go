// Package bounded reads user input (a file, a FIFO, standard input) with a
// limit, so that no command grows without bound on /dev/zero or a runaway
// pipe. Every command that reads a user's file goes through it.
package bounded

import (
	"fmt"
	"io"
	"os"

	"github.com/slimship/slimship/internal/units"
)

// TooLargeError is an input larger than its limit.
type TooLargeError struct {
	Name  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %d bytes (%s), the limit for this input", e.Name, e.Limit, units.Bytes(e.Limit))
}

// Read reads r until end of input, at most limit bytes; name names the
// input in a *TooLargeError.
func Read(name string, r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	return b, nil
}

// ReadFile reads at most limit bytes of the file at path (a larger file
// is a *TooLargeError), as os.ReadFile reads a file: errors are the
// *fs.PathError values os.Open, (*os.File).Stat and (*os.File).Read return.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readAll(path, st.Size(), limit, f.Read)
}

// readAll reads a file (of the size stat gave, 0 for a FIFO or device)
// until end of file, into a buffer with room for the whole file and a
// little more; read is the file's read.
func readAll(path string, size, limit int64, read func([]byte) (int, error)) ([]byte, error) {
	if size > limit {
		return nil, &TooLargeError{Name: path, Limit: limit}
	}
	b := make([]byte, 0, size+512)
	for {
		n, err := read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > limit {
			return nil, &TooLargeError{Name: path, Limit: limit}
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
	return b, nil
}
