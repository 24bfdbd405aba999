// Command secfirst is the entry point: it runs the command tree and turns
// errors into the exit codes of the command-line contract.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/root"
	"github.com/secfirst-dev/secfirst/internal/termtext"
)

func main() {
	os.Exit(run())
}

func run() int {
	ios := iostreams.System()
	return cmdutil.RunInterruptible(context.Background(), ios.ErrOut, func(ctx context.Context) int {
		err := root.NewCmd(ios).ExecuteContext(ctx)
		if err != nil && !isSilent(err) && ctx.Err() == nil {
			// One line, no stack trace; the cause may quote a path or a
			// file of the repository: safe for the terminal.
			fmt.Fprintln(ios.ErrOut, "secfirst: "+termtext.Line(firstLine(err.Error())))
		}
		return cmdutil.Code(err)
	})
}

func isSilent(err error) bool {
	ee, ok := err.(*cmdutil.ExitError)
	return ok && ee.Err == nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
