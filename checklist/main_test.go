package checklist

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

// testMain makes the git this package runs (with the process environment)
// as hermetic as gittest's: no user or system configuration.
func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "secfirst-checklist-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	gittest.Isolate(tmp)
	os.Setenv("SECFIRST_OSV_DB", filepath.Join(tmp, "no-osv-db"))
	return m.Run()
}
