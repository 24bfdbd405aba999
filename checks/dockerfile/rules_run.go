package dockerfile

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// nonPOSIXShell reports a SHELL that is not sh-like (PowerShell, cmd).
func nonPOSIXShell(sh []string) bool {
	if len(sh) == 0 {
		return false
	}
	n := strings.ToLower(path.Base(strings.ReplaceAll(sh[0], `\`, "/")))
	n = strings.TrimSuffix(n, ".exe")
	return n == "pwsh" || n == "powershell" || n == "cmd"
}

// runScript is the RUN command as the shell sees it. Heredocs follow
// BuildKit: `RUN <<EOF` runs the document as the script (unless a shebang
// names another interpreter); otherwise the documents are handed to the
// shell with the command line, where they are data unless a shell reads
// them.
func (f *dfile) runScript(in *inst, v *instructions.RunCommand) *script {
	if !v.PrependShell {
		return execScript(v.CmdLine)
	}
	text := strings.Join(v.CmdLine, " ")
	if f.escape == '`' || nonPOSIXShell(in.stage.shell) {
		s := &script{lineBase: -1}
		splitWords(s, text)
		return s
	}
	if len(v.Files) == 0 {
		s := parseScript(text)
		s.text, s.lineBase = text, in.line-1
		return s
	}
	if h := parser.MustParseHeredoc(strings.TrimSpace(text)); h != nil && len(v.Files) == 1 {
		data := v.Files[0].Data
		if v.Files[0].Chomp {
			data = parser.ChompHeredocContent(data)
		}
		if strings.HasPrefix(data, "#!") {
			line, _, _ := strings.Cut(data, "\n")
			fields := strings.Fields(strings.TrimPrefix(line, "#!"))
			interp := ""
			if len(fields) > 0 {
				interp = path.Base(fields[0])
				if interp == "env" && len(fields) > 1 {
					interp = path.Base(fields[1])
				}
			}
			if !shellNames[interp] {
				return &script{parsed: true, lineBase: -1}
			}
		}
		s := parseScript(data)
		s.lineBase = in.line // the document starts on the line after RUN
		return s
	}
	var b strings.Builder
	b.WriteString(text)
	for _, file := range v.Files {
		b.WriteByte('\n')
		b.WriteString(file.Data)
		if !strings.HasSuffix(file.Data, "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(file.Name)
	}
	b.WriteByte('\n')
	s := parseScript(b.String())
	s.text, s.lineBase = text, in.line-1
	return s
}

// lineOf is the line of the Dockerfile where a command of a RUN starts, so
// a finding in a long RUN points at its command; the RUN's own line when
// it cannot be told.
func (f *dfile) lineOf(in *inst, sc *script, c *shCmd) int {
	if c == nil || sc == nil || c.srcLine == 0 || sc.lineBase < 0 {
		return in.line
	}
	if c.srcLine == 1 && sc.text != "" {
		return f.textLine(in, sc.text, c.off)
	}
	if l := sc.lineBase + c.srcLine; l >= in.line && l <= in.end {
		return l
	}
	return in.line
}

// textLine maps an offset in a RUN's command line, where BuildKit joined
// the continuation lines (dropping comment and blank lines between them),
// back to the physical line it came from.
func (f *dfile) textLine(in *inst, text string, off int) int {
	var joined strings.Builder
	var starts, lines []int
	for l := in.line; l <= in.end && l <= len(f.lines); l++ {
		raw := f.lines[l-1]
		if t := strings.TrimSpace(raw); l > in.line && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		starts, lines = append(starts, joined.Len()), append(lines, l)
		trimmed := strings.TrimRight(raw, " \t")
		if f.escape != 0 && strings.HasSuffix(trimmed, string(f.escape)) {
			joined.WriteString(trimmed[:len(trimmed)-len(string(f.escape))])
			continue
		}
		joined.WriteString(raw)
		joined.WriteByte('\n')
	}
	i := strings.Index(joined.String(), text)
	if i < 0 || off < 0 || off > len(text) {
		return in.line
	}
	line := in.line
	for k, st := range starts {
		if st > i+off {
			break
		}
		line = lines[k]
	}
	return line
}

var downloaders = map[string]bool{"curl": true, "wget": true, "fetch": true}

var interpreters = map[string]bool{
	"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "mksh": true,
	"python": true, "python2": true, "python3": true, "perl": true, "ruby": true, "node": true, "php": true, "pwsh": true,
}

func interpreterName(args []string) string {
	if len(args) == 0 {
		return ""
	}
	n := path.Base(args[0])
	if interpreters[n] || strings.HasPrefix(n, "python3.") {
		return n
	}
	if n == "busybox" && len(args) > 1 && interpreters[args[1]] {
		return args[1]
	}
	return ""
}

var urlPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:https?|ftp)://\S+`) })

func firstURL(args []string) string {
	for _, a := range args {
		if m := urlPattern().FindString(a); m != "" {
			return m
		}
	}
	return ""
}

// checkRun runs the rules that read a RUN command.
func (f *dfile) checkRun(in *inst, v *instructions.RunCommand) {
	st := in.stage
	sc := f.runScript(in, v)
	var cacheTargets []string
	secretMount := false
	// Mount options are only parsed once expanded, as BuildKit does at build time.
	_ = v.Expand(func(w string) (string, error) {
		r, _ := f.expand(w, st.env)
		return r, nil
	})
	for _, m := range instructions.GetMounts(v) {
		if m.From != "" && f.stageNamed(m.From) == nil {
			f.checkRegistry(in, m.From, "RUN --mount=from="+m.From)
		}
		switch m.Type {
		case instructions.MountTypeCache, instructions.MountTypeTmpfs:
			cacheTargets = append(cacheTargets, m.Target)
		case instructions.MountTypeSecret:
			secretMount = true
		}
	}

	dlHere := map[string]*shCmd{} // the first curl and wget of this RUN
	seen := map[string]bool{}
	first := func(k string) bool {
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	for _, c := range sc.cmds {
		for _, a := range c.assigns {
			if !a.hasValue {
				continue
			}
			if i := insecureVar(a.name, a.value); i != nil && first(i.slug+"/"+a.name) {
				f.reportCmd(i.slug, in, sc, c, a.name, describeInsecure(*i, in), i.fix, i.refs())
			}
		}
		if c.name() == "sudo" && first("sudo") {
			f.reportCmd(ruleSudo, in, sc, c, "",
				fmt.Sprintf("RUN uses sudo: build steps already run as the stage's USER, and sudo in an image is a ready-made privilege escalation path at run time."),
				"Drop `sudo`; if the step needs root, put `USER root` before this RUN and switch back to your unprivileged `USER` after it.", nil)
		}
		args := c.unwrapped()
		if len(args) == 0 {
			continue
		}
		name := path.Base(args[0])
		for _, i := range insecureCommand(args) {
			if first(i.slug + "/" + i.ref + "/" + i.what) {
				f.reportCmd(i.slug, in, sc, c, name+"\x00"+i.ref, describeInsecure(i, in), i.fix, i.refs())
			}
		}
		if what := credentialCommand(args); what != "" && first("cred") {
			extra := ""
			if secretMount {
				extra = " The secret mount keeps the input out of the layer, but this command copies the credential into a file that stays."
			}
			f.reportCmd(ruleCredentialsRun, in, sc, c, name,
				fmt.Sprintf("RUN runs %s: the credential is written into the image layer and ships with it.%s", what, extra),
				"Give the step the credential only for its duration: `RUN --mount=type=secret,id=<id>,target=<where the tool reads it> <command>` (e.g. target=/root/.aws/credentials, or env=AWS_ACCESS_KEY_ID), build with `docker build --secret id=<id>,src=<file>`, and do not store it with a login/configure command.", nil)
		}
		switch name {
		case "cd":
			if !c.subshell && !c.subst && first("cd") {
				dir := "<dir>"
				if p := positional(args[1:]); len(p) > 0 {
					dir = p[0]
				}
				f.reportCmd(ruleRunCd, in, sc, c, "",
					fmt.Sprintf("RUN changes directory with cd; the change is lost at the end of the RUN and hides where later steps run."),
					fmt.Sprintf("Put `WORKDIR %s` before this RUN and drop the `cd %s &&`.", dir, dir), nil)
			}
		case "chpasswd":
			if first("chpasswd") {
				f.reportChpasswd(in, f.lineOf(in, sc, c))
			}
		case "passwd":
			if (hasOption(args[1:], "", "--stdin") || isPipedInto(sc, c)) && first("chpasswd") {
				f.reportChpasswd(in, f.lineOf(in, sc, c))
			}
		case "chmod":
			if mode, target := chmodWorldWritable(args[1:]); mode != "" && !removedLater(sc, c, target) && first("chmod") {
				f.reportChmod(in, f.lineOf(in, sc, c), "chmod "+mode, target)
			}
		case "apt":
			if !c.subst && first("apt") {
				f.reportCmd(ruleAptInScript, in, sc, c, "",
					fmt.Sprintf("RUN uses `apt`, whose command-line interface is meant for people and may change between releases."),
					"Use `apt-get` (or apt-cache) in Dockerfiles: `"+strings.Replace(short(strings.Join(args, " ")), "apt", "apt-get", 1)+"`.", nil)
			}
		}
		if downloaders[name] && name != "fetch" {
			if _, ok := st.downloaders[name]; !ok {
				st.downloaders[name] = in
			}
			if _, ok := dlHere[name]; !ok {
				dlHere[name] = c
			}
		}
	}
	for _, c := range sc.cmds {
		if keepsDebs(c) {
			st.aptKeepsDebs = true
		}
	}
	f.checkPipes(in, sc, st)
	f.checkPackages(in, sc, cacheTargets)
	for _, c := range sc.cmds {
		if pipConfigNoCache(c.unwrapped()) {
			st.pipNoCache = true // for the RUNs after this one
		}
	}
	if c, w := st.downloaders["curl"], st.downloaders["wget"]; c != nil && w != nil && first("wget-and-curl") && (c == in || w == in) && !st.reportedBoth {
		st.reportedBoth = true
		other, here := c, dlHere["wget"]
		if c == in {
			other, here = w, dlHere["curl"]
		}
		f.reportCmd(ruleWgetAndCurl, in, sc, here, "",
			fmt.Sprintf("This stage uses both curl and wget (lines %d and %d): two tools for one job means two sets of flags to get right and more code in the image.", other.line, in.line),
			"Use one of them throughout the stage (curl -fsSL or wget -q), and install only that one.", nil)
	}
}

func isPipedInto(sc *script, c *shCmd) bool {
	for _, p := range sc.pipes {
		if p.mid < len(sc.cmds) && sc.cmds[p.mid] == c {
			return true
		}
	}
	return false
}

func (f *dfile) reportChpasswd(in *inst, line int) {
	f.reportAtLine(ruleChpasswd, in, line, "",
		fmt.Sprintf("RUN sets a password at build time: the password is in the Dockerfile or the build context and its hash ships in /etc/shadow of every copy of the image."),
		"Do not set passwords in images: create accounts without one (`useradd --system app`), lock root (`passwd -l root`), and give credentials to the running container from a secret store.", nil)
}

func (f *dfile) reportChmod(in *inst, line int, what, target string) {
	if target == "" {
		target = "<path>"
	}
	f.reportAtLine(ruleChmod777, in, line, what,
		fmt.Sprintf("`%s` makes %s writable by every user in the container: any process, including a compromised one, can change what others execute or read.", what, target),
		fmt.Sprintf("Use the narrowest mode that works, e.g. `chmod 755 %s` (directories, programs) or `chmod 644` (files), and give the runtime user ownership with `chown app:app %s` (or COPY --chown) instead of opening it to everyone.", target, target), nil)
}

// chmodWorldWritable returns the mode and target of a chmod that makes
// files writable by others (777, 666, o+w, a=rwx), sticky directories
// (1777, like /tmp) excepted.
func chmodWorldWritable(args []string) (mode, target string) {
	pos := positional(args)
	if len(pos) == 0 {
		return "", ""
	}
	m := pos[0]
	if len(pos) > 1 {
		target = pos[1]
	}
	if worldWritableMode(m) {
		return m, target
	}
	return "", ""
}

// removedLater: the same RUN deletes target (or a directory above it)
// after command c, so the open permissions never reach the image: the
// usual `d=$(mktemp -d) && chmod 777 "$d" && ... && rm -rf "$d"`.
func removedLater(sc *script, c *shCmd, target string) bool {
	norm := func(p string) string {
		p = strings.TrimRight(p, "/")
		if strings.HasPrefix(p, "${") && strings.HasSuffix(p, "}") && isName(p[2:len(p)-1]) {
			p = "$" + p[2:len(p)-1]
		}
		return p
	}
	t := norm(target)
	if t == "" {
		return false
	}
	after := false
	for _, x := range sc.cmds {
		if x == c {
			after = true
			continue
		}
		args := x.unwrapped()
		if !after || len(args) == 0 || path.Base(args[0]) != "rm" {
			continue
		}
		for _, a := range positional(args[1:]) {
			if a = norm(a); a != "" && (a == t || strings.HasPrefix(t, a+"/")) {
				return true
			}
		}
	}
	return false
}

func worldWritableMode(m string) bool {
	if m == "" {
		return false
	}
	if strings.Trim(m, "01234567") == "" {
		if len(m) < 3 || len(m) > 4 {
			return false
		}
		others := m[len(m)-1] - '0'
		if len(m) == 4 && (m[0]-'0')&1 != 0 {
			return false // sticky bit: shared like /tmp
		}
		return others&2 != 0
	}
	sticky := strings.Contains(m, "t")
	for _, clause := range strings.Split(m, ",") {
		i := strings.IndexAny(clause, "+=")
		if i < 0 {
			continue
		}
		who, perms := clause[:i], clause[i+1:]
		if (strings.ContainsAny(who, "oa")) && strings.Contains(perms, "w") && !sticky {
			return true
		}
	}
	return false
}

// checkPipes finds downloads piped into an interpreter and pipes that hide
// failures.
func (f *dfile) checkPipes(in *inst, sc *script, st *stage) {
	reportedPipe := false
	for _, p := range sc.pipes {
		left := sc.cmds[p.start:p.mid]
		var dl *shCmd
		for _, c := range left {
			if downloaders[path.Base(firstWord(c.unwrapped()))] {
				dl = c
			}
		}
		if dl != nil && p.mid < len(sc.cmds) {
			right := sc.cmds[p.mid]
			if interp := interpreterName(right.unwrapped()); interp != "" && !reportedPipe {
				reportedPipe = true
				f.reportCurlPipe(in, sc, dl, interp)
			}
		}
	}
	// sh -c "$(curl ...)", bash <(curl ...), eval "$(wget -O- ...)"
	for _, c := range sc.cmds {
		args := c.unwrapped()
		n := interpreterName(args)
		if n == "" && len(args) > 0 {
			switch path.Base(args[0]) {
			case "eval", "source", ".":
				n = path.Base(args[0])
			}
		}
		if n == "" || reportedPipe {
			continue
		}
		for _, i := range c.substCmds {
			if i < len(sc.cmds) && downloaders[path.Base(firstWord(sc.cmds[i].unwrapped()))] {
				reportedPipe = true
				f.reportCurlPipe(in, sc, sc.cmds[i], n)
				break
			}
		}
	}
	if !sc.parsed || len(sc.pipes) == 0 || f.escape == '`' || nonPOSIXShell(st.shell) || shellHasPipefail(st.shell) {
		return
	}
	for _, p := range sc.pipes {
		if onlyHarmlessProducers(sc.cmds[p.start:p.mid]) || sc.pipefailBefore(p.start) {
			continue
		}
		alpine := strings.Contains(strings.ToLower(rootBase(st)), "alpine")
		sh := `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`
		if alpine {
			sh = `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`
		}
		f.reportCmd(rulePipefail, in, sc, sc.cmds[p.start], "",
			fmt.Sprintf("RUN pipes `%s` into `%s` without pipefail: the shell reports only the last command's status, so a failed `%s` lets the build go on with empty or partial input.", firstWord(sc.cmds[p.mid-1].args), firstWord(sc.cmds[minInt(p.mid, len(sc.cmds)-1)].args), firstWord(sc.cmds[p.mid-1].args)),
			fmt.Sprintf("Add `%s` before this RUN, or start the command with `set -o pipefail &&` in a shell that supports it.", sh), nil)
		return
	}
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func firstWord(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// onlyHarmlessProducers: echo, printf, yes and true cannot fail in a way
// pipefail would catch, so `echo x | cmd` needs no pipefail.
func onlyHarmlessProducers(cmds []*shCmd) bool {
	for _, c := range cmds {
		switch c.name() {
		case "echo", "printf", "yes", "true", "cat":
			if c.name() == "cat" && len(c.args) > 1 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// shellHasPipefail: a SHELL whose program knows pipefail (bash, zsh, ash,
// ksh) and sets it. POSIX sh does not have it: dash, Debian's /bin/sh,
// fails the whole RUN on `-o pipefail`, which is why hadolint accepts only
// these shells.
func shellHasPipefail(sh []string) bool {
	if len(sh) == 0 {
		return false
	}
	switch path.Base(sh[0]) {
	case "bash", "zsh", "ash", "ksh", "mksh":
	default:
		return false
	}
	for i, a := range sh {
		if a == "pipefail" && i > 0 && strings.HasPrefix(sh[i-1], "-") && strings.Contains(sh[i-1], "o") {
			return true
		}
	}
	return false
}

func rootBase(st *stage) string {
	base := ""
	for s := st; s != nil; s = s.parent {
		base = s.base
	}
	return base
}

func (f *dfile) reportCurlPipe(in *inst, sc *script, dl *shCmd, interp string) {
	args := dl.unwrapped()
	url := firstURL(args)
	tool := path.Base(firstWord(args))
	src := url
	if src == "" {
		src = "<url>"
	}
	f.reportCmd(ruleCurlPipe, in, sc, dl, tool+"\x00"+url,
		fmt.Sprintf("RUN downloads %s with %s and runs it with %s without checking what arrived: whoever controls that server, DNS or the network path runs code in your build.", redact(src), tool, interp),
		fmt.Sprintf("Download to a file, verify it against a checksum you recorded, then run it: `RUN curl -fsSLo /tmp/install.sh %s && echo \"<sha256>  /tmp/install.sh\" | sha256sum -c - && %s /tmp/install.sh && rm /tmp/install.sh`; better, install the tool from a package manager or a signed release.", redact(src), interp), nil)
}
