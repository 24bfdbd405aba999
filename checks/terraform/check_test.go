package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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

func runPaths(t testing.TB, r *gittest.Repo, paths ...string) checks.Result {
	t.Helper()
	return checktest.Run(t, New(), r, checks.ModeWorktree, paths...)
}

// byFile lists "slug@line" per file, sorted.
func byFile(fs []checks.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		out[f.File] = append(out[f.File], fmt.Sprintf("%s@%d", strings.TrimPrefix(f.Rule, CheckName+"/"), f.Line))
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

const bucketTF = `resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
`

const blockTF = `resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.logs.arn
    }
  }
}
`

// A module is a folder: in staged mode the check reads the staged
// version of every .tf file of a folder the commit touches, so removing a
// bucket's public access block from one file shows on the bucket in
// another, and what is on disk but not staged does not count.
func TestStagedModuleReadsItsSiblingsFromTheIndex(t *testing.T) {
	r := gittest.New(t)
	r.Write("infra/s3.tf", bucketTF)
	r.Write("infra/guards.tf", blockTF)
	r.Write("README.md", "x\n")
	r.Commit("initial")

	// A commit that touches another file of the module: clean.
	r.Write("infra/outputs.tf", "output \"bucket\" {\n  value = aws_s3_bucket.logs.id\n}\n")
	r.Git("add", "infra/outputs.tf")
	if res := run(t, r, checks.ModeStaged); len(res.Findings) != 0 || len(res.Warnings) != 0 {
		t.Fatalf("findings %v, warnings %v", byFile(res.Findings), res.Warnings)
	}

	// The commit removes the guards; the working tree still has them.
	r.Git("rm", "-q", "--cached", "infra/guards.tf")
	r.Write("infra/outputs.tf", "output \"bucket\" {\n  value = aws_s3_bucket.logs.arn\n}\n")
	r.Git("add", "infra/outputs.tf")
	res := run(t, r, checks.ModeStaged)
	want := map[string][]string{"infra/s3.tf": {"aws-s3-no-customer-key@1", "aws-s3-no-public-access-block@1"}}
	if fmt.Sprint(byFile(res.Findings)) != fmt.Sprint(want) {
		t.Errorf("staged findings %v, want %v", byFile(res.Findings), want)
	}

	// The working tree sees the tracked files on disk: guards.tf is no
	// longer tracked, so the same findings.
	res = run(t, r, checks.ModeWorktree)
	if fmt.Sprint(byFile(res.Findings)) != fmt.Sprint(want) {
		t.Errorf("worktree findings %v, want %v", byFile(res.Findings), want)
	}

	// History has nothing for this check.
	if res := run(t, r, checks.ModeHistory); len(res.Findings) != 0 {
		t.Errorf("history findings %v", res.Findings)
	}
}

// A commit that stages no .tf file does not read any: the check returns
// before asking git anything more than the shared file list.
func TestCommitWithoutTerraformReadsNothing(t *testing.T) {
	r := gittest.New(t)
	r.Write("infra/main.tf", "resource \"aws_ebs_volume\" \"v\" {\n  encrypted = false\n}\n")
	r.Commit("initial")
	r.Write("src/app.go", "package src\n")
	r.Git("add", "src/app.go")
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	if _, err := src.Files(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// With git gone from PATH, any further git command would fail the run.
	t.Setenv("PATH", t.TempDir())
	res, err := New().Run(context.Background(), src)
	if err != nil || len(res.Findings)+len(res.Warnings) != 0 {
		t.Fatalf("findings %v, warnings %v, err %v", res.Findings, res.Warnings, err)
	}
}

// Scanning a file by path reads its folder's other .tf files to resolve
// what it refers to, and reports only the file asked for.
func TestPathScanUsesSiblingsReportsOnlyGivenFiles(t *testing.T) {
	r := gittest.New(t)
	r.Write("infra/s3.tf", bucketTF)
	r.Write("infra/guards.tf", blockTF)
	r.Write("infra/disk.tf", "resource \"aws_ebs_volume\" \"v\" {\n  encrypted = false\n}\n")
	res := runPaths(t, r, "infra/s3.tf")
	if len(res.Findings) != 0 || len(res.Warnings) != 0 {
		t.Errorf("findings %v, warnings %v", byFile(res.Findings), res.Warnings)
	}
	res = runPaths(t, r, "infra")
	if got := fmt.Sprint(byFile(res.Findings)); got != fmt.Sprint(map[string][]string{"infra/disk.tf": {"aws-ebs-unencrypted@2"}}) {
		t.Errorf("folder findings %s", got)
	}
}

// Only regular files are read: a symlinked .tf file is not followed in
// any mode, and one given on the command line is named in a warning.
func TestSymlinksAreNotFollowed(t *testing.T) {
	r := gittest.New(t)
	outside := filepath.Join(t.TempDir(), "secret.tf")
	if err := os.WriteFile(outside, []byte("resource \"aws_ebs_volume\" \"v\" {\n  encrypted = false\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(r.Dir, "link.tf")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	r.Write("main.tf", "locals {\n  a = 1\n}\n")
	r.Commit("symlink")
	for _, mode := range []checks.Mode{checks.ModeWorktree, checks.ModeStaged} {
		if res := run(t, r, mode); len(res.Findings) != 0 {
			t.Errorf("%s: a symlink was read: %v", mode, res.Findings)
		}
	}
	r.Write("main.tf", "locals {\n  a = 2\n}\n")
	r.Git("add", "main.tf")
	if res := run(t, r, checks.ModeStaged); len(res.Findings) != 0 {
		t.Errorf("a staged symlink sibling was read: %v", res.Findings)
	}
	res := runPaths(t, r, "link.tf")
	if len(res.Findings) != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "skipped link.tf: not a regular file") {
		t.Errorf("findings %v, warnings %q", res.Findings, res.Warnings)
	}
	res = runPaths(t, r, "main.tf")
	if len(res.Findings) != 0 {
		t.Errorf("a symlinked sibling was read: %v", res.Findings)
	}
}

// A .tf file above the size limit is named in a warning, in every mode,
// and the other files of its module are still checked (a skipped staged
// file once took the files after it down with it).
func TestOversizedFiles(t *testing.T) {
	r := gittest.New(t)
	pad := "# " + strings.Repeat("x", 1000) + "\n"
	r.Write("big.tf", "resource \"aws_ebs_volume\" \"v\" {\n  encrypted = false\n}\n"+strings.Repeat(pad, MaxFileSize/len(pad)+1))
	r.Write("main.tf", "resource \"aws_ebs_volume\" \"w\" {\n  encrypted = false\n}\n")
	r.Git("add", "-A")
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		res := run(t, r, mode)
		if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "skipped big.tf: a .tf file larger than 1 MiB is not checked") {
			t.Errorf("%s: warnings %q", mode, res.Warnings)
		}
		if len(res.Findings) != 1 || res.Findings[0].File != "main.tf" {
			t.Errorf("%s: findings %v, want main.tf's volume only", mode, res.Findings)
		}
	}
}

// A file that does not parse is a warning with its line; the other files
// of its module are checked, and they still see the blocks HCL recovered
// from it.
func TestParseErrorIsAWarningWithItsLine(t *testing.T) {
	r := gittest.New(t)
	r.Write("infra/s3.tf", bucketTF)
	r.Write("infra/guards.tf", blockTF+"\nresource \"aws_ebs_volume\" \"v\" {\n  encrypted = \n}\n")
	r.Write("infra/db.tf", "resource \"aws_db_instance\" \"db\" {\n  storage_encrypted = false\n}\n")
	r.Git("add", "-A")
	res := run(t, r, checks.ModeStaged)
	if got := fmt.Sprint(byFile(res.Findings)); got != fmt.Sprint(map[string][]string{"infra/db.tf": {"aws-rds-unencrypted@2"}}) {
		t.Errorf("findings %s", got)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "terraform: infra/guards.tf:20 does not parse as HCL (") || !strings.HasSuffix(res.Warnings[0], "its resources are not checked") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// Through the engine: a policy ignore by a Trivy ref, the default fail_on
// blocking the high findings, and the inline suppressions counted.
func TestScanWithPolicy(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.tf", `resource "aws_db_instance" "db" {
  storage_encrypted   = true
  kms_key_id          = aws_kms_key.db.arn
  publicly_accessible = true # secfirst:ignore=terraform/aws-rds-public reporting replica for the BI vendor
}

resource "aws_ebs_volume" "scratch" {
  #checkov:skip=CKV_AWS_3:scratch volume, wiped on boot
  size = 10
}

resource "aws_ebs_volume" "data" {
  encrypted = false
}

resource "aws_cloudtrail" "main" {
  name = "main"
}
`)
	r.Git("add", "-A")
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	pol := checks.DefaultPolicy()
	pol.Ignores = []checks.Ignore{{Rule: "AVD-AWS-0014", Reason: "single-region account by design"}}
	rep := checks.Scan(context.Background(), src, []checks.Check{New()}, pol, checks.Options{Now: time.Now()})
	got := byFile(rep.Findings)
	want := map[string][]string{"main.tf": {"aws-cloudtrail-no-log-validation@16", "aws-ebs-unencrypted@13"}}
	if fmt.Sprint(got) != fmt.Sprint(want) || rep.Summary.Blocking != 1 {
		t.Errorf("findings %v, summary %+v", got, rep.Summary)
	}
	by := map[string]int{}
	for _, s := range rep.Suppressed {
		by[s.By]++
	}
	if by[checks.SuppressedByInline] != 2 || by[checks.SuppressedByPolicy] != 1 {
		t.Errorf("suppressed by %v", by)
	}
}

// The hook's cost of this check for a ten-file commit in a 50-file
// repository, on top of the file list every check shares (listed once,
// before the clock starts). A commit without .tf files pays nothing; one
// with a .tf file pays reading its module from the index and checking it.
func BenchmarkRunStagedNoTerraform(b *testing.B)  { benchStaged(b, false) }
func BenchmarkRunStagedOneTerraform(b *testing.B) { benchStaged(b, true) }

func benchStaged(b *testing.B, withTF bool) {
	r := gittest.New(b)
	for i := range 50 {
		r.Write(fmt.Sprintf("pkg/p%d/f.go", i), "package p\n")
	}
	r.Write("infra/s3.tf", bucketTF)
	r.Write("infra/guards.tf", blockTF)
	r.Commit("initial")
	for i := range 9 {
		r.Write(fmt.Sprintf("src/f%d.go", i), "package src\n")
	}
	if withTF {
		r.Write("infra/s3.tf", strings.Replace(bucketTF, "acme-logs", "acme-logs-2", 1))
	} else {
		r.Write("src/f9.go", "package src\n")
	}
	r.Git("add", "-A")
	checktest.BenchStaged(b, New(), r, 10)
}

func BenchmarkCheckModule(b *testing.B) {
	var sb strings.Builder
	for i := range 50 {
		fmt.Fprintf(&sb, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"b%d\"\n}\n\n%s\n", i, i, strings.ReplaceAll(blockTF, "logs", fmt.Sprintf("b%d", i)))
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		CheckFile("main.tf", data)
	}
}
