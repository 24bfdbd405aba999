package hooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
)

// ActionKind is what one step of a plan does.
type ActionKind string

const (
	// Nothing to do: secfirst's hook is already installed (or not there to
	// uninstall). Path is the hook file.
	ActNone ActionKind = "none"
	// Write secfirst's hook script to Path (a new file).
	ActWrite ActionKind = "write"
	// Update secfirst's hook script at Path (an older format or another binary).
	ActUpdate ActionKind = "update"
	// Chain: move the existing hook From to Path (secfirst-chained/<hook>),
	// where secfirst's script runs it first; or move a hook kept by script
	// version 1 (From is <hook>.secfirst-chained) there.
	ActChain ActionKind = "chain"
	// Create a husky hook file at Path running secfirst.
	ActHuskyCreate ActionKind = "husky-create"
	// Add secfirst's lines to the husky hook file at Path.
	ActHuskyAdd ActionKind = "husky-add"
	// Snippet: a hook manager owns the hook; nothing is written. Snippet
	// goes into its configuration file Path.
	ActSnippet ActionKind = "snippet"
	// Remove secfirst's hook script at Path.
	ActRemove ActionKind = "remove"
	// Restore: move the chained hook From back to Path, byte for byte and
	// with its mode, replacing secfirst's script.
	ActRestore ActionKind = "restore"
	// Remove secfirst's lines from the husky hook file at Path (or the file,
	// when secfirst created it and nothing else was added).
	ActHuskyRemove ActionKind = "husky-remove"
)

// Action is one step of a plan, for one hook.
type Action struct {
	Hook string
	Kind ActionKind
	// Path is the file the action writes, removes or points at (absolute).
	Path string
	// From is the file moved (chain, restore).
	From string
	// Content is the whole file as it will be written (write, update,
	// husky-create, husky-add, husky-remove); nil for a removal.
	Content []byte
	// Mode is the file mode of a file written.
	Mode fs.FileMode
	// Snippet is the configuration to add by hand (snippet).
	Snippet string
	// Manager owns the hook (husky, pre-commit, lefthook), if any.
	Manager Manager
	// Summary says in one sentence what happens, for a person.
	Summary string

	// What the files looked like when the plan was made; Apply refuses to
	// act on files that changed since.
	expect []fileState
}

// Changes reports whether the action touches the file system.
func (a Action) Changes() bool { return a.Kind != ActNone && a.Kind != ActSnippet }

// Plan is what an install or uninstall will do. Nothing has changed when it
// is returned: show it, then Apply it.
type Plan struct {
	Layout  *Layout
	Actions []Action
	// Notes are things the person should know (a hook manager that is not
	// set up yet, hooks in a tracked folder, a global core.hooksPath...).
	Notes []string
}

// Changes reports whether applying the plan changes anything.
func (p *Plan) Changes() bool {
	for _, a := range p.Actions {
		if a.Changes() {
			return true
		}
	}
	return false
}

// Snippets returns the snippet actions: what the person must add by hand.
func (p *Plan) Snippets() []Action {
	var out []Action
	for _, a := range p.Actions {
		if a.Kind == ActSnippet {
			out = append(out, a)
		}
	}
	return out
}

// InstallOptions tune PlanInstall.
type InstallOptions struct {
	// Hooks to install; empty means pre-commit.
	Hooks []string
	// Force installs secfirst's own script even where the pre-commit
	// framework or lefthook owns the hook (their hook is chained like any
	// other) instead of giving the snippet for their configuration.
	Force bool
	// Binary is the secfirst the hook calls; empty means this program
	// (see DefaultBinary).
	Binary string
	// Version is secfirst's version, used in the pre-commit framework
	// snippet.
	Version string
}

// DefaultBinary is the absolute path the hook should call: this program.
// When `secfirst` on PATH is the same file through a symlink (Homebrew's
// bin/secfirst, a ~/bin link), that stable path is preferred, so upgrades
// that move the real file keep the hook working.
func DefaultBinary() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find the path of secfirst itself: %w", err)
	}
	if onPath, err := exec.LookPath("secfirst"); err == nil {
		if abs, err := filepath.Abs(onPath); err == nil && sameFile(abs, exe) {
			return abs, nil
		}
	}
	return exe, nil
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// ErrConflict is a hook that cannot be chained without losing a file.
var ErrConflict = errors.New("conflict")

