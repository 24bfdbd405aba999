package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// A worktree scan cancelled while its files are queued returns the
// context's error. It used to wait for ever: the worker group skips queued
// work once the context is done, and the scan waited on a WaitGroup that
// counted that work (Esc in the TUI froze it). The scan is cancelled at
// many points, from before the rules are built to the last files.
func TestWorktreeScanCancelledReturns(t *testing.T) {
	r := gittest.New(t)
	for i := range 50 {
		r.Write(fmt.Sprintf("src/file%02d.txt", i), "plain text\n")
	}
	r.Commit("files")
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeWorktree)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	if files, err := src.Files(context.Background(), nil); err != nil || len(files) != 50 {
		t.Fatalf("files: %d, %v", len(files), err)
	}
	cancelledRunsReturn(t, src, []int{1, 2, 5, 10, 20, 30, 40, 60, 80})
}

// cancelledRunsReturn runs the secrets check on src with a context that
// ends after each of points asks of it: every run must return (a hang is
// the bug), with context.Canceled unless it had finished, and at least one
// must have been cut short.
func cancelledRunsReturn(t *testing.T, src *checks.Source, points []int) {
	t.Helper()
	cut := 0
	for _, n := range points {
		ctx := newDoneAfter(n)
		done := make(chan error, 1)
		go func() {
			_, err := secrets.New().Run(ctx, src)
			done <- err
		}()
		select {
		case err := <-done:
			switch {
			case errors.Is(err, context.Canceled):
				cut++
			case err != nil:
				t.Fatalf("cancelled after %d: %v, want context.Canceled", n, err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("a scan cancelled after %d never returned", n)
		}
	}
	if cut == 0 {
		t.Fatal("no run was cut short: the cancellation points missed the scan")
	}
}

// doneAfter is a context that ends after its Done channel has been asked
// for n times: every piece of work the scan queues asks once, so the scan
// is cancelled half way through its history, at the same point on any
// machine, without a clock.
type doneAfter struct {
	context.Context
	mu    sync.Mutex
	n     int
	done  chan struct{}
	ended bool
}

func newDoneAfter(n int) *doneAfter {
	return &doneAfter{Context: context.Background(), n: n, done: make(chan struct{})}
}

func (c *doneAfter) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n <= 0 && !c.ended {
		c.ended = true
		close(c.done)
	}
	return c.done
}

func (c *doneAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return context.Canceled
	}
	return nil
}

// A history scan cancelled while its commits' files are being queued
// returns the context's error. It waited for ever (Esc in the TUI, or a
// goroutine Ctrl-C left behind): the worker group skips work queued after
// the end, and the scan waited on a WaitGroup that counted it.
func TestHistoryScanCancelledReturns(t *testing.T) {
	r := gittest.New(t)
	for i := range 120 {
		r.Write(fmt.Sprintf("src/file%03d.txt", i), fmt.Sprintf("line %d\n", i))
		r.Commit(fmt.Sprintf("commit %d", i))
	}
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeHistory)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	cancelledRunsReturn(t, src, []int{1, 30, 60, 120})
}
