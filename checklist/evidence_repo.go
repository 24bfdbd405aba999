package checklist

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
)

// envProbes are the names .gitignore must cover: the .env file itself, the
// per-environment variants, and one in a subfolder.
var envProbes = []string{".env", ".env.local", ".env.production", "app/.env"}

// isEnvFile reports whether a tracked path is a dotenv file with real
// values (example and template files are meant to be committed).
func isEnvFile(p string) bool {
	base := path.Base(p)
	if base != ".env" && !strings.HasPrefix(base, ".env.") {
		return false
	}
	for _, safe := range []string{".example", ".sample", ".template", ".dist", ".defaults", ".schema"} {
		if strings.HasSuffix(base, safe) {
			return false
		}
	}
	return true
}

// envIgnoredEvidence asks git itself which .env names are ignored, so every
// .gitignore, .git/info/exclude and core.excludesFile rule counts as git
// counts it; and it looks for .env files already tracked, which ignore
// rules no longer protect.
func envIgnoredEvidence(ctx context.Context, r *Repo) Evidence {
	tracked, err := r.Tracked(ctx)
	if err != nil {
		return cannot("the tracked files", err)
	}
	var committed []string
	for _, p := range tracked {
		if isEnvFile(p) {
			committed = append(committed, p)
		}
	}
	if len(committed) > 0 {
		return Evidence{Status: Fail, Text: fmt.Sprintf("%s tracked by git (ignore rules do not apply to tracked files): %s; `git rm --cached` it and rotate its secrets",
			plural(len(committed), ".env file is", ".env files are"), listSome(committed, 3))}
	}
	// --no-index tests the rules alone; --verbose names the rule, and
	// --non-matching lists the names no rule covers.
	args := append([]string{"check-ignore", "--no-index", "--verbose", "--non-matching"}, envProbes...)
	out, err := checks.Git(ctx, r.Root, nil, args...)
	if err != nil && len(out) == 0 {
		return cannot(".gitignore", err)
	}
	var missing []string
	var rule string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// "<source>:<linenum>:<pattern>\t<pathname>"; "::\t<pathname>" when not ignored.
		meta, name, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		if strings.HasPrefix(meta, "::") {
			missing = append(missing, name)
			continue
		}
		// A negated pattern ("!.env") matches but un-ignores.
		parts := strings.SplitN(meta, ":", 3)
		if len(parts) == 3 && strings.HasPrefix(parts[2], "!") {
			missing = append(missing, name)
			continue
		}
		if rule == "" && len(parts) == 3 {
			src := parts[0]
			if rel, err := filepath.Rel(r.Root, src); err == nil && !strings.HasPrefix(rel, "..") {
				src = filepath.ToSlash(rel)
			}
			rule = fmt.Sprintf("%q in %s:%s", parts[2], src, parts[1])
		}
	}
	if len(missing) > 0 {
		return Evidence{Status: Fail, Text: fmt.Sprintf("git would not ignore %s: add `.env` and `.env.*` (with `!.env.example`) to .gitignore", joinAnd(quoteAll(missing)))}
	}
	return Evidence{Status: Pass, Text: fmt.Sprintf("git ignores .env files (%s) and none is tracked", rule)}
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = "`" + v + "`"
	}
	return out
}

// securityPolicyPaths are where GitHub and GitLab look for a security policy.
var securityPolicyPaths = []string{"SECURITY.md", ".github/SECURITY.md", "docs/SECURITY.md", "SECURITY", "SECURITY.txt", "SECURITY.rst", ".gitlab/SECURITY.md"}

func securityPolicyEvidence(ctx context.Context, r *Repo) Evidence {
	for _, p := range securityPolicyPaths {
		if found, ok := findFold(r.Root, p); ok {
			fi, ok := r.lstatRepoFile(found)
			if !ok {
				continue
			}
			if fi.Size() == 0 {
				return Evidence{Status: Fail, Text: found + " exists but is empty: say how to report a vulnerability and what reporters can expect"}
			}
			return Evidence{Status: Pass, Text: found + " says how to report a vulnerability"}
		}
	}
	return Evidence{Status: Fail, Text: "no SECURITY.md (at the root, in .github/ or docs/): add one saying how to report a vulnerability"}
}

// findFold finds rel under root ignoring the case of its last element, as
// the forges do for SECURITY.md. It returns the real relative path.
func findFold(root, rel string) (string, bool) {
	dir, base := path.Split(rel)
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), base) {
			return dir + e.Name(), true
		}
	}
	return "", false
}

// depUpdateConfigs are the files that switch on Dependabot or Renovate.
var depUpdateConfigs = []struct{ path, tool string }{
	{".github/dependabot.yml", "Dependabot"},
	{".github/dependabot.yaml", "Dependabot"},
	{"renovate.json", "Renovate"},
	{"renovate.json5", "Renovate"},
	{".github/renovate.json", "Renovate"},
	{".github/renovate.json5", "Renovate"},
	{".gitlab/renovate.json", "Renovate"},
	{".gitlab/renovate.json5", "Renovate"},
	{".renovaterc", "Renovate"},
	{".renovaterc.json", "Renovate"},
	{".renovaterc.json5", "Renovate"},
}

func depUpdatesEvidence(ctx context.Context, r *Repo) Evidence {
	var found []string
	for _, c := range depUpdateConfigs {
		if _, ok := r.lstatRepoFile(c.path); ok {
			found = append(found, c.tool+" ("+c.path+")")
		}
	}
	if pkg, err := r.readRepoFile("package.json"); err == nil && strings.Contains(string(pkg), `"renovate"`) {
		found = append(found, `Renovate ("renovate" in package.json)`)
	}
	if len(found) == 0 {
		return Evidence{Status: Fail, Text: "no Dependabot or Renovate configuration (.github/dependabot.yml, renovate.json): dependency updates depend on someone remembering"}
	}
	return Evidence{Status: Pass, Text: "dependency updates are automated by " + joinAnd(found)}
}