// PlanInstall works out how to install secfirst's hooks in the repository
// containing dir. Installing twice plans nothing the second time.
func PlanInstall(ctx context.Context, dir string, opts InstallOptions) (*Plan, error) {
	names, err := hookNames(opts.Hooks, []string{PreCommit})
	if err != nil {
		return nil, err
	}
	l, err := Locate(ctx, dir)
	if err != nil {
		return nil, err
	}
	binary := opts.Binary
	if binary == "" {
		if binary, err = DefaultBinary(); err != nil {
			return nil, err
		}
	}
	if !filepath.IsAbs(binary) {
		return nil, fmt.Errorf("the hook needs the absolute path of secfirst, not %q", binary)
	}
	p := &Plan{Layout: l}
	for _, name := range names {
		acts, err := planInstallHook(l, name, binary, opts)
		if err != nil {
			return nil, err
		}
		p.Actions = append(p.Actions, acts...)
	}
	p.Notes = installNotes(l, binary, p)
	return p, nil
}

func hookNames(in, def []string) ([]string, error) {
	if len(in) == 0 {
		return def, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range in {
		n = strings.TrimSpace(n)
		if !ValidName(n) {
			return nil, fmt.Errorf("unknown hook %q (want %s)", n, strings.Join(Names, " or "))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func planInstallHook(l *Layout, name, binary string, opts InstallOptions) ([]Action, error) {
	if l.Husky != nil {
		return planHuskyInstall(l, name)
	}
	hookPath, chainedPath := l.HookPath(name), l.ChainedPath(name)
	cur, err := readState(hookPath)
	if err != nil {
		return nil, err
	}
	kept, err := readKept(l, name)
	if err != nil {
		return nil, err
	}
	if kept.both() {
		return nil, fmt.Errorf("%w: both %s and %s exist (hooks kept by two installs of secfirst); merge them into one (or remove one) and run `secfirst hooks install` again",
			ErrConflict, kept.current.path, kept.legacy.path)
	}
	script := Script(name, binary)
	rel := l.Rel(hookPath)
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
		a := Action{Hook: name, Kind: ActWrite, Path: hookPath, Content: script, Mode: 0o755,
			Summary: fmt.Sprintf("write secfirst's %s hook to %s", name, rel),
			expect:  expect}
		if kept.exists() {
			a.Summary += fmt.Sprintf(" (it will run %s, left by an earlier install, first)", l.Rel(chainedPath))
		}
		return append(migrate, a), nil
	case cur.info.Ours:
		if bytes.Equal(cur.content, script) && migrate == nil {
			return []Action{{Hook: name, Kind: ActNone, Path: hookPath,
				Summary: fmt.Sprintf("secfirst's %s hook is already installed in %s", name, rel)}}, nil
		}
		why := "a newer hook script"
		if cur.info.Binary != filepath.ToSlash(binary) {
			why = fmt.Sprintf("secfirst is now at %s", binary)
		}
		return append(migrate, Action{Hook: name, Kind: ActUpdate, Path: hookPath, Content: script, Mode: 0o755,
			Summary: fmt.Sprintf("update secfirst's %s hook in %s (%s)", name, rel, why),
			expect:  expect}), nil
	}
	if m := managerOf(cur.content); m != "" && !opts.Force {
		file, snippet := Snippet(m, name, l.Root, opts.Version)
		done, cfgPath := configured(m, name, l.Root)
		if done {
			return []Action{{Hook: name, Kind: ActNone, Path: cfgPath, Manager: m,
				Summary: fmt.Sprintf("%s owns the %s hook and %s already runs secfirst", m.Title(), name, l.Rel(cfgPath))}}, nil
		}
		return []Action{{Hook: name, Kind: ActSnippet, Path: filepath.Join(l.Root, filepath.FromSlash(file)), Snippet: snippet, Manager: m,
			Summary: fmt.Sprintf("%s owns the %s hook (%s): nothing is written; add secfirst to %s", m.Title(), name, rel, file)}}, nil
	}
	if kept.exists() {
		return nil, fmt.Errorf("%w: %s is not secfirst's and %s already exists; merge them into one (or remove one) and run `secfirst hooks install` again",
			ErrConflict, hookPath, kept.file().path)
	}
	chain := Action{Hook: name, Kind: ActChain, From: hookPath, Path: chainedPath, Manager: managerOf(cur.content),
		Summary: fmt.Sprintf("keep your %s hook: move %s to %s; it runs first, under its own name, with the same arguments and input, and its failure stops git",
			name, rel, l.Rel(chainedPath)),
		expect: expect}
	if !cur.executable() {
		chain.Summary = fmt.Sprintf("keep your %s hook: move %s to %s (it is not executable, so git does not run it, and secfirst will not either)",
			name, rel, l.Rel(chainedPath))
	}
	write := Action{Hook: name, Kind: ActWrite, Path: hookPath, Content: script, Mode: 0o755,
		Summary: fmt.Sprintf("write secfirst's %s hook to %s", name, rel)}
	return []Action{chain, write}, nil
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
	return []Action{{Hook: name, Kind: ActHuskyAdd, Path: p, Content: appendHusky(cur.content, name), Mode: cur.mode(), Manager: Husky,
		Summary: fmt.Sprintf("add secfirst at the end of husky's %s (the lines call secfirst from PATH, as husky hook files are shared)", rel),
		expect:  []fileState{cur}}}, nil
}

func installNotes(l *Layout, binary string, p *Plan) []string {
	var notes []string
	if l.Husky == nil && isDir(filepath.Join(l.Root, ".husky")) && l.HooksPath == "" {
		notes = append(notes, "this repository has a .husky folder but husky is not set up here (core.hooksPath is unset): "+
			"the hook goes into "+l.Rel(l.HooksDir)+"; after `npm install` sets husky up, run `secfirst hooks install` again to add secfirst to .husky/")
	}
	if l.Husky != nil && p.Changes() {
		notes = append(notes, "husky hook files are committed: commit "+l.Rel(l.Husky.UserDir)+" so the whole team runs secfirst")
		if _, err := exec.LookPath("secfirst"); err != nil {
			notes = append(notes, "secfirst is not on your PATH, which husky's hook file uses: until it is, the hook warns and does not check")
		}
	}
	if l.Husky == nil && (l.HooksPathScope == "global" || l.HooksPathScope == "system") {
		notes = append(notes, fmt.Sprintf("core.hooksPath comes from your %s git config: %s is shared by every repository that uses it", l.HooksPathScope, l.HooksDir))
	}
	if l.Husky == nil && l.InWorkTree() && p.Changes() {
		notes = append(notes, fmt.Sprintf("core.hooksPath points into the working tree (%s): the files secfirst writes there show in `git status`", l.Rel(l.HooksDir)))
	}
	wroteScript := false
	for _, a := range p.Actions {
		if (a.Kind == ActWrite || a.Kind == ActUpdate) && a.Manager == "" {
			wroteScript = true
		}
	}
	if wroteScript && (strings.Contains(binary, "go-build") || strings.HasPrefix(binary, os.TempDir())) {
		notes = append(notes, fmt.Sprintf("the hook calls %s, which looks temporary (go run?); when it is gone the hook falls back to secfirst on PATH", binary))
	}
	for _, a := range p.Actions {
		if a.Kind != ActWrite || l.Husky != nil {
			continue
		}
		if isFile(filepath.Join(l.Root, PreCommitConfig)) {
			notes = append(notes, "this repository has "+PreCommitConfig+": if you run `pre-commit install` later, it keeps secfirst's hook as "+a.Hook+".legacy and still runs it")
			break
		}
		if lefthookConfig(l.Root) != "" {
			notes = append(notes, "this repository has a lefthook configuration: if you run `lefthook install` later, add secfirst to it with `secfirst hooks install` again")
			break
		}
	}
	return notes
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// UninstallOptions tune PlanUninstall.
type UninstallOptions struct {
	// Hooks to uninstall; empty means every hook secfirst installs.
	Hooks []string
}

// PlanUninstall works out how to remove secfirst's hooks from the
// repository containing dir, putting back the hooks they chain.
func PlanUninstall(ctx context.Context, dir string, opts UninstallOptions) (*Plan, error) {
	names, err := hookNames(opts.Hooks, Names)
	if err != nil {
		return nil, err
	}
	l, err := Locate(ctx, dir)
	if err != nil {
		return nil, err
	}
	p := &Plan{Layout: l}
	for _, name := range names {
		acts, notes, err := planUninstallHook(l, name)
		if err != nil {
			return nil, err
		}
		p.Actions = append(p.Actions, acts...)
		p.Notes = append(p.Notes, notes...)
	}
	return p, nil
}

func planUninstallHook(l *Layout, name string) ([]Action, []string, error) {
	var acts []Action
	var notes []string
	if l.Husky != nil {
		p := filepath.Join(l.Husky.UserDir, name)
		cur, err := readState(p)
		if err != nil {
			return nil, nil, err
		}
		if cur.exists {
			if start, end, _, ok := findHuskyBlock(cur.content); ok {
				rest := append(append([]byte{}, cur.content[:start]...), cur.content[end:]...)
				a := Action{Hook: name, Kind: ActHuskyRemove, Path: p, Content: rest, Mode: cur.mode(), Manager: Husky,
					Summary: fmt.Sprintf("remove secfirst's lines from husky's %s", l.Rel(p)),
					expect:  []fileState{cur}}
				if bytes.Equal(rest, huskyHeader(l.Husky, name)) {
					a.Content = nil
					a.Summary = fmt.Sprintf("remove husky's %s (secfirst created it and nothing else was added)", l.Rel(p))
				}
				acts = append(acts, a)
			}
		}
		if len(acts) == 0 {
			acts = append(acts, Action{Hook: name, Kind: ActNone, Path: p, Manager: Husky,
				Summary: fmt.Sprintf("husky's %s does not run secfirst", l.Rel(p))})
		}
		// The hooks directory is husky's own: secfirst never writes there.
		return acts, nil, nil
	}
	hookPath := l.HookPath(name)
	cur, err := readState(hookPath)
	if err != nil {
		return nil, nil, err
	}
	kept, err := readKept(l, name)
	if err != nil {
		return nil, nil, err
	}
	expect := append([]fileState{cur}, kept.states()...)
	back := kept.file()
	if kept.both() {
		// Put back the one secfirst's script runs; say where the other is.
		back = kept.runBy(cur.info.Version)
		other := kept.legacy
		if back.path == other.path {
			other = kept.current
		}
		notes = append(notes, fmt.Sprintf("%s is left alone: it is another copy of your %s hook kept by an older secfirst; compare it with %s and remove it",
			l.Rel(other.path), name, l.Rel(hookPath)))
	}
	switch {
	case cur.exists && cur.info.Ours && back.exists:
		acts = append(acts, Action{Hook: name, Kind: ActRestore, From: back.path, Path: hookPath,
			Summary: fmt.Sprintf("put your previous %s hook back: move %s to %s, byte for byte and with its mode", name, l.Rel(back.path), l.Rel(hookPath)),
			expect:  expect})
	case cur.exists && cur.info.Ours:
		acts = append(acts, Action{Hook: name, Kind: ActRemove, Path: hookPath,
			Summary: fmt.Sprintf("remove secfirst's %s hook %s", name, l.Rel(hookPath)),
			expect:  expect})
	case !cur.exists && back.exists:
		acts = append(acts, Action{Hook: name, Kind: ActRestore, From: back.path, Path: hookPath,
			Summary: fmt.Sprintf("put your previous %s hook back: move %s to %s", name, l.Rel(back.path), l.Rel(hookPath)),
			expect:  expect})
	case cur.exists && back.exists:
		notes = append(notes, fmt.Sprintf("%s is not secfirst's and %s is still there: secfirst leaves both alone; merge them by hand", l.Rel(hookPath), l.Rel(back.path)))
	case cur.exists:
		if m := managerOf(cur.content); m != "" {
			if done, cfg := configured(m, name, l.Root); done {
				acts = append(acts, Action{Hook: name, Kind: ActSnippet, Path: cfg, Manager: m,
					Summary: fmt.Sprintf("%s runs secfirst for %s: remove the secfirst entry from %s by hand (secfirst does not edit it)", m.Title(), name, l.Rel(cfg))})
			}
		}
	}
	if len(acts) == 0 {
		acts = append(acts, Action{Hook: name, Kind: ActNone, Path: hookPath,
			Summary: fmt.Sprintf("secfirst's %s hook is not installed", name)})
	}
	return acts, notes, nil
}

// fileState is a file as the plan saw it.
type fileState struct {
	path    string
	exists  bool
	symlink bool
	perm    fs.FileMode
	content []byte
	info    ScriptInfo
}

func (s fileState) executable() bool { return s.symlink || s.perm&0o111 != 0 }

func (s fileState) mode() fs.FileMode {
	if s.perm == 0 {
		return 0o755
	}
	return s.perm
}

func readState(p string) (fileState, error) {
	st := fileState{path: p}
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.exists = true
	st.symlink = fi.Mode()&fs.ModeSymlink != 0
	if fi.IsDir() {
		return st, fmt.Errorf("%s is a directory, not a hook", p)
	}
	st.perm = fi.Mode().Perm()
	if st.symlink {
		if t, err := os.Stat(p); err == nil {
			st.perm = t.Mode().Perm()
		}
	}
	content, err := os.ReadFile(p)
	if err != nil && !st.symlink {
		return st, err
	}
	st.content = content
	st.info = ParseScript(content)
	return st, nil
}

// unchanged reports whether the file is still as the plan saw it.
func (s fileState) unchanged() bool {
	now, err := readState(s.path)
	return err == nil && now.exists == s.exists && now.symlink == s.symlink && bytes.Equal(now.content, s.content)
}

// Apply carries out the plan, step by step. It first checks that no file
// changed since the plan was made, and stops at the first error (a chained
// hook is moved back when writing secfirst's script fails).
func (p *Plan) Apply() error {
	for _, a := range p.Actions {
		for _, s := range a.expect {
			if !s.unchanged() {
				return fmt.Errorf("%s changed since the plan was made; plan again", s.path)
			}
		}
	}
	for i, a := range p.Actions {
		if err := apply(a); err != nil {
			if (a.Kind == ActWrite || a.Kind == ActUpdate) && i > 0 && p.Actions[i-1].Kind == ActChain && p.Actions[i-1].Hook == a.Hook {
				// Put the user's hook back where it was.
				prev := p.Actions[i-1]
				if moveHook(prev.Path, prev.From) == nil {
					removeChainedDir(filepath.Dir(prev.Path))
				}
			}
			return err
		}
	}
	return nil
}

func apply(a Action) error {
	switch a.Kind {
	case ActNone, ActSnippet:
		return nil
	case ActWrite, ActUpdate, ActHuskyCreate, ActHuskyAdd:
		return writeFile(a.Path, a.Content, a.Mode)
	case ActHuskyRemove:
		if a.Content == nil {
			return remove(a.Path)
		}
		return writeFile(a.Path, a.Content, a.Mode)
	case ActChain:
		if _, err := os.Lstat(a.Path); err == nil {
			return fmt.Errorf("%w: %s already exists", ErrConflict, a.Path)
		}
		return moveHook(a.From, a.Path)
	case ActRestore:
		// One rename replaces secfirst's script with the user's hook: the
		// hook is never missing, and its bytes and mode are untouched.
		if err := moveHook(a.From, a.Path); err != nil {
			return err
		}
		removeChainedDir(filepath.Dir(a.Path))
		return nil
	case ActRemove:
		return remove(a.Path)
	}
	return fmt.Errorf("unknown action %q", a.Kind)
}

func remove(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove %s: %w", p, unwrapPath(err))
	}
	return nil
}

// writeFile writes p atomically (atomicfile: never half written, mode
// exactly as given, the umask cannot take the execute bit), creating its
// directory.
func writeFile(p string, content []byte, mode fs.FileMode) error {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, unwrapPath(err))
	}
	return atomicfile.Write(p, content, mode)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// String shows the plan for a person: one line per step, the snippets to
// add by hand, then the notes.
func (p *Plan) String() string {
	var b strings.Builder
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "%s: %s\n", a.Hook, a.Summary)
		if a.Kind == ActSnippet && a.Snippet != "" {
			for _, line := range strings.Split(strings.TrimRight(a.Snippet, "\n"), "\n") {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}
