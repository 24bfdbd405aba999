package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

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
