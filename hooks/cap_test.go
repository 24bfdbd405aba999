package hooks_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// generated writes n of a block, numbered.
func generated(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i, i)
	}
	return b.String()
}

// fullScan is `secfirst scan --staged`: the same checks and policy as the
// hook, without a cap.
func fullScan(t *testing.T, dir string) *checks.Report {
	t.Helper()
	src, err := checks.NewRepoSource(context.Background(), dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	rep, _, _, err := checks.ScanStaged(context.Background(), src, all.Checks(all.Options{Offline: true}), checks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Past checks.HookFindingsPerRule findings of one rule in one file the hook
// counts findings instead of building them, and decides exactly as a full
// scan: the same counts by severity, the same blocking ones, the same
// suppressions, whether an [[ignore]] names a rule, one of its equivalent
// ids (which differ from case to case within a rule) or the fingerprint of
// a finding it never listed, or .trivyignore names the rule's Trivy id.
func TestHookCountsWhatItDoesNotListAndDecidesAsAFullScan(t *testing.T) {
	const n = checks.HookFindingsPerRule + 30
	r := newRepo(t)
	r.Write("README.md", "demo\n")
	r.Commit("init")
	// The last pods run as a non-zero user: Checkov's CKV_K8S_23 is not
	// among the refs of their runAsNonRoot finding, as it is for the rest.
	r.Write("pods.yaml", generated(n, "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p%d\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27.%d\n    securityContext:\n      privileged: true\n")+
		generated(30, "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: u%d\nspec:\n  containers:\n  - name: c\n    image: nginx:1.26.%d\n    securityContext:\n      runAsUser: 1000\n"))
	r.Write("main.tf", generated(n, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"b%d\"\n}\n"))
	r.Write("Dockerfile", "FROM alpine:3.20\n"+generated(n, "RUN sudo apk add --no-cache curl%d # %d\n")+"USER 10001\n")
	// A leak corpus: as many GitHub tokens, the second one on a line that
	// says gitleaks:allow (suppressed where it is written, so not counted
	// against the cap).
	var keys strings.Builder
	var tokens []string
	for i := range n {
		tok := gittest.FakeGitHubToken()
		tokens = append(tokens, tok)
		fmt.Fprintf(&keys, "GITHUB_TOKEN_%d=%s", i, tok)
		if i == 1 {
			keys.WriteString(" # gitleaks:allow")
		}
		keys.WriteString("\n")
	}
	r.Write("leaks.env", keys.String())
	r.Git("add", "-A")

	before := fullScan(t, r.Dir)
	var privileged, nonRoot []checks.Finding
	var trivyID string
	for _, f := range before.Findings {
		switch {
		case f.Rule == "kubernetes/privileged":
			privileged = append(privileged, f)
		case f.Rule == "kubernetes/run-as-non-root" && slices.Contains(f.Refs, "CKV_K8S_23"):
			nonRoot = append(nonRoot, f)
		case f.Check == "kubernetes" && trivyID == "" && f.Severity != checks.High:
			for _, ref := range f.Refs {
				if strings.HasPrefix(ref, "KSV-") {
					trivyID = ref
				}
			}
		}
	}
	if len(privileged) != n || len(nonRoot) != n || trivyID == "" {
		t.Fatalf("want %d privileged containers, as many without runAsNonRoot and a Trivy id, got %d, %d and %q", n, len(privileged), len(nonRoot), trivyID)
	}
	// The last privileged container is past the cap: the hook never lists
	// it, yet the ignore of its fingerprint counts. So does the first
	// ignore that matches a finding: one by fingerprint before one by ref.
	ignored := privileged[n-1].Fingerprint
	r.Write(".secfirst.toml", "[[ignore]]\nfingerprint = \""+ignored+"\"\nreason = \"node agent\"\n\n"+
		"[[ignore]]\nfingerprint = \""+nonRoot[n-1].Fingerprint+"\"\nreason = \"this one first\"\n\n"+
		"[[ignore]]\nrule = \"terraform/aws-s3-no-public-access-block\"\npath = \"main.tf\"\nreason = \"blocked at the account level\"\n\n"+
		"[[ignore]]\nrule = \"CKV_K8S_23\"\nreason = \"admission control sets runAsNonRoot\"\n")
	r.Write(".trivyignore", trivyID+"\n")
	r.Git("add", "-A")

	want := fullScan(t, r.Dir)
	res, err := hooks.RunPreCommit(context.Background(), r.Dir, hooks.RunOptions{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Report
	if got.Summary != want.Summary {
		t.Errorf("hook summary %+v, full scan %+v", got.Summary, want.Summary)
	}
	if g, w := checks.SummarizeSuppressed(got.Suppressed), checks.SummarizeSuppressed(want.Suppressed); fmt.Sprint(g) != fmt.Sprint(w) {
		t.Errorf("hook suppressed %+v, full scan %+v", g, w)
	}
	where := func(sups []checks.Suppression) map[string]int {
		m := map[string]int{}
		for _, s := range sups {
			m[s.By+" "+s.Where] += s.Findings()
		}
		return m
	}
	if g, w := where(got.Suppressed), where(want.Suppressed); !maps.Equal(g, w) {
		t.Errorf("hook suppressions by where %v, full scan %v", g, w)
	}
	// A random token now and then reads to gitleaks as a generic key
	// (medium, not blocking) rather than a GitHub token.
	tokensBlocking := 0
	for _, f := range want.Findings {
		if f.File == "leaks.env" && f.Blocking {
			tokensBlocking++
		}
	}
	if want.Summary.Blocking != n-1+tokensBlocking || tokensBlocking < n-6 {
		t.Errorf("full scan: %d blocking, want the %d privileged containers not ignored and %d tokens (of %d)", want.Summary.Blocking, n-1, tokensBlocking, n-1)
	}
	if byPolicy := checks.SummarizeSuppressed(want.Suppressed).By[checks.SuppressedByPolicy]; byPolicy != 2*n+1 {
		t.Errorf("full scan: %d suppressed by the policy, want the %d buckets, the %d containers CKV_K8S_23 names and one container", byPolicy, n, n)
	}

	// Every finding is either listed, as the full scan has it, or counted
	// by its fingerprint; at most the cap of a rule in a file is listed.
	full := map[string]checks.Finding{}
	for _, f := range want.Findings {
		full[f.Fingerprint] = f
	}
	seen := map[string]bool{}
	perRule := map[string]int{}
	for _, f := range got.Findings {
		if w, ok := full[f.Fingerprint]; !ok || w.Message != f.Message || w.Line != f.Line {
			t.Errorf("hook listed %s %s:%d, not as the full scan has it", f.Rule, f.File, f.Line)
		}
		seen[f.Fingerprint] = true
		perRule[f.File+" "+f.Rule]++
	}
	for k, c := range perRule {
		if c > checks.HookFindingsPerRule {
			t.Errorf("%s: %d listed, cap %d", k, c, checks.HookFindingsPerRule)
		}
	}
	unlisted := 0
	for _, u := range got.Unlisted {
		for _, fp := range u.Fingerprints() {
			if _, ok := full[fp]; !ok || seen[fp] {
				t.Errorf("unlisted %s in %s: fingerprint %s is not one full scan lists once", u.Rule, u.File, fp)
			}
			if fp == ignored {
				t.Errorf("the ignored fingerprint %s is counted", fp)
			}
			seen[fp] = true
			unlisted++
		}
	}
	if len(seen) != len(want.Findings) || unlisted == 0 {
		t.Errorf("hook: %d listed or counted (%d counted), full scan %d", len(seen), unlisted, len(want.Findings))
	}

	// The message counts them and says how to see them all, and shows no
	// token.
	var out bytes.Buffer
	if err := res.Write(&out, report.NewStyles(renderer(&out, false))); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, tok := range tokens {
		noSecret(t, text, tok)
	}
	if c := len(regexp.MustCompile(`GitHub Personal Access Token  leaks\.env:\d+\n`).FindAllString(text, -1)); c != checks.HookFindingsPerRule {
		t.Errorf("hook message shows %d tokens of leaks.env, want %d", c, checks.HookFindingsPerRule)
	}
	// The first by line, whichever piece of the file was read first; the
	// one gitleaks:allow hides does not take a place.
	tokenLines := func(fs []checks.Finding) []int {
		var lines []int
		for _, f := range fs {
			if f.File == "leaks.env" && f.Rule == "github-pat" {
				lines = append(lines, f.Line)
			}
		}
		slices.Sort(lines)
		return lines
	}
	if g, w := tokenLines(got.Findings), tokenLines(want.Findings)[:checks.HookFindingsPerRule]; !slices.Equal(g, w) || slices.Contains(g, 2) {
		t.Errorf("listed tokens on lines %v, want the full scan's first %d: %v", g, checks.HookFindingsPerRule, w)
	}
	for _, s := range []string{
		fmt.Sprintf("this commit is blocked: %d findings to fix first.", want.Summary.Blocking),
		fmt.Sprintf("… and %d more Container runs privileged (kubernetes/privileged) in pods.yaml, not listed here", n-1-checks.HookFindingsPerRule),
		"`secfirst scan --staged` lists them all",
		report.SuppressedText(want.Suppressed),
	} {
		if !strings.Contains(text, s) {
			t.Errorf("hook message lacks %q:\n%s", s, text)
		}
	}
	if c := strings.Count(text, "Container runs privileged  pods.yaml:"); c != checks.HookFindingsPerRule {
		t.Errorf("hook message shows %d privileged containers in full, want %d", c, checks.HookFindingsPerRule)
	}
}

// The line for findings the hook did not list passes repository text (a
// .gitleaks.toml rule id, a file name) through termtext, and counts them
// without "more" when none of their rule in their file is listed (an
// [[ignore]] hid those that were).
func TestUnlistedLineIsTerminalSafeAndReadsWellAlone(t *testing.T) {
	listed := (&checks.Source{FindingsPerRule: 1}).RuleCap()
	rule := "evil\x1b[31mRED\x1b]0;TITLE\x07"
	for i := range 32 {
		listed.Keep(checks.Finding{Check: "secrets", Rule: rule, File: "a\x1b[2Jb.env", Severity: checks.High, Title: "Custom\x1b[5m thing",
			Fingerprint: checks.Fingerprint("secrets", rule, "a.env", fmt.Sprint(i))})
	}
	u := listed.Unlisted()
	u[0].Blocking = true
	rep := &checks.Report{Unlisted: u, Summary: checks.Summary{High: 31, Blocking: 31}}
	var out bytes.Buffer
	res := &hooks.Result{Hook: hooks.PreCommit, Report: rep}
	if err := res.Write(&out, report.NewStyles(renderer(&out, false))); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if strings.ContainsAny(text, "\x1b\x07") {
		t.Errorf("raw control bytes in the message: %q", text)
	}
	if !strings.Contains(text, "blocked: 31 findings to fix first.") || !strings.Contains(text, "  31 Custom") || strings.Contains(text, "more") {
		t.Errorf("want 31 counted, not \"more\":\n%s", text)
	}
}
