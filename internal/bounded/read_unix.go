//go:build unix

package bounded

import (
	"io"
	"io/fs"
	"syscall"
)

// ReadFile reads at most limit bytes of the file at path (a larger file
// is a *TooLargeError) with plain system calls: os.Open would
// also try to register the descriptor with the runtime's poller and set its
// blocking mode (five more system calls per file, a tenth of reading a
// manifest directory's cost on a VM). Errors are the *fs.PathError values
// os.Open, (*os.File).Stat and (*os.File).Read return.
func ReadFile(path string, limit int64) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return readAll(path, st.Size, limit, func(p []byte) (int, error) {
		for {
			n, err := syscall.Read(fd, p)
			switch {
			case err == syscall.EINTR:
				continue
			case err != nil:
				return 0, &fs.PathError{Op: "read", Path: path, Err: err}
			case n == 0 && len(p) > 0:
				return 0, io.EOF
			}
			return n, nil
		}
	})
}
