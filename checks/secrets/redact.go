package secrets

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/secfirst-dev/secfirst/checks"
)

const (
	// mask replaces a secret in a line shown to a person.
	mask = "****"
	// cut marks where a shown line was cut short.
	cut = "…"
	// maxSnippet is how many characters of a line a snippet shows.
	maxSnippet = 200
	// snippetBefore is how much of a long line a snippet shows before the
	// secret, so the place of the secret is what is shown.
	snippetBefore = 60
)

// Redact shows enough of a secret to recognise it and never the secret:
// its first four characters when it is long, and its length.
func Redact(secret string) string {
	n := utf8.RuneCountInString(secret)
	if n >= 16 {
		return fmt.Sprintf("%s**** (%d characters, redacted)", string([]rune(secret)[:4]), n)
	}
	return fmt.Sprintf("**** (%d characters, redacted)", n)
}

// snippet is the line of a gitleaks finding as it may be shown: its first
// line, the secret masked (a secret over several lines, a private key, from
// where it starts to the end of the line), and around the secret when the
// line is long. The redactor then masks every other secret on it. A secret
// decoded from an encoded form on the line (base64, hex...) has no
// snippet: the line itself would give it away.
func snippet(g report.Finding) string {
	line, _, _ := strings.Cut(strings.TrimLeft(g.Line, "\r\n"), "\n")
	line = strings.TrimSpace(line)
	first, _, multiline := strings.Cut(strings.TrimSpace(g.Secret), "\n")
	at := strings.Index(line, first)
	if first == "" || at < 0 {
		return ""
	}
	if multiline {
		line = line[:at] + mask
	} else {
		line = strings.ReplaceAll(line, first, mask)
	}
	return window(line, at)
}

// window cuts a line longer than maxSnippet characters to maxSnippet,
// starting a little before byte offset at, and marks each cut end with "…".
// A line it returns comes back unchanged from it.
func window(line string, at int) string {
	if utf8.RuneCountInString(line) <= maxSnippet {
		return line
	}
	start, budget := 0, maxSnippet
	if at > snippetBefore {
		start = at - snippetBefore
		for start > 0 && !utf8.RuneStart(line[start]) {
			start--
		}
		budget--
	}
	out := line[start:]
	if utf8.RuneCountInString(out) > budget {
		out = string([]rune(out)[:budget-1]) + cut
	}
	if start > 0 {
		out = cut + out
	}
	return out
}

// Redactor masks every secret that any rule finds in what findings show
// (checks.Redactor). checks/all installs it, so that the engine applies it
// to the snippet, title, message and fix of every finding of every check.
type Redactor struct{}

// NewRedactor returns the redactor of the secrets check.
func NewRedactor() checks.Redactor { return Redactor{} }

// Redact implements checks.Redactor. Each text is matched against the rules
// of gitleaks' default configuration and of the repository's
// .gitleaks.toml, as the scan's source sees it, and every secret found is
// masked; a secret decoded from an encoded form (base64, hex...) has the
// whole encoded text masked. For text shown to a person more is masked
// than is reported: `gitleaks:allow`, .gitleaksignore and path conditions
// do not apply, and each part of a rule made of several is masked on its
// own. A long word cut short by "…" is masked too: a cut secret no longer
// matches its rule.
func (Redactor) Redact(ctx context.Context, src *checks.Source, texts []string) ([]string, error) {
	var detectors []*redactionDetectors
	if files, err := readConfigFiles(ctx, src); err == nil && files != nil {
		if c, err := compileConfig(files); err == nil {
			detectors = append(detectors, c.redactor())
		}
	}
	// Of the default rules only those the texts can trigger: the texts
	// are few and short, and compiling those few costs less than a
	// detector of every rule, even where they are all compiled already.
	// Past redactAllRulesAbove, looking for the keywords in every decoded
	// pass of the texts costs more than the whole set of rules: a report
	// of 180,000 findings spent 8 of its 18 seconds of redaction there.
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	var cfg config.Config
	var err error
	if size > redactAllRulesAbove {
		cfg, err = defaultConfig()
	} else {
		cfg, err = rulesFor(texts, maxDecodeDepth)
	}
	if err != nil {
		return nil, err
	}
	detectors = append(detectors, redactionDetector(cfg))
	out := make([]string, len(texts))
	for i, text := range texts {
		lines := strings.Split(text, "\n")
		for j, line := range lines {
			lines[j] = redactLine(ctx, detectors, line, false)
		}
		out[i] = strings.Join(lines, "\n")
		if len(lines) > 1 {
			// A secret over several lines (a private key), masked whole.
			out[i] = redactLine(ctx, detectors, out[i], true)
		}
	}
	return out, ctx.Err()
}

