package dockerfile

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// script is a RUN command as the shell will run it: its simple commands in
// execution order, and the pipes between them. It is built with a real shell
// parser (mvdan.cc/sh), so `a && b`, `if ...; then ...; fi`, subshells,
// command substitutions and heredocs are what the shell sees, not what a
// regular expression guesses.
type script struct {
	cmds  []*shCmd
	pipes []pipe
	// parsed is false when the text is not valid shell and was split into
	// commands by words only; rules that need structure (pipefail) skip it.
	parsed bool
	// Where the parsed source lies in the Dockerfile, to report a command
	// at its own line: with text set, the source's first line is the RUN's
	// command line (continuation lines joined, as BuildKit does) and its
	// later lines are heredoc bodies; source line n > 1 is file line
	// lineBase+n. Without text the whole source is a heredoc body, source
	// line n being file line lineBase+n. lineBase < 0: lines unknown.
	text     string
	lineBase int
}

// shCmd is one simple command: `A=1 B=2 name arg...`, or an `export`.
type shCmd struct {
	args    []string // words with quotes removed; expansions kept as written
	assigns []assign // prefix assignments, bare assignments and export/declare
	decl    string   // "export", "declare", ... when the command is a declaration
	// subst is true for commands inside $(...), `...` or <(...).
	subst bool
	// subshell is true for commands inside ( ... ).
	subshell bool
	// substCmds are the indexes of the commands that run inside this
	// command's own arguments (sh -c "$(curl ...)", bash <(curl ...)).
	substCmds []int
	// stdinScript is set when a shell reads a heredoc as its script
	// (bash <<EOF); its commands are part of script.cmds too.
	stdinHeredoc bool
	// srcLine is the command's line in the parsed source (0: unknown) and
	// off its byte offset there, for lineOf.
	srcLine, off int
}

type assign struct {
	name, value string
	hasValue    bool
}

// pipe is `left | right`: command index ranges [start, mid) and [mid, end).
type pipe struct{ start, mid, end int }

// name is the command's program, without its directory.
func (c *shCmd) name() string {
	if len(c.args) == 0 {
		return ""
	}
	return path.Base(c.args[0])
}

// unwrapped returns the command that really runs behind wrappers such as
// sudo, env, nice or time: `sudo -E apt-get install` is apt-get.
func (c *shCmd) unwrapped() []string {
	args := c.args
	for depth := 0; depth < 4 && len(args) > 0; depth++ {
		switch path.Base(args[0]) {
		case "sudo", "doas":
			args = skipOpts(args[1:], "uUgGpChDrtT", []string{"--user", "--group", "--prompt", "--close-from", "--chdir", "--role", "--type", "--host", "--other-user", "--command-timeout"})
		case "env":
			rest := skipOpts(args[1:], "uSC", []string{"--unset", "--split-string", "--chdir"})
			for len(rest) > 0 && isAssignment(rest[0]) {
				rest = rest[1:]
			}
			args = rest
		case "nice", "ionice", "nohup", "time", "exec", "command", "stdbuf", "chronic", "eatmydata":
			args = skipOpts(args[1:], "nciop", nil)
		default:
			return args
		}
	}
	return args
}

// skipOpts drops leading options; short options listed in valued take the
// next word as their value (unless it is attached), as do long ones.
func skipOpts(args []string, valued string, longValued []string) []string {
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return args[1:]
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return args
		}
		args = args[1:]
		if strings.HasPrefix(a, "--") {
			if !strings.Contains(a, "=") {
				for _, l := range longValued {
					if a == l && len(args) > 0 {
						args = args[1:]
						break
					}
				}
			}
			continue
		}
		// -abc: the first valued letter takes the rest or the next word.
		for i, r := range a[1:] {
			if strings.ContainsRune(valued, r) {
				if i == len(a)-2 && len(args) > 0 {
					args = args[1:]
				}
				break
			}
		}
	}
	return args
}

func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	return ok && isName(name)
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// shellNames are programs that run their input or -c argument as shell.
var shellNames = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "mksh": true, "busybox": true}

// parseScript analyses shell source. A text the parser rejects falls back to
// a word split so that rules still see its commands.
func parseScript(src string) *script {
	s := &script{lineBase: -1}
	a := &shAnalyzer{s: s}
	if !a.parse(src, 0) {
		s.cmds, s.pipes = nil, nil
		s.parsed = false
		splitWords(s, src)
		return s
	}
	s.parsed = true
	return s
}

