package hooks

import (
	"bytes"
	"fmt"
	"path/filepath"
)

// planUninstallHook removes secfirst from one hook wherever it is: its
// script where git runs hooks, where the pre-commit framework or lefthook
// moved it, in .git/hooks when core.hooksPath sends git elsewhere, and its
// block in a husky file. Each script's kept hook goes back in its place.
// Lines in a hook manager's configuration are left for the person to
// remove (the summary says where).
func planUninstallHook(l *Layout, name string) ([]Action, []string, error) {
	scripts, err := findScripts(l, name)
	if err != nil {
		return nil, nil, err
	}
	var acts []Action
	var notes []string
	for _, s := range scripts {
		more, moreNotes := planRemoveScript(l, name, s)
		acts, notes = append(acts, more...), append(notes, moreNotes...)
	}
	if l.Husky != nil {
		more, err := planHuskyUninstall(l, name)
		if err != nil {
			return nil, nil, err
		}
		acts = append(acts, more...)
	} else {
		more, moreNotes, err := planUninstallLeftovers(l, name, scripts)
		if err != nil {
			return nil, nil, err
		}
		acts, notes = append(acts, more...), append(notes, moreNotes...)
	}
	if len(acts) == 0 {
		acts = append(acts, Action{Hook: name, Kind: ActNone, Path: l.HookPath(name),
			Summary: fmt.Sprintf("secfirst's %s hook is not installed", name)})
	}
	return acts, notes, nil
}

// planRemoveScript removes one of secfirst's scripts, putting the hook it
// chains in its place, byte for byte.
func planRemoveScript(l *Layout, name string, s placedScript) ([]Action, []string) {
	var notes []string
	expect := append([]fileState{s.script}, s.kept.states()...)
	back := s.kept.file()
	if s.kept.both() {
		// Put back the one the script runs; say where the other is.
		back = s.kept.runBy(s.script.info.Version)
		other := s.kept.legacy
		if back.path == other.path {
			other = s.kept.current
		}
		notes = append(notes, fmt.Sprintf("%s is left alone: it is another copy of your %s hook kept by an older secfirst; compare it with %s and remove it",
			l.Rel(other.path), name, l.Rel(s.script.path)))
	}
	why := ""
	switch s.where {
	case placeLegacy:
		why = " (`pre-commit install` moved it there; the pre-commit framework's hook runs it)"
	case placeOld:
		why = " (`lefthook install` moved it there; lefthook does not run it)"
	case placeDead:
		why = fmt.Sprintf(" (git does not run it: core.hooksPath sends git to %s)", l.Rel(l.HooksDir))
	}
	path := s.script.path
	if back.exists {
		return []Action{{Hook: name, Kind: ActRestore, From: back.path, Path: path,
			Summary: fmt.Sprintf("put your previous %s hook back: move %s to %s, byte for byte and with its mode%s", name, l.Rel(back.path), l.Rel(path), why),
			expect:  expect}}, notes
	}
	return []Action{{Hook: name, Kind: ActRemove, Path: path,
		Summary: fmt.Sprintf("remove secfirst's %s hook %s%s", name, l.Rel(path), why),
		expect:  expect}}, notes
}

// planUninstallLeftovers handles what is not secfirst's script where git
// runs hooks: a kept hook whose script was removed by hand goes back; a
// hook manager's configuration that runs secfirst is shown.
func planUninstallLeftovers(l *Layout, name string, scripts []placedScript) ([]Action, []string, error) {
	hookPath := l.HookPath(name)
	if _, ok := placed(scripts, placeActive); ok {
		return nil, nil, nil
	}
	cur, err := readState(hookPath)
	if err != nil {
		return nil, nil, err
	}
	kept, err := readKept(l.HooksDir, name)
	if err != nil {
		return nil, nil, err
	}
	back := kept.file()
	switch {
	case !cur.exists && back.exists:
		return []Action{{Hook: name, Kind: ActRestore, From: back.path, Path: hookPath,
			Summary: fmt.Sprintf("put your previous %s hook back: move %s to %s", name, l.Rel(back.path), l.Rel(hookPath)),
			expect:  append([]fileState{cur}, kept.states()...)}}, nil, nil
	case cur.exists && back.exists:
		return nil, []string{fmt.Sprintf("%s is not secfirst's and %s is still there: secfirst leaves both alone; merge them by hand", l.Rel(hookPath), l.Rel(back.path))}, nil
	case cur.exists:
		if m := managerOf(cur.content); m != "" {
			if done, cfg := configured(m, name, l); done {
				return []Action{{Hook: name, Kind: ActSnippet, Path: cfg, Manager: m,
					Summary: fmt.Sprintf("%s runs secfirst for %s: remove the secfirst entry from %s by hand (secfirst does not take lines out of it)", m.Title(), name, l.Rel(cfg))}}, nil, nil
			}
		}
	}
	return nil, nil, nil
}

func planHuskyUninstall(l *Layout, name string) ([]Action, error) {
	p := filepath.Join(l.Husky.UserDir, name)
	cur, err := readState(p)
	if err != nil {
		return nil, err
	}
	if !cur.exists {
		return nil, nil
	}
	if start, end, _, ok := findHuskyBlock(cur.content); ok {
		rest := append(append([]byte{}, cur.content[:start]...), cur.content[end:]...)
		a := Action{Hook: name, Kind: ActHuskyRemove, Path: p, Content: rest, Mode: cur.mode(), Manager: Husky,
			Summary: fmt.Sprintf("remove secfirst's lines from husky's %s", l.Rel(p)),
			expect:  []fileState{cur}}
		if bytes.Equal(rest, huskyHeader(l.Husky, name)) {
			a.Content = nil
			a.Summary = fmt.Sprintf("remove husky's %s (secfirst created it and nothing else was added)", l.Rel(p))
		}
		return []Action{a}, nil
	}
	if runsSecfirst(string(cur.content), name) {
		return []Action{{Hook: name, Kind: ActSnippet, Path: p, Manager: Husky,
			Summary: fmt.Sprintf("husky's %s runs `secfirst hook %s` on a line secfirst did not write: remove it by hand", l.Rel(p), name)}}, nil
	}
	return nil, nil
}
