package checklist

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func TestMain(m *testing.M) {
	// git runs with the process environment: no user or system
	// configuration, and no vulnerability database.
	os.Exit(gittest.Main(m, func(tmp string) {
		os.Setenv("SECFIRST_OSV_DB", filepath.Join(tmp, "no-osv-db"))
	}))
}
