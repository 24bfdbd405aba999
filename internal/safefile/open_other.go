//go:build !unix

package safefile

import "os"

// Elsewhere the Lstat before the open and the SameFile check after it
// stand in for O_NOFOLLOW.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }
