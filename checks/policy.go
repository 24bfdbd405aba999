package checks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/bmatcuk/doublestar/v4"

	"github.com/secfirst-dev/secfirst/internal/safefile"
	"github.com/secfirst-dev/secfirst/internal/tomlshape"
)

// PolicyFile is the policy's file name at the repository root.
const PolicyFile = ".secfirst.toml"

// DefaultStaleAfterDays is how long a checklist review stays fresh.
const DefaultStaleAfterDays = 90

// Policy is .secfirst.toml: what blocks, what is switched off, what is ignored.
type Policy struct {
	// FailOn is the level at and above which findings block (default high).
	FailOn FailOn
	// Disabled lists checks switched off.
	Disabled []string
	// Strict makes an internal error in the hook block the commit.
	Strict bool
	// StaleAfterDays is the checklist's review period.
	StaleAfterDays int
	// Ignores are the suppressions, in file order.
	Ignores []Ignore
	// SecretsMaxFileSize is the size in bytes past which the secrets check
	// skips a file with a warning ([secrets] max_file_size_mb; 0: the default).
	SecretsMaxFileSize int64
	// Path is the file the policy came from ("" when there is none).
	Path string

	// unstagedEdit: LoadSourcePolicy read the policy from the index, and
	// the working tree's .secfirst.toml differs from it.
	unstagedEdit bool
}

// Ignore suppresses findings by fingerprint, rule or path glob (all that are
// set must match). Reason is required; Expires is optional.
type Ignore struct {
	Fingerprint string
	Rule        string
	Path        string
	Reason      string
	Expires     time.Time // zero: never
	Line        int       // line of its [[ignore]] header in the file
	// file is the policy file as the user knows it: .secfirst.toml, or
	// the file given to `scan --config` as given.
	file string
}

// Expired reports whether the ignore has stopped suppressing at now.
func (ig Ignore) Expired(now time.Time) bool {
	if ig.Expires.IsZero() {
		return false
	}
	// An ignore is good through the whole of its expiry day.
	return !now.Before(ig.Expires.AddDate(0, 0, 1))
}

// Matches reports whether the ignore covers f.
func (ig Ignore) Matches(f Finding) bool {
	if ig.Fingerprint != "" && ig.Fingerprint != f.Fingerprint {
		return false
	}
	if ig.Rule != "" && !ruleMatches(ig.Rule, f) {
		return false
	}
	if ig.Path != "" && !globMatch(ig.Path, f.File) {
		return false
	}
	return ig.Fingerprint != "" || ig.Rule != "" || ig.Path != ""
}

// ruleMatches accepts the rule id itself or one of its refs (DL3002, a CVE...).
func ruleMatches(rule string, f Finding) bool {
	if strings.EqualFold(rule, f.Rule) {
		return true
	}
	for _, r := range f.Refs {
		if strings.EqualFold(rule, r) {
			return true
		}
	}
	return false
}

// globMatch matches a slash-separated path as git matches a `:(glob)`
// pathspec (doublestar's rules: `*` stays within a directory, `**` spans
// any number of them, anywhere in the pattern). A pattern without a slash
// matches a base name anywhere, as in .gitignore: it is read as `**/` and
// the pattern.
func globMatch(pattern, name string) bool {
	ok, _ := doublestar.Match(globPattern(pattern), name)
	return ok
}

func globPattern(pattern string) string {
	if !strings.Contains(pattern, "/") {
		return "**/" + pattern
	}
	return pattern
}

// DefaultPolicy is the policy of a repository without .secfirst.toml.
func DefaultPolicy() *Policy {
	return &Policy{FailOn: FailOn(High), StaleAfterDays: DefaultStaleAfterDays}
}