// execScript analyses an exec-form command (["apt-get", "install", "x"]),
// looking into `sh -c "..."` when that is what it runs.
func execScript(argv []string) *script {
	if len(argv) >= 3 && shellNames[path.Base(argv[0])] {
		for i := 1; i < len(argv)-1; i++ {
			if strings.HasPrefix(argv[i], "-") && !strings.HasPrefix(argv[i], "--") && strings.Contains(argv[i], "c") {
				return parseScript(argv[i+1])
			}
		}
	}
	s := &script{parsed: true, lineBase: -1}
	if len(argv) > 0 {
		s.cmds = append(s.cmds, &shCmd{args: append([]string(nil), argv...)})
	}
	return s
}

type shAnalyzer struct {
	s     *script
	src   string
	depth int
	// lineShift turns a line of src into a line of the outermost source:
	// a heredoc read by a shell is parsed on its own.
	lineShift int
}

// at records where a command starts.
func (a *shAnalyzer) at(cmd *shCmd, pos syntax.Pos) {
	if pos.IsValid() {
		cmd.srcLine, cmd.off = int(pos.Line())+a.lineShift, int(pos.Offset())
	}
}

func (a *shAnalyzer) parse(src string, depth int) (ok bool) {
	if depth > 3 {
		return true
	}
	// The parser is a dependency: a panic in it must not take the scan down.
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return false
	}
	saved, savedDepth := a.src, a.depth
	a.src, a.depth = src, depth
	for _, st := range f.Stmts {
		a.stmt(st, false, false)
	}
	a.src, a.depth = saved, savedDepth
	return true
}

func (a *shAnalyzer) stmts(list []*syntax.Stmt, subst, subshell bool) {
	for _, st := range list {
		a.stmt(st, subst, subshell)
	}
}

func (a *shAnalyzer) stmt(st *syntax.Stmt, subst, subshell bool) {
	if st == nil || st.Cmd == nil {
		return
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		a.call(c, st.Redirs, subst, subshell)
	case *syntax.BinaryCmd:
		start := len(a.s.cmds)
		a.stmt(c.X, subst, subshell)
		mid := len(a.s.cmds)
		a.stmt(c.Y, subst, subshell)
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			a.s.pipes = append(a.s.pipes, pipe{start: start, mid: mid, end: len(a.s.cmds)})
		}
	case *syntax.Subshell:
		a.stmts(c.Stmts, subst, true)
	case *syntax.Block:
		a.stmts(c.Stmts, subst, subshell)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			a.stmts(ic.Cond, subst, subshell)
			a.stmts(ic.Then, subst, subshell)
		}
	case *syntax.WhileClause:
		a.stmts(c.Cond, subst, subshell)
		a.stmts(c.Do, subst, subshell)
	case *syntax.ForClause:
		a.stmts(c.Do, subst, subshell)
	case *syntax.CaseClause:
		for _, it := range c.Items {
			a.stmts(it.Stmts, subst, subshell)
		}
	case *syntax.FuncDecl:
		a.stmt(c.Body, subst, subshell)
	case *syntax.TimeClause:
		a.stmt(c.Stmt, subst, subshell)
	case *syntax.CoprocClause:
		a.stmt(c.Stmt, subst, subshell)
	case *syntax.DeclClause:
		cmd := &shCmd{subst: subst, subshell: subshell}
		a.at(cmd, c.Pos())
		if c.Variant != nil {
			cmd.decl = c.Variant.Value
			cmd.args = []string{c.Variant.Value}
		}
		for _, as := range c.Args {
			if as.Name == nil {
				if as.Value != nil {
					w := a.word(as.Value)
					if n, v, ok := strings.Cut(w, "="); ok && isName(n) {
						cmd.assigns = append(cmd.assigns, assign{name: n, value: v, hasValue: true})
					} else {
						cmd.args = append(cmd.args, w)
					}
				}
				continue
			}
			as2 := assign{name: as.Name.Value, hasValue: !as.Naked}
			if as.Value != nil {
				as2.value = a.word(as.Value)
			}
			cmd.assigns = append(cmd.assigns, as2)
		}
		a.s.cmds = append(a.s.cmds, cmd)
	}
}

