package checklist

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// secretScanners are the words that show a hook or a hook manager's
// configuration runs a secret scanner.
var secretScanners = []string{"secfirst hook", "secfirst scan", "gitleaks", "trufflehog", "detect-secrets", "ggshield", "git-secrets", "talisman"}

func runsSecretScanner(content []byte) string {
	low := bytes.ToLower(content)
	for _, s := range secretScanners {
		if bytes.Contains(low, []byte(s)) {
			return s
		}
	}
	return ""
}

// teamHookConfigs are hook manager configurations committed with the code:
// they install the same hook in every clone.
var teamHookConfigs = []string{
	hooks.PreCommitConfig, ".husky/pre-commit",
	"lefthook.yml", ".lefthook.yml", "lefthook.yaml", ".lefthook.yaml", "lefthook.toml", "lefthook.json", ".config/lefthook.yml",
}

// hookEvidence asks the hooks package what git will run before a commit in
// this clone. Hooks are not committed, so a clone without one (CI's, for
// instance) passes only when a hook manager configuration committed in the
// repository runs a secret scanner for everyone.
func hookEvidence(ctx context.Context, r *Repo) Evidence {
	rep, err := hooks.Status(ctx, r.Root)
	if err != nil {
		return cannot("the git hooks", err)
	}
	hs := rep.Hook(hooks.PreCommit)
	rel := hs.Path
	if rep.Layout != nil {
		rel = rep.Layout.Rel(hs.Path)
	}
	if hs.Installed {
		if hs.Problem != "" && !hs.BinaryMissing {
			return Evidence{Status: Fail, Text: "secfirst's pre-commit hook is there but does not run: " + hs.Problem}
		}
		text := "secfirst's pre-commit hook is installed (" + rel + ")"
		switch {
		case hs.Manager != "":
			text = fmt.Sprintf("%s runs secfirst before each commit (%s)", hs.Manager, rel)
		case hs.Chained:
			text += ", chained after the hook that was there before"
		}
		if hs.BinaryMissing {
			text += "; the secfirst binary it names is gone, so it relies on secfirst being on PATH"
		}
		return Evidence{Status: Pass, Text: text}
	}
	// Another secret scanner in the hook git runs, or in the configuration
	// of the manager that owns it.
	if data, err := r.readHookFile(hs.Path, rel); err == nil {
		if s := runsSecretScanner(data); s != "" {
			what := "the pre-commit hook"
			if hs.Manager != "" {
				what = string(hs.Manager)
			}
			return Evidence{Status: Pass, Text: fmt.Sprintf("%s runs %s before each commit (%s)", what, s, rel)}
		}
	}
	for _, name := range teamHookConfigs {
		data, err := r.readRepoFile(name)
		if err != nil {
			continue
		}
		if s := runsSecretScanner(data); s != "" {
			return Evidence{Status: Pass, Text: fmt.Sprintf("%s runs %s before each commit in every clone that installs it (not installed in this one)", name, s)}
		}
	}
	return Evidence{Status: Fail, Text: fmt.Sprintf("no secret-scanning pre-commit hook (%s): run `secfirst hooks install`", rel)}
}

// maxHookSize bounds the read of the hook git runs: a hook is a script.
const maxHookSize = 1 << 20

// readHookFile reads the pre-commit hook at path (rel is its name for
// people). Git runs a hook through a symbolic link, so a link is followed,
// but only to a regular file: never to a device or a FIFO, and never more
// than maxHookSize bytes. A hook that cannot be read is a warning.
func (r *Repo) readHookFile(path, rel string) ([]byte, error) {
	target := path
	if fi, err := os.Lstat(path); err != nil {
		return nil, err
	} else if fi.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			r.Warn(fmt.Sprintf("skipped %s: a symbolic link that leads nowhere (%v)", rel, unwrapPathErr(err)))
			return nil, err
		}
	}
	data, err := safefile.ReadFile(target, maxHookSize)
	if err != nil {
		r.warnSkipped(rel, err)
	}
	return data, err
}
