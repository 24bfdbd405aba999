package checklist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/internal/osvtest"
)

// evidence runs one provider on the repository, fresh.
func evidence(t *testing.T, dir, id string, o ...RepoOptions) Evidence {
	t.Helper()
	opts := RepoOptions{CacheDir: filepath.Join(dir, ".git", "test-cache")}
	if len(o) > 0 {
		opts = o[0]
	}
	r, err := OpenRepo(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := Evaluate(context.Background(), r, []Item{{ID: id, Kind: Auto}}, EvalOptions{})[id]
	if !ok {
		t.Fatalf("no evidence for %s", id)
	}
	return ev
}

func wantEvidence(t *testing.T, ev Evidence, status Status, contains ...string) {
	t.Helper()
	if ev.Status != status {
		t.Fatalf("status %s, want %s (evidence: %s)", ev.Status, status, ev.Text)
	}
	for _, c := range contains {
		if !strings.Contains(ev.Text, c) {
			t.Fatalf("evidence %q does not mention %q", ev.Text, c)
		}
	}
}

func TestHookEvidenceTurnsFromFailToPassWhenInstalled(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "hello\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "secret-scanning-hook"), Fail, "secfirst hooks install")

	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := hooks.PlanInstall(context.Background(), r.Dir, hooks.InstallOptions{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	wantEvidence(t, evidence(t, r.Dir, "secret-scanning-hook"), Pass, "installed", ".git/hooks/pre-commit")

	// Not executable: git would skip it, so the item fails again.
	hook := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	if err := os.Chmod(hook, 0o644); err != nil {
		t.Fatal(err)
	}
	wantEvidence(t, evidence(t, r.Dir, "secret-scanning-hook"), Fail, "not executable")
}

func TestHookEvidenceFromCommittedHookManagerConfig(t *testing.T) {
	r := gittest.New(t)
	r.Write(".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.30.1\n    hooks:\n      - id: gitleaks\n")
	r.Commit("pre-commit")
	wantEvidence(t, evidence(t, r.Dir, "secret-scanning-hook"), Pass, ".pre-commit-config.yaml", "gitleaks", "not installed in this one")
}

func TestTrackedSecretsEvidence(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.go", "package main\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-tracked-files"), Pass, "no secret", "1 tracked file")

	key := gittest.FakeAWSKey()
	r.Write("deploy/config.py", "import os\n\nAWS_ACCESS_KEY_ID = \""+key+"\"\n")
	r.Commit("config")
	ev := evidence(t, r.Dir, "no-secrets-in-tracked-files")
	wantEvidence(t, ev, Fail, "1 secret", "deploy/config.py:3")
	if strings.Contains(ev.Text, key) || strings.Contains(ev.Text, key[4:]) {
		t.Fatalf("evidence leaks the secret: %s", ev.Text)
	}
}

func TestHistorySecretsEvidenceIsCachedByHeadWithoutTheSecret(t *testing.T) {
	r := gittest.New(t)
	cache := t.TempDir()
	opts := RepoOptions{CacheDir: cache}
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-history", opts), Pass, "no commit yet")

	key := gittest.FakeAWSKey()
	r.Write("settings.env", "AWS_ACCESS_KEY_ID="+key+"\n")
	r.Commit("oops")
	r.Remove("settings.env")
	r.Write("README.md", "clean now\n")
	head := r.Commit("remove the key")

	// Gone from the tree, still in history.
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-tracked-files", opts), Pass)
	ev := evidence(t, r.Dir, "no-secrets-in-history", opts)
	wantEvidence(t, ev, Fail, "1 secret in the history", "1 commit", head[:12], "git filter-repo")
	if strings.Contains(ev.Text, key) {
		t.Fatal("evidence leaks the secret")
	}

	// The cache holds counts and fingerprints, never the secret.
	files, _ := filepath.Glob(filepath.Join(cache, "checklist", "history-*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{key, key[4:], key[8:16], "settings.env"} {
		if strings.Contains(string(data), part) {
			t.Fatalf("cache holds %q:\n%s", part, data)
		}
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache mode %v", fi.Mode().Perm())
	}

	// The cached result is used for the same HEAD: prove it by editing it.
	edited := strings.Replace(string(data), `"secrets":1`, `"secrets":7`, 1)
	if edited == string(data) {
		t.Fatalf("unexpected cache layout:\n%s", data)
	}
	os.WriteFile(files[0], []byte(edited), 0o600)
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-history", opts), Fail, "7 secrets")

	// A skipped slow provider still reports the cached evidence...
	repo, _ := OpenRepo(context.Background(), r.Dir, opts)
	got := Evaluate(context.Background(), repo, []Item{{ID: "no-secrets-in-history", Kind: Auto}}, EvalOptions{SkipSlow: true})
	wantEvidence(t, got["no-secrets-in-history"], Fail, "7 secrets")

	// ...and a new commit invalidates the cache.
	r.Write("README.md", "more\n")
	r.Commit("more")
	repo, _ = OpenRepo(context.Background(), r.Dir, opts)
	got = Evaluate(context.Background(), repo, []Item{{ID: "no-secrets-in-history", Kind: Auto}}, EvalOptions{SkipSlow: true})
	wantEvidence(t, got["no-secrets-in-history"], Todo, "slow")
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-history", opts), Fail, "1 secret in the history")
}

const packageLock = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"lodash": "4.17.15"}},
    "node_modules/lodash": {"version": "4.17.15", "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz"}
  }
}
`

// lodashAdvisory is a minimal OSV record (the real GHSA-35jh-r3h4-6jhm,
// trimmed): lodash before 4.17.21.
const lodashAdvisory = `{
  "schema_version": "1.3.0",
  "id": "GHSA-35jh-r3h4-6jhm",
  "modified": "2022-02-08T21:35:09Z",
  "aliases": ["CVE-2021-23337"],
  "summary": "Command Injection in lodash",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]
}
`

func writeNpmDB(t *testing.T, dir string) {
	t.Helper()
	osvtest.Write(t, dir, "npm", map[string]string{"GHSA-35jh-r3h4-6jhm.json": lodashAdvisory})
}

func TestDepsEvidence(t *testing.T) {
	r := gittest.New(t)
	r.Write("package-lock.json", packageLock)
	r.Commit("deps")

	// No database: a todo that says why, never a silent pass.
	empty := t.TempDir()
	wantEvidence(t, evidence(t, r.Dir, "no-vulnerable-dependencies", RepoOptions{DBDir: empty, NoCache: true}), Todo, "not fully checked", "secfirst db update")

	db := t.TempDir()
	writeNpmDB(t, db)
	wantEvidence(t, evidence(t, r.Dir, "no-vulnerable-dependencies", RepoOptions{DBDir: db, NoCache: true}), Fail, "lodash 4.17.15", "4.17.21")

	r.Write("package-lock.json", strings.ReplaceAll(packageLock, "4.17.15", "4.17.21"))
	r.Commit("upgrade")
	wantEvidence(t, evidence(t, r.Dir, "no-vulnerable-dependencies", RepoOptions{DBDir: db, NoCache: true}), Pass, "no known vulnerability")
}

func TestDockerfileEvidence(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "no containers\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "containers-non-root"), NA)
	wantEvidence(t, evidence(t, r.Dir, "base-images-pinned"), NA)
	wantEvidence(t, evidence(t, r.Dir, "images-scanned"), NA)

	r.Write("services/api/Dockerfile", "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n")
	r.Commit("api")
	wantEvidence(t, evidence(t, r.Dir, "containers-non-root"), Fail, "services/api/Dockerfile", "as root")
	wantEvidence(t, evidence(t, r.Dir, "base-images-pinned"), Pass, "version tag", "not by digest")

	r.Write("services/api/Dockerfile", "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n")
	r.Write("worker.Dockerfile", "FROM python:latest AS build\nFROM alpine\nUSER 1000\n")
	r.Commit("worker")
	wantEvidence(t, evidence(t, r.Dir, "containers-non-root"), Pass, "all 2 Dockerfiles")
	wantEvidence(t, evidence(t, r.Dir, "base-images-pinned"), Fail, "2 base images are not pinned", "worker.Dockerfile:1", "worker.Dockerfile:2")
	wantEvidence(t, evidence(t, r.Dir, "images-scanned"), Fail, "2 Dockerfiles but no image scan")

	r.Write("Dockerfile", "FROM alpine:3.19\nUSER root\n")
	wantEvidence(t, evidence(t, r.Dir, "containers-non-root"), Fail, "Dockerfile:2")
}

func TestEnvIgnoredEvidence(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.go", "package main\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "env-files-ignored"), Fail, "`.env`")

	r.Write(".gitignore", "node_modules/\n.env\n")
	wantEvidence(t, evidence(t, r.Dir, "env-files-ignored"), Fail, "`.env.local`", "`.env.production`")

	r.Write(".gitignore", "node_modules/\n.env\n.env.*\n!.env.example\n")
	r.Write(".env.example", "API_KEY=\n")
	r.Commit("ignore")
	wantEvidence(t, evidence(t, r.Dir, "env-files-ignored"), Pass, `".env" in .gitignore:2`)

	// An .env committed before the rule: the rule no longer protects it.
	r.Write(".gitignore", "")
	r.Write("config/.env.production", "DB_PASSWORD=x\n")
	r.Commit("oops")
	r.Write(".gitignore", ".env\n.env.*\n")
	wantEvidence(t, evidence(t, r.Dir, "env-files-ignored"), Fail, "config/.env.production", "tracked")
}

func TestSecurityPolicyAndDependencyUpdateEvidence(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.go", "package main\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "security-policy"), Fail, "no SECURITY.md")
	wantEvidence(t, evidence(t, r.Dir, "dependency-updates-automated"), Fail, "no Dependabot or Renovate")

	r.Write(".github/security.md", "Report vulnerabilities to security@example.com.\n")
	r.Write(".github/dependabot.yml", "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedule: {interval: weekly}\n")
	wantEvidence(t, evidence(t, r.Dir, "security-policy"), Pass, ".github/security.md")
	wantEvidence(t, evidence(t, r.Dir, "dependency-updates-automated"), Pass, "Dependabot (.github/dependabot.yml)")

	r.Write("SECURITY.md", "")
	wantEvidence(t, evidence(t, r.Dir, "security-policy"), Fail, "empty")
	os.Remove(filepath.Join(r.Dir, ".github", "dependabot.yml"))
	r.Write("renovate.json", "{}\n")
	wantEvidence(t, evidence(t, r.Dir, "dependency-updates-automated"), Pass, "Renovate (renovate.json)")
}

func TestEvaluateHandlesUnknownSlowPanickingAndCancelled(t *testing.T) {
	r := gittest.New(t)
	repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	providers := []Provider{
		{ID: "slow", Slow: true, Evaluate: func(context.Context, *Repo) Evidence { ran = true; return Evidence{Status: Pass, Text: "x"} }},
		{ID: "boom", Evaluate: func(context.Context, *Repo) Evidence { panic("kaboom") }},
		{ID: "ok", Evaluate: func(context.Context, *Repo) Evidence { return Evidence{Status: Pass, Text: "fine"} }},
	}
	items := []Item{{ID: "slow", Kind: Auto}, {ID: "boom", Kind: Auto}, {ID: "ok", Kind: Auto}, {ID: "mine", Kind: Auto}, {ID: "manual", Kind: Manual}}
	got := Evaluate(context.Background(), repo, items, EvalOptions{Providers: providers, SkipSlow: true})
	if ran {
		t.Error("a slow provider ran with SkipSlow")
	}
	wantEvidence(t, got["slow"], Todo, "slow")
	wantEvidence(t, got["boom"], Todo, "kaboom")
	wantEvidence(t, got["ok"], Pass, "fine")
	wantEvidence(t, got["mine"], Todo, "no automatic check")
	if _, ok := got["manual"]; ok {
		t.Error("a manual item got evidence")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got = Evaluate(ctx, repo, items[2:3], EvalOptions{Providers: providers})
	wantEvidence(t, got["ok"], Todo, "interrupted")
}

func TestUnparsableDockerfileIsATodoNamingIt(t *testing.T) {
	r := gittest.New(t)
	r.Write("Dockerfile", "FROM alpine:3.19\nRUN <<EOF\necho unterminated heredoc\n")
	r.Commit("broken")
	// Nothing can be said of a file that does not parse: a todo naming
	// it, never a pass.
	wantEvidence(t, evidence(t, r.Dir, "containers-non-root"), Todo, "Dockerfile (line 2) does not parse")
	wantEvidence(t, evidence(t, r.Dir, "base-images-pinned"), Todo, "Dockerfile (line 2) does not parse")
}

func TestChecksSwitchedOffByPolicyAreATodo(t *testing.T) {
	r := gittest.New(t)
	r.Write("package-lock.json", packageLock)
	r.Write("pod.yaml", privileged(""))
	r.Write(".secfirst.toml", "disabled_checks = [\"deps\", \"secrets\", \"kubernetes\"]\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "no-vulnerable-dependencies"), Todo, "deps check is switched off in .secfirst.toml")
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-tracked-files"), Todo, "secrets check is switched off")
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-history"), Todo, "secrets check is switched off")
	// An item the manifests would verify is left to people, saying why.
	ev := evidence(t, r.Dir, "pod-security")
	if !ev.Manual || ev.Text != "the kubernetes check is switched off in .secfirst.toml — review by hand" {
		t.Fatalf("pod-security: %+v", ev)
	}
}