// redactAllRulesAbove is the size of the texts past which Redact runs
// every default rule instead of choosing them (rulesFor).
const redactAllRulesAbove = 256 << 10

// cutWord is a word that "…" may have cut short, long enough to be part of
// a secret.
var cutWord = regexp.MustCompile(`[^\s'"` + "`" + `…]{8,}…|…[^\s'"` + "`" + `…]{8,}`)

// redactLine masks the long words of text cut by "…" and every secret the
// detectors find in it. In a text of one line, a secret decoded from an
// encoded form has the encoded form masked; in a text of several lines only
// the secrets written as they are.
func redactLine(ctx context.Context, detectors []*redactionDetectors, text string, multiline bool) string {
	if strings.Contains(text, cut) { // most texts cut nothing: skip the regexp
		text = cutWord.ReplaceAllStringFunc(text, func(w string) string {
			if strings.HasPrefix(w, cut) {
				return cut + mask
			}
			return mask + cut
		})
	}
	type span struct{ start, end int }
	var spans []span
	for _, d := range detectors {
		for _, f := range d.DetectContext(ctx, detect.Fragment{Raw: text}) {
			switch {
			case f.Secret == "":
			case strings.Contains(text, f.Secret):
				for i := 0; ; {
					j := strings.Index(text[i:], f.Secret)
					if j < 0 {
						break
					}
					spans = append(spans, span{i + j, i + j + len(f.Secret)})
					i += j + len(f.Secret)
				}
			case !multiline:
				// The columns of a decoded secret are its encoded form's.
				if start, end := max(f.StartColumn-1, 0), min(f.EndColumn, len(text)); start < end {
					spans = append(spans, span{start, end})
				}
			}
		}
	}
	if len(spans) == 0 {
		return text
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.start < at { // overlaps what is masked already
			at = max(at, sp.end)
			continue
		}
		b.WriteString(text[at:sp.start])
		b.WriteString(mask)
		at = sp.end
	}
	b.WriteString(text[at:])
	return b.String()
}

// forRedaction is cfg made to find every secret in a line shown on its
// own: rules apply whatever the path, parts of composite rules are
// reported alone, and path-only rules, which find nothing in a line, go.
func forRedaction(cfg config.Config) config.Config {
	rules := make(map[string]config.Rule, len(cfg.Rules))
	for id, r := range cfg.Rules {
		if r.Regex == nil {
			continue
		}
		r.Path = nil
		r.SkipReport = false
		r.RequiredRules = nil
		rules[id] = r
	}
	cfg.Rules = rules
	cfg.Path = ""
	return cfg
}

// redactionDetectors are a detector on a configuration made for redaction,
// its twin that does not decode, for texts where gitleaks' decoder can
// find nothing (mayDecode), and that twin without the generic rule, for
// texts the rule cannot match (generic.go): the fixes of a report of
// thousands of findings mention tokens and keys, and the generic rule's
// regexp was most of their redaction.
type redactionDetectors struct {
	decode, plain *detect.Detector
	lean          func() *detect.Detector // nil: the rule is not gitleaks' own
}

func (r *redactionDetectors) DetectContext(ctx context.Context, f detect.Fragment) []report.Finding {
	switch {
	case mayDecode(f.Raw):
		return r.decode.DetectContext(ctx, f)
	case r.lean != nil && genericCannotMatch(f.Raw):
		return r.lean().DetectContext(ctx, f)
	}
	return r.plain.DetectContext(ctx, f)
}

func redactionDetector(cfg config.Config) *redactionDetectors {
	cfg = forRedaction(cfg)
	r := &redactionDetectors{decode: detect.NewDetector(cfg), plain: detect.NewDetector(cfg)}
	r.decode.MaxDecodeDepth = maxDecodeDepth
	r.decode.IgnoreGitleaksAllow = true
	r.plain.IgnoreGitleaksAllow = true
	if lean, ok := withoutGeneric(cfg); ok {
		r.lean = sync.OnceValue(func() *detect.Detector {
			d := detect.NewDetector(lean)
			d.IgnoreGitleaksAllow = true
			return d
		})
	}
	return r
}
