package dockerfile

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// Suppression is never silent: each finding a comment hides is in
// Result.Suppressed, whole and redacted, with the comment's place and
// reason, whichever tool's syntax the comment uses.
func TestInlineSuppressionsAreReported(t *testing.T) {
	pw := fakeSecret()
	src := strings.Join([]string{
		"# hadolint global ignore=DL3003",                          // 1
		"#checkov:skip=CKV_DOCKER_2:the orchestrator probes it",    // 2
		"FROM alpine:3.20@sha256:x",                                // 3
		"USER app",                                                 // 4
		"# secfirst:ignore=dockerfile/sudo build tooling needs it", // 5
		"RUN sudo make",                                            // 6
		"# hadolint ignore=DL3004 pinned by the base image",        // 7
		"RUN sudo make install",                                    // 8
		"# trivy:ignore:DS-0031",                                   // 9
		"ENV DB_PASSWORD=" + pw,                                    // 10
		"RUN cd /src && make",                                      // 11
		"# secfirst:ignore=dockerfile/insecure-tls",                // 12
		"RUN curl -k https://x.example -o /x",                      // 13
		"RUN sudo true",                                            // 14
	}, "\n") + "\n"
	res := analyzeFile("svc/Dockerfile", []byte(src), nil, nil)
	type seen struct{ rule, where, reason string }
	var got []seen
	for _, s := range res.suppressed {
		if s.By != checks.SuppressedByInline {
			t.Errorf("%s suppressed by %q, want %q", s.Finding.Rule, s.By, checks.SuppressedByInline)
		}
		if s.Finding.Message == "" || s.Finding.Fingerprint == "" || s.Finding.File != "svc/Dockerfile" || s.Finding.Line == 0 {
			t.Errorf("incomplete suppressed finding %+v", s.Finding)
		}
		if strings.Contains(s.Finding.Snippet+s.Finding.Message, pw) {
			t.Errorf("a suppressed finding shows the secret: %+v", s.Finding)
		}
		got = append(got, seen{fmt.Sprintf("%s@%d", strings.TrimPrefix(s.Finding.Rule, "dockerfile/"), s.Finding.Line), s.Where, s.Reason})
	}
	sort.Slice(got, func(i, j int) bool { return got[i].rule < got[j].rule })
	want := []seen{
		{"insecure-tls@13", "svc/Dockerfile:12", ""},
		{"no-healthcheck@3", "svc/Dockerfile:2", "the orchestrator probes it"},
		{"run-cd@11", "svc/Dockerfile:1", ""},
		{"secret-in-env@10", "svc/Dockerfile:9", ""},
		{"sudo@6", "svc/Dockerfile:5", "build tooling needs it"},
		{"sudo@8", "svc/Dockerfile:7", "pinned by the base image"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("suppressed:\n got %v\nwant %v", got, want)
	}
	if s := slugs(res.findings); len(s["sudo"]) != 1 || s["sudo"][0] != 14 || len(s["run-cd"]) != 0 {
		t.Errorf("findings left: %v, want only the sudo at line 14 among sudo/run-cd", s)
	}
	// The same through the check on a real repository's staged file.
	ctx := context.Background()
	r := gittest.New(t)
	r.Write("svc/Dockerfile", src)
	r.Git("add", "-A")
	if out := runRepo(t, r, checks.ModeStaged); len(out.Suppressed) != len(want) {
		t.Errorf("Run reports %d suppressed, want %d: %+v", len(out.Suppressed), len(want), out.Suppressed)
	}
	srcs, err := checks.NewRepoSource(ctx, r.Dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	srcs.Env = r.Env
	// Policy and check suppressions add up in the engine's report.
	pol := checks.DefaultPolicy()
	pol.Ignores = []checks.Ignore{{Rule: "dockerfile/sudo", Reason: "legacy"}}
	rep := checks.Scan(ctx, srcs, []checks.Check{New()}, pol, checks.Options{})
	inline := 0
	for _, s := range rep.Suppressed {
		if s.By == checks.SuppressedByInline {
			inline++
		}
	}
	if inline != len(want) {
		t.Errorf("the report counts %d inline suppressions, want %d", inline, len(want))
	}
}
