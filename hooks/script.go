package hooks

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// ScriptVersion is the format of the hook script secfirst writes. A script
// of an older format is rewritten by the next install. Version 1 kept the
// chained hook as <hook>.secfirst-chained and ran it under that name;
// version 2 keeps it as secfirst-chained/<hook> and runs it under its own.
const ScriptVersion = 2

// marker starts the comment that marks a file (or a block in a husky hook
// file) as secfirst's: "# secfirst-hook v2".
const marker = "# secfirst-hook v"

// ChainedDir is the folder, in the hooks directory, where a hook that was
// there before secfirst is kept under its own name: pre-commit becomes
// secfirst-chained/pre-commit. git ignores folders there; secfirst's script
// runs the hook first.
const ChainedDir = "secfirst-chained"

// LegacyChainedSuffix is where script version 1 kept the chained hook:
// pre-commit.secfirst-chained, beside secfirst's script. Status, uninstall
// and install still find it there; install moves it to ChainedDir.
const LegacyChainedSuffix = ".secfirst-chained"

// takesStdin lists the hooks git feeds on standard input: the script keeps
// that input so the chained hook and secfirst both read it.
var takesStdin = map[string]bool{PrePush: true}

// Script is the hook file secfirst installs for hook, calling binary (an
// absolute path) and falling back to secfirst on PATH. It is plain POSIX sh.
//
// The chained hook must see what git would have shown it: hooks that
// dispatch on their name (husky 1 to 4, overcommit, hand-written
// dispatchers that are one file linked under several names) or find their
// helpers beside them (husky 4 sources "$(dirname "$0")/husky.sh"). A
// shell script (#!/bin/sh, bash or dash) is therefore read by its own shell
// with $0 set to the hook's own path, <hooks>/<hook>, exactly as git gives
// it; any other program runs as secfirst-chained/<hook>, so that its name is
// still <hook>.
//
// When the binary cannot be found at all the hook does not block: it says
// loudly that the commit was not checked and how to fix or remove the hook.
// A hook that blocks every commit of someone who uninstalled a tool gets
// bypassed with --no-verify or deleted, and CI remains the backstop.
func Script(hook, binary string) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	chained := ChainedDir + "/" + hook
	w("#!/bin/sh\n")
	w("%s%d %s\n", marker, ScriptVersion, hook)
	w("# Written by 'secfirst hooks install'; 'secfirst hooks uninstall' removes it\n")
	w("# and puts back the hook it chains. Edits to this file are overwritten.\n")
	w("#\n")
	w("# A %s hook that was here before secfirst is kept in %s\n", hook, chained)
	w("# beside this file. It runs first, under its own name, with the same\n")
	w("# arguments and input, and its failure stops git.\n")
	w("secfirst=%s\n", shQuote(filepath.ToSlash(binary)))
	w("hook=\"$(dirname -- \"$0\")/%s\"\n", hook)
	w("chained=\"$(dirname -- \"$0\")/%s\"\n", chained)
	w("\n")
	w("# shell_of sets shell (and shell_opt) when the chained hook's #! line names\n")
	w("# sh, bash or dash, with at most one option.\n")
	w("shell_of() {\n")
	w("\tline=\n")
	w("\tIFS= read -r line < \"$chained\" || [ -n \"$line\" ] || return 1\n")
	w("\tcase $line in '#!'*) ;; *) return 1 ;; esac\n")
	w("\tset -f\n")
	w("\tset -- ${line#??}\n")
	w("\tset +f\n")
	w("\tif [ \"${1##*/}\" = env ]; then shift; fi\n")
	w("\tcase ${1##*/} in sh | bash | dash) ;; *) return 1 ;; esac\n")
	w("\t[ $# -le 2 ] || return 1\n")
	w("\tshell=$1 shell_opt=${2-}\n")
	w("}\n")
	w("\n")
	w("# run_chained runs the chained hook. A shell script is read by its shell\n")
	w("# with $0 set to this hook's path: \"$(basename \"$0\")\" is %s and\n", hook)
	w("# \"$(dirname \"$0\")\" this folder, as before secfirst. Any other program\n")
	w("# runs as %s.\n", chained)
	w("run_chained() {\n")
	w("\tif shell_of; then\n")
	w("\t\t\"$shell\" ${shell_opt:+\"$shell_opt\"} -c '. \"$(dirname -- \"$0\")/%s\"' \"$hook\" \"$@\"\n", chained)
	w("\telse\n")
	w("\t\t\"$chained\" \"$@\"\n")
	w("\tfi\n")
	w("}\n")
	w("\n")
	if takesStdin[hook] {
		w("input= kept=\n")
		w("if [ -f \"$chained\" ] && [ -x \"$chained\" ]; then\n")
		w("\t# Both hooks read the refs git gives on standard input: keep them.\n")
		w("\tkept=1 input=$(cat; echo x)\n")
		w("\tinput=${input%%x}\n")
		w("\tprintf '%%s' \"$input\" | run_chained \"$@\" || exit $?\n")
		w("fi\n")
	} else {
		w("if [ -f \"$chained\" ] && [ -x \"$chained\" ]; then\n")
		w("\trun_chained \"$@\" || exit $?\n")
		w("fi\n")
	}
	w("if [ ! -x \"$secfirst\" ]; then\n")
	w("\tsecfirst=$(command -v secfirst 2>/dev/null) || secfirst=\n")
	w("fi\n")
	w("if [ -z \"$secfirst\" ]; then\n")
	// The path is quoted as its own word between the two halves of the
	// message: sh joins adjacent words, and nothing in the path is expanded.
	w("\techo \"secfirst: WARNING: the secfirst binary is gone (not at \"%s\", not on PATH).\" >&2\n", shQuote(filepath.ToSlash(binary)))
	if hook == PrePush {
		w("\techo \"secfirst: this push was NOT checked for secrets.\" >&2\n")
	} else {
		w("\techo \"secfirst: this commit was NOT checked (secrets, dependencies, Dockerfiles, Kubernetes, Terraform).\" >&2\n")
	}
	w("\tif [ -e \"$chained\" ] || [ -L \"$chained\" ]; then\n")
	w("\t\techo \"secfirst: reinstall secfirst and run 'secfirst hooks install', or put your previous hook back: mv \\\"$chained\\\" \\\"$hook\\\"\" >&2\n")
	w("\telse\n")
	w("\t\techo \"secfirst: reinstall secfirst and run 'secfirst hooks install', or remove this hook: rm \\\"$0\\\"\" >&2\n")
	w("\tfi\n")
	w("\texit 0\n")
	w("fi\n")
	if takesStdin[hook] {
		w("if [ -n \"$kept\" ]; then\n")
		w("\tprintf '%%s' \"$input\" | \"$secfirst\" hook %s \"$@\"\n", hook)
		w("\texit $?\n")
		w("fi\n")
	}
	w("exec \"$secfirst\" hook %s \"$@\"\n", hook)
	return []byte(b.String())
}

