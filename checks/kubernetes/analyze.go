package kubernetes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/termtext"
	"github.com/secfirst-dev/secfirst/lessons"
)

// mfile is one manifest file being checked.
type mfile struct {
	path    string
	lines   []string // raw lines, lines[0] is line 1
	pragmas *pragmas
	res     Result
	keys    map[string]int // fingerprint keys seen, to number repeats
	listed  *checks.RuleCap
	// accounts are the ServiceAccounts this file defines, by namespace/name,
	// with what they say about automountServiceAccountToken.
	accounts map[string]state
}

// issue is one problem before suppressions are applied.
type issue struct {
	slug    string
	res     *resource
	c       *container // nil for a pod-level problem
	line    int        // where the problem is written, or where the fix goes
	item    int        // the list item it is in (a volume, an env variable, a port), 0 if none
	detail  string     // what makes it unique within its container or pod
	msg     string
	fix     string
	refs    []string // nil: the rule's refs
	snippet string   // "" : the line as written
	// missing is a setting not written at all (its fix adds it): in a
	// patch, the base it is merged onto may well write it.
	missing bool
}

func analyzeFile(path string, data []byte, listed *checks.RuleCap) Result {
	f := &mfile{path: path, keys: map[string]int{}, accounts: map[string]state{}, listed: listed}
	text := string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	f.lines = strings.Split(text, "\n")
	f.pragmas = parsePragmas(f.lines)

	// One document at a time: yaml.v3's node tree takes about 25 times the
	// text, 100 MB for a generated file at the size limit. A pod may use
	// a ServiceAccount defined further down, so when the file defines one
	// the accounts are read first, in a pass of their own.
	if reDefinesAccount().MatchString(text) {
		eachDocument(text, func(rs []*resource) {
			for _, r := range rs {
				if r.kind == "ServiceAccount" {
					f.accounts[r.namespace+"/"+r.name] = boolOf(get(r.node, "automountServiceAccountToken").val)
				}
			}
		})
	}
	read, err := eachDocument(text, func(rs []*resource) {
		for _, r := range rs {
			if r.pod != nil {
				f.checkPod(r)
			}
		}
	})
	if err != nil {
		f.parseWarning(err, text, read > 0)
	}
	for _, w := range f.pragmas.warnings {
		f.res.Warnings = append(f.res.Warnings, "kubernetes: "+f.path+" "+w)
	}
	checks.SortFindings(f.res.Findings)
	f.res.Unlisted = listed.Unlisted()
	return f.res
}

// eachDocument decodes the YAML documents of text one by one and gives
// each one's resources to do; it stops at the first that does not parse,
// with that error and the number of resources read before it.
func eachDocument(text string, do func([]*resource)) (read int, err error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	lines := fileLines(text)
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return read, nil
		}
		if err != nil {
			return read, err
		}
		if lines != nil {
			toFileLines(&doc, lines)
		}
		rs := readResources(&doc, 0, nil)
		read += len(rs)
		do(rs)
	}
}

// fileLines maps the lines the YAML parser counts (from 1) to the file's,
// when they differ: YAML also breaks a line at a lone carriage return and
// at the Unicode line separators (NEL, LS, PS), where git and editors see
// one line (a fuzzed `{0\r}` put a finding on line 8 of a 7-line file).
// nil when they agree, or when the parser reads the file as UTF-16 (it
// converts it first: its bytes are no longer the text's).
func fileLines(text string) []int {
	if strings.HasPrefix(text, "\xff\xfe") || strings.HasPrefix(text, "\xfe\xff") || !strings.ContainsAny(text, "\r\u0085\u2028\u2029") {
		return nil
	}
	lines, line, differ := []int{0, 1}, 1, false
	for i, r := range text {
		switch r {
		case '\n':
			line++
			lines = append(lines, line)
		case '\r':
			if !strings.HasPrefix(text[i+1:], "\n") { // \r\n is one break, counted at \n
				lines, differ = append(lines, line), true
			}
		case '\u0085', '\u2028', '\u2029':
			lines, differ = append(lines, line), true
		}
	}
	if !differ {
		return nil
	}
	return lines
}

// toFileLines moves every node of n to its line in the file (fileLines).
// The decoder's nodes are a tree: an alias points to its anchor through
// Alias, never through Content, so each node is met once.
func toFileLines(n *yaml.Node, lines []int) {
	if n.Line > 0 && n.Line < len(lines) {
		n.Line = lines[n.Line]
	}
	for _, c := range n.Content {
		toFileLines(c, lines)
	}
}

