package cmdutil

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Exit codes of a command stopped by a signal: 128 + the signal's number,
// as a shell reports it.
const (
	ExitInterrupted = 130 // SIGINT, Ctrl-C
	ExitTerminated  = 143 // SIGTERM
)

// InterruptGrace is how long a command has, after Ctrl-C, to notice that
// its context is done and return (every write secfirst makes is atomic, so
// stopping later than that leaves no half-written file, at most a
// temporary one beside it).
const InterruptGrace = 500 * time.Millisecond

// RunInterruptible runs cmd with a context that Ctrl-C (SIGINT) or SIGTERM
// cancels. After a signal the process stops within InterruptGrace (at once
// on a second signal), says so in one line on errOut and exits 130 (143
// for SIGTERM), whatever the command was doing: a scan deep inside a
// library that does not watch the context cannot hold the terminal.
func RunInterruptible(parent context.Context, errOut io.Writer, cmd func(ctx context.Context) int) int {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	done := make(chan int, 1)
	go func() { done <- cmd(ctx) }()
	select {
	case code := <-done:
		return code
	case sig := <-sigs:
		cancel()
		grace := time.NewTimer(InterruptGrace)
		defer grace.Stop()
		select {
		case <-done:
		case <-sigs:
		case <-grace.C:
		}
		code := ExitInterrupted
		if sig == syscall.SIGTERM {
			code = ExitTerminated
		}
		fmt.Fprintln(errOut, "secfirst: interrupted")
		return code
	}
}

// Main runs a program's command tree (execute) under RunInterruptible and
// returns its exit code: the error's code, its line on errOut unless a
// signal ended the command. Both programs, secfirst and secfirst-tui, end
// this way: SIGTERM exits 143, and a second signal ends even a stuck
// command at once.
func Main(errOut io.Writer, execute func(ctx context.Context) error) int {
	return RunInterruptible(context.Background(), errOut, func(ctx context.Context) int {
		err := execute(ctx)
		if ctx.Err() == nil {
			PrintError(errOut, err)
		}
		return Code(err)
	})
}