// ConfigError is a policy file that cannot be used; it names the file and line.
type ConfigError struct {
	Path string
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

type rawPolicy struct {
	FailOn         string       `toml:"fail_on"`
	DisabledChecks []string     `toml:"disabled_checks"`
	Strict         bool         `toml:"strict"`
	Checklist      rawChecklist `toml:"checklist"`
	Secrets        rawSecrets   `toml:"secrets"`
	Ignore         []rawIgnore  `toml:"ignore"`
}

type rawSecrets struct {
	MaxFileSizeMB *int64 `toml:"max_file_size_mb"`
}

type rawChecklist struct {
	StaleAfterDays int `toml:"stale_after_days"`
}

type rawIgnore struct {
	Fingerprint string `toml:"fingerprint"`
	Rule        string `toml:"rule"`
	Path        string `toml:"path"`
	Reason      string `toml:"reason"`
	Expires     any    `toml:"expires"`
}

// KnownChecks are the check names a policy may switch off.
var KnownChecks = []string{"secrets", "deps", "dockerfile", "kubernetes", "terraform"}

// MaxPolicySize bounds the policy file: a policy is a few kilobytes, and a
// hostile repository could make it a symlink to /dev/zero or a huge blob.
const MaxPolicySize = 1 << 20

// LoadPolicy reads .secfirst.toml from the working tree at root; a missing
// file is the default policy. Only a regular file of at most MaxPolicySize
// is read: a symlink, a device or a FIFO is a ConfigError, never followed.
func LoadPolicy(root string) (*Policy, error) {
	p := filepath.Join(root, PolicyFile)
	data, err := safefile.ReadFile(p, MaxPolicySize)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultPolicy(), nil
	}
	if err != nil {
		return nil, policyReadError(p, err)
	}
	return ParsePolicy(p, data)
}

// LoadPolicyFile reads the policy at path, given on purpose (`scan
// --config`): a missing file is an error, never the default policy. The
// same bounds as LoadPolicy hold.
func LoadPolicyFile(path string) (*Policy, error) {
	data, err := safefile.ReadFile(path, MaxPolicySize)
	if err != nil {
		return nil, policyReadError(path, err)
	}
	return ParsePolicy(path, data)
}

// LoadSourcePolicy reads the policy that applies to what src scans. In
// staged mode that is .secfirst.toml as staged: the index is the commit, so
// an unstaged edit must not suppress a staged secret, and a staged edit
// counts whatever the working tree holds. Other modes read the working tree.
func LoadSourcePolicy(ctx context.Context, src *Source) (*Policy, error) {
	if src.Mode != ModeStaged {
		return LoadPolicy(src.Root)
	}
	p := filepath.Join(src.Root, PolicyFile)
	// The working tree's file, when it is a regular file: compared with
	// the staged one, it tells an unstaged edit.
	worktree, werr := safefile.ReadFile(p, MaxPolicySize)
	// The staged diff reads GIT_INDEX_FILE like every git command: the
	// temporary index of `git commit -a` and `git commit <path>` is what is
	// committed. The policy is one of the configuration files looked up
	// together (see stagedEntries).
	entries, err := src.IndexEntries(ctx, PolicyFile)
	if err != nil {
		return nil, &ConfigError{Path: p, Msg: "cannot read it from the index: " + err.Error()}
	}
	switch {
	case len(entries) == 0:
		pol := DefaultPolicy() // not in the commit
		pol.unstagedEdit = !errors.Is(werr, fs.ErrNotExist)
		return pol, nil
	case len(entries) > 1 || entries[0].Stage != "0":
		return nil, &ConfigError{Path: p, Msg: "merge conflict in the index: resolve it and stage the result"}
	case !entries[0].Regular():
		return nil, &ConfigError{Path: p, Msg: fmt.Sprintf("staged as %s, not as a regular file: secfirst reads only a regular file", indexModeName(entries[0].Mode))}
	}
	data, err := src.StagedBlob(ctx, entries[0].ID, PolicyFile, MaxPolicySize)
	if err != nil {
		return nil, policyReadError(p, err)
	}
	pol, err := ParsePolicy(p, data)
	if err != nil {
		return nil, err
	}
	pol.unstagedEdit = werr != nil || !bytes.Equal(worktree, data)
	return pol, nil
}

// UnstagedPolicyNote is what to tell someone whose working-tree policy
// differs from the staged one (see Policy.UnstagedEdit).
const UnstagedPolicyNote = PolicyFile + " has changes that are not staged: this commit records, and secfirst applies, the staged " +
	PolicyFile + " (`git add " + PolicyFile + "` to use yours)"

