package checklist

import (
	"context"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// hidingCheck is a secrets check whose suppressions hid every finding
// (what .secfirst.toml ignores, .gitleaksignore or gitleaks:allow do).
type hidingCheck struct{ hidden []checks.Suppression }

func (hidingCheck) Name() string { return checkSecrets }

func (c hidingCheck) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	return checks.Result{Suppressed: c.hidden}, nil
}

func TestASecretsPassThatSuppressionsMadeSaysHowMany(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.go", "package main\n")
	r.Commit("init")
	hidden := func(by ...string) []checks.Suppression {
		var out []checks.Suppression
		for _, b := range by {
			out = append(out, checks.Suppression{Finding: checks.Finding{Check: checkSecrets, Rule: "aws-access-token", File: "main.go", Line: 1}, By: b})
		}
		return out
	}
	opts := func(by ...string) RepoOptions {
		return RepoOptions{NoCache: true, Checks: []checks.Check{hidingCheck{hidden(by...)}}}
	}
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-tracked-files", opts(checks.SuppressedByPolicy, checks.SuppressedByPolicy)),
		Pass, "no secret in the 1 tracked file of the working tree, 2 suppressed (see .secfirst.toml)")
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-tracked-files", opts(checks.SuppressedByPolicy, checks.SuppressedByInline, checks.SuppressedByGitleaksIgnore)),
		Pass, ", 3 suppressed (1 by .gitleaksignore, 1 by .secfirst.toml, 1 by inline comments)")
	// Nothing suppressed: a plain pass.
	wantEvidence(t, evidence(t, r.Dir, "no-secrets-in-tracked-files", opts()), Pass, "no secret in the 1 tracked file of the working tree")
	if ev := evidence(t, r.Dir, "no-secrets-in-tracked-files", opts()); ev.Text != "no secret in the 1 tracked file of the working tree" {
		t.Fatalf("evidence %q", ev.Text)
	}
}

// TestNoLockfileIsNotACleanDependencyCheck: a repository with a
// package.json and no lockfile has nothing the dependency check can read;
// that is a todo saying so, never "no known vulnerability".
func TestNoLockfileIsNotACleanDependencyCheck(t *testing.T) {
	r := gittest.New(t)
	r.Write("package.json", `{"name":"app","dependencies":{"lodash":"^4.17.15"}}`+"\n")
	r.Commit("init")
	db := t.TempDir()
	writeNpmDB(t, db)
	// The dependency check names the package.json it could not check.
	wantEvidence(t, evidence(t, r.Dir, "no-vulnerable-dependencies", RepoOptions{DBDir: db, NoCache: true}), Todo, "package.json was NOT checked: no lockfile")

	// Nothing to check at all is not a pass either.
	bare := gittest.New(t)
	bare.Write("main.py", "print('hi')\n")
	bare.Commit("init")
	wantEvidence(t, evidence(t, bare.Dir, "no-vulnerable-dependencies", RepoOptions{DBDir: db, NoCache: true}), Todo, "no lockfile secfirst can read")
}
