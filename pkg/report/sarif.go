package report

import (
	"encoding/json"
	"io"

	"github.com/slimship/slimship/pkg/finding"
)

// SARIF 2.1.0 types, only the parts slimship writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	ShortDescription     sarifText         `json:"shortDescription"`
	HelpURI              string            `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig       `json:"defaultConfiguration"`
	Properties           map[string]string `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
	Fixes     []sarifFix      `json:"fixes,omitempty"`
	// Properties carries the IDs of twin rules that found the same problem.
	Properties *sarifResultProps `json:"properties,omitempty"`
}

type sarifResultProps struct {
	Aliases []string `json:"aliases,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine,omitempty"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
	CharOffset  int `json:"charOffset,omitempty"`
	CharLength  int `json:"charLength,omitempty"`
}

// sarifCharRegion is the region an edit replaces: always a character
// offset and length, 0 included (an empty region object is not valid
// SARIF, and an insertion at the start of a new file is at offset 0).
type sarifCharRegion struct {
	CharOffset int `json:"charOffset"`
	CharLength int `json:"charLength"`
}

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifCharRegion `json:"deletedRegion"`
	InsertedContent *sarifText      `json:"insertedContent,omitempty"`
}

func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Error:
		return "error"
	case finding.Warning:
		return "warning"
	case finding.Off:
		return "none"
	}
	return "note"
}

// SARIF writes a SARIF 2.1.0 log with the rule table, regions and fixes.
func SARIF(w io.Writer, fs []finding.Finding, opts Options) error {
	index := map[string]int{}
	var rules []sarifRule
	addRule := func(r finding.Rule) int {
		if i, ok := index[r.ID]; ok {
			return i
		}
		index[r.ID] = len(rules)
		props := map[string]string{}
		if r.Category != "" {
			props["category"] = string(r.Category)
		}
		rules = append(rules, sarifRule{ID: r.ID, ShortDescription: sarifText{r.Description}, HelpURI: r.DocsURL,
			DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)}, Properties: props})
		return index[r.ID]
	}
	known := map[string]finding.Rule{}
	for _, r := range opts.Rules {
		known[r.ID] = r
	}
	results := []sarifResult{}
	for _, f := range fs {
		r, ok := known[f.RuleID]
		if !ok {
			r = finding.Rule{ID: f.RuleID, Severity: f.Severity, Category: f.Category, Description: f.RuleID}
		}
		res := sarifResult{RuleID: f.RuleID, RuleIndex: addRule(r), Level: sarifLevel(f.Severity), Message: sarifText{f.Message}}
		if len(f.Aliases) > 0 {
			res.Properties = &sarifResultProps{Aliases: f.Aliases}
		}
		loc := sarifLocation{}
		if f.File != "" {
			p := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: f.File}}
			if f.Line > 0 {
				p.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column, EndLine: f.EndLine, EndColumn: f.EndColumn}
			}
			loc.PhysicalLocation = p
		}
		if f.Object != nil {
			loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: f.Object.Name,
				FullyQualifiedName: objectName(f.Object), Kind: "object"})
		}
		if f.Path != "" || f.Layer != "" {
			loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: f.Path, FullyQualifiedName: f.Layer + ":" + f.Path, Kind: "resource"})
		}
		if loc.PhysicalLocation != nil || len(loc.LogicalLocations) > 0 {
			res.Locations = []sarifLocation{loc}
		}
		if f.Fix != nil {
			res.Fixes = []sarifFix{sarifFixOf(f)}
		}
		results = append(results, res)
	}
	if rules == nil {
		rules = []sarifRule{}
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{Name: "slimship", Version: opts.ToolVersion,
				InformationURI: "https://github.com/slimship/slimship", Rules: rules}},
			Results: results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func sarifFixOf(f finding.Finding) sarifFix {
	byFile := map[string]*sarifArtifactChange{}
	var order []string
	for _, e := range f.Fix.Edits {
		file := e.File
		if file == "" {
			file = f.File
		}
		ch, ok := byFile[file]
		if !ok {
			ch = &sarifArtifactChange{ArtifactLocation: sarifArtifact{URI: file}}
			byFile[file] = ch
			order = append(order, file)
		}
		rep := sarifReplacement{DeletedRegion: sarifCharRegion{CharOffset: e.Offset, CharLength: e.Length}}
		if e.NewText != "" {
			rep.InsertedContent = &sarifText{e.NewText}
		}
		ch.Replacements = append(ch.Replacements, rep)
	}
	fix := sarifFix{Description: sarifText{f.Fix.Description}}
	for _, file := range order {
		fix.ArtifactChanges = append(fix.ArtifactChanges, *byFile[file])
	}
	return fix
}
