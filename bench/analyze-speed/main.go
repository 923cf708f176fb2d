// Command analyze-speed makes the ~1 GB test images of bench/analyze-speed.sh:
// a docker-archive as `docker save` writes it (uncompressed layer.tar files)
// and an OCI layout plus oci-archive with the same layers gzip-compressed.
//
// Layer 0 is a real root filesystem tar when -base is given (the e2e set-up
// caches a debootstrapped Debian as bookworm-minbase.tar), else synthetic;
// the next layers copy its files under /opt/copyN, and the last one deletes
// one copy and overwrites files of another, so there is waste to find.
//
//	go run ./bench/analyze-speed -base ~/.cache/slimship-e2e/bookworm-minbase.tar -copies 8 -out /tmp/bench
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

type file struct {
	hdr  tar.Header
	body []byte
}

func main() {
	base := flag.String("base", "", "root filesystem tar for layer 0 (synthetic when empty)")
	copies := flag.Int("copies", 8, "layers that copy layer 0's files")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	files, err := loadBase(*base)
	if err != nil {
		log.Fatal(err)
	}
	var layers [][]file
	layers = append(layers, files)
	for c := 1; c <= *copies; c++ {
		prefix := fmt.Sprintf("opt/copy%d/", c)
		l := []file{{hdr: tar.Header{Name: "opt/", Typeflag: tar.TypeDir, Mode: 0o755}}, {hdr: tar.Header{Name: prefix, Typeflag: tar.TypeDir, Mode: 0o755}}}
		for _, f := range files {
			g := f
			g.hdr.Name = prefix + strings.TrimPrefix(f.hdr.Name, "./")
			if g.hdr.Typeflag == tar.TypeLink {
				g.hdr.Linkname = prefix + strings.TrimPrefix(f.hdr.Linkname, "./")
			}
			l = append(l, g)
		}
		layers = append(layers, l)
	}
	// waste: delete copy 1, overwrite copy 2's files of over 64 kB.
	last := []file{{hdr: tar.Header{Name: "opt/", Typeflag: tar.TypeDir, Mode: 0o755}}, {hdr: tar.Header{Name: "opt/.wh.copy1", Typeflag: tar.TypeReg, Mode: 0o644}}}
	if *copies >= 2 {
		for _, f := range files {
			if f.hdr.Typeflag == tar.TypeReg && f.hdr.Size > 64<<10 {
				g := f
				g.hdr.Name = "opt/copy2/" + strings.TrimPrefix(f.hdr.Name, "./")
				last = append(last, g)
			}
		}
	}
	layers = append(layers, last)
	if err := write(*out, layers); err != nil {
		log.Fatal(err)
	}
}

func loadBase(p string) ([]file, error) {
	if p == "" {
		return synthetic(), nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var out []file
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		out = append(out, file{hdr: *h, body: b})
	}
}

// synthetic makes ~120 MB of compressible, text-like files.
func synthetic() []file {
	r := rand.New(rand.NewSource(1))
	words := strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua usr lib bin share doc")
	var out []file
	for d := 0; d < 120; d++ {
		dir := fmt.Sprintf("usr/lib/pkg%03d/", d)
		out = append(out, file{hdr: tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0o755}})
		for i := 0; i < 100; i++ {
			var b bytes.Buffer
			n := 2000 + r.Intn(18000)
			for b.Len() < n {
				b.WriteString(words[r.Intn(len(words))])
				b.WriteByte(" \n"[r.Intn(2)])
			}
			out = append(out, file{hdr: tar.Header{Name: fmt.Sprintf("%sf%03d.txt", dir, i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(b.Len())}, body: b.Bytes()})
		}
	}
	return out
}

type blob struct {
	name   string
	digest string
	size   int64
}