// UnstagedEdit reports, for a policy LoadSourcePolicy read from the index,
// whether .secfirst.toml in the working tree differed from it: an edit (an
// ignore just added, say) that counts only once it is staged.
func (p *Policy) UnstagedEdit() bool { return p.unstagedEdit }

func indexModeName(mode string) string {
	switch mode {
	case "120000":
		return "a symlink"
	case "160000":
		return "a submodule"
	}
	return "mode " + mode
}

func policyReadError(p string, err error) error {
	var big *safefile.TooLargeError
	switch {
	case errors.As(err, &big):
		return &ConfigError{Path: p, Msg: fmt.Sprintf("larger than %s: a policy is a few kilobytes", safefile.Size(big.Limit))}
	case errors.Is(err, safefile.ErrNotRegular):
		return &ConfigError{Path: p, Msg: "not a regular file (a symlink, a device or a FIFO): secfirst reads only a regular file"}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &ConfigError{Path: p, Msg: err.Error()}
}

// ParsePolicy parses policy text; path is used in errors.
func ParsePolicy(p string, data []byte) (*Policy, error) {
	// Refused before BurntSushi/toml sees it: a hostile policy could
	// otherwise cost it gigabytes (see internal/tomlshape).
	if err := tomlshape.Check(data); err != nil {
		ce := &ConfigError{Path: p, Msg: err.Error()}
		var shape *tomlshape.Error
		if errors.As(err, &shape) {
			ce.Line, ce.Msg = shape.Line, shape.Msg
		}
		return nil, ce
	}
	var raw rawPolicy
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, &ConfigError{Path: p, Line: perr.Position.Line, Msg: perr.Message}
		}
		return nil, &ConfigError{Path: p, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &ConfigError{Path: p, Line: keyLine(data, und[0].String()), Msg: fmt.Sprintf("unknown setting %q", und[0].String())}
	}
	pol := DefaultPolicy()
	pol.Path = p
	if raw.FailOn != "" {
		fo, err := ParseFailOn(raw.FailOn)
		if err != nil {
			return nil, &ConfigError{Path: p, Line: keyLine(data, "fail_on"), Msg: err.Error()}
		}
		pol.FailOn = fo
	}
	for _, c := range raw.DisabledChecks {
		if !knownCheck(c) {
			return nil, &ConfigError{Path: p, Line: keyLine(data, "disabled_checks"), Msg: fmt.Sprintf("unknown check %q in disabled_checks (want %s)", c, strings.Join(KnownChecks, ", "))}
		}
		pol.Disabled = append(pol.Disabled, c)
	}
	pol.Strict = raw.Strict
	if raw.Checklist.StaleAfterDays < 0 {
		return nil, &ConfigError{Path: p, Line: keyLine(data, "stale_after_days"), Msg: "stale_after_days must be positive"}
	}
	if raw.Checklist.StaleAfterDays > 0 {
		pol.StaleAfterDays = raw.Checklist.StaleAfterDays
	}
	if mb := raw.Secrets.MaxFileSizeMB; mb != nil {
		if *mb < 1 || *mb > 10_000 {
			return nil, &ConfigError{Path: p, Line: keyLine(data, "max_file_size_mb"), Msg: "max_file_size_mb must be a number of megabytes from 1 to 10000"}
		}
		pol.SecretsMaxFileSize = *mb * 1_000_000
	}
	headers := ignoreHeaderLines(data)
	file := p
	if filepath.IsAbs(p) && filepath.Base(p) == PolicyFile {
		file = PolicyFile // the repository's own: LoadPolicy joins its root
	}
	for i, ri := range raw.Ignore {
		line := 0
		if i < len(headers) {
			line = headers[i]
		}
		ig := Ignore{Fingerprint: ri.Fingerprint, Rule: ri.Rule, Path: ri.Path, Reason: strings.TrimSpace(ri.Reason), Line: line, file: file}
		if ig.Fingerprint == "" && ig.Rule == "" && ig.Path == "" {
			return nil, &ConfigError{Path: p, Line: line, Msg: "[[ignore]] needs a fingerprint, a rule or a path"}
		}
		if ig.Reason == "" {
			return nil, &ConfigError{Path: p, Line: line, Msg: "[[ignore]] needs a reason: say why this finding is acceptable"}
		}
		if ig.Path != "" {
			if !doublestar.ValidatePattern(ig.Path) {
				return nil, &ConfigError{Path: p, Line: line, Msg: fmt.Sprintf("bad path glob %q", ig.Path)}
			}
		}
		switch e := ri.Expires.(type) {
		case nil:
		case time.Time:
			ig.Expires = time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.Local)
		case string:
			t, err := time.ParseInLocation("2006-01-02", e, time.Local)
			if err != nil {
				return nil, &ConfigError{Path: p, Line: line, Msg: fmt.Sprintf("expires %q is not a date (YYYY-MM-DD)", e)}
			}
			ig.Expires = t
		default:
			return nil, &ConfigError{Path: p, Line: line, Msg: "expires must be a date (YYYY-MM-DD)"}
		}
		pol.Ignores = append(pol.Ignores, ig)
	}
	return pol, nil
}

