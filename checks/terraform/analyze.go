package terraform

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/lessons"
)

// analysis checks one module and gathers what it finds.
type analysis struct {
	m      *module
	res    Result
	keys   map[string]int // fingerprint keys seen, to number repeats
	listed *checks.RuleCap
	// said are the issues reported, by resource, rule, line and message:
	// the blocks a dynamic block expands to may say the same thing twice.
	said map[string]bool
	now  time.Time
}

// issue is one problem before suppressions are applied.
type issue struct {
	slug   string
	r      *resource
	line   int    // where the problem is written, or where the fix goes
	block  int    // the header line of the nested block it is in, 0 if none
	detail string // what makes it unique within its resource
	msg    string
	fix    string
	refs   []string // nil: the rule's refs
}

func analyzeModule(m *module, now time.Time, listed *checks.RuleCap) Result {
	a := &analysis{m: m, keys: map[string]int{}, said: map[string]bool{}, now: now, listed: listed}
	byType := rulesByType()
	for _, r := range m.resources {
		if !r.file.report || !r.created() {
			continue
		}
		key := r.typ
		if r.data {
			key = "data." + r.typ
		}
		for _, rl := range byType[key] {
			rl.check(a, r)
		}
	}
	for _, f := range m.files {
		if f.report && f.pragmas != nil {
			for _, w := range f.pragmas.warnings {
				a.res.Warnings = append(a.res.Warnings, "terraform: "+f.path+" "+w)
			}
		}
	}
	checks.SortFindings(a.res.Findings)
	a.res.Unlisted = listed.Unlisted()
	return a.res
}

// report records an issue as a finding, or as suppressed when a comment
// says so.
func (a *analysis) report(is issue) {
	said := fmt.Sprintf("%s\x00%s\x00%d\x00%s", is.r.addr(), is.slug, is.line, is.msg)
	if a.said[said] {
		return
	}
	a.said[said] = true
	rl := catalogBySlug()[is.slug]
	rrefs := is.refs
	if rrefs == nil {
		rrefs = rl.refs
	}
	id := RuleID(is.slug)
	f := is.r.file
	key := is.r.addr() + "\x00" + is.detail
	a.keys[key]++
	if n := a.keys[key]; n > 1 {
		key += fmt.Sprintf("\x00#%d", n)
	}
	if is.line < 1 {
		is.line = is.r.line()
	}
	fd := checks.Finding{
		Check:       CheckName,
		Rule:        id,
		Severity:    rl.severity,
		Title:       rl.title,
		File:        f.path,
		Line:        is.line,
		Lesson:      lessons.IDForRule(id, LessonFallback),
		Refs:        rrefs,
		Fingerprint: checks.Fingerprint(CheckName, id, f.path, key),
	}
	// What suppresses it is looked up first: past the hook's cap a finding
	// that is not suppressed is counted, not built.
	scope := []int{is.line, is.r.line()}
	if is.block > 0 {
		scope = append(scope, is.block)
	}
	rng := is.r.block.Range()
	pr, suppressed := f.pragmas.match(id, is.slug, rrefs, scope, rng.Start.Line, rng.End.Line, a.now)
	if !suppressed && !a.listed.Keep(fd) {
		return
	}
	fd.Message = termtext.Line(is.msg)
	fd.Fix = termtext.Block(is.fix)
	fd.Refs = append([]string(nil), rrefs...)
	fd.Snippet = termtext.Line(f.snippet(is.line))
	if suppressed {
		a.res.Suppressed = append(a.res.Suppressed, pr.Suppression(fd))
		return
	}
	a.res.Findings = append(a.res.Findings, fd)
}

// snippet is line n of src, trimmed and bounded.
func snippet(src []byte, n int) string {
	line := 1
	start := 0
	for i := 0; i < len(src) && line < n; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	if line != n {
		return ""
	}
	end := start
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return checks.SnippetOf(string(src[start:end]))
}

// pick narrows refs to those of a rule that start with one of the given
// prefixes (the ids of what was found): "AWS-0080" keeps AWS-0080 and
// AVD-AWS-0080.
func pick(slug string, keep ...string) []string {
	var out []string
	for _, ref := range catalogBySlug()[slug].refs {
		for _, k := range keep {
			if strings.TrimPrefix(ref, "AVD-") == k {
				out = append(out, ref)
				break
			}
		}
	}
	return out
}

// Fixes name the exact HCL to write.

// changeFix replaces a setting written with a wrong value.
func changeFix(line int, setting string) string {
	return fmt.Sprintf("Change line %d to `%s`.", line, setting)
}

// addFix says where to add a setting: in the body, nested in the blocks of
// path that do not exist yet (`vpc_config { endpoint_public_access = false }`).
func addFix(b body, setting string) string {
	for k := len(b.missing) - 1; k >= 0; k-- {
		setting = b.missing[k] + " { " + setting + " }"
	}
	where := b.r.addr()
	if written := strings.Split(b.path, ".")[:strings.Count(b.path, ".")+1-len(b.missing)]; b.path != "" && len(written) > 0 && b.line > 0 {
		where = "the " + written[len(written)-1] + " block of " + b.r.addr()
	}
	return fmt.Sprintf("Add `%s` to %s (line %d).", setting, where, b.at())
}

func lastPart(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// setFix is changeFix when the attribute is written, addFix otherwise.
func setFix(b body, v value, setting string) string {
	if v.present {
		return changeFix(v.line, setting)
	}
	return addFix(b, setting)
}

// quote spells a string as HCL does.
func quote(s string) string { return strconv.Quote(s) }

// boolSetting checks a boolean attribute that must be want: a finding when
// it is written with the other known value, or when it is absent and the
// provider's default is the other value (absentBad). An unknown value is
// not guessed into a finding.
func (a *analysis) boolSetting(slug string, b body, attr string, want, absentBad bool, refs []string, msgf string) bool {
	v := b.attr(attr)
	if v.present {
		got, ok := v.bool()
		switch {
		case ok && got == want:
			return false
		case !ok && !(v.v.IsKnown() && v.v.IsNull() && absentBad):
			return false // unknown, or not a boolean (Terraform's error)
		}
	} else if !absentBad {
		return false
	}
	setting := fmt.Sprintf("%s = %t", attr, want)
	detail := joinPath(b.path, attr)
	line := v.line
	if !v.present {
		line = b.at()
	}
	a.report(issue{slug: slug, r: b.r, line: line, block: b.line, detail: detail,
		msg: fmt.Sprintf(msgf, b.r.addr()), fix: setFix(b, v, setting), refs: refs})
	return true
}
