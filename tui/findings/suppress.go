package findings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/secfirst-dev/secfirst/checks"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
)

// AddIgnore appends an [[ignore]] entry for finding f, by fingerprint and
// with reason, to the .secfirst.toml at root. The file's existing text is
// kept byte for byte; the new file is checked to parse as a policy and
// written atomically (temporary file in the same directory, then rename).
// It returns the policy file's path.
func AddIgnore(root string, f checks.Finding, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", errors.New("an ignore needs a reason: say why this finding is acceptable")
	}
	if f.Fingerprint == "" {
		return "", errors.New("this finding has no fingerprint to ignore it by")
	}
	p := filepath.Join(root, checks.PolicyFile)
	old, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return p, err
	}
	if len(old) > 0 {
		if _, err := checks.ParsePolicy(p, old); err != nil {
			return p, fmt.Errorf("fix it first: %w", err)
		}
	}
	var b bytes.Buffer
	b.Write(old)
	if len(old) > 0 {
		if !bytes.HasSuffix(old, []byte("\n")) {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "# %s\n", oneLine(fmt.Sprintf("%s: %s in %s", f.Check, f.Rule, f.File)))
	// The entry itself is encoded by the TOML library, so any reason text
	// is quoted correctly.
	type entry struct {
		Fingerprint string `toml:"fingerprint"`
		Reason      string `toml:"reason"`
	}
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(struct {
		Ignore []entry `toml:"ignore"`
	}{[]entry{{f.Fingerprint, reason}}}); err != nil {
		return p, err
	}
	pol, err := checks.ParsePolicy(p, b.Bytes())
	if err != nil {
		return p, fmt.Errorf("the new entry would not parse: %w", err)
	}
	if n := len(pol.Ignores); n == 0 || pol.Ignores[n-1].Fingerprint != f.Fingerprint {
		return p, errors.New("the new entry did not read back")
	}
	perm := fs.FileMode(0o644)
	if fi, err := os.Stat(p); err == nil {
		perm = fi.Mode().Perm()
	}
	return p, atomicfile.Write(p, b.Bytes(), perm)
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
