// Package cmdutil holds what every command shares: exit codes and errors.
package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// Exit codes of the command-line contract.
const (
	ExitOK       = 0 // nothing at or above the fail-on level
	ExitFindings = 1 // blocking findings (or a failing checklist)
	ExitFailure  = 2 // usage or runtime error
)

// ExitError carries an exit code. With a nil Err, nothing more is printed
// (the command already reported); otherwise Err is the one-line cause.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Silent exits with code without printing anything.
func Silent(code int) error { return &ExitError{Code: code} }

// Failf is a runtime error: exit 2 with a one-line cause.
func Failf(format string, args ...any) error {
	return &ExitError{Code: ExitFailure, Err: fmt.Errorf(format, args...)}
}

// Code returns the exit code for err: ExitError's own, else 2.
func Code(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailure
}

// PrintError writes err as the one line a command prints on failure,
// "secfirst: <cause>": no stack trace, the first line only, and the cause
// (which may quote a path or a file of the repository) safe for the
// terminal. An ExitError without a cause prints nothing: the command has
// already said what happened.
func PrintError(w io.Writer, err error) {
	var ee *ExitError
	if err == nil || errors.As(err, &ee) && ee.Err == nil {
		return
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	fmt.Fprintln(w, "secfirst: "+termtext.Line(first))
}
