package hooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
	"github.com/secfirst-dev/secfirst/internal/safefile"
	"github.com/secfirst-dev/secfirst/internal/termtext"
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
	// goes into its configuration file Path (on uninstall: Summary says
	// what to remove from it by hand).
	ActSnippet ActionKind = "snippet"
	// Config: add secfirst to a hook manager's configuration file at Path:
	// Content is the whole file, Snippet the lines added.
	ActConfig ActionKind = "config"
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
	// Version is secfirst's version, the `rev:` of the pre-commit
	// framework's entry.
	Version string
	// EditConfig adds secfirst to the configuration of the pre-commit
	// framework or lefthook, where one owns the hook, instead of showing
	// the lines to add: lines are inserted, every other byte of the file
	// stays as it was.
	EditConfig bool

	// pending holds the configuration files as the plan's earlier steps
	// leave them: the edit for pre-push goes on top of the one for
	// pre-commit.
	pending map[string][]byte
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
	var hookNotes []string
	opts.pending = map[string][]byte{}
	for _, name := range names {
		acts, notes, err := planInstallHook(l, name, binary, opts)
		if err != nil {
			return nil, err
		}
		p.Actions = append(p.Actions, acts...)
		hookNotes = append(hookNotes, notes...)
	}
	p.Notes = append(installNotes(l, binary, p), hookNotes...)
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
		if findLefthook(l.Root).exists() {
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

// maxHookSize bounds what secfirst reads of a hook file (a compiled hook
// can be a few megabytes; a link to /dev/zero must not fill the memory).
const maxHookSize = 64 << 20

func readState(p string) (fileState, error) { return readStateMax(p, maxHookSize) }

// readStateMax reads a file as the plan sees it: a symbolic link is
// followed to a regular file (hooks are often links into the repository),
// never to a device or a FIFO, and at most limit bytes are read.
func readStateMax(p string, limit int64) (fileState, error) {
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
		t, err := os.Stat(p)
		if err != nil {
			return st, nil // a dangling link: there, but nothing to read
		}
		fi = t
		st.perm = t.Mode().Perm()
	}
	if !fi.Mode().IsRegular() {
		return st, fmt.Errorf("%s is not a regular file", p)
	}
	if fi.Size() > limit {
		return st, fmt.Errorf("%s is larger than %s", p, safefile.Size(limit))
	}
	fh, err := os.Open(p)
	if err != nil {
		return st, err
	}
	defer fh.Close()
	content, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return st, err
	}
	if int64(len(content)) > limit {
		return st, fmt.Errorf("%s is larger than %s", p, safefile.Size(limit))
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
	case ActWrite, ActUpdate, ActHuskyCreate, ActHuskyAdd, ActConfig:
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
// add by hand, then the notes. Paths and snippets come from the repository,
// so the text is terminal-safe (termtext) wherever it is printed.
func (p *Plan) String() string {
	var b strings.Builder
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "%s: %s\n", a.Hook, termtext.Line(a.Summary))
		if (a.Kind == ActSnippet || a.Kind == ActConfig) && a.Snippet != "" {
			for _, line := range strings.Split(strings.TrimRight(a.Snippet, "\n"), "\n") {
				fmt.Fprintf(&b, "    %s\n", termtext.Line(line))
			}
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "note: %s\n", termtext.Line(n))
	}
	return b.String()
}
