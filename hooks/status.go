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
	// RunBy says who runs secfirst's script when it is not git itself
	// (the pre-commit framework's hook, for <hook>.legacy).
	RunBy string `json:"-"`
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
	scripts, _ := findScripts(l, name)
	hs := hookStatusIn(l, name, scripts)
	if hs.Problem == "" {
		if s, ok := placed(scripts, placeDead); ok {
			hs.Problem = fmt.Sprintf("secfirst's hook in %s is ignored by git, which runs hooks from %s (core.hooksPath): `secfirst hooks install` moves secfirst there, `secfirst hooks uninstall` removes it",
				s.script.path, l.HooksDir)
		}
	}
	return hs
}

func hookStatusIn(l *Layout, name string, scripts []placedScript) HookStatus {
	hs := HookStatus{Name: name, Path: l.HookPath(name)}
	if l.Husky != nil {
		p := filepath.Join(l.Husky.UserDir, name)
		hs.Path, hs.Manager = p, Husky
		if st, _ := readState(p); st.exists {
			if start, end, v, ok := findHuskyBlock(st.content); ok {
				hs.Installed = true
				hs.Outdated = v < HuskyBlockVersion
				rest := append(append([]byte{}, st.content[:start]...), st.content[end:]...)
				hs.Chained = runsOtherCommands(rest)
			} else if runsSecfirst(string(st.content), name) {
				hs.Installed = true
				hs.Chained = runsOtherCommands([]byte(strings.ReplaceAll(string(st.content), "secfirst hook "+name, "")))
			}
		}
		return hs
	}
	if s, ok := placed(scripts, placeActive); ok {
		scriptStatus(&hs, s)
		return hs
	}
	cur, _ := readState(hs.Path)
	kept, _ := readKept(l.HooksDir, name)
	switch {
	case cur.exists:
		m := managerOf(cur.content)
		if m != "" {
			hs.Manager = m
			done, cfg := configured(m, name, l)
			hs.Installed = done
			hs.Path = cfg
			legacy, hasLegacy := placed(scripts, placeLegacy)
			old, hasOld := placed(scripts, placeOld)
			switch {
			case m == PreCommitFramework && hasLegacy && done:
				hs.Problem = fmt.Sprintf("secfirst runs twice on every %s: from %s and from %s, which the pre-commit framework's hook runs; remove one (`secfirst hooks uninstall --hook %s` removes both)",
					verb(name), l.Rel(cfg), legacy.script.path, name)
			case m == PreCommitFramework && hasLegacy:
				scriptStatus(&hs, legacy)
				hs.Manager = m
				hs.RunBy = "run by the pre-commit framework's hook: `pre-commit install` kept it as " + filepath.Base(legacy.script.path)
			case m == Lefthook && hasOld && !done:
				hs.Problem = fmt.Sprintf("`lefthook install` moved secfirst's hook to %s, and lefthook does not run it: add secfirst to %s (`secfirst hooks install` shows how), or remove it with `secfirst hooks uninstall`",
					old.script.path, l.Rel(cfg))
			}
		}
		if kept.exists() && hs.Problem == "" {
			hs.Problem = hs.Path + " is not secfirst's, and " + kept.file().path + " is left from an earlier install"
		}
	case kept.exists():
		hs.Problem = "secfirst's hook was removed by hand: " + kept.file().path + " is not run by git (`secfirst hooks uninstall` puts it back)"
	}
	return hs
}

// scriptStatus describes secfirst's script found at s.
func scriptStatus(hs *HookStatus, s placedScript) {
	cur, kept := s.script, s.kept
	hs.Path = cur.path
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
		hs.Problem = hs.Path + " is not executable, so it is not run (run `secfirst hooks install`)"
	}
}

func verb(hook string) string {
	if hook == PrePush {
		return "push"
	}
	return "commit"
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
