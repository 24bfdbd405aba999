// Command secfirst-tui is secfirst's terminal interface (see cmd/tuicmd):
// secfirst hands it the terminal when a command needs a screen.
package main

import (
	"context"
	"os"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/tuicmd"
)

// main runs the interface as secfirst runs its commands (cmdutil.Main): a
// signal cancels its context, which ends the program and gives the
// terminal back as it was (bubbletea restores it before Run returns), then
// it exits 130 (143 for SIGTERM); a screen that does not end within the
// grace, or a second signal, is abandoned.
func main() {
	ios := iostreams.System()
	os.Exit(cmdutil.Main(ios.ErrOut, func(ctx context.Context) error {
		return tuicmd.NewCmd(ios).ExecuteContext(ctx)
	}))
}
