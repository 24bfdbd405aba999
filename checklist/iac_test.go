package checklist

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestIaCMappingNamesRealRulesAndCoversThePractices: the mapping names
// only rules the checks have, only manual items of the template, maps the
// practices of issue 19, and leaves no rule unmapped without saying so.
func TestIaCMappingNamesRealRulesAndCoversThePractices(t *testing.T) {
	k8sRules := map[string]bool{}
	for _, r := range kubernetes.Rules() {
		k8sRules[r.ID] = true
	}
	tfPractices := map[string]bool{}
	for _, p := range terraform.Practices {
		tfPractices[p] = true
	}
	tpl := map[string]TemplateItem{}
	for _, it := range Template {
		tpl[it.ID] = it
	}
	mappedK8s := map[string]bool{}
	mappedTF := map[string]bool{}
	seen := map[string]bool{}
	for _, s := range iacSources {
		if seen[s.Item] {
			t.Errorf("%s is mapped twice", s.Item)
		}
		seen[s.Item] = true
		it, ok := tpl[s.Item]
		if !ok || it.Kind != Manual {
			t.Errorf("%s: not a manual item of the template", s.Item)
		}
		for _, id := range s.Kubernetes {
			if !k8sRules[id] {
				t.Errorf("%s: no Kubernetes rule %s", s.Item, id)
			}
			mappedK8s[id] = true
		}
		for _, p := range s.Terraform {
			if !tfPractices[p] || len(terraform.PracticeRules(p)) == 0 {
				t.Errorf("%s: no Terraform practice %s", s.Item, p)
			}
			mappedTF[p] = true
		}
		if len(s.rules()) == 0 {
			t.Errorf("%s: no rule verifies it", s.Item)
		}
		if len(s.Terraform) > 0 && len(s.resourceTypes()) == 0 {
			t.Errorf("%s: its Terraform rules read no resource type", s.Item)
		}
	}
	// The practices of issue 19 point 3.
	for _, id := range []string{"pod-security", "private-nodes", "database-firewall", "encryption", "waf", "tls-everywhere", "audit-trails", "least-privilege"} {
		if !seen[id] {
			t.Errorf("%s is not mapped", id)
		}
	}
	pod, _ := iacSourceOf("pod-security")
	for _, id := range append(kubernetes.PodSecurityRules(kubernetes.Restricted), kubernetes.RuleID("writable-root-filesystem")) {
		if !pod.rules()[id] {
			t.Errorf("pod-security does not take %s", id)
		}
	}
	// A rule left out is a decision written here (and in iacmap.go).
	unmappedK8s := map[string]bool{}
	for _, s := range []string{"net-bind-service", "no-cpu-limit", "no-memory-limit", "latest-tag", "untagged-image"} {
		unmappedK8s[kubernetes.RuleID(s)] = true
	}
	for id := range k8sRules {
		if mappedK8s[id] == unmappedK8s[id] {
			t.Errorf("%s: mapped = %v, listed as unmapped = %v", id, mappedK8s[id], unmappedK8s[id])
		}
	}
	for p := range tfPractices {
		if mappedTF[p] == (p == terraform.PracticePublicStorage) {
			t.Errorf("Terraform practice %s: mapped = %v", p, mappedTF[p])
		}
	}
	// Every mapped item has its promoting provider.
	for _, s := range iacSources {
		if !Verifiable(s.Item, nil) {
			t.Errorf("%s has no promoting provider", s.Item)
		}
	}
}

// hardenedPod is a pod that meets the Restricted standard.
var hardenedPod = func() string {
	data, err := os.ReadFile(filepath.Join("testdata", "hardened-pod.yaml"))
	if err != nil {
		panic(err)
	}
	return string(data)
}()

// privileged makes the pod privileged, on line 19, with comment above it.
func privileged(comment string) string {
	return strings.Replace(hardenedPod, "        readOnlyRootFilesystem: true\n",
		"        readOnlyRootFilesystem: true\n"+comment+"        privileged: true\n", 1)
}

func TestPodSecurityFailsOnAPrivilegedPodAndPassesOnceFixed(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# app\n")
	r.Write("deploy/pod.yaml", privileged(""))
	r.Commit("init")
	ev := evidence(t, r.Dir, "pod-security")
	wantEvidence(t, ev, Fail, "1 manifest checked: 1 finding in 1 file: kubernetes/privileged at deploy/pod.yaml:17",
		"see `secfirst scan --check kubernetes`")
	if ev.Manual || !strings.Contains(ev.Fresh, "kubernetes scan ran now") {
		t.Fatalf("evidence %+v", ev)
	}

	// Fixed in the working tree, not yet committed: the evidence follows.
	r.Write("deploy/pod.yaml", hardenedPod)
	ev = evidence(t, r.Dir, "pod-security")
	wantEvidence(t, ev, Pass, "1 manifest checked, no finding")
	if !strings.Contains(ev.Fresh, "1 changed file rescanned now") {
		t.Fatalf("fresh %q, want the one file rescanned", ev.Fresh)
	}
	// Nothing changed: the cached scan is reused.
	ev = evidence(t, r.Dir, "pod-security")
	wantEvidence(t, ev, Pass, "1 manifest checked, no finding")
	if !strings.HasPrefix(ev.Fresh, "reused the kubernetes scan of ") {
		t.Fatalf("fresh %q", ev.Fresh)
	}
	// The same without the cache.
	wantEvidence(t, evidence(t, r.Dir, "pod-security", RepoOptions{NoCache: true}), Pass, "1 manifest checked, no finding")
}

