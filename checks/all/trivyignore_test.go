package all_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

var reTrivyRef = regexp.MustCompile(`^(DS|KSV|AWS|AZU|GCP)-\d{4}$`)

// trivyIgnored lists the findings .trivyignore hid, as "rule<-where reason".
func trivyIgnored(res checks.Result) []string {
	var out []string
	for _, s := range res.Suppressed {
		if s.By == checks.SuppressedByTrivyIgnore {
			out = append(out, fmt.Sprintf("%s<-%s %s", s.Finding.Rule, s.Where, s.Reason))
		}
	}
	return out
}

// The repository's .trivyignore hides the Dockerfile, Kubernetes and
// Terraform findings whose Trivy ids it lists, as the source sees it: the
// staged version in the hook, the working tree's otherwise; an expired id
// hides nothing, and a symlinked .trivyignore is never followed.
func TestTrivyIgnoreHidesConfigurationFindings(t *testing.T) {
	r := gittest.New(t)
	r.Write("Dockerfile", "FROM alpine:3.20\nUSER root\nRUN sudo make\n")
	r.Write("deploy/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: debug}\nspec:\n  containers:\n    - name: shell\n      image: busybox:1.36\n      securityContext: {privileged: true}\n")
	r.Write("infra/main.tf", "resource \"aws_ebs_volume\" \"a\" {\n  encrypted = false\n}\n")
	r.Git("add", "-A")

	cs := []checks.Check{dockerfile.New(), kubernetes.New(), terraform.New()}
	// One Trivy id of a finding of each check, and the findings it names.
	ids := map[string]string{}
	named := map[string]int{}
	for _, c := range cs {
		res := checktest.Run(t, c, r, checks.ModeStaged)
		for _, f := range res.Findings {
			for _, ref := range f.Refs {
				if ids[c.Name()] == "" && reTrivyRef.MatchString(ref) {
					ids[c.Name()] = ref
				}
			}
		}
		for _, f := range res.Findings {
			for _, ref := range f.Refs {
				if ref == ids[c.Name()] {
					named[c.Name()]++
					break
				}
			}
		}
		if ids[c.Name()] == "" {
			t.Fatalf("%s: no finding with a Trivy id: %v", c.Name(), res.Findings)
		}
	}
	// Each id as Trivy users write it: AVD- spelling, a reason, an expiry.
	ignore := "# tuned for trivy\n" +
		"AVD-" + ids["dockerfile"] + " # legacy image\n" +
		strings.ToLower(ids["kubernetes"]) + " exp:2999-01-01 # node agent\n" +
		ids["terraform"] + " # test fixtures\n"
	r.Write(".trivyignore", ignore)
	r.Git("add", ".trivyignore")
	r.Write(".trivyignore", "# nothing ignored on disk\n") // not staged

	want := map[string]string{"dockerfile": ".trivyignore:2 legacy image", "kubernetes": ".trivyignore:3 node agent", "terraform": ".trivyignore:4 test fixtures"}
	for _, c := range cs {
		staged := checktest.Run(t, c, r, checks.ModeStaged)
		got := trivyIgnored(staged)
		if len(got) != named[c.Name()] {
			t.Errorf("%s staged: .trivyignore hid %v, want the %d findings of %s", c.Name(), got, named[c.Name()], ids[c.Name()])
		}
		for _, g := range got {
			if !strings.HasSuffix(g, "<-"+want[c.Name()]) {
				t.Errorf("%s staged: %s, want <-%s", c.Name(), g, want[c.Name()])
			}
		}
		for _, f := range staged.Findings {
			for _, ref := range f.Refs {
				if ref == ids[c.Name()] {
					t.Errorf("%s staged: %s still reported", c.Name(), f.Rule)
				}
			}
		}
		if got := trivyIgnored(checktest.Run(t, c, r, checks.ModeWorktree)); len(got) != 0 {
			t.Errorf("%s worktree: the .trivyignore on disk ignores nothing, yet %v", c.Name(), got)
		}
	}

	// Expired ids hide nothing.
	r.Write(".trivyignore", ids["dockerfile"]+" exp:2000-01-01\n"+ids["kubernetes"]+" exp:2000-01-01\n"+ids["terraform"]+" exp:2000-01-01\n")
	for _, c := range cs {
		if got := trivyIgnored(checktest.Run(t, c, r, checks.ModeWorktree)); len(got) != 0 {
			t.Errorf("%s: expired ids hid %v", c.Name(), got)
		}
	}

	// A symlinked .trivyignore is not followed, and says so.
	outside := filepath.Join(t.TempDir(), "trivyignore")
	if err := os.WriteFile(outside, []byte(ignore), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Remove(".trivyignore")
	if err := os.Symlink(outside, filepath.Join(r.Dir, ".trivyignore")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", "-A")
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		for _, c := range cs {
			res := checktest.Run(t, c, r, mode)
			if got := trivyIgnored(res); len(got) != 0 {
				t.Errorf("%s %s: a symlinked .trivyignore hid %v", c.Name(), mode, got)
			}
			if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, c.Name()+": skipped .trivyignore: not a regular file") {
				t.Errorf("%s %s: no warning for the symlinked .trivyignore: %q", c.Name(), mode, res.Warnings)
			}
		}
	}
}