// reDefinesAccount matches what a file that defines a ServiceAccount
// holds, in YAML or JSON (not the automountServiceAccountToken of a pod).
var reDefinesAccount = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`kind["']?\s*:\s*["']?ServiceAccount\b`)
})

// renderHint says how to check templates.
const renderHint = "Render them and scan the output: `helm template <chart> --output-dir rendered && secfirst scan rendered`"

var reYAMLLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

// parseWarning reports a file that stops parsing. A Helm or other Go
// template is not YAML until rendered: it is skipped with a note that says
// how to check it. Documents before the error have been checked.
func (f *mfile) parseWarning(err error, text string, partial bool) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := reYAMLLine().FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = strings.TrimPrefix(msg[:m[0]]+msg[m[1]:], ": ")
		if lines := fileLines(text); line > 0 && line < len(lines) {
			line = lines[line]
		}
	}
	where := f.path
	if line > 0 {
		where = fmt.Sprintf("%s:%d", f.path, line)
	}
	rest := "the file is not checked"
	if partial {
		rest = "the documents from there on are not checked"
	}
	if strings.Contains(text, "{{") {
		f.res.template = fmt.Sprintf("kubernetes: skipped %s: a template (Helm or another Go template) is not YAML until it is rendered (%s); %s. %s", where, msg, rest, renderHint)
		f.res.Warnings = append(f.res.Warnings, f.res.template)
		return
	}
	f.res.Warnings = append(f.res.Warnings, fmt.Sprintf("kubernetes: %s does not parse as YAML: %s; %s", where, msg, rest))
}

// report records an issue as a finding, or as suppressed when a comment or
// an annotation of its resource says so.
func (f *mfile) report(is issue) {
	if is.missing && is.res.pod != nil && is.res.pod.patch {
		return
	}
	r := catalogBySlug()[is.slug]
	refs := is.refs
	if refs == nil {
		refs = r.refs
	}
	id := RuleID(is.slug)
	key := is.res.kind + "/" + is.res.namespace + "/" + is.res.name
	if is.c != nil {
		key += "\x00" + is.c.group + "/" + is.c.name
		if is.c.name == "" {
			key += "#" + strconv.Itoa(is.c.index)
		}
	}
	key += "\x00" + is.detail
	f.keys[key]++
	if n := f.keys[key]; n > 1 {
		key += fmt.Sprintf("\x00#%d", n)
	}
	fd := checks.Finding{
		Check:       CheckName,
		Rule:        id,
		Severity:    r.severity,
		Title:       r.title,
		File:        f.path,
		Line:        is.line,
		Lesson:      lessons.IDForRule(id, LessonFallback),
		Refs:        refs,
		Fingerprint: checks.Fingerprint(CheckName, id, f.path, key),
	}
	// What suppresses it is looked up first: past the hook's cap a finding
	// that is not suppressed is counted, not built.
	scope := []int{is.line, is.item, is.res.line}
	if is.c != nil {
		scope = append(scope, is.c.line)
	}
	pr, suppressed := f.pragmas.match(id, is.slug, refs, scope)
	if !suppressed {
		pr, suppressed = annotationSkip(is.res, refs)
	}
	if !suppressed && !f.listed.Keep(fd) {
		return
	}
	snippet := is.snippet
	if snippet == "" {
		snippet = f.snippet(is.line)
	}
	fd.Message = upperFirst(is.msg)
	fd.Fix = is.fix
	fd.Refs = append([]string(nil), refs...)
	fd.Snippet = termtext.Line(snippet)
	if suppressed {
		f.res.Suppressed = append(f.res.Suppressed, pr.Suppression(fd))
		return
	}
	f.res.Findings = append(f.res.Findings, fd)
}

// upperFirst starts a message that opens with a label ("container ...")
// as a sentence.
func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

func (f *mfile) snippet(line int) string {
	if line < 1 || line > len(f.lines) {
		return ""
	}
	return checks.SnippetOf(f.lines[line-1])
}

// pick narrows a rule's refs to what was found: the rule's refs minus
// those named in drop ("KSV-0006" drops both of its spellings).
func pick(slug string, drop ...string) []string {
	var out []string
	for _, ref := range catalogBySlug()[slug].refs {
		dropped := false
		for _, d := range drop {
			if strings.TrimPrefix(ref, "AVD-") == d {
				dropped = true
			}
		}
		if !dropped {
			out = append(out, ref)
		}
	}
	return out
}
