package checks_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// probe is a check that runs f on the source, inside RunChecks: with the
// staged diff shared (it says it reads the patch) and the cat-file batch
// open, as in the hook.
type probe struct {
	name string
	f    func(ctx context.Context, src *checks.Source)
}

func (p probe) Name() string           { return p.name }
func (p probe) ReadsStagedPatch() bool { return true }
func (p probe) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	p.f(ctx, src)
	return checks.Result{}, nil
}

// lsFiles is the oracle: the index's entries of paths as git lists them.
func lsFiles(r *gittest.Repo, paths []string) map[string][]checks.IndexEntry {
	out := map[string][]checks.IndexEntry{}
	args := append([]string{"ls-files", "--stage", "-z", "--"}, paths...)
	for _, rec := range strings.Split(r.Git(args...), "\x00") {
		meta, path, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || !slices.Contains(paths, path) {
			continue
		}
		out[path] = append(out[path], checks.IndexEntry{Mode: f[0], ID: f[1], Stage: f[2]})
	}
	return out
}

// A staged scan looks paths up without reading the index: HEAD's tree,
// changed by what the staged diff says. Whatever the commit does to a path
// (modify, add, delete, rename, a folder become a file, a file become a
// link, a submodule), the entries are those of `git ls-files --stage`,
// with the diff made by the file list (no renames) and with the one the
// secrets check shares (renames detected).
func TestStagedEntriesAreTheIndexs(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t)
	r.Write("keep.txt", "a\n")
	r.Write("gone.txt", "gone\n")
	r.Write("from.txt", strings.Repeat("the same content on many lines\n", 20))
	r.Write("dir2file/x.txt", "x\n")
	r.Write("sub/nested.json", "{}\n")
	r.Write("typechange.txt", "t\n")
	r.Write("untouched.txt", "u\n")
	if err := os.Symlink("keep.txt", filepath.Join(r.Dir, "link")); err != nil {
		t.Fatal(err)
	}
	head := r.Commit("base")

	r.Write("keep.txt", "b\n")
	r.Write("new.toml", "x = 1\n")
	r.Write("sub/nested.json", "{\"a\": 1}\n")
	r.Git("rm", "-q", "gone.txt")
	r.Git("mv", "from.txt", "to.txt")
	r.Git("rm", "-q", "-r", "dir2file")
	r.Write("dir2file", "now a file\n")
	r.Remove("typechange.txt")
	if err := os.Symlink("keep.txt", filepath.Join(r.Dir, "typechange.txt")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", "-A")
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+head+",module")

	paths := []string{"keep.txt", "new.toml", "sub/nested.json", "gone.txt", "from.txt", "to.txt", "dir2file",
		"dir2file/x.txt", "typechange.txt", "link", "untouched.txt", "module", "sub", "nope", ".secfirst.toml"}
	want := lsFiles(r, paths)
	if len(want) != 9 {
		t.Fatalf("the oracle lists too little: %v", want)
	}

	got, err := stagedSource(r).IndexEntriesOf(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("without renames:\n got %v\nwant %v", got, want)
	}

	var shared map[string][]checks.IndexEntry
	var sharedErr error
	checks.RunChecks(ctx, stagedSource(r), []checks.Check{probe{"probe", func(ctx context.Context, src *checks.Source) {
		shared, sharedErr = src.IndexEntriesOf(ctx, paths)
	}}})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	if !reflect.DeepEqual(shared, want) {
		t.Errorf("with the shared diff:\n got %v\nwant %v", shared, want)
	}
}

