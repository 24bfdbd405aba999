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

func analyzeFile(path string, data []byte) Result {
	f := &mfile{path: path, keys: map[string]int{}, accounts: map[string]state{}}
	text := string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	f.lines = strings.Split(text, "\n")
	f.pragmas = parsePragmas(f.lines)

	var resources []*resource
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.parseWarning(err, text, len(resources) > 0)
			break
		}
		resources = readResources(&doc, 0, resources)
	}
	for _, r := range resources {
		if r.kind == "ServiceAccount" {
			f.accounts[r.namespace+"/"+r.name] = boolOf(get(r.node, "automountServiceAccountToken").val)
		}
	}
	for _, r := range resources {
		if r.pod != nil {
			f.checkPod(r)
		}
	}
	for _, w := range f.pragmas.warnings {
		f.res.Warnings = append(f.res.Warnings, "kubernetes: "+f.path+" "+w)
	}
	checks.SortFindings(f.res.Findings)
	return f.res
}

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
	snippet := is.snippet
	if snippet == "" {
		snippet = f.snippet(is.line)
	}
	fd := checks.Finding{
		Check:       CheckName,
		Rule:        id,
		Severity:    r.severity,
		Title:       r.title,
		File:        f.path,
		Line:        is.line,
		Message:     upperFirst(is.msg),
		Fix:         is.fix,
		Lesson:      lessons.IDForRule(id, LessonFallback),
		Refs:        append([]string(nil), refs...),
		Fingerprint: checks.Fingerprint(CheckName, id, f.path, key),
		Snippet:     termtext.Line(snippet),
	}
	scope := []int{is.line, is.item, is.res.line}
	if is.c != nil {
		scope = append(scope, is.c.line)
	}
	if pr, ok := f.pragmas.match(id, is.slug, refs, scope); ok {
		f.res.Suppressed = append(f.res.Suppressed, pr.Suppression(fd))
		return
	}
	if skip, ok := annotationSkip(is.res, refs); ok {
		f.res.Suppressed = append(f.res.Suppressed, skip.Suppression(fd))
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
