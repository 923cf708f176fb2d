package sbom

import (
	"bufio"
	"bytes"
	"io"
	"path"
	"slices"
	"strings"
)

// Debian and Ubuntu packages declare their licenses in
// /usr/share/doc/<package>/copyright. In the machine-readable format
// (copyright-format 1.0, DEP-5: a header paragraph with a Format field,
// then paragraphs of fields) the first line of the License field of the
// header and of each Files paragraph names the licenses; a stand-alone
// License paragraph only gives the text of a name used there, and its
// references to /usr/share/common-licenses point to texts. A file in free
// form names no license for certain; like trivy's dpkg license analyzer,
// its "License:" lines and its references to the texts under
// /usr/share/common-licenses are read. (trivy reads those of a
// machine-readable file too, stand-alone paragraphs included.)

// maxCopyright bounds the bytes of a copyright file read (the licenses of
// a longer one are those of its start); maxCopyrightLine the bytes of a
// line looked at (the rest of a longer line is skipped).
const (
	maxCopyright     int64 = 4 << 20
	maxCopyrightLine       = 4096
)

// isCopyright reports whether p is a package's own copyright file,
// /usr/share/doc/<package>/copyright (not one of a subdirectory, such as
// an example's).
func isCopyright(p string) bool {
	return path.Base(p) == "copyright" && path.Dir(path.Dir(p)) == "/usr/share/doc"
}

// Copyright is what a copyright file says of licenses, as found
// (normalizeLicense reads each).
type Copyright struct {
	// MachineReadable says the first paragraph has a Format field.
	MachineReadable bool
	// Declared are the first lines of the License fields of the header
	// and the Files paragraphs.
	Declared []string
	// LicenseLines are the values of the lines, in any paragraph, that
	// begin "License:" and name a license rather than hold its text, cut
	// as trivy cuts them: before a "(", without a trailing " license".
	// References are the names of the license texts under
	// /usr/share/common-licenses the file refers to. Texts are the values
	// of the "License:" lines that hold a license's text (trivy before
	// v0.56 took them for names).
	LicenseLines, References, Texts []string
}

// Licenses are what the file declares: Declared when it is machine
// readable, else its LicenseLines and References.
func (c *Copyright) Licenses() []string {
	if c.MachineReadable {
		return c.Declared
	}
	out := slices.Clone(c.LicenseLines)
	for _, r := range c.References {
		out = addName(out, r)
	}
	return out
}

// ReadCopyright reads a copyright file from the first maxCopyright bytes
// of r. Nothing in the file is an error: a file that is not machine
// readable or is malformed names what it names, maybe nothing; only
// reading r can fail.
func ReadCopyright(r io.Reader) (*Copyright, error) {
	return readCopyright(r, bufio.NewReaderSize(nil, maxCopyrightLine))
}

// readCopyright is ReadCopyright through br (its size bounds a line).
func readCopyright(r io.Reader, br *bufio.Reader) (*Copyright, error) {
	br.Reset(io.LimitReader(r, maxCopyright))
	var (
		c           Copyright
		header      = true // in the first paragraph
		inParagraph bool   // a field of this paragraph has been seen
		files       bool   // this paragraph has a Files field
		synopsis    string // this paragraph's License field's first line
	)
	end := func() {
		if header || files {
			c.Declared = addName(c.Declared, synopsis)
		}
		header, inParagraph, files, synopsis = false, false, false, ""
	}
	for {
		line, err := readLine(br)
		if err != nil && err != io.EOF {
			return nil, err
		}
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			if inParagraph {
				end()
			}
		case line[0] == ' ' || line[0] == '\t' || line[0] == '#':
			// a continuation line (the License text) or a comment
		default:
			inParagraph = true
			name, value, _ := bytes.Cut(line, []byte(":"))
			switch {
			case asciiEqualFold(name, "License"):
				synopsis = string(value)
			case asciiEqualFold(name, "Files"):
				files = true
			case header && (asciiEqualFold(name, "Format") || asciiEqualFold(name, "Format-Specification")):
				c.MachineReadable = true
			}
		}
		if v, ok := bytes.CutPrefix(line, []byte("License:")); ok {
			if isLicenseText(string(v)) {
				c.Texts = addName(c.Texts, string(v))
			} else {
				c.LicenseLines = addName(c.LicenseLines, licenseLine(string(v)))
			}
		}
		if ref := commonLicenseRef(line); ref != "" {
			c.References = addName(c.References, ref)
		}
		if err == io.EOF {
			break
		}
	}
	if inParagraph {
		end()
	}
	return &c, nil
}

// licenseTextWords are signs of a license's text, or a sentence about
// licenses, rather than a license's name: trivy's, and "licensed under".
var licenseTextWords = []string{"http://", "https://", "(c)", "as-is", ";", "hereby", "permission to use", "permission is", "use in source", "use, copy, modify", "using",
	"licensed under", "licenced under"}

// isLicenseText reports whether s reads as (a line of) a license's text.
func isLicenseText(s string) bool {
	lower := strings.ToLower(s)
	for _, w := range licenseTextWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// licenseLine is the license a "License:" line names: its value up to a
// "(", without a trailing " license".
func licenseLine(v string) string {
	v, _, _ = strings.Cut(v, "(")
	return strings.TrimSuffix(strings.TrimSpace(v), " license")
}

// addName adds the trimmed name to list unless it is empty or there.
func addName(list []string, name string) []string {
	if name = strings.TrimSpace(name); name == "" || slices.Contains(list, name) {
		return list
	}
	return append(list, name)
}

// readLine returns the next line without its end, at most the reader's
// size of it (the rest is skipped); io.EOF with the last line.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		line = bytes.Clone(line)
		for err == bufio.ErrBufferFull {
			_, err = br.ReadSlice('\n')
		}
		return line, err
	}
	return bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r")), err
}

// commonLicenseRef returns the license a line refers to by its text under
// /usr/share/common-licenses ("GPL-2" of "see
// /usr/share/common-licenses/GPL-2."), or "".
func commonLicenseRef(line []byte) string {
	const dir = "usr/share/common-licenses/"
	i := bytes.Index(line, []byte(dir))
	if i < 0 {
		return ""
	}
	rest := line[i+len(dir):]
	n := 0
	for n < len(rest) && isNameByte(rest[n]) {
		n++
	}
	// The name ends in a letter, digit or "+", not in the sentence's
	// full stop.
	for n > 0 && !isAlnumPlus(rest[n-1]) {
		n--
	}
	return string(rest[:n])
}

func isAlnumPlus(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+'
}

func isNameByte(c byte) bool { return isAlnumPlus(c) || c == '_' || c == '.' || c == '-' }

func asciiEqualFold(b []byte, s string) bool {
	return len(b) == len(s) && strings.EqualFold(string(b), s)
}
