// Package severity rates an OSV record critical, high, medium or low: from
// its CVSS v2, v3.0, v3.1 or v4.0 vector (scored with pandatix/go-cvss),
// else from the database's or ecosystem's own word for it.
package severity

import (
	"fmt"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/slimship/slimship/pkg/vuln/osv"
)

// Level is a severity class; the zero value is Unknown.
type Level int

// Levels from least to most severe.
const (
	Unknown Level = iota
	Low
	Medium
	High
	Critical
)

var names = [...]string{"unknown", "low", "medium", "high", "critical"}

func (l Level) String() string {
	if l < Unknown || l > Critical {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return names[l]
}

// Parse accepts critical, high, medium and low (for --fail-on).
func Parse(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return Critical, nil
	case "high":
		return High, nil
	case "medium":
		return Medium, nil
	case "low":
		return Low, nil
	}
	return Unknown, fmt.Errorf("unknown severity %q (want critical, high, medium or low)", s)
}

// fromScore is the CVSS v3/v4 qualitative rating of a base score.
func fromScore(score float64) Level {
	switch {
	case score >= 9:
		return Critical
	case score >= 7:
		return High
	case score >= 4:
		return Medium
	case score > 0:
		return Low
	}
	return Unknown
}

// Vector scores one OSV severity entry: its level and base score. CVSS v2
// has no critical class: 7.0 and above is high.
func Vector(s osv.Severity) (Level, float64, error) {
	v := strings.TrimSpace(s.Score)
	switch {
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, err := gocvss40.ParseVector(v)
		if err != nil {
			return Unknown, 0, err
		}
		sc := c.Score()
		return fromScore(sc), sc, nil
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(v)
		if err != nil {
			return Unknown, 0, err
		}
		sc := c.BaseScore()
		return fromScore(sc), sc, nil
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(v)
		if err != nil {
			return Unknown, 0, err
		}
		sc := c.BaseScore()
		return fromScore(sc), sc, nil
	case s.Type == "CVSS_V2" || strings.HasPrefix(v, "AV:"):
		c, err := gocvss20.ParseVector(strings.TrimPrefix(v, "CVSS:2.0/"))
		if err != nil {
			return Unknown, 0, err
		}
		sc := c.BaseScore()
		switch {
		case sc >= 7:
			return High, sc, nil
		case sc >= 4:
			return Medium, sc, nil
		case sc > 0:
			return Low, sc, nil
		}
		return Unknown, sc, nil
	}
	if l := Word(v); l != Unknown {
		return l, 0, nil // e.g. Ubuntu's "medium"
	}
	return Unknown, 0, fmt.Errorf("not a CVSS vector: %q", v)
}

// Word maps a database's own rating: GHSA's CRITICAL/HIGH/MODERATE/LOW,
// Debian's urgency (high, medium, low, unimportant), Red Hat's
// Important/Moderate.
func Word(s string) Level {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return Critical
	case "high", "important":
		return High
	case "moderate", "medium":
		return Medium
	case "low", "negligible", "unimportant":
		return Low
	}
	return Unknown
}

// Of rates record r as it affects entry a (which may be nil): the newest
// CVSS version present wins (the entry's own before the record's), then
// the entry's rating word, then the record's. Vectors that do not parse
// are passed over.
func Of(r *osv.Record, a *osv.Affected) (Level, string) {
	var lists [][]osv.Severity
	if a != nil {
		lists = append(lists, a.Severity)
	}
	lists = append(lists, r.Severity)
	for _, prefix := range []string{"CVSS:4.0/", "CVSS:3.1/", "CVSS:3.0/", ""} {
		for _, list := range lists {
			for _, s := range list {
				if prefix == "" && s.Type != "CVSS_V2" || prefix != "" && !strings.HasPrefix(s.Score, prefix) {
					continue
				}
				if l, sc, err := Vector(s); err == nil && l != Unknown {
					return l, fmt.Sprintf("%s %.1f", s.Score, sc)
				}
			}
		}
	}
	if a != nil {
		if l := Word(a.Rating); l != Unknown {
			return l, a.Rating
		}
	}
	if l := Word(r.Rating); l != Unknown {
		return l, r.Rating
	}
	return Unknown, ""
}
