package hooks

import (
	"path/filepath"

	"github.com/secfirst-dev/secfirst/checks"
)

// OnlyFiles keeps the findings in files (paths relative to the top of the
// working tree, as the pre-commit framework passes the staged files it
// runs a hook on). The framework honours its own `files`/`exclude` filters
// and splits a long list over several runs of the hook: each run then
// reports only its share of the commit's findings, never the same ones
// twice.
func (r *Result) OnlyFiles(files []string) {
	if r.Report == nil {
		return
	}
	in := make(map[string]bool, len(files))
	for _, f := range files {
		in[filepath.ToSlash(filepath.Clean(f))] = true
	}
	kept := r.Report.Findings[:0:0]
	for _, f := range r.Report.Findings {
		if in[f.File] {
			kept = append(kept, f)
		}
	}
	r.Report.Findings = kept
	unlisted := r.Report.Unlisted[:0:0]
	for _, u := range r.Report.Unlisted {
		if in[u.File] {
			unlisted = append(unlisted, u)
		}
	}
	r.Report.Unlisted = unlisted
	r.Report.Summary = checks.Summarize(kept)
	r.Report.Summary.AddUnlisted(unlisted)
	// The suppressed findings are counted in the run of their own file
	// only, or every run would repeat the same count. Warnings stay: they
	// are not always about one file, and a warning said twice is better
	// than one never said.
	hidden := r.Report.Suppressed[:0:0]
	for _, s := range r.Report.Suppressed {
		if in[s.Finding.File] {
			hidden = append(hidden, s)
		}
	}
	r.Report.Suppressed = hidden
}
