package hooks

import (
	"path/filepath"
)

// Hook managers move a hook they find in their way: `pre-commit install`
// renames it <hook>.legacy and its own hook runs it first; `lefthook
// install` renames it <hook>.old and never runs it; husky (and any
// core.hooksPath) makes git look elsewhere, so a hook in .git/hooks is no
// longer run. secfirst finds its script in each of these places, says who
// runs it, and uninstall removes it from all of them.

// Where secfirst's script can be, and who runs it there.
type placement int

const (
	// placeActive: the file git runs.
	placeActive placement = iota
	// placeLegacy: <hook>.legacy, run by the pre-commit framework's hook
	// (when that hook is the one git runs).
	placeLegacy
	// placeOld: <hook>.old, kept by lefthook, which does not run it.
	placeOld
	// placeDead: in the repository's own hooks folder while core.hooksPath
	// sends git elsewhere.
	placeDead
)

// Suffixes the hook managers give the hook they move away.
const (
	legacySuffix = ".legacy" // the pre-commit framework
	oldSuffix    = ".old"    // lefthook
)

// placedScript is secfirst's script found in one place, with the hook it
// chains (kept in the script's own folder).
type placedScript struct {
	script fileState
	kept   keptHook
	where  placement
}

// findScripts lists secfirst's scripts for hook name: where git runs
// hooks, the names the pre-commit framework and lefthook move hooks to,
// and, when core.hooksPath points elsewhere, the repository's own hooks
// folder.
func findScripts(l *Layout, name string) ([]placedScript, error) {
	type candidate struct {
		path  string
		where placement
	}
	active := l.HookPath(name)
	cands := []candidate{{active, placeActive}, {active + legacySuffix, placeLegacy}, {active + oldSuffix, placeOld}}
	if dflt := filepath.Join(l.CommonDir, "hooks"); filepath.Clean(l.HooksDir) != dflt {
		p := filepath.Join(dflt, name)
		cands = append(cands, candidate{p, placeDead}, candidate{p + legacySuffix, placeDead}, candidate{p + oldSuffix, placeDead})
	}
	var out []placedScript
	for _, c := range cands {
		st, err := readState(c.path)
		if err != nil {
			return nil, err
		}
		if !st.exists || !st.info.Ours {
			continue
		}
		kept, err := readKept(filepath.Dir(c.path), name)
		if err != nil {
			return nil, err
		}
		out = append(out, placedScript{script: st, kept: kept, where: c.where})
	}
	return out, nil
}

// placed returns the script found in a place, if any.
func placed(scripts []placedScript, where placement) (placedScript, bool) {
	for _, s := range scripts {
		if s.where == where {
			return s, true
		}
	}
	return placedScript{}, false
}