func (a *shAnalyzer) call(c *syntax.CallExpr, redirs []*syntax.Redirect, subst, subshell bool) {
	cmd := &shCmd{subst: subst, subshell: subshell}
	a.at(cmd, c.Pos())
	for _, as := range c.Assigns {
		if as.Name == nil {
			continue
		}
		v := assign{name: as.Name.Value, hasValue: !as.Naked}
		if as.Value != nil {
			v.value = a.word(as.Value)
			cmd.substCmds = append(cmd.substCmds, a.substitutions(as.Value)...)
		}
		cmd.assigns = append(cmd.assigns, v)
	}
	for _, w := range c.Args {
		cmd.args = append(cmd.args, a.word(w))
		cmd.substCmds = append(cmd.substCmds, a.substitutions(w)...)
	}
	a.s.cmds = append(a.s.cmds, cmd)
	// `bash <<EOF ... EOF` runs the heredoc as a script: analyse it too.
	if shellNames[cmd.name()] && !hasShortFlag(cmd.args[1:], 'c') {
		for _, r := range redirs {
			if (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil {
				body := a.raw(r.Hdoc)
				n := len(a.s.cmds)
				sub := &shAnalyzer{s: a.s, lineShift: a.lineShift + int(r.Hdoc.Pos().Line()) - 1}
				if sub.parse(body, a.depth+1) {
					for _, sc := range a.s.cmds[n:] {
						sc.stdinHeredoc = true
					}
				}
			}
		}
	}
}

// substitutions walks the $(...), `...` and <(...) inside a word and returns
// the indexes of the commands found there.
func (a *shAnalyzer) substitutions(w *syntax.Word) []int {
	var idx []int
	var walk func(parts []syntax.WordPart)
	walk = func(parts []syntax.WordPart) {
		for _, p := range parts {
			switch p := p.(type) {
			case *syntax.DblQuoted:
				walk(p.Parts)
			case *syntax.CmdSubst:
				start := len(a.s.cmds)
				a.stmts(p.Stmts, true, false)
				for i := start; i < len(a.s.cmds); i++ {
					idx = append(idx, i)
				}
			case *syntax.ProcSubst:
				start := len(a.s.cmds)
				a.stmts(p.Stmts, true, false)
				for i := start; i < len(a.s.cmds); i++ {
					idx = append(idx, i)
				}
			}
		}
	}
	walk(w.Parts)
	return idx
}

// word returns a word as the command receives it for literal text: quotes
// removed, escapes resolved; expansions stay as written ($HOME, $(cmd)).
func (a *shAnalyzer) word(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		a.part(&b, p, false)
	}
	return b.String()
}

func (a *shAnalyzer) part(b *strings.Builder, p syntax.WordPart, inDouble bool) {
	switch p := p.(type) {
	case *syntax.Lit:
		b.WriteString(unescape(p.Value, inDouble))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			a.part(b, q, true)
		}
	default:
		b.WriteString(a.raw(p))
	}
}

func (a *shAnalyzer) raw(n syntax.Node) string {
	start, end := int(n.Pos().Offset()), int(n.End().Offset())
	if start < 0 || end > len(a.src) || start > end {
		return ""
	}
	return a.src[start:end]
}

// unescape resolves backslashes the way the shell does outside single
// quotes: in double quotes only before $ ` " \ and newline.
func unescape(s string, inDouble bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		if next == '\n' {
			i++
			continue
		}
		if inDouble && !strings.ContainsRune("$`\"\\", rune(next)) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte(next)
		i++
	}
	return b.String()
}

// splitWords is the fallback for text that is not valid shell: commands are
// separated at ; && || | and newlines, words at blanks, and a pair of quotes
// around a whole word is dropped.
func splitWords(s *script, src string) {
	var cur *shCmd
	flush := func() {
		if cur != nil && (len(cur.args) > 0 || len(cur.assigns) > 0) {
			s.cmds = append(s.cmds, cur)
		}
		cur = nil
	}
	for _, line := range strings.Split(src, "\n") {
		for _, op := range []string{"&&", "||", ";", "|"} {
			line = strings.ReplaceAll(line, op, " \x00 ")
		}
		for _, f := range strings.Fields(line) {
			if f == "\x00" {
				flush()
				continue
			}
			if cur == nil {
				cur = &shCmd{}
			}
			f = trimQuotes(f)
			if len(cur.args) == 0 && isAssignment(f) {
				n, v, _ := strings.Cut(f, "=")
				cur.assigns = append(cur.assigns, assign{name: n, value: trimQuotes(v), hasValue: true})
				continue
			}
			cur.args = append(cur.args, f)
		}
		flush()
	}
}

func trimQuotes(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// hasShortFlag reports whether a short option cluster (-xyz) among args
// holds letter r. Long options and words after "--" do not count.
func hasShortFlag(args []string, r rune) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.ContainsRune(a[1:], r) {
			return true
		}
	}
	return false
}

// hasPipefail reports whether a `set -o pipefail` (in any spelling) runs
// among cmds[:before].
func (s *script) pipefailBefore(before int) bool {
	for i := 0; i < before && i < len(s.cmds); i++ {
		c := s.cmds[i]
		if c.name() != "set" {
			continue
		}
		for j, a := range c.args {
			if a == "pipefail" && j > 0 && strings.HasPrefix(c.args[j-1], "-") && strings.Contains(c.args[j-1], "o") {
				return true
			}
			if a == "-opipefail" {
				return true
			}
		}
	}
	return false
}
