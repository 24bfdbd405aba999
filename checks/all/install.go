package all

import (
	"io"
	"log"

	"github.com/rs/zerolog"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
)

func init() {
	// What every finding of every check shows, reported or suppressed, goes
	// through the secrets check's redactor when the engine makes a report:
	// a Dockerfile line or a line with two secrets never shows the one its
	// own check did not mask.
	checks.SetRedactor(secrets.NewRedactor())

	// Libraries keep quiet. What secfirst prints is its own; a library's log
	// line in the hook's message (osv-scalibr warned there, timestamped,
	// about a requirements.txt `-r` include) is noise at best, and gitleaks
	// logs secrets at debug level. Each logger is silenced at its root; the
	// deps check replaces osv-scalibr's and the secrets check gitleaks' own.
	log.SetOutput(io.Discard)                // the standard logger, which slog's default handler also writes to
	zerolog.SetGlobalLevel(zerolog.Disabled) // every zerolog logger
}
