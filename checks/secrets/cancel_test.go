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
// counted that work (Esc in the TUI froze it).
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
	// The files are listed while the context is alive; the scan of each
	// is queued after it has ended.
	if files, err := src.Files(context.Background(), nil); err != nil || len(files) != 50 {
		t.Fatalf("files: %d, %v", len(files), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() {
		_, err := secrets.New().Run(ctx, src)
		done <- err
	}()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled scan returned %v, want context.Canceled", err)
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
	ctx := newDoneAfter(60)
	done := make(chan error, 1)
	go func() {
		_, err := secrets.New().Run(ctx, src)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled history scan returned %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("a cancelled history scan never returned")
	}
}
