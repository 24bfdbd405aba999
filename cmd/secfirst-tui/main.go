// Command secfirst-tui is secfirst's terminal interface (see cmd/tuicmd):
// secfirst hands it the terminal when a command needs a screen.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/tuicmd"
)

func main() {
	os.Exit(run())
}

// run runs the interface. A signal cancels its context, which ends the
// program and gives the terminal back as it was (bubbletea restores it
// before Run returns); then it exits 130.
func run() int {
	ios := iostreams.System()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := tuicmd.NewCmd(ios).ExecuteContext(ctx)
	if ctx.Err() != nil {
		fmt.Fprintln(ios.ErrOut, "secfirst: interrupted")
		return cmdutil.ExitInterrupted
	}
	cmdutil.PrintError(ios.ErrOut, err)
	return cmdutil.Code(err)
}