func knownCheck(c string) bool {
	for _, k := range KnownChecks {
		if k == c {
			return true
		}
	}
	return false
}

// CheckEnabled reports whether the policy leaves a check on.
func (p *Policy) CheckEnabled(name string) bool {
	for _, d := range p.Disabled {
		if d == name {
			return false
		}
	}
	return true
}

// ignoreHeaderLines returns the 1-based lines of each [[ignore]] header, so
// an error about the n-th entry can name its line.
func ignoreHeaderLines(data []byte) []int {
	var lines []int
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if strings.HasPrefix(t, "[[ignore]]") {
			lines = append(lines, i+1)
		}
	}
	return lines
}

// keyLine finds the line that sets key (its last dotted part), 0 if none.
func keyLine(data []byte, key string) int {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		key = key[i+1:]
	}
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, key) && strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(t, key)), "=") {
			return i + 1
		}
	}
	return 0
}

// Apply drops the findings an ignore covers and returns them as
// suppressions (suppression is never silent), marks the kept ones blocking
// by severity, and returns warnings for ignores that have expired (they no
// longer suppress). failOn overrides the policy's level when not empty.
func (p *Policy) Apply(findings []Finding, failOn FailOn, now time.Time) (kept []Finding, suppressed []Suppression, warnings []string) {
	if failOn == "" {
		failOn = p.FailOn
	}
	active, expired := p.activeIgnores(now)
	for _, ig := range expired {
		warnings = append(warnings, fmt.Sprintf("%s: ignore %s expired on %s and no longer suppresses; fix the finding or renew the ignore with a reason",
			ig.where(), ig.describe(), ig.Expires.Format("2006-01-02")))
	}
	kept = findings[:0:0]
	for _, f := range findings {
		f.Blocking = false
		if ig, ok := firstMatch(active, f); ok {
			suppressed = append(suppressed, Suppression{Finding: f, By: SuppressedByPolicy, Reason: ig.Reason, Where: ig.where()})
			continue
		}
		f.Blocking = failOn.Blocks(f.Severity)
		kept = append(kept, f)
	}
	return kept, suppressed, warnings
}

// activeIgnores splits the policy's ignores into those in force at now and
// those that have expired, each in the policy's order.
func (p *Policy) activeIgnores(now time.Time) (active, expired []Ignore) {
	for _, ig := range p.Ignores {
		if ig.Expired(now) {
			expired = append(expired, ig)
		} else {
			active = append(active, ig)
		}
	}
	return active, expired
}

func firstMatch(ignores []Ignore, f Finding) (Ignore, bool) {
	for _, ig := range ignores {
		if ig.Matches(f) {
			return ig, true
		}
	}
	return Ignore{}, false
}

// where is the ignore's place in the policy file: ".secfirst.toml:12", or
// "ci/policy.toml:12" for a policy given with --config.
func (ig Ignore) where() string {
	file := ig.file
	if file == "" {
		file = PolicyFile
	}
	if ig.Line > 0 {
		return fmt.Sprintf("%s:%d", file, ig.Line)
	}
	return file
}

func (ig Ignore) describe() string {
	var parts []string
	if ig.Fingerprint != "" {
		parts = append(parts, "fingerprint "+ig.Fingerprint)
	}
	if ig.Rule != "" {
		parts = append(parts, "rule "+ig.Rule)
	}
	if ig.Path != "" {
		parts = append(parts, "path "+ig.Path)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
