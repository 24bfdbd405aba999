package common

import (
	"os"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestMain makes the package's git commands hermetic: the scans run git
// with the process environment.
func TestMain(m *testing.M) { os.Exit(gittest.Main(m, nil)) }
