package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// listing is a check that lists the staged files, as the other checks do,
// while the secrets check reads the patches of the same git diff.
type listing struct{ files *[]string }

func (listing) Name() string { return "deps" }

func (l listing) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	files, err := src.Files(ctx, nil)
	for _, f := range files {
		*l.files = append(*l.files, f.Path+"\x00"+f.Blob)
	}
	return checks.Result{}, err
}

// TestSharedStagedDiffListsAndFinds: when the file list and the secrets
// check share one `git diff --cached --raw -p`, the list is what the commit
// adds or changes (a rename by its new path; no deletion, symlink or
// submodule) with the staged blob ids, and the findings are those of the
// check's own diff: a renamed file's old secret is not the commit's (as
// gitleaks has it), a new secret is, in a file of any name.
func TestSharedStagedDiffListsAndFinds(t *testing.T) {
	r := gittest.New(t)
	old := gittest.FakeGitHubToken()
	r.Write("keep.py", "token = \""+old+"\"  # gitleaks:allow\n")
	r.Write("gone.txt", "bye\n")
	r.Write("app.py", "print('hello')\n")
	r.Commit("init")
	r.Git("mv", "keep.py", "moved é.py")
	r.Git("rm", "-q", "gone.txt")
	r.Write("app.py", "print('hello')\naws = \""+gittest.FakeAWSKey()+"\"\n")
	r.Write("new file.txt", "slack = \""+gittest.FakeGitHubToken()+"\"\n")
	if err := os.Symlink("app.py", filepath.Join(r.Dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", "-A")

	src := &checks.Source{Mode: checks.ModeStaged, Root: r.Dir, InRepo: true, Env: r.Env}
	var listed []string
	rep := checks.Scan(context.Background(), src, []checks.Check{secrets.New(), listing{&listed}}, nil, checks.Options{})
	if len(rep.Errors) > 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
	var paths []string
	for _, l := range listed {
		path, blob, _ := strings.Cut(l, "\x00")
		if want := strings.TrimSpace(r.Git("rev-parse", ":"+path)); blob != want {
			t.Errorf("%s: blob %s, staged %s", path, blob, want)
		}
		paths = append(paths, path)
	}
	slices.Sort(paths)
	if strings.Join(paths, "|") != "app.py|moved é.py|new file.txt" {
		t.Errorf("listed %q", paths)
	}
	alone, err := secrets.New().Run(context.Background(), &checks.Source{Mode: checks.ModeStaged, Root: r.Dir, InRepo: true, Env: r.Env})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rules(rep.Findings), rules(alone.Findings); !slices.Equal(sorted(got), sorted(want)) || len(got) != 2 {
		t.Errorf("shared diff found %v, its own diff %v; want the same two", got, want)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