func TestWithoutManifestsOrTerraformTheItemsStayManual(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# app\n")
	r.Write("config.yaml", "name: app\nreplicas: 2\n") // YAML, not a manifest
	r.Commit("init")
	for _, s := range iacSources {
		ev := evidence(t, r.Dir, s.Item)
		if !ev.Manual || ev.Status != Todo {
			t.Fatalf("%s: %+v, want manual", s.Item, ev)
		}
	}
	ev := evidence(t, r.Dir, "least-privilege")
	if ev.Text != "no Kubernetes manifest or Terraform file in this repository — review by hand" {
		t.Fatalf("evidence %q", ev.Text)
	}
	wantEvidence(t, evidence(t, r.Dir, "pod-security"), Todo, "no Kubernetes manifest in this repository — review by hand")

	// In the report the items stay manual: the stored status holds, and
	// the evidence says why secfirst leaves them to people.
	if _, _, err := Init(r.Dir); err != nil {
		t.Fatal(err)
	}
	rep := check(t, r.Dir)
	e := entry(t, rep, "waf")
	if e.Kind != Manual || e.Status != Todo || e.Evidence != "no Terraform file in this repository — review by hand" {
		t.Fatalf("waf: %+v", e)
	}
	// A person attests it as any manual item.
	f, err := Load(Path(r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Apply("waf", Review{Status: Pass, ReviewedBy: "Ada <ada@example.com>", ReviewedAt: time.Now()}, e.Computed); err != nil {
		t.Fatal(err)
	}
}

func check(t *testing.T, dir string) *Report {
	t.Helper()
	repo, err := OpenRepo(context.Background(), dir, RepoOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	_, rep, err := Check(context.Background(), repo, EvalOptions{SkipSlow: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func entry(t *testing.T, rep *Report, id string) Entry {
	t.Helper()
	for _, e := range rep.Items {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no item %s", id)
	return Entry{}
}

func TestManifestsMakeTheManualItemAutomatic(t *testing.T) {
	r := gittest.New(t)
	r.Write("k8s/pod.yaml", privileged(""))
	r.Commit("init")
	if _, _, err := Init(r.Dir); err != nil {
		t.Fatal(err)
	}
	rep := check(t, r.Dir)
	e := entry(t, rep, "pod-security")
	if e.Kind != Auto || e.Status != Fail || e.Computed != Fail || !strings.Contains(e.Evidence, "kubernetes/privileged at k8s/pod.yaml:17") {
		t.Fatalf("pod-security: %+v", e)
	}
	if !rep.Failing() {
		t.Fatal("a failing automatic item must fail status")
	}
	// Terraform-only items stay manual in a repository without Terraform.
	if e := entry(t, rep, "waf"); e.Kind != Manual {
		t.Fatalf("waf: %+v", e)
	}
	// Nobody can set it against the evidence; an override is recorded.
	f, err := Load(Path(r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	rv := Review{Status: Pass, ReviewedBy: "Ada <ada@example.com>", ReviewedAt: time.Now()}
	var ae *AutoStatusError
	if err := f.Apply("pod-security", rv, e.Computed); !errors.As(err, &ae) {
		t.Fatalf("pass against a fail: %v", err)
	}
	note := "debug cluster, torn down nightly"
	rv.Status, rv.Note = AcceptedRisk, &note
	if err := f.Apply("pod-security", rv, e.Computed); err != nil {
		t.Fatal(err)
	}
	rv.Status, rv.Note = Fail, nil
	if err := f.Apply("pod-security", rv, e.Computed); err != nil {
		t.Fatalf("confirming what secfirst finds: %v", err)
	}
	if it, _ := f.Item("pod-security"); it.Status != "" {
		t.Fatalf("confirmed status stored: %q", it.Status)
	}
}

func TestUnencryptedBucketFailsEncryption(t *testing.T) {
	r := gittest.New(t)
	r.Write("infra/main.tf", `resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
`)
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "encryption"), Fail,
		"1 .tf file checked: 1 finding in 1 file: terraform/aws-s3-no-customer-key at infra/main.tf:1", "see `secfirst scan --check terraform`")
	// The .tf file holds nothing a WAF rule reads: nothing verifies it.
	wantEvidence(t, evidence(t, r.Dir, "waf"), Todo, "1 .tf file holds no resource these rules read (aws_alb, aws_api_gateway_stage, aws_cloudfront_distribution, aws_lb and ", "review by hand")

	r.Write("infra/main.tf", `resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/example"
    }
  }
}
`)
	wantEvidence(t, evidence(t, r.Dir, "encryption"), Pass, "1 .tf file checked, no finding (Terraform resources checked: 1 aws_s3_bucket)")
}

// TestALoadBalancerWithoutWAFSaysWhatWasChecked: the item names the
// resources its rules read, so a pass covers what it says and no more.
func TestALoadBalancerWithoutWAFSaysWhatWasChecked(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.tf", `resource "aws_lb" "web" {
  internal           = false
  load_balancer_type = "application"
}
`)
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "waf"), Fail, "terraform/aws-alb-no-waf at main.tf:1")
	r.Write("main.tf", `resource "aws_lb" "web" {
  internal           = true
  load_balancer_type = "application"
}
`)
	wantEvidence(t, evidence(t, r.Dir, "waf"), Pass, "1 .tf file checked, no finding (Terraform resources checked: 1 aws_lb)")
}

func TestASuppressedFindingIsAPassThatSaysSo(t *testing.T) {
	r := gittest.New(t)
	r.Write("pod.yaml", privileged("        # secfirst:ignore=kubernetes/privileged node debugging pod, deleted after use\n"))
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "pod-security"), Pass, "1 manifest checked, no finding, 1 suppressed (see inline comments)")
}

func TestAManifestThatDoesNotParseIsNeverAPass(t *testing.T) {
	r := gittest.New(t)
	r.Write("good.yaml", hardenedPod)
	r.Write("bad.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: [unclosed\n")
	r.Commit("init")
	ev := evidence(t, r.Dir, "pod-security")
	wantEvidence(t, ev, Todo, "could not check bad.yaml", "does not parse as YAML", "not verified")
	if ev.Manual {
		t.Fatal("a manifest secfirst cannot read is not a reason to leave the item to people")
	}
	// The same for a .tf file.
	tf := gittest.New(t)
	tf.Write("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n")
	tf.Commit("init")
	wantEvidence(t, evidence(t, tf.Dir, "encryption"), Todo, "could not check main.tf:", "does not parse as HCL")
	wantEvidence(t, evidence(t, tf.Dir, "waf"), Todo, "could not check main.tf:")
}

// countingCheck counts the runs of a real check.
type countingCheck struct {
	checks.Check
	runs *int
}

func (c countingCheck) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	*c.runs++
	return c.Check.Run(ctx, src)
}

func TestTheChecksRunOncePerEvaluationForEveryItem(t *testing.T) {
	r := gittest.New(t)
	r.Write("pod.yaml", privileged(""))
	r.Write("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n")
	r.Commit("init")
	var k8sRuns, tfRuns int
	repo, err := OpenRepo(context.Background(), r.Dir, RepoOptions{NoCache: true, Checks: []checks.Check{
		countingCheck{kubernetes.New(), &k8sRuns}, countingCheck{terraform.New(), &tfRuns},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var items []Item
	for _, it := range Template {
		items = append(items, Item{ID: it.ID, Kind: it.Kind})
	}
	ev := Evaluate(context.Background(), repo, items, EvalOptions{SkipSlow: true})
	if k8sRuns != 1 || tfRuns != 1 {
		t.Fatalf("kubernetes ran %d times, terraform %d, want once each", k8sRuns, tfRuns)
	}
	if ev["pod-security"].Status != Fail || ev["encryption"].Status != Fail || !ev["waf"].Manual {
		t.Fatalf("evidence %+v", ev)
	}
}

// TestAManifestTooLargeToReadIsNeverAPass: the check names a manifest it
// does not read; the item says it could not check it.
func TestAManifestTooLargeToReadIsNeverAPass(t *testing.T) {
	r := gittest.New(t)
	r.Write("good.yaml", hardenedPod)
	big := hardenedPod + "# " + strings.Repeat("x", kubernetes.MaxManifestSize) + "\n"
	r.Write("big.yaml", big)
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "pod-security"), Todo, "could not check big.yaml (a manifest larger than")
}

func TestManifestsWithoutWorkloadsLeaveThePodItemsToPeople(t *testing.T) {
	r := gittest.New(t)
	r.Write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n")
	r.Commit("init")
	ev := evidence(t, r.Dir, "pod-security")
	if !ev.Manual || ev.Text != "the 1 Kubernetes manifest holds no workload (no pod template) — review by hand" {
		t.Fatalf("evidence %+v", ev)
	}
}
