package hooks

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// planInstallHook plans one hook. Where git runs a hook manager's hook,
// secfirst goes into that manager's configuration (or stays where the
// pre-commit framework already runs it); elsewhere its script goes where git
// runs hooks. Copies of its script that git no longer runs (left in
// .git/hooks when core.hooksPath moved elsewhere) are removed, their kept
// hook put back where it was.
func planInstallHook(l *Layout, name, binary string, opts InstallOptions) ([]Action, []string, error) {
	scripts, err := findScripts(l, name)
	if err != nil {
		return nil, nil, err
	}
	var acts []Action
	var notes []string
	if l.Husky != nil {
		acts, err = planHuskyInstall(l, name)
	} else {
		acts, notes, err = planInstallHere(l, name, binary, scripts, opts)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, s := range scripts {
		if s.where == placeDead {
			more, moreNotes := planRemoveScript(l, name, s)
			acts, notes = append(acts, more...), append(notes, moreNotes...)
		}
	}
	return acts, notes, nil
}

func planInstallHere(l *Layout, name, binary string, scripts []placedScript, opts InstallOptions) ([]Action, []string, error) {
	hookPath := l.HookPath(name)
	cur, err := readState(hookPath)
	if err != nil {
		return nil, nil, err
	}
	m := managerOf(cur.content)
	if cur.exists && !cur.info.Ours && m != "" && !opts.Force {
		if s, ok := placed(scripts, placeLegacy); ok && m == PreCommitFramework {
			// `pre-commit install` kept secfirst's script as <hook>.legacy
			// and its own hook runs it first: secfirst stays there.
			acts, err := planScriptAt(l, name, s.script.path, binary)
			if err != nil {
				return nil, nil, err
			}
			if len(acts) == 1 && acts[0].Kind == ActNone {
				acts[0].Manager = m
				acts[0].Summary = fmt.Sprintf("secfirst's %s hook is already installed: the pre-commit framework's hook runs it as %s", name, l.Rel(s.script.path))
			}
			return acts, nil, nil
		}
		acts, err := planManagerInstall(l, m, name, opts)
		var notes []string
		if s, ok := placed(scripts, placeOld); ok {
			notes = append(notes, fmt.Sprintf("%s is secfirst's earlier hook, which `lefthook install` moved there and lefthook does not run: `secfirst hooks uninstall --hook %s` removes it", l.Rel(s.script.path), name))
		}
		return acts, notes, err
	}
	acts, err := planScriptAt(l, name, hookPath, binary)
	return acts, nil, err
}

// planScriptAt plans secfirst's script at path (where git runs hooks, or
// where the pre-commit framework's hook runs the hook it replaced). A hook
// that is not secfirst's is kept in ChainedDir beside it.
func planScriptAt(l *Layout, name, path, binary string) ([]Action, error) {
	cur, err := readState(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	kept, err := readKept(dir, name)
	if err != nil {
		return nil, err
	}
	if kept.both() {
		return nil, fmt.Errorf("%w: both %s and %s exist (hooks kept by two installs of secfirst); merge them into one (or remove one) and run `secfirst hooks install` again",
			ErrConflict, kept.current.path, kept.legacy.path)
	}
	chainedPath := chainedPathIn(dir, name)
	script := Script(name, binary)
	rel := l.Rel(path)
	expect := append([]fileState{cur}, kept.states()...)
	// An install of script version 1 kept the hook as <hook>.secfirst-chained,
	// where it ran under that name: it moves to where it runs under its own.
	var migrate []Action
	if kept.legacy.exists {
		migrate = []Action{{Hook: name, Kind: ActChain, From: kept.legacy.path, Path: chainedPath,
			Summary: fmt.Sprintf("move your %s hook, kept by an earlier secfirst as %s, to %s, where it runs under its own name",
				name, l.Rel(kept.legacy.path), l.Rel(chainedPath)),
			expect: expect}}
	}
	switch {
	case !cur.exists:
		a := Action{Hook: name, Kind: ActWrite, Path: path, Content: script, Mode: 0o755,
			Summary: fmt.Sprintf("write secfirst's %s hook to %s", name, rel),
			expect:  expect}
		if kept.exists() {
			a.Summary += fmt.Sprintf(" (it will run %s, left by an earlier install, first)", l.Rel(chainedPath))
		}
		return append(migrate, a), nil
	case cur.info.Ours:
		if bytes.Equal(cur.content, script) && migrate == nil {
			return []Action{{Hook: name, Kind: ActNone, Path: path,
				Summary: fmt.Sprintf("secfirst's %s hook is already installed in %s", name, rel)}}, nil
		}
		why := "a newer hook script"
		if cur.info.Binary != filepath.ToSlash(binary) {
			why = fmt.Sprintf("secfirst is now at %s", binary)
		}
		return append(migrate, Action{Hook: name, Kind: ActUpdate, Path: path, Content: script, Mode: 0o755,
			Summary: fmt.Sprintf("update secfirst's %s hook in %s (%s)", name, rel, why),
			expect:  expect}), nil
	}
	if kept.exists() {
		return nil, fmt.Errorf("%w: %s is not secfirst's and %s already exists; merge them into one (or remove one) and run `secfirst hooks install` again",
			ErrConflict, path, kept.file().path)
	}
	chain := Action{Hook: name, Kind: ActChain, From: path, Path: chainedPath, Manager: managerOf(cur.content),
		Summary: fmt.Sprintf("keep your %s hook: move %s to %s; it runs first, under its own name, with the same arguments and input, and its failure stops git",
			name, rel, l.Rel(chainedPath)),
		expect: expect}
	if !cur.executable() {
		chain.Summary = fmt.Sprintf("keep your %s hook: move %s to %s (it is not executable, so git does not run it, and secfirst will not either)",
			name, rel, l.Rel(chainedPath))
	}
	write := Action{Hook: name, Kind: ActWrite, Path: path, Content: script, Mode: 0o755,
		Summary: fmt.Sprintf("write secfirst's %s hook to %s", name, rel)}
	return []Action{chain, write}, nil
}

// planManagerInstall adds secfirst to the configuration of the pre-commit
// framework or lefthook: the lines to add, or (EditConfig) the edit.
func planManagerInstall(l *Layout, m Manager, name string, opts InstallOptions) ([]Action, error) {
	rel := l.Rel(l.HookPath(name))
	if done, cfg := configured(m, name, l); done {
		return []Action{{Hook: name, Kind: ActNone, Path: cfg, Manager: m,
			Summary: fmt.Sprintf("%s owns the %s hook and %s already runs secfirst", m.Title(), name, l.Rel(cfg))}}, nil
	}
	c, err := planConfigChange(m, name, l, opts.Version, opts.pending)
	if err != nil {
		return nil, err
	}
	_, edited := opts.pending[c.Path]
	file := l.Rel(c.Path)
	snippet := strings.Join(c.Lines, "\n") + "\n"
	if opts.EditConfig {
		if c.Content == nil {
			return nil, fmt.Errorf("cannot add secfirst to %s: %s", c.Path, c.NotEditable)
		}
		verb := "add secfirst to"
		if !c.before.exists && !edited {
			verb = "create"
		}
		if opts.pending != nil {
			opts.pending[c.Path] = c.Content
		}
		return []Action{{Hook: name, Kind: ActConfig, Path: c.Path, Content: c.Content, Mode: c.Mode, Snippet: snippet, Manager: m,
			Summary: fmt.Sprintf("%s owns the %s hook (%s): %s %s, %s, with these lines (the rest of the file is kept byte for byte)",
				m.Title(), name, rel, verb, file, c.Where),
			expect: []fileState{c.before}}}, nil
	}
	summary := fmt.Sprintf("%s owns the %s hook (%s): nothing is written; add these lines to %s, %s", m.Title(), name, rel, file, c.Where)
	if !c.before.exists {
		summary = fmt.Sprintf("%s owns the %s hook (%s): nothing is written; create %s with these lines", m.Title(), name, rel, file)
	}
	if c.Content != nil {
		summary += " (or let `secfirst hooks install --edit-config` do it)"
	} else if c.NotEditable != "" {
		summary += " (" + c.NotEditable + ")"
	}
	return []Action{{Hook: name, Kind: ActSnippet, Path: c.Path, Snippet: snippet, Manager: m, Summary: summary}}, nil
}

func planHuskyInstall(l *Layout, name string) ([]Action, error) {
	h := l.Husky
	p := filepath.Join(h.UserDir, name)
	cur, err := readState(p)
	if err != nil {
		return nil, err
	}
	rel := l.Rel(p)
	if !cur.exists {
		content := append(huskyHeader(h, name), '\n')
		content = append(content, HuskyBlock(name)...)
		return []Action{{Hook: name, Kind: ActHuskyCreate, Path: p, Content: content, Mode: 0o755, Manager: Husky,
			Summary: fmt.Sprintf("create husky's %s running secfirst (husky hook files are shared, so it calls secfirst from PATH)", rel),
			expect:  []fileState{cur}}}, nil
	}
	if start, end, _, ok := findHuskyBlock(cur.content); ok {
		block := append([]byte{'\n'}, HuskyBlock(name)...)
		if start == 0 && cur.content[0] != '\n' {
			block = block[1:]
		}
		if bytes.Equal(cur.content[start:end], block) {
			return []Action{{Hook: name, Kind: ActNone, Path: p, Manager: Husky,
				Summary: fmt.Sprintf("husky's %s already runs secfirst", rel)}}, nil
		}
		content := append(append(append([]byte{}, cur.content[:start]...), block...), cur.content[end:]...)
		return []Action{{Hook: name, Kind: ActUpdate, Path: p, Content: content, Mode: cur.mode(), Manager: Husky,
			Summary: fmt.Sprintf("update secfirst's lines in husky's %s", rel),
			expect:  []fileState{cur}}}, nil
	}
	if runsSecfirst(string(cur.content), name) {
		// The recipe of docs/hooks.md, written by hand: adding the block
		// would run secfirst twice on every commit.
		return []Action{{Hook: name, Kind: ActNone, Path: p, Manager: Husky,
			Summary: fmt.Sprintf("husky's %s already runs `secfirst hook %s`", rel, name)}}, nil
	}
	return []Action{{Hook: name, Kind: ActHuskyAdd, Path: p, Content: appendHusky(cur.content, name), Mode: cur.mode(), Manager: Husky,
		Summary: fmt.Sprintf("add secfirst at the end of husky's %s (the lines call secfirst from PATH, as husky hook files are shared)", rel),
		expect:  []fileState{cur}}}, nil
}
