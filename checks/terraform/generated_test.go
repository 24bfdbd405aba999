package terraform

import (
	"fmt"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// generatedModule is one file of n buckets, as a generator writes them:
// two findings per bucket.
func generatedModule(n int) []byte {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"b%d\"\n}\n", i, i)
	}
	return []byte(sb.String())
}

// Every finding's snippet is its own line, up to the last line of a file
// without a final newline and with CRLF line ends.
func TestSnippetsOfAGeneratedModule(t *testing.T) {
	src := generatedModule(300)
	src = []byte(strings.TrimSuffix(strings.ReplaceAll(string(src), "\n", "\r\n"), "\r\n"))
	r := CheckFile("main.tf", src)
	if len(r.Findings) != 600 {
		t.Fatalf("%d findings", len(r.Findings))
	}
	for _, f := range r.Findings {
		name := strings.TrimSuffix(strings.TrimPrefix(f.Message, "aws_s3_bucket."), f.Message[strings.Index(f.Message, " "):])
		if want := fmt.Sprintf("resource \"aws_s3_bucket\" \"%s\" {", name); f.Snippet != want {
			t.Fatalf("line %d: snippet %q, want %q", f.Line, f.Snippet, want)
		}
	}
	f := &tfFile{src: []byte("a\r\n  b  \nc")}
	for n, want := range map[int]string{0: "", 1: "a", 2: "b", 3: "c", 4: ""} {
		if got := f.snippet(n); got != want {
			t.Errorf("snippet(%d) = %q, want %q", n, got, want)
		}
	}
}

// A generated file of 20,000 buckets (1 MB, 40,000 findings): each
// finding's snippet scanned the file from the top, 25 s in all; the lines'
// offsets are now found once.
func BenchmarkGeneratedModule(b *testing.B) {
	src := generatedModule(20000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r := CheckFile("main.tf", src); len(r.Findings) != 40000 {
			b.Fatalf("%d findings", len(r.Findings))
		}
	}
}

// A module in Terraform's JSON syntax is not read: it is named in one
// warning in every mode, never passed as clean; the .tf files beside it
// are checked.
func TestJSONSyntaxFilesAreNamed(t *testing.T) {
	r := gittest.New(t)
	r.Write("infra/sg.tf.json", `{"resource": {"aws_security_group": {"j": {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}}}}`)
	r.Write("gen/a.tf.json", "{}")
	r.Write("infra/db.tf", "resource \"aws_db_instance\" \"db\" {\n  storage_encrypted = false\n}\n")
	r.Git("add", "-A")
	want := "terraform: 2 .tf.json files are not checked (gen/a.tf.json, infra/sg.tf.json): secfirst reads Terraform's HCL syntax (.tf) only"
	for name, res := range everyMode(t, r, "infra", "gen") {
		if fmt.Sprint(res.Warnings) != "["+want+"]" || fmt.Sprint(byFile(res.Findings)) != "map[infra/db.tf:[aws-rds-unencrypted@2]]" {
			t.Errorf("%s: findings %v, warnings %q", name, byFile(res.Findings), res.Warnings)
		}
	}
}

// everyMode runs the check on r staged, on its working tree and on paths.
func everyMode(t *testing.T, r *gittest.Repo, paths ...string) map[string]checks.Result {
	t.Helper()
	return map[string]checks.Result{
		"staged":   run(t, r, checks.ModeStaged),
		"worktree": run(t, r, checks.ModeWorktree),
		"paths":    runPaths(t, r, paths...),
	}
}
