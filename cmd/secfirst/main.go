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
	ios := iostreams.System()
	os.Exit(cmdutil.Main(ios.ErrOut, func(ctx context.Context) error {
		return root.NewCmd(ios).ExecuteContext(ctx)
	}))
}
