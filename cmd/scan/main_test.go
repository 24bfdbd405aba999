package scan_test

import (
	"os"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestMain makes the package hermetic: the checks run git with the process
// environment, and a scan records its counts in the user's state
// directory, here a temporary one.
func TestMain(m *testing.M) { os.Exit(gittest.Main(m, nil)) }
