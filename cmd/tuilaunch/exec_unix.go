//go:build unix

package tuilaunch

import (
	"syscall"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
)

const exeSuffix = ""

// run becomes the program: the terminal, the signals and the exit code are
// its own, as if the person had started it.
func run(path string, argv, env []string) error {
	err := syscall.Exec(path, argv, env)
	return cmdutil.Failf("cannot start %s: %v", path, err)
}
