package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
)

// dfile is one Dockerfile being analysed.
type dfile struct {
	path     string
	listed   *checks.RuleCap
	lines    []string // raw lines, lines[0] is line 1
	escape   rune
	template bool
	lex      *shell.Lex

	globalArgs     envMap          // global ARGs with a default, expanded
	globalDeclared map[string]bool // every global ARG, with or without default
	stages         []*stage        // in file order; a fragment's pseudo stage included
	final          *stage          // the stage `docker build` builds by default

	cfg        *config // the repository's .hadolint.yaml and .trivyignore; nil: none
	pragmas    *pragmas
	findings   []checks.Finding
	suppressed []checks.Suppression // findings a comment in the file hid
	warnings   []string
	keys       map[string]int // fingerprint keys seen, to number repeats
	checking   int            // the line of the instruction being checked, for crash reports
}

// fileResult is what checking one Dockerfile gives.
type fileResult struct {
	findings   []checks.Finding
	suppressed []checks.Suppression
	warnings   []string
	unlisted   []checks.Unlisted
}

// stage is a build stage: FROM and the instructions up to the next FROM. A
// file without FROM (a fragment to be included elsewhere) is one stage with
// fragment set and no FROM.
type stage struct {
	index    int
	name     string // lower-case, "" when unnamed
	from     *inst
	baseRaw  string // the image as written
	base     string // the image with global ARGs substituted
	parent   *stage // FROM <earlier stage>
	insts    []*inst
	fragment bool
	shipped  bool // its layers end up in the final image

	env          envMap // ENV and ARG values at the current point of the walk
	envAtEnd     envMap // ENV values visible to stages built FROM this one
	shell        []string
	workdir      string // current WORKDIR, "" when unknown
	user         *inst  // last USER
	userValue    string
	healthcheck  *inst
	cmds         map[string][]*inst // CMD, ENTRYPOINT, HEALTHCHECK per kind
	downloaders  map[string]*inst   // first RUN using curl / wget
	reportedBoth bool               // wget-and-curl reported for this stage
	pipNoCache   bool               // `pip config set *.no-cache-dir` ran
	aptKeepsDebs bool               // docker-clean switched off: apt keeps .deb files
}

// inst is one instruction.
type inst struct {
	node  *parser.Node
	cmd   string // lower-case keyword
	line  int
	end   int
	v     any // the typed instruction from BuildKit's instructions package
	stage *stage
	// onbuild is set for the instruction an ONBUILD plants: it runs in the
	// images built FROM this one, so it ships whatever this stage is.
	onbuild bool
}

// text is the instruction as written, continuation lines joined.
func (in *inst) text() string { return in.node.Original }

type envMap map[string]string

