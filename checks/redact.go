package checks

import (
	"context"
	"regexp"
	"strings"
	"sync/atomic"
	"unicode"
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
// own check did not mask. Without a redactor, or when it fails (a scan
// cancelled half-way), the snippets (the lines of files) are dropped, with
// a warning saying so, and in the other texts every long word that mixes
// letters and digits is masked: crude, but no token leaves a scan.
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
	for i := range rep.Unlisted {
		// A secrets rule's title is its description in .gitleaks.toml.
		texts = append(texts, &rep.Unlisted[i].Title)
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
	why := "" // no redactor: a check tested alone, without checks/all
	if r := redactor.Load(); r != nil {
		out, err := (*r).Redact(ctx, src, unique)
		switch {
		case err != nil:
			why = err.Error()
		case len(out) != len(unique):
			why = "the redactor lost texts"
		default:
			safe = out
		}
	}
	if safe == nil {
		dropped := false
		for _, f := range shown {
			dropped = dropped || f.Snippet != ""
			f.Snippet = ""
		}
		for _, s := range texts {
			*s = maskTokenLike(*s)
		}
		if dropped && why != "" {
			rep.Warnings = append(rep.Warnings, "the lines of the findings are not shown: they could not be checked for other secrets ("+why+")")
		}
		return
	}
	for _, s := range texts {
		if *s != "" {
			*s = safe[index[*s]]
		}
	}
}

// tokenLike is a word long enough to be a key or a token.
var tokenLike = regexp.MustCompile(`[A-Za-z0-9_+/=-]{16,}`)

// maskTokenLike masks the words of s that could be secrets when no
// redactor could look at it: those of 16 characters or more that hold
// letters and digits keep their first four characters.
func maskTokenLike(s string) string {
	return tokenLike.ReplaceAllStringFunc(s, func(w string) string {
		if !strings.ContainsAny(w, "0123456789") || strings.IndexFunc(w, unicode.IsLetter) < 0 {
			return w
		}
		return w[:4] + "****"
	})
}
