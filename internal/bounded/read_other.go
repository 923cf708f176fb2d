//go:build !unix

package bounded

import "os"

// ReadFile reads at most limit bytes of the file at path (a larger file
// is a *TooLargeError).
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