// A path with a merge conflict is one, before the first commit the index
// is read as it is, and an intent-to-add entry, which the commit does not
// record, is absent (ls-files lists it as an empty blob).
func TestStagedEntriesConflictsFirstCommitAndIntentToAdd(t *testing.T) {
	ctx := context.Background()

	r := gittest.New(t)
	r.Write("first.txt", "1\n")
	r.Git("add", "-A")
	got, err := stagedSource(r).IndexEntriesOf(ctx, []string{"first.txt", "nope"})
	if want := lsFiles(r, []string{"first.txt"}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("before the first commit: %v, %v; want %v", got, err, want)
	}

	r.Write(".secfirst.toml", "fail_on = \"high\"\n")
	r.Commit("base")
	r.Git("checkout", "-q", "-b", "other")
	r.Write(".secfirst.toml", "fail_on = \"low\"\n")
	r.Commit("other")
	r.Git("checkout", "-q", "main")
	r.Write(".secfirst.toml", "fail_on = \"critical\"\n")
	r.Commit("main")
	if _, err := r.GitErr("merge", "-q", "other"); err == nil {
		t.Fatal("the merge did not conflict")
	}
	_, err = stagedSource(r).ReadRegular(ctx, ".secfirst.toml", 1<<20)
	if !errors.Is(err, checks.ErrMergeConflict) {
		t.Errorf("a conflicted policy read as %v, want a merge conflict", err)
	}
	r.Git("merge", "--abort")

	r.Write("later.txt", "not yet\n")
	r.Git("add", "-N", "later.txt")
	if got, err := stagedSource(r).IndexEntriesOf(ctx, []string{"later.txt"}); err != nil || len(got) != 0 {
		t.Errorf("an intent-to-add file: %v, %v; want none", got, err)
	}
}

// Every blob a check reads goes through the one cat-file batch of the
// scan: many reads start no git. A blob over the reader's limit is refused
// without being read, and the reads after it still work (with their own
// git: the batch is left in the middle of that blob).
func TestBlobReadsShareOneCatFile(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t)
	r.Write("base.txt", "base\n")
	r.Commit("base")
	content := map[string]string{}
	for i := range 30 {
		name := "many/" + strings.Repeat("x", i+1) + ".txt"
		content[name] = strings.Repeat("y", i) + "\n"
		r.Write(name, content[name])
	}
	r.Write("big.bin", strings.Repeat("z", 5000))
	// A root go.sum is looked up with the configuration of every staged
	// scan (the deps check registers it); over the lookup's limit it is
	// passed over, not a reason to start git again for every read after it.
	t.Cleanup(checks.UseConfigFiles("go.sum"))
	r.Write("go.sum", strings.Repeat("example.com/m v1.0.0 h1:abcdefghijklmnopqrstuvwxyz0123456789ABCDEF=\n", 30_000))
	r.Git("add", "-A")

	read := func(ctx context.Context, src *checks.Source) {
		if _, err := src.ReadRegular(ctx, ".secfirst.toml", 1<<20); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the configuration lookup: %v", err)
		}
		files, err := src.Files(ctx, func(p string) bool { return strings.HasPrefix(p, "many/") })
		if err != nil || len(files) != len(content) {
			t.Errorf("files: %d, %v", len(files), err)
			return
		}
		for _, f := range files {
			if data, err := src.Read(ctx, f); err != nil || string(data) != content[f.Path] {
				t.Errorf("%s: %q, %v", f.Path, data, err)
			}
		}
	}
	calls := gittest.Calls(t, func() {
		checks.RunChecks(ctx, stagedSource(r), []checks.Check{probe{"a", read}, probe{"b", read}})
	})
	catFiles := 0
	for _, c := range calls {
		if strings.HasPrefix(c, "cat-file") {
			catFiles++
		}
	}
	if catFiles != 1 {
		t.Errorf("%d cat-file processes for 60 reads, want the batch alone:\n%s", catFiles, strings.Join(calls, "\n"))
	}

	bigID := r.Git("rev-parse", ":big.bin")
	smallID := r.Git("rev-parse", ":many/x.txt")
	checks.RunChecks(ctx, stagedSource(r), []checks.Check{probe{"limits", func(ctx context.Context, src *checks.Source) {
		var tooLarge *safefile.TooLargeError
		if _, err := src.StagedBlob(ctx, bigID, "big.bin", 100); !errors.As(err, &tooLarge) {
			t.Errorf("a blob over the limit: %v", err)
		}
		if data, err := src.StagedBlob(ctx, smallID, "many/x.txt", 100); err != nil || string(data) != "\n" {
			t.Errorf("the read after it: %q, %v", data, err)
		}
		if data, err := src.StagedBlob(ctx, bigID, "big.bin", 10000); err != nil || len(data) != 5000 {
			t.Errorf("the large blob under a larger limit: %d bytes, %v", len(data), err)
		}
		if _, err := src.StagedBlob(ctx, strings.Repeat("0", len(bigID)), "gone", 100); err == nil {
			t.Error("a missing blob read without error")
		}
	}}})
}
