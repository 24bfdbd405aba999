package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
)

// The report formats, as `secfirst scan --format` names them.
const (
	FormatText        = "text"
	FormatJSON        = "json"
	FormatSARIF       = "sarif"
	FormatCodeQuality = "codequality"
	FormatJUnit       = "junit"
)

// Formats lists every report format, in the order help shows them. It is
// the one list commands take their --format values from.
var Formats = []string{FormatText, FormatJSON, FormatSARIF, FormatCodeQuality, FormatJUnit}

// FormatList is the formats for a help text or an error: "text, json,
// sarif, codequality or junit".
func FormatList() string {
	return strings.Join(Formats[:len(Formats)-1], ", ") + " or " + Formats[len(Formats)-1]
}

// CheckFormat returns an error naming the valid formats when format is not
// one of them.
func CheckFormat(format string) error {
	for _, f := range Formats {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("invalid format %q (want %s)", format, FormatList())
}

// Options are what some formats need besides the report.
type Options struct {
	// Styles colour the text format.
	Styles Styles
	// Version is secfirst's version, for SARIF's tool driver.
	Version string
}

// Write writes the report in one of Formats.
func Write(w io.Writer, format string, r *checks.Report, o Options) error {
	switch format {
	case FormatText:
		return WriteText(w, r, o.Styles)
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatSARIF:
		return WriteSARIF(w, r, o.Version)
	case FormatCodeQuality:
		return WriteCodeQuality(w, r)
	case FormatJUnit:
		return WriteJUnit(w, r)
	}
	return CheckFormat(format)
}
