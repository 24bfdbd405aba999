package checks

import (
	"context"
	"sync/atomic"
)

// Redactor masks every secret in text that findings show people. The
// engine knows no secret rules: the secrets check provides the redactor and
// checks/all installs it with SetRedactor.
type Redactor interface {
	// Redact returns texts in the same order with every secret masked. A
	// text it cannot make safe comes back empty.
	Redact(ctx context.Context, src *Source, texts []string) ([]string, error)
}

var redactor atomic.Pointer[Redactor]

// SetRedactor installs the redactor Scan passes reports through; nil
// removes it.
func SetRedactor(r Redactor) {
	if r == nil {
		redactor.Store(nil)
		return
	}
	redactor.Store(&r)
}

// redactReport passes what the report shows through the installed
// redactor, whatever check produced it: the snippet of every finding, kept
// or suppressed (the line of the file), its title, message and fix, and
// the warnings and errors, all of which may quote a file. A line holding
// two secrets, or a Dockerfile line with a token, must not show the one its
// own check did not mask. Without a redactor, or when it fails, the
// snippets are dropped and the other texts kept as their checks wrote them:
// no line of a file leaves a scan unredacted.
func redactReport(ctx context.Context, src *Source, rep *Report) {
	var shown []*Finding
	for i := range rep.Findings {
		shown = append(shown, &rep.Findings[i])
	}
	for i := range rep.Suppressed {
		shown = append(shown, &rep.Suppressed[i].Finding)
	}
	var texts []*string
	for _, f := range shown {
		texts = append(texts, &f.Snippet, &f.Title, &f.Message, &f.Fix)
	}
	for _, list := range [][]string{rep.Warnings, rep.Errors} {
		for i := range list {
			texts = append(texts, &list[i])
		}
	}
	var unique []string
	index := map[string]int{} // a text many findings show is redacted once
	for _, s := range texts {
		if _, ok := index[*s]; !ok && *s != "" {
			index[*s] = len(unique)
			unique = append(unique, *s)
		}
	}
	if len(unique) == 0 {
		return
	}
	var safe []string
	if r := redactor.Load(); r != nil {
		if out, err := (*r).Redact(ctx, src, unique); err == nil && len(out) == len(unique) {
			safe = out
		}
	}
	if safe == nil {
		for _, f := range shown {
			f.Snippet = ""
		}
		return
	}
	for _, s := range texts {
		if *s != "" {
			*s = safe[index[*s]]
		}
	}
}
