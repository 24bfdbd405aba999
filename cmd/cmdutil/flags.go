package cmdutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/internal/atomicfile"
)

// FormatFlag defines -f/--format with its default and the formats the
// command writes; the shell completes them.
func FormatFlag(cmd *cobra.Command, p *string, def string, formats ...string) {
	cmd.Flags().StringVarP(p, "format", "f", def, "output format: "+OrList(formats))
	CompleteValues(cmd, "format", formats...)
}

// OutputFlag defines -o/--output: the report goes to FILE, written
// atomically (WriteOutput), instead of standard output.
func OutputFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVarP(p, "output", "o", "", "write the report to `FILE` (replaced whole, never half written) instead of standard output")
}

// NoColorFlag defines --no-color on root, for every command: no colour in
// anything written, whatever the terminal and the environment say (as
// NO_COLOR=1 does).
func NoColorFlag(root *cobra.Command, ios *iostreams.IOStreams) {
	var off bool
	root.PersistentFlags().BoolVar(&off, "no-color", false, "no colour in the output (as NO_COLOR=1)")
	before := root.PersistentPreRunE
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if off {
			ios.SetNoColor(true)
		}
		if before != nil {
			return before(c, args)
		}
		return nil
	}
}

// CompleteValues makes the shell complete flag with values (no file names).
func CompleteValues(cmd *cobra.Command, flag string, values ...string) {
	if err := cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)); err != nil {
		panic(err) // a flag that does not exist: a programming error
	}
}

// OrList is "a, b or c".
func OrList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// WriteOutput writes what write produces to path, atomically: the file is
// the whole report or, if anything fails, what it was before (never half a
// report that CI would read as clean). A path that is a symbolic link
// writes the file it names (the link stays a link). An empty path writes
// to w.
func WriteOutput(w io.Writer, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(w)
	}
	var b strings.Builder
	if err := write(&b); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Failf("--output %s: %v", path, err)
	}
	if abs, err = followLinks(abs); err != nil {
		return Failf("--output %s: %v", path, err)
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(abs); err == nil {
		if !fi.Mode().IsRegular() {
			return Failf("--output %s is not a regular file", path)
		}
		perm = fi.Mode().Perm()
	}
	if err := atomicfile.Write(abs, []byte(b.String()), perm); err != nil {
		return Failf("cannot write %s: %v", path, err)
	}
	return nil
}

// followLinks is the file path names once its symbolic links are followed,
// even one that does not exist yet (a link to a report not yet written).
// Replacing the link itself would turn it into a regular file.
func followLinks(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", errors.New("too many levels of symbolic links")
}

// CheckValue refuses a value that is not one of values, naming them.
func CheckValue(flag, value string, values []string) error {
	for _, v := range values {
		if value == v {
			return nil
		}
	}
	return Failf("invalid --%s %q (want %s)", flag, value, OrList(values))
}
