package checks_test

import (
	"context"
	"errors"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
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
