package manifest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// kubectl reads manifests as YAML 1.1: apimachinery's YAML decoder hands
// each document to sigs.k8s.io/yaml.YAMLToJSON, which decodes it with
// go-yaml v2 into interface{} values and writes them with encoding/json.
// This file gives a yaml.v3 node the value go-yaml v2 gives it, so the JSON
// this package writes is the JSON kubectl sends (FuzzKubectlJSON holds it
// to sigs.k8s.io/yaml).

// scalarKind is what go-yaml v2 turns a scalar into.
type scalarKind uint8

const (
	sString scalarKind = iota
	sBool
	sNull
	sInt   // written as text (a decimal integer)
	sFloat // written as text (encoding/json's form)
)

func (k scalarKind) String() string {
	switch k {
	case sBool:
		return "boolean"
	case sNull:
		return "null"
	case sInt:
		return "integer"
	case sFloat:
		return "number"
	}
	return "string"
}

// resolve11 returns what go-yaml v2 decodes the scalar n into, as its kind
// and its JSON text (for a string: its value, unquoted).
func resolve11(n *yaml.Node) (scalarKind, string, error) {
	if n.Style&yaml.TaggedStyle == 0 {
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return sString, n.Value, nil
		}
		k, v := resolvePlain(n.Value)
		return k, v, nil
	}
	// An explicit tag: go-yaml v2 resolves the value and fails when it is
	// not of the tag's type (a !!float may be an integer).
	tag := n.Tag
	if rest, ok := strings.CutPrefix(tag, "tag:yaml.org,2002:"); ok {
		tag = "!!" + rest
	}
	switch tag {
	case "!!str":
		return sString, n.Value, nil
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(n.Value)
		if err != nil {
			return 0, "", &lineError{n.Line, "!!binary value contains invalid base64 data"}
		}
		return sString, string(b), nil
	case "!!bool", "!!int", "!!float", "!!null", "!!timestamp":
	default:
		// Tags go-yaml v2 does not resolve leave the text a string.
		return sString, n.Value, nil
	}
	k, v := resolvePlain(n.Value)
	got := map[scalarKind]string{sString: "!!str", sBool: "!!bool", sNull: "!!null", sInt: "!!int", sFloat: "!!float"}[k]
	if k == sString && isTimestamp(n.Value) {
		// A timestamp decoded into interface{} stays its text.
		got, v = "!!timestamp", n.Value
	}
	switch {
	case got == tag:
		return k, v, nil
	case tag == "!!float" && k == sInt:
		f, _ := strconv.ParseFloat(v, 64)
		return sFloat, formatFloat(f), nil
	}
	return 0, "", &lineError{n.Line, fmt.Sprintf("cannot decode %s `%s` as a %s", got, n.Value, tag)}
}

// errJSONFloat is what encoding/json says of an infinity or NaN, which
// sigs.k8s.io/yaml cannot write (so kubectl rejects the document).
var errJSONFloat = errors.New("json: unsupported value")

// resolvePlain is go-yaml v2's resolve of an untagged plain scalar.
func resolvePlain(in string) (scalarKind, string) {
	if in == "" {
		return sNull, "null"
	}
	switch in[0] {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		switch in {
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
			return sBool, "true"
		case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
			return sBool, "false"
		case "~", "null", "Null", "NULL":
			return sNull, "null"
		}
		return sString, in
	case '.':
		switch in {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return sFloat, "" // not writable as JSON
		}
		if f, err := strconv.ParseFloat(in, 64); err == nil {
			return floatKind(f)
		}
		return sString, in
	case '+', '-':
		switch in {
		case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
			return sFloat, ""
		}
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
	default:
		return sString, in
	}
	// Int, float or timestamp. A timestamp (YYYY-...) stays a string when
	// decoded into interface{}, and nothing of that shape parses as a
	// number, so it needs no test of its own.
	plain := strings.ReplaceAll(in, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return sInt, strconv.FormatInt(i, 10)
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return sInt, strconv.FormatUint(u, 10)
	}
	if yamlStyleFloat(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return floatKind(f)
		}
	}
	if strings.HasPrefix(plain, "0b") {
		if i, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return sInt, strconv.FormatInt(i, 10)
		}
		if u, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return sInt, strconv.FormatUint(u, 10)
		}
	} else if strings.HasPrefix(plain, "-0b") {
		if i, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return sInt, strconv.FormatInt(i, 10)
		}
	}
	return sString, in
}

func floatKind(f float64) (scalarKind, string) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return sFloat, ""
	}
	return sFloat, formatFloat(f)
}

// formatFloat writes f as encoding/json does.
func formatFloat(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// yamlStyleFloat matches go-yaml v2's
// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
func yamlStyleFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// isTimestamp is go-yaml v2's quick test for a timestamp (YYYY-...) and its
// formats.
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range timestampFormats {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}

// timestampFormats are go-yaml v2's.
var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// keyString11 is the JSON name sigs.k8s.io/yaml gives a mapping key.
func keyString11(k *yaml.Node) (string, scalarKind, error) {
	kind, v, err := resolve11(k)
	if err != nil {
		return "", 0, err
	}
	switch kind {
	case sNull:
		return "", kind, &lineError{k.Line, "mapping key is null (kubectl cannot convert it to JSON)"}
	case sFloat:
		// go-yaml's float-to-string, at 32 bits.
		if v == "" {
			switch l := strings.ToLower(k.Value); {
			case strings.Contains(l, "nan"):
				return ".nan", kind, nil
			case strings.HasPrefix(l, "-"):
				return "-.inf", kind, nil
			}
			return ".inf", kind, nil
		}
		// a finite float64 beyond float32 (1e39) prints as ±Inf at 32
		// bits, which sigs.k8s.io/yaml then spells as YAML does
		f, _ := strconv.ParseFloat(v, 64)
		switch s := strconv.FormatFloat(f, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", kind, nil
		case "-Inf":
			return "-.inf", kind, nil
		default:
			return s, kind, nil
		}
	case sInt:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "", kind, &lineError{k.Line, "mapping key " + k.Value + " is an integer beyond int64 (kubectl cannot convert it to JSON)"}
		}
	}
	return v, kind, nil
}
