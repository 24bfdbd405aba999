// Command secfirst is the entry point: it runs the command tree and turns
// errors into the exit codes of the command-line contract. It links no
// part of the terminal interface (secfirst-tui, see cmd/tuilaunch): the git
// hook runs this program on every commit.
package main

import (
	"context"
	"os"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/root"
)

func main() {
	os.Exit(run())
}

func run() int {
	ios := iostreams.System()
	return cmdutil.RunInterruptible(context.Background(), ios.ErrOut, func(ctx context.Context) int {
		err := root.NewCmd(ios).ExecuteContext(ctx)
		if ctx.Err() == nil {
			cmdutil.PrintError(ios.ErrOut, err)
		}
		return cmdutil.Code(err)
	})
}
