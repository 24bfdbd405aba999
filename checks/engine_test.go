package checks_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// fixedCheck returns a fixed result: the engine's bookkeeping is what is
// under test here, not a check.
type fixedCheck struct {
	name string
	res  checks.Result
	err  error
}

func (c fixedCheck) Name() string { return c.name }
func (c fixedCheck) Run(context.Context, *checks.Source) (checks.Result, error) {
	return c.res, c.err
}

func TestScanReportsEverySuppression(t *testing.T) {
	pol, err := checks.ParsePolicy(".secfirst.toml", []byte("[[ignore]]\nrule = \"dockerfile/root-user\"\nreason = \"build image\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	inline := checks.Suppression{By: checks.SuppressedByInline, Where: "app.py:3",
		Finding: checks.Finding{Check: "secrets", Rule: "github-pat", Severity: checks.High, File: "app.py", Line: 3}}
	list := []checks.Check{
		fixedCheck{name: "secrets", res: checks.Result{Suppressed: []checks.Suppression{inline}}},
		fixedCheck{name: "dockerfile", res: checks.Result{Findings: []checks.Finding{
			{Check: "dockerfile", Rule: "dockerfile/root-user", Severity: checks.High, File: "Dockerfile", Line: 1},
			{Check: "dockerfile", Rule: "dockerfile/latest-tag", Severity: checks.Medium, File: "Dockerfile", Line: 1},
		}}},
	}
	rep := checks.Scan(context.Background(), &checks.Source{Mode: checks.ModeWorktree}, list, pol, checks.Options{})
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "dockerfile/latest-tag" {
		t.Fatalf("findings = %+v", rep.Findings)
	}
	if len(rep.Suppressed) != 2 {
		t.Fatalf("suppressed = %+v", rep.Suppressed)
	}
	if rep.Suppressed[0].By != checks.SuppressedByInline || rep.Suppressed[1].By != checks.SuppressedByPolicy ||
		rep.Suppressed[1].Where != ".secfirst.toml:1" || rep.Suppressed[1].Reason != "build image" {
		t.Fatalf("suppressed = %+v", rep.Suppressed)
	}
	sum := checks.SummarizeSuppressed(rep.Suppressed)
	if sum.Total != 2 || sum.By["policy"] != 1 || sum.By["inline"] != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	if rep.Incomplete() {
		t.Fatal("no check failed")
	}
}

func TestScanWithAFailedCheckIsIncomplete(t *testing.T) {
	list := []checks.Check{
		fixedCheck{name: "secrets", err: errors.New("git log: fatal: unable to read e0d6")},
		fixedCheck{name: "deps", res: checks.Result{Warnings: []string{"3 packages NOT checked: no vulnerability data"}}},
	}
	rep := checks.Scan(context.Background(), &checks.Source{Mode: checks.ModeHistory}, list, nil, checks.Options{})
	if !rep.Incomplete() || len(rep.Errors) != 1 || rep.Errors[0] != "secrets check failed: git log: fatal: unable to read e0d6" {
		t.Fatalf("errors = %q", rep.Errors)
	}
	if len(rep.Warnings) != 2 {
		t.Fatalf("warnings = %q: the check's warning and the error", rep.Warnings)
	}
}

// TestScanStagedRunsTheStagedChoiceOfChecks: the checks start with the
// working tree's disabled_checks while the staged policy is read; when the
// two differ, the staged one decides what ran and what is reported.
func TestScanStagedRunsTheStagedChoiceOfChecks(t *testing.T) {
	r := gittest.New(t)
	found := func(name string) checks.Check {
		return fixedCheck{name: name, res: checks.Result{Findings: []checks.Finding{
			{Check: name, Rule: name + "/rule", Severity: checks.High, File: "f", Line: 1}}}}
	}
	available := []checks.Check{found("secrets"), found("deps"), found("dockerfile")}
	names := func(list []checks.Check) string {
		var s []string
		for _, c := range list {
			s = append(s, c.Name())
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct{ staged, worktree, want string }{
		{"", "", "secrets,deps,dockerfile"},
		{`disabled_checks = ["deps"]`, "", "secrets,dockerfile"},
		{"", `disabled_checks = ["deps"]`, "secrets,deps,dockerfile"},
		{`disabled_checks = ["secrets"]`, `disabled_checks = ["secrets"]`, "deps,dockerfile"},
		{`disabled_checks = ["secrets"]`, `fail_on = [ broken`, "deps,dockerfile"},
	} {
		r.Write(".secfirst.toml", c.staged+"\n")
		r.Git("add", ".secfirst.toml")
		r.Write(".secfirst.toml", c.worktree+"\n")
		// A source is one scan: it reads the index once.
		rep, pol, ran, err := checks.ScanStaged(context.Background(), stagedSource(r), available, checks.Options{})
		if err != nil {
			t.Fatalf("staged %q, worktree %q: %v", c.staged, c.worktree, err)
		}
		var reported []string
		for _, f := range rep.Findings {
			reported = append(reported, f.Check)
		}
		sort.Strings(reported)
		want := strings.Split(c.want, ",")
		sort.Strings(want)
		if names(ran) != c.want || strings.Join(reported, ",") != strings.Join(want, ",") {
			t.Errorf("staged %q, worktree %q: ran %s, reported %v; want %s", c.staged, c.worktree, names(ran), reported, c.want)
		}
		if pol.UnstagedEdit() != (c.staged != c.worktree) {
			t.Errorf("staged %q, worktree %q: UnstagedEdit = %v", c.staged, c.worktree, pol.UnstagedEdit())
		}
	}
	r.Write(".secfirst.toml", "[[ignore]]\nrule = \"x\"\n")
	r.Git("add", ".secfirst.toml")
	if _, _, _, err := checks.ScanStaged(context.Background(), stagedSource(r), available, checks.Options{}); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("a staged policy that does not parse: err = %v", err)
	}
}

// A working-tree scan of a repository that tracks nothing (a clone whose
// checkout failed left an empty index) says it scanned nothing: "no
// findings" alone would pass for clean. A repository with files does not.
func TestScanOfAnEmptyIndexSaysNothingWasScanned(t *testing.T) {
	r := gittest.New(t)
	warned := func() bool {
		src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeWorktree)
		if err != nil {
			t.Fatal(err)
		}
		rep := checks.Scan(context.Background(), src, nil, nil, checks.Options{})
		return strings.Contains(strings.Join(rep.Warnings, "\n"), "tracks no file here: nothing was scanned")
	}
	if !warned() {
		t.Error("an empty index gave no warning")
	}
	r.Write("README.md", "hello\n")
	r.Commit("init")
	if warned() {
		t.Error("a repository with files was said to track none")
	}
}