func (e envMap) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e envMap) Keys() []string {
	ks := make([]string, 0, len(e))
	for k := range e {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (e envMap) clone() envMap {
	c := make(envMap, len(e))
	for k, v := range e {
		c[k] = v
	}
	return c
}

// analyzeFile parses and checks one Dockerfile. It never panics: a bug hit
// by one instruction costs that instruction (see guard), one hit anywhere
// else costs the rest of the file, and either is a warning naming the file
// and line, so one odd Dockerfile never takes the others down.
func analyzeFile(path string, data []byte, cfg *config, listed *checks.RuleCap) (res fileResult) {
	f := &dfile{
		cfg:            cfg,
		listed:         listed,
		path:           path,
		template:       isTemplate(path),
		globalArgs:     envMap{},
		globalDeclared: map[string]bool{},
		keys:           map[string]int{},
	}
	defer func() {
		if r := recover(); r != nil {
			f.warnings = append(f.warnings, fmt.Sprintf("dockerfile: internal error checking %s: %s; the rest of the file is not checked (please report it)", f.where(f.checking), panicText(r)))
			res = fileResult{findings: f.findings, suppressed: f.suppressed, warnings: f.warnings, unlisted: f.listed.Unlisted()}
		}
	}()
	text := string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	f.lines = strings.Split(text, "\n")

	parsed, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		msg := err.Error()
		line := errorLine(err)
		f.pragmas = parsePragmas(f.lines, nil)
		if strings.Contains(msg, "file with no instructions") {
			f.report(ruleParseError, 1, nil, "empty",
				"This Dockerfile has no instruction (it is empty or holds only comments): `docker build` rejects it, so whatever it was meant to build is not built or checked.",
				"Add the instructions, starting with FROM, or delete the file if it is not a Dockerfile (a placeholder is better named Dockerfile.example).", nil)
			return f.done()
		}
		f.report(ruleParseError, line, nil, "parse", fmt.Sprintf("BuildKit cannot parse this Dockerfile: %s. `docker build` would fail here, and secfirst cannot check the file until it parses.", msg),
			fmt.Sprintf("Fix the syntax at line %d (`docker build --check .` shows BuildKit's own diagnosis), then commit again.", line), nil)
		return f.done()
	}
	f.escape = parsed.EscapeToken
	f.lex = shell.NewLex(f.escape)

	f.pragmas = parsePragmas(f.lines, parsed.AST.Children)
	insts := f.readInstructions(parsed.AST)
	f.buildStages(insts)
	for _, st := range f.stages {
		f.walkStage(st)
	}
	f.checkStageNames()
	if f.final != nil && f.final.from != nil {
		f.guard(f.final.from, f.checkFinalStage)
	}
	return f.done()
}

// crashForTest, when a test sets it, runs before each guarded step; a
// panic there stands for a bug in a rule.
var crashForTest func(path string, line int)

// guard runs the rules of one instruction so that a bug they hit costs
// only that instruction: the panic becomes a warning naming the file and
// line, and the walk goes on with the next instruction.
func (f *dfile) guard(in *inst, step func()) {
	saved := f.checking
	f.checking = in.line
	defer func() {
		f.checking = saved
		if r := recover(); r != nil {
			f.warnings = append(f.warnings, fmt.Sprintf("dockerfile: internal error checking %s (%s): %s; that instruction is not checked, the rest of the file is (please report it)", f.where(in.line), strings.ToUpper(in.cmd), panicText(r)))
		}
	}()
	if crashForTest != nil {
		crashForTest(f.path, in.line)
	}
	step()
}

// where is "path:line", or the path alone when the line is unknown.
func (f *dfile) where(line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", f.path, line)
	}
	return f.path
}

// panicText is a panic's value for a warning: one line, short, and with
// anything shaped like a credential masked, as it may quote the file.
func panicText(r any) string {
	s := normalize(fmt.Sprint(r))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return redact(s)
}

func errorLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		if l := le.Locations[0][0].Start.Line; l > 0 {
			return l
		}
	}
	return 1
}

// readInstructions types every instruction with BuildKit's instructions
// package. An unknown flag (from a newer frontend, a typo) is stripped and the
// instruction kept, so one odd flag does not hide a RUN from every rule.
func (f *dfile) readInstructions(ast *parser.Node) []*inst {
	var out []*inst
	for _, n := range ast.Children {
		in := &inst{node: n, cmd: strings.ToLower(n.Value), line: n.StartLine, end: n.EndLine}
		v, err := parseInstruction(n)
		if err != nil {
			var unknown *instructions.UnknownInstructionError
			if errors.As(err, &unknown) && f.template {
				continue // a template's own syntax ({% if %}, {{ x }})
			}
			msg := strings.TrimPrefix(err.Error(), "dockerfile parse error on line ")
			f.report(ruleParseError, in.line, nil, "instruction\x00"+normalize(n.Original),
				fmt.Sprintf("BuildKit rejects the %s instruction at line %d: %s. `docker build` would fail here and this instruction is not checked.", strings.ToUpper(n.Value), in.line, msg),
				"Correct the instruction (see https://docs.docker.com/reference/dockerfile/); `docker build --check .` shows BuildKit's diagnosis.", nil)
			continue
		}
		in.v = v
		out = append(out, in)
	}
	return out
}

func parseInstruction(n *parser.Node) (any, error) {
	v, err := instructions.ParseInstruction(n)
	if err == nil || len(n.Flags) == 0 {
		return v, err
	}
	// Drop the flags BuildKit names as wrong, one at a time, then all.
	node := *n
	for range n.Flags {
		bad := badFlag(err.Error())
		if bad == "" {
			break
		}
		var kept []string
		for _, fl := range node.Flags {
			name, _, _ := strings.Cut(fl, "=")
			if name != bad {
				kept = append(kept, fl)
			}
		}
		if len(kept) == len(node.Flags) {
			break
		}
		node.Flags = kept
		if v, err = instructions.ParseInstruction(&node); err == nil {
			return v, nil
		}
	}
	node.Flags = nil
	return instructions.ParseInstruction(&node)
}

