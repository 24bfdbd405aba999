// Package version is `secfirst version` and the build stamp it prints.
package version

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/iostreams"
)

// Set at build time with -ldflags "-X github.com/secfirst-dev/secfirst/cmd/version.Version=...".
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info returns the version, commit and date, falling back to what the Go
// toolchain recorded (go install pkg@version, VCS stamping) when not stamped.
func Info() (version, commit, date string) {
	version, commit, date = Version, Commit, Date
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if commit == "" {
					commit = s.Value
				}
			case "vcs.time":
				if date == "" {
					date = s.Value
				}
			}
		}
	}
	if version == "" {
		version = "dev"
	}
	return version, commit, date
}

// String is the one line `secfirst version` prints.
func String() string {
	v, c, d := Info()
	s := "secfirst " + v
	if c != "" {
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (" + c
		if d != "" {
			s += ", " + d
		}
		s += ")"
	}
	return s
}

// NewCmd builds `secfirst version`.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(ios.Out, String())
			return err
		},
	}
}