// shQuote quotes s as one POSIX sh word (mvdan.cc/sh's own quoting).
func shQuote(s string) string {
	q, err := syntax.Quote(s, syntax.LangPOSIX)
	if err != nil {
		// A control character (a newline in a directory name): POSIX sh has
		// no escape for it. The script then has no absolute path and finds
		// secfirst on PATH, as it does when the binary has moved.
		return "''"
	}
	return q
}

// shUnquote reads back a word shQuote wrote, with mvdan.cc/sh's parser. A
// word that would run or expand anything ($VAR, $(...), `...`) is refused,
// never evaluated.
func shUnquote(word string) (string, bool) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader("x="+word), "")
	if err != nil || len(f.Stmts) != 1 {
		return "", false
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) != 0 || len(call.Assigns) != 1 || call.Assigns[0].Value == nil {
		return "", false
	}
	literal := true
	syntax.Walk(call.Assigns[0].Value, func(n syntax.Node) bool {
		switch n.(type) {
		case *syntax.ParamExp, *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob:
			literal = false
		}
		return literal
	})
	if !literal {
		return "", false
	}
	v, err := expand.Literal(nil, call.Assigns[0].Value)
	if err != nil {
		return "", false
	}
	return v, true
}

// ScriptInfo is what secfirst recognises in a hook file.
type ScriptInfo struct {
	// Ours is true for a file secfirst wrote.
	Ours bool
	// Version is its script format (0 when not ours).
	Version int
	// Binary is the secfirst it calls first.
	Binary string
}