// badFlag extracts "--name" from BuildKit's flag errors.
func badFlag(msg string) string {
	for _, p := range []string{"unknown flag: ", "missing a value on flag: ", "duplicate flag specified: ", "expecting boolean value for flag "} {
		if i := strings.Index(msg, p); i >= 0 {
			rest := msg[i+len(p):]
			if j := strings.IndexAny(rest, " ,:("); j >= 0 {
				rest = rest[:j]
			}
			return rest
		}
	}
	return ""
}

// buildStages splits instructions into stages, collects global ARGs and
// resolves each FROM against them.
func (f *dfile) buildStages(insts []*inst) {
	var cur *stage
	newStage := func(from *inst) *stage {
		st := &stage{index: len(f.stages), from: from, env: envMap{}, cmds: map[string][]*inst{}, downloaders: map[string]*inst{}}
		f.stages = append(f.stages, st)
		return st
	}
	for _, in := range insts {
		if in.cmd == "from" {
			st := newStage(in)
			if s, ok := in.v.(*instructions.Stage); ok {
				st.name = s.Name
				st.baseRaw = s.BaseName
			}
			st.base, _ = f.expand(st.baseRaw, f.globalArgs)
			for _, prev := range f.stages[:st.index] {
				if !prev.fragment && prev.name != "" && strings.EqualFold(prev.name, st.base) {
					st.parent = prev
				}
			}
			if st.parent == nil {
				st.parent = f.platformStage(st)
			}
			in.stage = st
			cur = st
			continue
		}
		if cur == nil {
			if a, ok := in.v.(*instructions.ArgCommand); ok && !f.hasFragmentBefore() {
				for _, kv := range a.Args {
					f.globalDeclared[kv.Key] = true
					if kv.Value != nil {
						val, _ := f.expand(*kv.Value, f.globalArgs)
						f.checkVar(in, "ARG", kv.Key, *kv.Value, val, true)
						f.globalArgs[kv.Key] = val
					} else {
						f.checkVar(in, "ARG", kv.Key, "", "", false)
					}
				}
				continue
			}
			cur = newStage(nil)
			cur.fragment = true
		}
		in.stage = cur
		cur.insts = append(cur.insts, in)
	}
	// The default target is the last stage; it and the stages it is built
	// FROM are what ships.
	for i := len(f.stages) - 1; i >= 0; i-- {
		if !f.stages[i].fragment {
			f.final = f.stages[i]
			break
		}
	}
	for st := f.final; st != nil && !st.shipped; st = st.parent {
		st.shipped = true
	}
	for _, st := range f.stages {
		if st.fragment {
			st.shipped = true // a fragment's lines end up in whatever includes it
		}
	}
}

func (f *dfile) hasFragmentBefore() bool { return len(f.stages) > 0 }

// platformStage resolves `FROM base-$TARGETOS`: a stage per platform, picked
// by BuildKit's automatic platform arguments at build time. With those
// arguments as wildcards, the name matches the earlier stages it may be;
// the first one stands for all (they are built alike in practice).
func (f *dfile) platformStage(st *stage) *stage {
	const wild = "\x00"
	env := f.globalArgs.clone()
	for name := range builtinArgs {
		if _, ok := env[name]; !ok {
			env[name] = wild
		}
	}
	pattern, _ := f.expand(st.baseRaw, env)
	if !strings.Contains(pattern, wild) {
		return nil
	}
	parts := strings.Split(strings.ToLower(pattern), wild)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	re, err := regexp.Compile("^" + strings.Join(parts, ".*") + "$")
	if err != nil {
		return nil
	}
	for _, prev := range f.stages[:st.index] {
		if !prev.fragment && prev.name != "" && re.MatchString(prev.name) {
			return prev
		}
	}
	return nil
}

// expand substitutes variables as BuildKit does (quotes removed, ${a:-b}
// honoured). Unset variables become empty and are returned.
func (f *dfile) expand(word string, env envMap) (string, []string) {
	if f.lex == nil {
		f.lex = shell.NewLex('\\')
	}
	res, err := f.lex.ProcessWordWithMatches(word, env)
	if err != nil {
		return word, []string{""}
	}
	var unset []string
	for k := range res.Unmatched {
		unset = append(unset, k)
	}
	sort.Strings(unset)
	return res.Result, unset
}

