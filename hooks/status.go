package hooks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// HookStatus is one hook in `secfirst hooks status`. Its JSON form is the
// contract of PRODUCT.md: {"name", "installed", "path", "chained"}, plus the
// hook manager when one runs secfirst.
type HookStatus struct {
	Name string `json:"name"`
	// Installed is true when git will run secfirst for this hook: secfirst's
	// script, secfirst's lines in a husky hook file, or a hook manager's
	// configuration that runs secfirst.
	Installed bool `json:"installed"`
	// Path is the file that runs secfirst (or would, once installed).
	Path string `json:"path"`
	// Chained is true when secfirst's script runs a hook that was there
	// before it (or, with husky, when the hook file runs other commands too).
	Chained bool `json:"chained"`
	// Manager is the hook manager that owns the hook, if any.
	Manager Manager `json:"manager,omitempty"`

	// ChainedPath is the chained hook's file.
	ChainedPath string `json:"-"`
	// Binary is the secfirst the script calls first ("" for husky and
	// managers, which use PATH); BinaryMissing is true when it is gone and
	// the hook relies on PATH.
	Binary        string `json:"-"`
	BinaryMissing bool   `json:"-"`
	// Outdated is true for a script of an older format: install updates it.
	Outdated bool `json:"-"`
	// Problem says what is wrong, for a person ("" when nothing is).
	Problem string `json:"-"`
}

// StatusReport is `secfirst hooks status --format json`.
type StatusReport struct {
	Hooks []HookStatus `json:"hooks"`
	// Layout is where the repository keeps its hooks.
	Layout *Layout `json:"-"`
}

// Hook returns the status of one hook (the zero value if unknown).
func (r *StatusReport) Hook(name string) HookStatus {
	for _, h := range r.Hooks {
		if h.Name == name {
			return h
		}
	}
	return HookStatus{}
}

// Status reports every hook secfirst can install in the repository
// containing dir (any directory of any working tree).
func Status(ctx context.Context, dir string) (*StatusReport, error) {
	l, err := Locate(ctx, dir)
	if err != nil {
		return nil, err
	}
	rep := &StatusReport{Layout: l}
	for _, name := range Names {
		rep.Hooks = append(rep.Hooks, hookStatus(l, name))
	}
	return rep, nil
}

func hookStatus(l *Layout, name string) HookStatus {
	hs := hookStatusIn(l, name)
	if !hs.Installed && hs.Problem == "" {
		hs.Problem = deadHook(l, name)
	}
	return hs
}

// deadHook describes secfirst's script left in .git/hooks while
// core.hooksPath sends git elsewhere (installed before husky was set up).
func deadHook(l *Layout, name string) string {
	dflt := filepath.Join(l.CommonDir, "hooks", name)
	if l.HooksPath == "" || filepath.Clean(l.HooksDir) == filepath.Dir(dflt) {
		return ""
	}
	if st, _ := readState(dflt); st.exists && st.info.Ours {
		return fmt.Sprintf("secfirst's hook in %s is ignored by git, which runs hooks from %s (core.hooksPath): run `secfirst hooks install`", dflt, l.HooksDir)
	}
	return ""
}

func hookStatusIn(l *Layout, name string) HookStatus {
	hs := HookStatus{Name: name, Path: l.HookPath(name)}
	cur, _ := readState(hs.Path)
	kept, _ := readKept(l, name)
	if l.Husky != nil {
		p := filepath.Join(l.Husky.UserDir, name)
		hs.Path, hs.Manager = p, Husky
		if st, _ := readState(p); st.exists {
			if start, end, v, ok := findHuskyBlock(st.content); ok {
				hs.Installed = true
				hs.Outdated = v < HuskyBlockVersion
				rest := append(append([]byte{}, st.content[:start]...), st.content[end:]...)
				hs.Chained = runsOtherCommands(rest)
			}
		}
		return hs
	}
	switch {
	case cur.exists && cur.info.Ours:
		hs.Installed = true
		hs.Outdated = cur.info.Version < ScriptVersion
		hs.Binary = cur.info.Binary
		if hs.Binary != "" {
			if fi, err := os.Stat(filepath.FromSlash(hs.Binary)); err != nil || fi.Mode().Perm()&0o111 == 0 {
				hs.BinaryMissing = true
				hs.Problem = "secfirst is no longer at " + hs.Binary + "; the hook falls back to secfirst on PATH (run `secfirst hooks install` to refresh it)"
			}
		}
		if run := kept.runBy(cur.info.Version); run.exists {
			hs.Chained = true
			hs.ChainedPath = run.path
		}
		switch {
		case kept.both():
			hs.Problem = "two hooks are kept, " + kept.current.path + " and " + kept.legacy.path + ": merge them into one (`secfirst hooks install` refuses until then)"
		case kept.exists() && !hs.Chained:
			hs.Problem = "secfirst's script does not run " + kept.file().path + " (kept by another version of secfirst): run `secfirst hooks install`, which moves it where the script runs it"
		}
		if !cur.executable() {
			hs.Problem = hs.Path + " is not executable, so git does not run it (run `secfirst hooks install`)"
		}
	case cur.exists:
		if m := managerOf(cur.content); m != "" {
			hs.Manager = m
			done, cfg := configured(m, name, l.Root)
			hs.Installed = done
			hs.Path = cfg
		}
		if kept.exists() {
			hs.Problem = hs.Path + " is not secfirst's, and " + kept.file().path + " is left from an earlier install"
		}
	case kept.exists():
		hs.Problem = "secfirst's hook was removed by hand: " + kept.file().path + " is not run by git (`secfirst hooks uninstall` puts it back)"
	}
	return hs
}

// runsOtherCommands reports whether a husky hook file, without secfirst's
// block, still runs something (not only comments and husky's header).
func runsOtherCommands(content []byte) bool {
	for _, line := range bytes.Split(content, []byte("\n")) {
		t := strings.TrimSpace(string(line))
		if t == "" || strings.HasPrefix(t, "#") || strings.Contains(t, "husky.sh") {
			continue
		}
		return true
	}
	return false
}
