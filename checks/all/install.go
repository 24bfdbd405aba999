package all

import (
	"io"
	"log"

	"github.com/rs/zerolog"

	scalibrlog "github.com/google/osv-scalibr/log"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
)

func init() {
	// Every snippet of every check, shown or suppressed, goes through the
	// secrets check's redactor in checks.Scan: a Dockerfile line or a line
	// with two secrets never shows the one its own check did not mask.
	checks.SetRedactor(secrets.NewRedactor())

	// Libraries keep quiet. What secfirst prints is its own; a library's log
	// line in the hook's message (osv-scalibr warned there, timestamped,
	// about a requirements.txt `-r` include) is noise at best, and gitleaks
	// logs secrets at debug level. Each logger is silenced at its root:
	log.SetOutput(io.Discard)                // the standard logger, which slog's default handler also writes to
	scalibrlog.SetLogger(quietScalibr{})     // osv-scalibr's, the standard logger by default
	zerolog.SetGlobalLevel(zerolog.Disabled) // every zerolog logger (gitleaks'; the secrets check also replaces it)
}

// quietScalibr is an osv-scalibr logger that drops everything. What an
// extractor returns as an error reaches the deps check, which names the
// file in a warning; what osv-scalibr only logs (a `-r` include it could
// not open) is not the output's business.
type quietScalibr struct{}

func (quietScalibr) Errorf(string, ...any) {}
func (quietScalibr) Error(...any)          {}
func (quietScalibr) Warnf(string, ...any)  {}
func (quietScalibr) Warn(...any)           {}
func (quietScalibr) Infof(string, ...any)  {}
func (quietScalibr) Info(...any)           {}
func (quietScalibr) Debugf(string, ...any) {}
func (quietScalibr) Debug(...any)          {}