// walkStage runs the instruction rules over one stage in order, keeping the
// stage's ENV/ARG values, SHELL and USER current as BuildKit would.
func (f *dfile) walkStage(st *stage) {
	if st.parent != nil {
		for k, v := range st.parent.envAtEnd {
			st.env[k] = v
		}
		st.shell = st.parent.shell
		st.workdir = st.parent.workdir
		st.pipNoCache, st.aptKeepsDebs = st.parent.pipNoCache, st.parent.aptKeepsDebs
		if st.parent.healthcheck != nil {
			st.healthcheck = st.parent.healthcheck
		}
	}
	envOnly := st.env.clone()
	if st.from != nil {
		f.guard(st.from, func() { f.checkFrom(st) })
	}
	for _, in := range st.insts {
		f.guard(in, func() { f.checkInstruction(st, in, envOnly) })
	}
	st.envAtEnd = envOnly
	if st.user == nil && st.parent != nil {
		st.user, st.userValue = st.parent.user, st.parent.userValue
	}
}

// checkInstruction runs the rules of one instruction and keeps the stage's
// state (variables, SHELL, USER, HEALTHCHECK) current. envOnly collects the
// ENV values later stages inherit.
func (f *dfile) checkInstruction(st *stage, in *inst, envOnly envMap) {
	switch v := in.v.(type) {
	case *instructions.ArgCommand:
		for _, kv := range v.Args {
			if kv.Value != nil {
				val, _ := f.expand(*kv.Value, st.env)
				f.checkVar(in, "ARG", kv.Key, *kv.Value, val, true)
				st.env[kv.Key] = val
			} else {
				f.checkVar(in, "ARG", kv.Key, "", "", false)
				if gv, ok := f.globalArgs[kv.Key]; ok && !st.fragment {
					st.env[kv.Key] = gv // ARG NAME in a stage imports the global value
				}
			}
		}
	case *instructions.EnvCommand:
		for _, kv := range v.Env {
			val, _ := f.expand(kv.Value, st.env)
			f.checkVar(in, "ENV", kv.Key, kv.Value, val, true)
			st.env[kv.Key] = val
			envOnly[kv.Key] = val
		}
	case *instructions.ShellCommand:
		st.shell = v.Shell
	case *instructions.UserCommand:
		st.user = in
		st.userValue, _ = f.expand(v.User, st.env)
	case *instructions.RunCommand:
		f.checkRun(in, v)
	case *instructions.CmdCommand:
		f.checkRepeated(in, "cmd", ruleMultipleCmd)
	case *instructions.EntrypointCommand:
		f.checkRepeated(in, "entrypoint", ruleMultipleEntrypoint)
	case *instructions.HealthCheckCommand:
		st.healthcheck = in
		f.checkRepeated(in, "healthcheck", ruleMultipleHealthcheck)
	case *instructions.WorkdirCommand:
		f.checkWorkdir(in, v)
	case *instructions.ExposeCommand:
		f.checkExpose(in, v)
	case *instructions.AddCommand:
		f.checkAdd(in, v)
	case *instructions.CopyCommand:
		f.checkCopy(in, v)
	case *instructions.MaintainerCommand:
		f.checkMaintainer(in, v)
	case *instructions.OnbuildCommand:
		f.checkOnbuild(in, v)
	}
}

// checkOnbuild checks the instruction an ONBUILD plants in child images:
// a curl | sh there runs in every build that uses this image.
func (f *dfile) checkOnbuild(in *inst, v *instructions.OnbuildCommand) {
	res, err := parser.Parse(strings.NewReader(v.Expression))
	if err != nil || len(res.AST.Children) != 1 {
		return
	}
	n := res.AST.Children[0]
	typed, err := parseInstruction(n)
	if err != nil {
		return
	}
	inner := &inst{node: in.node, cmd: strings.ToLower(n.Value), line: in.line, end: in.end, v: typed, stage: in.stage, onbuild: true}
	env := in.stage.env.clone()
	switch c := typed.(type) {
	case *instructions.RunCommand:
		f.checkRun(inner, c)
	case *instructions.AddCommand:
		f.checkAdd(inner, c)
	case *instructions.CopyCommand:
		f.checkCopy(inner, c)
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			val, _ := f.expand(kv.Value, env)
			f.checkVar(inner, "ENV", kv.Key, kv.Value, val, true)
		}
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			if kv.Value != nil {
				val, _ := f.expand(*kv.Value, env)
				f.checkVar(inner, "ARG", kv.Key, *kv.Value, val, true)
			} else {
				f.checkVar(inner, "ARG", kv.Key, "", "", false)
			}
		}
	}
}

