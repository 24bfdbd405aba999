package checks

import "slices"

// UseConfigFiles registers more configuration files for one test and
// returns the function that puts the list back.
func UseConfigFiles(paths ...string) (restore func()) {
	configFilesMu.Lock()
	saved := slices.Clone(configFiles)
	configFilesMu.Unlock()
	RegisterConfigFiles(paths...)
	return func() {
		configFilesMu.Lock()
		configFiles = saved
		configFilesMu.Unlock()
	}
}

// Reads is how many round trips to git the reader has made.
func (b *StagedBlobs) Reads() int { return b.reads }
