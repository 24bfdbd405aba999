package common

import (
	"context"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/internal/gittest"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// Esc right after s: the scan is cancelled before git has even said where
// the repository is. That is a cancelled scan, never "Scan failed: … not
// inside a git repository", and nothing is recorded as the last scan.
func TestScanCancelledBeforeItStarts(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	store := &state.Store{Dir: t.TempDir()}
	c := &Common{
		Repo:  Repo{Root: r.Dir, Name: "demo"},
		State: store,
		Now:   time.Now,
		Ctx:   context.Background(),
		Checks: func() []checks.Check {
			return all.Checks(all.Options{Offline: true, DBDir: t.TempDir()})
		},
	}
	for _, mode := range []checks.Mode{checks.ModeWorktree, checks.ModeStaged, checks.ModeHistory} {
		scan, cmd := c.StartScan(mode)
		scan.Cancel()
		msg, ok := cmd().(ScanDoneMsg)
		if !ok {
			t.Fatalf("%s: the scan did not end with a ScanDoneMsg", mode)
		}
		if !msg.Canceled || msg.Err != nil {
			t.Fatalf("%s: cancelled scan reported as canceled=%v err=%v", mode, msg.Canceled, msg.Err)
		}
		if sum, _ := store.LastScan(r.Dir); sum != nil {
			t.Fatalf("%s: a cancelled scan was recorded: %+v", mode, sum)
		}
	}
}

// The staged scan applies the policy as staged, as the hook does: an
// unstaged [[ignore]] does not hide a staged secret.
func TestStagedScanAppliesTheStagedPolicy(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# demo\n")
	r.Commit("first")
	r.Write("a.txt", "k="+gittest.FakeAWSKey()+"\n")
	r.Git("add", "a.txt")
	r.Write(".secfirst.toml", "[[ignore]]\npath = \"a.txt\"\nreason = \"not staged\"\n")
	c := &Common{
		Repo:   Repo{Root: r.Dir, Name: "demo"},
		State:  &state.Store{Dir: t.TempDir()},
		Now:    time.Now,
		Ctx:    context.Background(),
		Checks: func() []checks.Check { return all.Checks(all.Options{Offline: true, DBDir: t.TempDir()}) },
	}
	for _, staged := range []bool{false, true} {
		if staged {
			r.Git("add", ".secfirst.toml")
		}
		_, cmd := c.StartScan(checks.ModeStaged)
		msg, ok := cmd().(ScanDoneMsg)
		if !ok || msg.Err != nil || msg.Report == nil {
			t.Fatalf("staged=%v: %+v", staged, msg)
		}
		if got := len(msg.Report.Findings); got != map[bool]int{false: 1, true: 0}[staged] {
			t.Fatalf("policy staged=%v: %d findings, want the staged policy applied", staged, got)
		}
	}
}
