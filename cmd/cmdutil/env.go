package cmdutil

import (
	"os"
	"strings"
)

// EnvOffline set to 1, true or yes keeps every command off the network (the
// hook, the TUI and scan alike): without a local vulnerability database the
// dependency check warns instead of asking the OSV API.
const EnvOffline = "SECFIRST_OFFLINE"

// OfflineFromEnv reports whether SECFIRST_OFFLINE asks for no network.
func OfflineFromEnv() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(EnvOffline))) {
	case "1", "true", "yes":
		return true
	}
	return false
}