// report records a finding unless a pragma suppresses it. key identifies
// the problem without its line (see fingerprint); refs nil means the rule's.
func (f *dfile) report(slug string, line int, st *stage, key, message, fix string, refs []string) {
	f.reportLine(slug, line, line, st, key, message, fix, refs)
}

// reportLine is report for a finding shown at line whose suppression
// comments sit above the instruction starting at anchor.
func (f *dfile) reportLine(slug string, line, anchor int, st *stage, key, message, fix string, refs []string) {
	r := catalogBySlug[slug]
	if refs == nil {
		refs = r.refs
	}
	id := RuleID(slug)
	// Suppressed findings are numbered too, so that a comment added above
	// one of two identical instructions leaves the other's fingerprint alone.
	fpKey := stageKey(f, st) + "\x00" + key
	f.keys[fpKey]++
	if n := f.keys[fpKey]; n > 1 {
		fpKey += fmt.Sprintf("\x00#%d", n)
	}
	fd := checks.Finding{
		Check:       CheckName,
		Rule:        id,
		Title:       r.title,
		File:        f.path,
		Line:        line,
		Severity:    f.cfg.severity(r.severity, refs),
		Lesson:      lessons.IDForRule(id, LessonFallback),
		Refs:        refs,
		Fingerprint: checks.Fingerprint(CheckName, id, f.path, fpKey),
	}
	// What suppresses it is looked up first: past the hook's cap a finding
	// that is not suppressed is counted, not built.
	var sup *checks.Suppression
	if f.pragmas != nil {
		if pr := f.pragmas.suppressedBy(id, slug, refs, anchor, f.cfg != nil && f.cfg.noHadolintPragmas); pr != nil {
			s := pr.Suppression(fd) // its Where names the file; its Finding is set below
			sup = &s
		}
	}
	if sup == nil {
		sup = f.cfg.suppressedBy(refs)
	}
	if sup == nil && !f.listed.Keep(fd) {
		return
	}
	fd.Message = redactShapes(message)
	fd.Fix = redactShapes(fix)
	fd.Refs = append([]string(nil), refs...)
	fd.Snippet = redact(f.snippet(line))
	if sup != nil {
		sup.Finding = fd
		f.suppressed = append(f.suppressed, *sup)
		return
	}
	f.findings = append(f.findings, fd)
}

// reportAt is report for an instruction: its line, its stage, and a key
// made of its normalised text and a detail.
func (f *dfile) reportAt(slug string, in *inst, detail, message, fix string, refs []string) {
	f.reportAtLine(slug, in, in.line, detail, message, fix, refs)
}

// reportAtLine is reportAt shown at another line of the instruction.
func (f *dfile) reportAtLine(slug string, in *inst, line int, detail, message, fix string, refs []string) {
	f.reportLine(slug, line, in.line, in.stage, normalize(in.text())+"\x00"+detail, message, fix, refs)
}

// reportCmd is reportAt for a command of a RUN: the finding points at the
// command's own line; suppression comments still sit above the RUN.
func (f *dfile) reportCmd(slug string, in *inst, sc *script, c *shCmd, detail, message, fix string, refs []string) {
	f.reportAtLine(slug, in, f.lineOf(in, sc, c), detail, message, fix, refs)
}

// stageKey names a stage in fingerprints by what survives edits: its name,
// "final" for the unnamed last stage, else its position.
func stageKey(f *dfile, st *stage) string {
	switch {
	case st == nil:
		return "file"
	case st.name != "":
		return "stage:" + st.name
	case st == f.final:
		return "stage:final"
	case st.fragment:
		return "fragment"
	}
	return fmt.Sprintf("stage:#%d", st.index)
}

func (f *dfile) snippet(line int) string {
	if line < 1 || line > len(f.lines) {
		return ""
	}
	return checks.SnippetOf(f.lines[line-1])
}

func (f *dfile) done() fileResult {
	if f.pragmas != nil {
		for _, w := range f.pragmas.warnings {
			f.warnings = append(f.warnings, "dockerfile: "+f.path+" "+w)
		}
	}
	checks.SortFindings(f.findings)
	return fileResult{findings: f.findings, suppressed: f.suppressed, warnings: f.warnings, unlisted: f.listed.Unlisted()}
}

// normalize collapses whitespace so that re-indenting does not change a
// fingerprint.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// instructionLine renders an instruction for a message, shortened.
func short(s string) string {
	s = redact(normalize(s))
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