// ParseScript recognises secfirst's hook script by its marker line.
func ParseScript(content []byte) ScriptInfo {
	var info ScriptInfo
	for _, line := range strings.Split(string(content), "\n") {
		if rest, ok := strings.CutPrefix(line, marker); ok && !info.Ours {
			v, what, _ := strings.Cut(rest, " ")
			n, err := strconv.Atoi(v)
			if err != nil || strings.HasPrefix(what, "begin") || strings.HasPrefix(what, "end") {
				continue // not a marker, or the block secfirst adds to husky files
			}
			info.Ours, info.Version = true, n
		}
		if rest, ok := strings.CutPrefix(line, "secfirst="); ok && info.Binary == "" {
			info.Binary, _ = shUnquote(rest)
		}
	}
	return info
}

// Husky hook files are committed and shared by the team, so the lines
// secfirst adds there call secfirst from PATH, never a path on one machine.

// HuskyBlockVersion is the format of the block secfirst adds to a husky hook
// file. It moves on its own, not with ScriptVersion: the block is in a
// committed file, which must not change for the whole team when only the
// script in .git/hooks did.
const HuskyBlockVersion = 1

func huskyBegin() string {
	return fmt.Sprintf("%s%d begin: added by 'secfirst hooks install'; 'secfirst hooks uninstall' removes it", marker, HuskyBlockVersion)
}

const huskyEndSuffix = " end"

// HuskyBlock is what secfirst adds to a husky hook file (.husky/pre-commit).
func HuskyBlock(hook string) []byte {
	var b strings.Builder
	b.WriteString(huskyBegin() + "\n")
	b.WriteString("if command -v secfirst >/dev/null 2>&1; then\n")
	b.WriteString("\tsecfirst hook " + hook + " \"$@\" || exit $?\n")
	b.WriteString("else\n")
	b.WriteString("\techo \"" + missingWarning(hook) + "\" >&2\n")
	b.WriteString("fi\n")
	b.WriteString(fmt.Sprintf("%s%d%s\n", marker, HuskyBlockVersion, huskyEndSuffix))
	return []byte(b.String())
}

// huskyHeader starts a husky hook file that secfirst creates. It names
// secfirst so that uninstall can tell the file was created by it.
func huskyHeader(h *HuskySetup, hook string) []byte {
	note := fmt.Sprintf("# husky runs this file for git's %s hook. Created by 'secfirst hooks install'.\n", hook)
	if h.Major >= 9 {
		return []byte(note)
	}
	return []byte("#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n" + note)
}

// findHuskyBlock returns the byte range of secfirst's block in a husky hook
// file, including the newline that was added before it, and the block's
// script version. ok is false when there is no complete block.
func findHuskyBlock(content []byte) (start, end, version int, ok bool) {
	begin := bytes.Index(content, []byte(marker))
	for begin >= 0 {
		lineEnd := bytes.IndexByte(content[begin:], '\n')
		if lineEnd < 0 {
			return 0, 0, 0, false
		}
		line := string(content[begin : begin+lineEnd])
		v, rest, _ := strings.Cut(strings.TrimPrefix(line, marker), " ")
		if n, err := strconv.Atoi(v); err == nil && strings.HasPrefix(rest, "begin") && (begin == 0 || content[begin-1] == '\n') {
			endMarker := []byte(fmt.Sprintf("%s%s%s\n", marker, v, huskyEndSuffix))
			e := bytes.Index(content[begin:], endMarker)
			if e < 0 {
				return 0, 0, 0, false
			}
			start, end = begin, begin+e+len(endMarker)
			// secfirst always writes "\n" before its block (see appendHusky).
			if start > 0 {
				start--
			}
			return start, end, n, true
		}
		next := bytes.Index(content[begin+1:], []byte(marker))
		if next < 0 {
			break
		}
		begin += 1 + next
	}
	return 0, 0, 0, false
}

// appendHusky adds secfirst's block to a husky hook file. It always adds a
// newline first (ending the last line when it has none), so that removing
// "\n"+block restores the file byte for byte.
func appendHusky(content []byte, hook string) []byte {
	out := append([]byte{}, content...)
	out = append(out, '\n')
	return append(out, HuskyBlock(hook)...)
}
