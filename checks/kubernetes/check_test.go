package kubernetes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func run(t testing.TB, r *gittest.Repo, mode checks.Mode) checks.Result {
	t.Helper()
	return checktest.Run(t, New(), r, mode)
}

func byFile(fs []checks.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		out[f.File] = append(out[f.File], fmt.Sprintf("%s@%d", strings.TrimPrefix(f.Rule, "kubernetes/"), f.Line))
	}
	return out
}

const workflow = "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n"

// The hook path: manifests are found by content among the staged YAML
// files, checked as staged (not as on disk), and nothing else is read.
func TestRunChecksStagedManifests(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "hello\n")
	r.Write("deploy/web.yaml", hardened)
	r.Commit("initial")

	bad := strings.Replace(hardened, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: true\n            privileged: true", 1)
	r.Write("deploy/web.yaml", bad)
	r.Git("add", "deploy/web.yaml")
	r.Write("deploy/web.yaml", hardened) // fixed on disk, not staged
	r.Write("ops/agent.yml", strings.Replace(hardened, "      automountServiceAccountToken: false\n", "      automountServiceAccountToken: false\n      hostPID: true\n", 1))
	r.Write(".github/workflows/ci.yml", workflow)
	r.Write("untracked.yaml", bad)
	r.Git("add", "ops/agent.yml", ".github/workflows/ci.yml")

	res := run(t, r, checks.ModeStaged)
	got := byFile(res.Findings)
	if fmt.Sprint(got) != fmt.Sprint(map[string][]string{"deploy/web.yaml": {"privileged@26"}, "ops/agent.yml": {"host-pid@14"}}) {
		t.Errorf("staged findings %v", got)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %v", res.Warnings)
	}

	// The working tree sees the fixed file; still not the untracked one.
	res = run(t, r, checks.ModeWorktree)
	if got := byFile(res.Findings); fmt.Sprint(got) != fmt.Sprint(map[string][]string{"ops/agent.yml": {"host-pid@14"}}) {
		t.Errorf("worktree findings %v", got)
	}

	// History has nothing for this check.
	if res := run(t, r, checks.ModeHistory); len(res.Findings) != 0 {
		t.Errorf("history findings %v", res.Findings)
	}

	// Paths scan what they are given, tracked or not.
	src, err := checks.NewPathsSource(context.Background(), r.Dir, []string{"untracked.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	res, err = New().Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if got := byFile(res.Findings); fmt.Sprint(got) != fmt.Sprint(map[string][]string{"untracked.yaml": {"privileged@26"}}) {
		t.Errorf("path findings %v", got)
	}
}

// Only regular files are read: a symlink given on the command line is
// skipped with a warning that names it, and a tracked symlink is not read.
func TestSymlinksAreNotFollowed(t *testing.T) {
	r := gittest.New(t)
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte(strings.Replace(hardened, "web:1.4.2", "web:latest", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(r.Dir, "link.yaml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	r.Write("README.md", "x\n")
	r.Commit("symlink")

	if res := run(t, r, checks.ModeWorktree); len(res.Findings) != 0 {
		t.Errorf("a tracked symlink was read: %v", res.Findings)
	}
	if res := run(t, r, checks.ModeStaged); len(res.Findings) != 0 {
		t.Errorf("a staged symlink was read: %v", res.Findings)
	}
	src, err := checks.NewPathsSource(context.Background(), r.Dir, []string{"link.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := New().Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "skipped link.yaml: not a regular file") {
		t.Errorf("findings %v, warnings %q", res.Findings, res.Warnings)
	}
}

// A manifest above the size limit is named in a warning, in every mode; a
// large YAML file that is no manifest is none of this check's business.
func TestOversizedFiles(t *testing.T) {
	r := gittest.New(t)
	pad := "# " + strings.Repeat("x", 1000) + "\n"
	big := hardened + strings.Repeat(pad, MaxManifestSize/len(pad)+1)
	r.Write("big.yaml", big)
	r.Write("openapi.yaml", "openapi: 3.0.0\npaths:\n"+strings.Repeat(pad, MaxManifestSize/len(pad)+1))
	r.Git("add", "-A")
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		res := run(t, r, mode)
		if len(res.Findings) != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "skipped big.yaml: a manifest larger than 4 MiB") {
			t.Errorf("%s: findings %v, warnings %q", mode, res.Findings, res.Warnings)
		}
	}
}

// Through the engine: the policy ignores a finding by one of its refs, the
// rest block at the default level, and the inline suppression is counted.
func TestScanWithPolicy(t *testing.T) {
	r := gittest.New(t)
	doc := strings.Replace(hardened, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: true\n            privileged: true", 1)
	doc = strings.Replace(doc, "      automountServiceAccountToken: false\n", "      automountServiceAccountToken: false\n      # secfirst:ignore=kubernetes/host-ipc shared-memory benchmark\n      hostIPC: true\n      hostPID: true\n", 1)
	r.Write("k8s/web.yaml", doc)
	r.Git("add", "-A")
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	pol := checks.DefaultPolicy()
	pol.Ignores = []checks.Ignore{{Rule: "KSV-0017", Reason: "CI runner needs it"}}
	rep := checks.Scan(context.Background(), src, []checks.Check{New()}, pol, checks.Options{Now: time.Now()})
	got := byFile(rep.Findings)
	if fmt.Sprint(got) != fmt.Sprint(map[string][]string{"k8s/web.yaml": {"host-pid@16"}}) || rep.Summary.Blocking != 1 {
		t.Errorf("findings %v, summary %+v", got, rep.Summary)
	}
	by := map[string]int{}
	for _, s := range rep.Suppressed {
		by[s.By]++
	}
	if by[checks.SuppressedByInline] != 1 {
		t.Errorf("suppressed by %v", by)
	}
}

// The hook's cost of this check for a ten-file commit in a 50-file
// repository, on top of the file list every check shares (listed once,
// before the clock starts). A commit without YAML pays nothing; one with a
// YAML file that is no manifest (a CI workflow) pays reading it and the
// sniff; one with a manifest pays checking it.
func BenchmarkRunStagedNoYAML(b *testing.B)      { benchStaged(b, "") }
func BenchmarkRunStagedNoManifest(b *testing.B)  { benchStaged(b, ".github/workflows/ci.yml") }
func BenchmarkRunStagedOneManifest(b *testing.B) { benchStaged(b, "deploy/web.yaml") }

func benchStaged(b *testing.B, yamlFile string) {
	r := gittest.New(b)
	for i := range 50 {
		r.Write(fmt.Sprintf("pkg/p%d/f.go", i), "package p\n")
	}
	r.Write("deploy/web.yaml", hardened)
	r.Commit("initial")
	for i := range 9 {
		r.Write(fmt.Sprintf("src/f%d.go", i), "package src\n")
	}
	switch yamlFile {
	case "deploy/web.yaml":
		r.Write(yamlFile, strings.Replace(hardened, "web:1.4.2", "web:1.4.3", 1))
	case "":
		r.Write("src/f9.go", "package src\n")
	default:
		r.Write(yamlFile, workflow)
	}
	r.Git("add", "-A")
	checktest.BenchStaged(b, New(), r, 10)
}

func BenchmarkCheckFile(b *testing.B) {
	data := []byte(strings.Repeat(hardened+"---\n", 20))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		CheckFile("deploy.yaml", data)
	}
}

// The templates of a Helm chart are skipped with one warning per folder
// that says how to check them, not one per file.
func TestHelmTemplatesOneWarningPerFolder(t *testing.T) {
	r := gittest.New(t)
	tmpl := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      {{- toYaml .Values.pod | nindent 6 }}\n"
	for _, n := range []string{"a", "b", "c", "d"} {
		r.Write("chart/templates/"+n+".yaml", tmpl)
	}
	r.Write("other/templates/only.yaml", tmpl)
	r.Write("chart/templates/_helpers.tpl", "{{- define \"x\" -}}{{- end -}}\n")
	r.Git("add", "-A")
	res := run(t, r, checks.ModeStaged)
	want := []string{
		"kubernetes: skipped 4 templates in chart/templates (a.yaml, b.yaml, c.yaml, …): Helm and other Go templates are not YAML until they are rendered. " + renderHint,
		"kubernetes: skipped other/templates/only.yaml: a template (Helm or another Go template) is not YAML until it is rendered. " + renderHint,
	}
	if fmt.Sprint(res.Warnings) != fmt.Sprint(want) || len(res.Findings) != 0 {
		t.Errorf("warnings:\n%s\nfindings %v", strings.Join(res.Warnings, "\n"), res.Findings)
	}
}

// A manifest's parse cost follows its largest document: a List of
// thousands of objects is one node tree, the same objects as documents are
// one small tree at a time.
func TestParseCostFollowsTheLargestDocument(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
	docs := []byte(strings.Repeat("---\n"+pod, 100))
	if got, want := parseCost(docs), 4*len(docs)+25*(len(pod)+1); got != want {
		t.Errorf("100 documents: cost %d, want %d", got, want)
	}
	list := []byte("apiVersion: v1\nkind: List\nitems:\n" + strings.Repeat("- "+strings.ReplaceAll(pod, "\n", "\n  ")+"\n", 100))
	if got, want := parseCost(list), 29*len(list); got != want {
		t.Errorf("one List: cost %d, want %d", got, want)
	}
}
