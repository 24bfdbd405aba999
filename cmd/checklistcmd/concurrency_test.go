package checklistcmd

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestParallelSetsFromTenProcessesAllLand runs ten `secfirst checklist set`
// processes at once, each on its own item: every one must succeed and every
// review must be in the file afterwards (without the writers' lock, up to
// four were lost while all ten reported success).
func TestParallelSetsFromTenProcessesAllLand(t *testing.T) {
	bin := gittest.BuiltSecfirst(t)
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range checklist.Template {
		if it.Kind == checklist.Manual && len(ids) < 10 {
			ids = append(ids, it.ID)
		}
	}
	if len(ids) != 10 {
		t.Fatalf("the template has %d manual items, want 10", len(ids))
	}
	cmds := make([]*exec.Cmd, len(ids))
	outs := make([]strings.Builder, len(ids))
	for i, id := range ids {
		c := exec.Command(bin, "checklist", "set", id, "--status", "pass", "--note", fmt.Sprintf("note %d", i))
		c.Dir = e.repo.Dir
		c.Env = append(e.repo.Env, "SECFIRST_OSV_DB="+filepath.Join(t.TempDir(), "none"))
		c.Stdout, c.Stderr = &outs[i], &outs[i]
		cmds[i] = c
	}
	// Start them all before waiting for any, so they overlap.
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatalf("start %s: %v", ids[i], err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("set %s: %v\n%s", ids[i], err, outs[i].String())
		}
	}
	f, err := checklist.Load(e.path())
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		it, _ := f.Item(id)
		if it.Status != checklist.Pass || it.Note != fmt.Sprintf("note %d", i) || it.ReviewedBy != "Ada Tester <ada@example.com>" {
			t.Errorf("update of %s lost: %+v", id, it)
		}
	}
	// The lock is in the git directory: nothing new for git to show.
	if st := strings.TrimSpace(e.repo.Git("status", "--porcelain", "--untracked-files=all")); st != "?? .secfirst/.gitignore\n?? .secfirst/checklist.yaml" {
		t.Errorf("git status after the writes:\n%s", st)
	}
}

// TestConcurrentUpdatesInOneProcessAllLand drives checklist.Update from
// goroutines, each with its own file handles and lock: the lock excludes
// writers within one process as well as across processes.
func TestConcurrentUpdatesInOneProcessAllLand(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range checklist.Template {
		if it.Kind == checklist.Manual {
			ids = append(ids, it.ID)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := *e.opts
			opts.IO, _, _, _ = iostreams.Test()
			errs[i] = RunSet(context.Background(), &SetOptions{Options: &opts, ID: id, Status: "fail", Note: strp("n " + id)})
		}()
	}
	wg.Wait()
	f, err := checklist.Load(e.path())
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if errs[i] != nil {
			t.Errorf("set %s: %v", id, errs[i])
		}
		if it, _ := f.Item(id); it.Status != checklist.Fail || it.Note != "n "+id {
			t.Errorf("update of %s lost: %+v", id, it)
		}
	}
}

// countingCheck counts the scans of a check.
type countingCheck struct {
	checks.Check
	runs atomic.Int32
}

func (c *countingCheck) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	c.runs.Add(1)
	return c.Check.Run(ctx, src)
}

// TestSetScansOnlyWhenItMust: recording n/a or accepted-risk on an
// automatic item needs no evidence, so nothing is scanned; confirming the
// status secfirst finds scans once, and then never again while nothing
// changes.
func TestSetScansOnlyWhenItMust(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	sec := &countingCheck{Check: secrets.New()}
	e.opts.Repo.Checks = []checks.Check{sec}
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "no-secrets-in-tracked-files", Status: "accepted-risk", Note: strp("fixtures only")}); err != nil {
		t.Fatal(err)
	}
	if n := sec.runs.Load(); n != 0 {
		t.Fatalf("set accepted-risk scanned %d times", n)
	}
	for i := 0; i < 2; i++ {
		if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "no-secrets-in-tracked-files", Status: "pass"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := sec.runs.Load(); n != 1 {
		t.Fatalf("two confirmations scanned %d times, want 1 (the second reuses the first)", n)
	}
}
