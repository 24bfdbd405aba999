package checklistcmd

import (
	"context"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestSetOnAnItemTheManifestsVerify: pod-security is manual in the
// template; with a privileged pod in the repository secfirst verifies it,
// so set refuses a pass, records the fail it finds, and the item is
// automatic in status. Without manifests, waf is attested by hand.
func TestSetOnAnItemTheManifestsVerify(t *testing.T) {
	r := gittest.New(t)
	r.Write("k8s/debug.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n    - name: shell\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n")
	r.Commit("init")
	e := envFor(t, r)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "pod-security", Status: "pass"})
	if code(err) != 2 || !strings.Contains(err.Error(), "is checked automatically and is fail now") || !strings.Contains(err.Error(), "kubernetes/privileged at k8s/debug.yaml:10") {
		t.Fatalf("set pass against a privileged pod: %v", err)
	}
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "pod-security", Status: "fail"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.err.String(), "fail (verified by secfirst)") {
		t.Fatalf("set said %q", e.err)
	}
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "waf", Status: "pass", Note: strp("Cloudflare in front")}); err != nil {
		t.Fatal(err)
	}
	rep, exit := e.status("json")
	if exit != 1 {
		t.Fatalf("status exit %d with a failing pod-security", exit)
	}
	if it := entry(t, rep, "pod-security"); it.Kind != checklist.Auto || it.Status != checklist.Fail || it.ReviewedAt != "2024-06-30" {
		t.Fatalf("pod-security: %+v", it)
	}
	if it := entry(t, rep, "waf"); it.Kind != checklist.Manual || it.Status != checklist.Pass || !strings.Contains(it.Evidence, "no Terraform file in this repository — review by hand") {
		t.Fatalf("waf: %+v", it)
	}
	// The file keeps the item manual: nothing secfirst finds is stored.
	if text := string(e.read()); !strings.Contains(text, "id: pod-security\n    title: Pods run non-root with a read-only root file system and no privilege escalation\n    category: containers-and-clusters\n    lesson: pod-security\n    kind: manual\n    reviewed_by:") {
		t.Fatalf("checklist:\n%s", text)
	}
}
