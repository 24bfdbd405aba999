//go:build !unix

package tuilaunch

import (
	"errors"
	"os"
	"os/exec"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
)

const exeSuffix = ".exe"

// run starts the program on this console, waits for it and exits with its
// code: a process cannot become another here.
func run(path string, argv, env []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return cmdutil.Silent(ee.ExitCode())
	}
	return cmdutil.Failf("cannot start %s: %v", path, err)
}
