package dockerfile

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

// git runs the real git binary in dir, isolated from the user's config.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const stagedBad = "FROM alpine:3.20@sha256:x\nRUN apk add --no-cache curl=8.9.0-r0\nHEALTHCHECK NONE\nRUN curl -k https://example.com/x -o /x\nUSER root\n"
const worktreeClean = "FROM alpine:3.20@sha256:x\nRUN apk add --no-cache curl=8.9.0-r0\nHEALTHCHECK NONE\nUSER app\n"

func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, dir, "README.md", "hello\n")
	write(t, dir, "Dockerfile", worktreeClean)
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "initial")
	return dir
}

func byFile(fs []checks.Finding) map[string]map[string][]int {
	out := map[string]map[string][]int{}
	for _, f := range fs {
		if out[f.File] == nil {
			out[f.File] = map[string][]int{}
		}
		s := strings.TrimPrefix(f.Rule, "dockerfile/")
		out[f.File][s] = append(out[f.File][s], f.Line)
	}
	return out
}

// The hook path: a staged Dockerfile is checked as staged, not as it is on
// disk, and files the commit does not touch are not checked.
func TestRunChecksTheStagedDockerfile(t *testing.T) {
	ctx := context.Background()
	dir := newRepo(t)
	write(t, dir, "Dockerfile", stagedBad)
	git(t, dir, "add", "Dockerfile")
	write(t, dir, "Dockerfile", worktreeClean)                        // fixed on disk, not staged
	write(t, dir, "other/Dockerfile", "FROM alpine\nRUN sudo make\n") // untracked
	write(t, dir, "api.Dockerfile", "FROM alpine:latest\nUSER app\nHEALTHCHECK NONE\n")
	git(t, dir, "add", "api.Dockerfile")

	src, err := checks.NewRepoSource(ctx, dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	res, err := New().Run(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	got := byFile(res.Findings)
	if l := got["Dockerfile"]["insecure-tls"]; len(l) != 1 || l[0] != 4 {
		t.Errorf("staged curl -k at line 4 not found: %v", got)
	}
	if l := got["Dockerfile"]["root-user"]; len(l) != 1 || l[0] != 5 {
		t.Errorf("staged USER root at line 5 not found: %v", got)
	}
	if l := got["api.Dockerfile"]["latest-tag"]; len(l) != 1 {
		t.Errorf("staged api.Dockerfile not checked: %v", got)
	}
	if _, ok := got["other/Dockerfile"]; ok {
		t.Errorf("an untracked Dockerfile was checked in staged mode: %v", got)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}

	// The worktree sees the fixed file, and still not the untracked one.
	src, err = checks.NewRepoSource(ctx, dir, checks.ModeWorktree)
	if err != nil {
		t.Fatal(err)
	}
	res, err = New().Run(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	got = byFile(res.Findings)
	if len(got["Dockerfile"]) != 0 {
		t.Errorf("worktree Dockerfile is clean, got %v", got["Dockerfile"])
	}
	if _, ok := got["other/Dockerfile"]; ok {
		t.Errorf("untracked file checked in worktree mode: %v", got)
	}

	// Paths scan the given folder, tracked or not.
	src, err = checks.NewPathsSource(ctx, dir, []string{"other"})
	if err != nil {
		t.Fatal(err)
	}
	res, err = New().Run(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := byFile(res.Findings); len(got["other/Dockerfile"]["sudo"]) != 1 {
		t.Errorf("path scan of other/: %v", got)
	}

	// History has nothing for this check.
	src, err = checks.NewRepoSource(ctx, dir, checks.ModeHistory)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := New().Run(ctx, src); err != nil || len(res.Findings) != 0 {
		t.Errorf("history mode: %v %v", res.Findings, err)
	}
}

// Through the engine: the policy ignores a finding by one of its refs, and
// the rest block at the default level.
func TestScanPolicyIgnoresByRef(t *testing.T) {
	ctx := context.Background()
	dir := newRepo(t)
	write(t, dir, "Dockerfile", stagedBad)
	git(t, dir, "add", "Dockerfile")
	src, err := checks.NewRepoSource(ctx, dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	pol := checks.DefaultPolicy()
	pol.Ignores = []checks.Ignore{{Rule: "DL3002", Reason: "debug image"}}
	rep := checks.Scan(ctx, src, []checks.Check{New()}, pol, checks.Options{Now: time.Now()})
	got := byFile(rep.Findings)
	if _, ok := got["Dockerfile"]["root-user"]; ok {
		t.Errorf("ignore by DL3002 did not suppress root-user: %v", got)
	}
	if len(got["Dockerfile"]["insecure-tls"]) != 1 || rep.Summary.Blocking != 1 {
		t.Errorf("insecure-tls should remain and block: %v, summary %+v", got, rep.Summary)
	}
}

func BenchmarkCheckFile(b *testing.B) {
	data := []byte(cleanDockerfile + "RUN apt-get update && apt-get install -y curl | tee /log && curl -fsSL https://x | sh\n")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		CheckFile("Dockerfile", data)
	}
}

// BenchmarkRunStaged is the hook's cost for a commit that touches one
// Dockerfile among other files.
func BenchmarkRunStaged(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	git(b, dir, "init", "-q")
	for i := range 50 {
		write(b, dir, filepath.Join("pkg", strings.Repeat("x", i%7+1), "f.go"), "package x\n")
	}
	write(b, dir, "Dockerfile", cleanDockerfile)
	git(b, dir, "add", ".")
	git(b, dir, "commit", "-q", "-m", "initial")
	write(b, dir, "Dockerfile", cleanDockerfile+"RUN curl -k https://x | sh\n")
	for i := range 9 {
		write(b, dir, filepath.Join("src", strings.Repeat("y", i+1)+".go"), "package y\n")
	}
	git(b, dir, "add", ".")
	for b.Loop() {
		src, err := checks.NewRepoSource(ctx, dir, checks.ModeStaged)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New().Run(ctx, src); err != nil {
			b.Fatal(err)
		}
	}
}
