package all_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/internal/osvtest"
	"github.com/secfirst-dev/secfirst/lessons"
)

// osvDB zips the deps check's test advisories into osv-scanner's local
// database layout: a real database, built from small advisory files.
func osvDB(t *testing.T) string {
	t.Helper()
	return osvtest.FromDir(t, "../deps/testdata/osv")
}

// TestEveryFindingExplainsItself runs every check on one repository with a
// leaked secret, vulnerable lockfiles and a bad Dockerfile, in every mode,
// and holds each finding to the contract: a concrete fix, a lesson that
// resolves, a fingerprint, a severity.
func TestEveryFindingExplainsItself(t *testing.T) {
	r := gittest.New(t)
	projects, _ := filepath.Glob("../deps/testdata/project/*")
	for _, p := range projects {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r.Write(filepath.Base(p), string(data))
	}
	r.Write("Dockerfile", "FROM node:latest\nADD https://example.com/app.tgz /app/\nENV API_TOKEN=placeholder-token-value\nRUN curl -sSL https://get.example.com | sh\nRUN apt-get update && apt-get install curl\nEXPOSE 22\nCMD [\"node\", \"/app\"]\n")
	r.Write("src/settings.py", "GITHUB_TOKEN = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Write("deploy/web.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: web, image: \"web:latest\"}]\n")
	r.Commit("everything wrong")
	r.Write("src/more.py", "AWS = \""+gittest.FakeAWSKey()+"\"\n")
	r.Write("Dockerfile.dev", "FROM python\nRUN pip install flask\n")
	r.Git("add", "-A")

	list := all.Checks(all.Options{DBDir: osvDB(t), Offline: true})
	byCheck := map[string]int{}
	for _, mode := range []checks.Mode{checks.ModeWorktree, checks.ModeStaged, checks.ModeHistory} {
		src, err := checks.NewRepoSource(context.Background(), r.Dir, mode)
		if err != nil {
			t.Fatal(err)
		}
		src.Env = r.Env
		rep := checks.Scan(context.Background(), src, list, checks.DefaultPolicy(), checks.Options{})
		if len(rep.Errors) > 0 {
			t.Fatalf("%s: checks failed: %v", mode, rep.Errors)
		}
		for _, f := range rep.Findings {
			byCheck[f.Check]++
			if f.Fix == "" || f.Title == "" || f.Message == "" || f.Fingerprint == "" || f.Severity.Rank() == 0 || f.File == "" {
				t.Errorf("%s: incomplete finding %+v", mode, f)
			}
			if _, ok := lessons.Get(f.Lesson); !ok {
				t.Errorf("%s: %s %s: lesson %q does not resolve", mode, f.Check, f.Rule, f.Lesson)
			}
			if (f.Package != nil) != (f.Check == "deps") {
				t.Errorf("%s: package on a %s finding", mode, f.Check)
			}
			if mode == checks.ModeHistory && f.Commit == "" {
				t.Errorf("history finding without commit: %+v", f)
			}
		}
	}
	t.Logf("findings per check over the three modes: %v", byCheck)
	for _, c := range []string{"secrets", "deps", "dockerfile", "kubernetes"} {
		if byCheck[c] == 0 {
			t.Errorf("no %s findings: the fixture must exercise every check (%v)", c, byCheck)
		}
	}
}
