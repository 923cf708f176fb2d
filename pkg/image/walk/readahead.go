package walk

import (
	"errors"
	"io"
	"sync"
)

// readahead decompresses in its own goroutine, a few chunks ahead of the
// tar reader, so decompression and the walk's own work use two cores.
type readahead struct {
	full  chan chunk
	free  chan []byte
	stop  chan struct{}
	once  sync.Once
	done  chan struct{}
	cur   []byte
	buf   []byte
	err   error
	inner io.Closer
}

type chunk struct {
	b   []byte
	buf []byte
	err error
}

const (
	readaheadChunks = 4
	readaheadSize   = 1 << 20
)

func newReadahead(r io.ReadCloser) *readahead {
	ra := &readahead{
		full:  make(chan chunk, readaheadChunks),
		free:  make(chan []byte, readaheadChunks),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		inner: r,
	}
	for i := 0; i < readaheadChunks; i++ {
		ra.free <- make([]byte, readaheadSize)
	}
	go func() {
		defer close(ra.done)
		for {
			var buf []byte
			select {
			case buf = <-ra.free:
			case <-ra.stop:
				return
			}
			n, err := io.ReadFull(r, buf)
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			select {
			case ra.full <- chunk{b: buf[:n], buf: buf, err: err}:
			case <-ra.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ra
}

func (ra *readahead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf
			ra.buf = nil
		}
		c := <-ra.full
		ra.cur, ra.buf, ra.err = c.b, c.buf, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the goroutine, then closes the decompressor.
func (ra *readahead) Close() error {
	ra.once.Do(func() { close(ra.stop) })
	<-ra.done
	return ra.inner.Close()
}