func writeTar(path string, files []file) (diffID string, size int64, err error) {
	f, err := os.Create(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	cw := &counter{w: io.MultiWriter(f, h)}
	tw := tar.NewWriter(cw)
	for _, x := range files {
		hdr := x.hdr
		if err := tw.WriteHeader(&hdr); err != nil {
			return "", 0, err
		}
		if hdr.Typeflag == tar.TypeReg || hdr.Typeflag == tar.TypeRegA {
			if _, err := tw.Write(x.body); err != nil {
				return "", 0, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return "", 0, err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), cw.n, nil
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func gzipFile(src, dstDir string) (blob, error) {
	in, err := os.Open(src)
	if err != nil {
		return blob{}, err
	}
	defer in.Close()
	tmp := filepath.Join(dstDir, "tmp.gz")
	out, err := os.Create(tmp)
	if err != nil {
		return blob{}, err
	}
	h := sha256.New()
	cw := &counter{w: io.MultiWriter(out, h)}
	zw, _ := gzip.NewWriterLevel(cw, gzip.DefaultCompression)
	if _, err := io.Copy(zw, in); err != nil {
		return blob{}, err
	}
	zw.Close()
	out.Close()
	d := hex.EncodeToString(h.Sum(nil))
	if err := os.Rename(tmp, filepath.Join(dstDir, d)); err != nil {
		return blob{}, err
	}
	return blob{digest: "sha256:" + d, size: cw.n}, nil
}

func putBlob(dir string, b []byte) (blob, error) {
	s := sha256.Sum256(b)
	d := hex.EncodeToString(s[:])
	return blob{digest: "sha256:" + d, size: int64(len(b))}, os.WriteFile(filepath.Join(dir, d), b, 0o644)
}

func write(out string, layers [][]file) error {
	tmp := filepath.Join(out, "layers")
	blobs := filepath.Join(out, "oci", "blobs", "sha256")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	var diffIDs []string
	var gz []blob
	var history []map[string]any
	for i, l := range layers {
		p := filepath.Join(tmp, fmt.Sprintf("%d.tar", i))
		d, size, err := writeTar(p, l)
		if err != nil {
			return err
		}
		b, err := gzipFile(p, blobs)
		if err != nil {
			return err
		}
		log.Printf("layer %d: %d files, %d MB tar, %d MB gzip", i, len(l), size>>20, b.size>>20)
		diffIDs = append(diffIDs, d)
		gz = append(gz, b)
		history = append(history, map[string]any{"created_by": fmt.Sprintf("/bin/sh -c #(nop) ADD layer%d.tar /", i)})
	}
	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config":  map[string]any{"Cmd": []string{"/bin/sh"}},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history": history,
	})
	// docker-archive, as docker save writes it.
	cfgName := fmt.Sprintf("%x.json", sha256.Sum256(cfg))
	var layerNames []string
	for i := range layers {
		layerNames = append(layerNames, fmt.Sprintf("%d/layer.tar", i))
	}
	manifest, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{"bench/analyze:1"}, "Layers": layerNames}})
	if err := writeArchive(filepath.Join(out, "docker-archive.tar"), func(tw *tar.Writer) error {
		if err := addBytes(tw, "manifest.json", manifest); err != nil {
			return err
		}
		if err := addBytes(tw, cfgName, cfg); err != nil {
			return err
		}
		for i, n := range layerNames {
			if err := addFile(tw, n, filepath.Join(tmp, fmt.Sprintf("%d.tar", i))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	// OCI layout and oci-archive with gzip layers.
	cb, err := putBlob(blobs, cfg)
	if err != nil {
		return err
	}
	var ls []map[string]any
	for _, b := range gz {
		ls = append(ls, map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": b.digest, "size": b.size})
	}
	mf, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cb.digest, "size": cb.size}, "layers": ls})
	mb, err := putBlob(blobs, mf)
	if err != nil {
		return err
	}
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]any{{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mb.digest, "size": mb.size,
		"annotations": map[string]string{"org.opencontainers.image.ref.name": "1"}}}})
	layout := filepath.Join(out, "oci")
	os.WriteFile(filepath.Join(layout, "index.json"), idx, 0o644)
	os.WriteFile(filepath.Join(layout, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
	err = writeArchive(filepath.Join(out, "oci-archive.tar"), func(tw *tar.Writer) error {
		for _, n := range []string{"oci-layout", "index.json"} {
			if err := addFile(tw, n, filepath.Join(layout, n)); err != nil {
				return err
			}
		}
		ents, _ := os.ReadDir(blobs)
		for _, e := range ents {
			if err := addFile(tw, "blobs/sha256/"+e.Name(), filepath.Join(blobs, e.Name())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return os.RemoveAll(tmp)
}

func writeArchive(path string, fill func(*tar.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := fill(tw); err != nil {
		return err
	}
	return tw.Close()
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: st.Size()}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}
