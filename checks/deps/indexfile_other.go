//go:build !unix

package deps

import "os"

// mapIndexFile reads an index file whole where memory mapping is not
// available through golang.org/x/sys/unix.
func mapIndexFile(path string) (data []byte, release func(), err error) {
	data, err = os.ReadFile(path)
	return data, func() {}, err
}
