package cmdutil

import (
	"os"
	"strings"
)

// EnvOffline set to 1, true or yes keeps every command off the network (the
// hook, the TUI and scan alike): without a local vulnerability database the
// dependency check warns instead of asking the OSV API.
const EnvOffline = "SECFIRST_OFFLINE"

// WorkDir is dir, or the current directory when dir is empty: the
// directory every command works in unless --dir (or a test) says otherwise.
func WorkDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", Failf("cannot read the current directory: %v", err)
	}
	return wd, nil
}

// OfflineFromEnv reports whether SECFIRST_OFFLINE asks for no network.
func OfflineFromEnv() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(EnvOffline))) {
	case "1", "true", "yes":
		return true
	}
	return false
}
