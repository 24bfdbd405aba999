package common

import (
	"sort"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// Shown is a finding as a screen shows it: every text that may come from
// the repository (file name, code line, message, fix, rule ids of a
// .gitleaks.toml, package names of a lockfile, commit) made safe for the
// terminal with termtext. The finding itself keeps its exact strings: an
// ignore written to .secfirst.toml names the file as it is.
func Shown(f checks.Finding) checks.Finding {
	line := termtext.Line
	f.Check, f.Rule, f.Title, f.File, f.Commit = line(f.Check), line(f.Rule), line(f.Title), line(f.File), line(f.Commit)
	f.Message, f.Fix, f.Lesson, f.Snippet = line(f.Message), line(f.Fix), line(f.Lesson), line(f.Snippet)
	f.Severity = checks.Severity(line(string(f.Severity)))
	if f.Refs != nil {
		refs := make([]string, len(f.Refs))
		for i, r := range f.Refs {
			refs[i] = line(r)
		}
		f.Refs = refs
	}
	if f.Package != nil {
		p := *f.Package
		p.Ecosystem, p.Name, p.Version = line(p.Ecosystem), line(p.Name), line(p.Version)
		fixed := make([]string, len(p.Fixed))
		for i, v := range p.Fixed {
			fixed[i] = line(v)
		}
		p.Fixed = fixed
		f.Package = &p
	}
	return f
}

// WorstFirst orders findings for reading: the most severe first (what to
// fix first is what to read first), then blocking before not, then by
// place, as the report has them.
func WorstFirst(in []checks.Finding) []checks.Finding {
	out := append([]checks.Finding(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Severity.Rank(), out[j].Severity.Rank(); a != b {
			return a > b
		}
		return out[i].Blocking && !out[j].Blocking
	})
	return out
}
