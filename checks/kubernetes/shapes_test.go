package kubernetes

import (
	"fmt"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// Shapes of real repositories that are not plain manifests, found trying
// secfirst on them.

// A Kustomize strategic merge patch names no image: it changes a few
// settings of a base written elsewhere. What it does not write is the
// base's business (it was reported eight times per container); what it
// writes is still checked.
func TestKustomizePatchIsCheckedForWhatItWrites(t *testing.T) {
	patch := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - name: MODE
          value: prod
`
	if r := CheckFile("overlays/prod/env.yaml", []byte(patch)); len(r.Findings) != 0 || len(r.Warnings) != 0 {
		t.Errorf("patch: findings %v, warnings %v", rulesAt(r.Findings), r.Warnings)
	}
	bad := patch + `        securityContext:
          privileged: true
          readOnlyRootFilesystem: false
      hostNetwork: true
      automountServiceAccountToken: true
`
	r := CheckFile("overlays/prod/env.yaml", []byte(bad))
	want := "map[host-network:[16] privileged:[14] service-account-token-automount:[17] writable-root-filesystem:[15]]"
	if got := fmt.Sprint(rulesAt(r.Findings)); got != want {
		t.Errorf("patch that writes bad values: %s, want %s", got, want)
	}
	// The same container with an image is a whole object: what it does
	// not write is Kubernetes' default, and reported.
	whole := patch + "        image: registry.example.com/web:1.4.2\n"
	if got := rulesAt(CheckFile("web.yaml", []byte(whole)).Findings); len(got) < 8 {
		t.Errorf("whole object: %v", got)
	}
}

// An OpenShift Template holds its workloads in objects: they are checked
// (a privileged one passed silently).
func TestOpenShiftTemplateObjectsAreChecked(t *testing.T) {
	src := `apiVersion: template.openshift.io/v1
kind: Template
metadata:
  name: t
parameters:
- name: IMAGE
objects:
- apiVersion: v1
  kind: Service
  metadata:
    name: web
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: priv
  spec:
    template:
      spec:
        hostPID: true
        containers:
        - name: app
          image: ${IMAGE}
          securityContext:
            privileged: true
`
	r := CheckFile("openshift/template.yaml", []byte(src))
	got := rulesAt(r.Findings)
	if fmt.Sprint(got["privileged"]) != "[24]" || fmt.Sprint(got["host-pid"]) != "[19]" || len(r.Warnings) != 0 {
		t.Errorf("findings %v, warnings %v", got, r.Warnings)
	}
}

// A repository of many charts gets one warning for their templates, not
// one per folder (prometheus-community/helm-charts opened its report with
// 56 of them).
func TestTemplatesInManyFoldersAreOneWarning(t *testing.T) {
	r := gittest.New(t)
	tmpl := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      {{- toYaml .Values.pod | nindent 6 }}\n"
	for _, chart := range []string{"a", "b", "c", "d", "e"} {
		r.Write("charts/"+chart+"/templates/deployment.yaml", tmpl)
		r.Write("charts/"+chart+"/templates/job.yaml", tmpl)
	}
	r.Git("add", "-A")
	res := run(t, r, checks.ModeWorktree)
	want := "[kubernetes: skipped 10 templates in 5 folders (charts/a/templates, charts/b/templates, charts/c/templates, …): Helm and other Go templates are not YAML until they are rendered. " + renderHint + "]"
	if got := fmt.Sprint(res.Warnings); got != want || len(res.Findings) != 0 {
		t.Errorf("warnings:\n%s\nfindings %v", got, res.Findings)
	}
}
