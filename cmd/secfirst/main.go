// Command secfirst is the entry point: it runs the command tree and turns
// errors into the exit codes of the command-line contract.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/root"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ios := iostreams.System()
	cmd := root.NewCmd(ios)
	err := cmd.ExecuteContext(ctx)
	code := cmdutil.Code(err)
	if err != nil && !isSilent(err) {
		// One line, no stack trace.
		fmt.Fprintln(ios.ErrOut, "secfirst: "+firstLine(err.Error()))
	}
	return code
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
