package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BenchmarkAudit audits an image of 3 layers x 2000 files (text, binary
// and config files, with whiteouts), reporting MB/s of layer content.
func BenchmarkAudit(b *testing.B) {
	var steps []step
	var total int64
	for l := 0; l < 3; l++ {
		var files []file
		for i := 0; i < 2000; i++ {
			var f file
			switch i % 4 {
			case 0:
				f = reg(fmt.Sprintf("usr/lib/l%d/lib%d.so", l, i), 0o644, "\x7fELF"+strings.Repeat("\x00bin", 1024))
			case 1:
				f = reg(fmt.Sprintf("app/l%d/src%d.py", l, i), 0o644, strings.Repeat("def f(x):\n    return x + 1\n", 150))
			case 2:
				f = reg(fmt.Sprintf("etc/l%d/c%d.yaml", l, i), 0o644, strings.Repeat("key: value\n", 300))
			default:
				f = reg(fmt.Sprintf("usr/bin/l%d-tool%d", l, i), 0o755, "\x7fELF"+strings.Repeat("x", 8192))
			}
			total += int64(len(f.content))
			files = append(files, f)
		}
		if l > 0 {
			files = append(files, whiteout(fmt.Sprintf("app/l%d", l-1)))
		}
		steps = append(steps, step{"RUN /bin/sh -c build", files})
	}
	img := image(b, v1.Config{User: "1000", Entrypoint: []string{"/usr/bin/l0-tool3"}}, steps...)
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Audit(context.Background(), img, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
