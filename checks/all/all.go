// Package all is the set of checks secfirst runs: the one place that knows
// every check, so scan, the hook, the checklist and the TUI agree.
package all

import (
	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/deps"
	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/checks/terraform"
)

// Options configure the checks that need it.
type Options struct {
	// DBDir is the OSV database directory ("" means the default).
	DBDir string
	// Offline forbids every network access.
	Offline bool
}

// Checks returns every check, in report order.
func Checks(o Options) []checks.Check {
	return []checks.Check{
		secrets.New(),
		deps.New(deps.Options{DBDir: o.DBDir, Offline: o.Offline}),
		dockerfile.New(),
		kubernetes.New(),
		terraform.New(),
	}
}
