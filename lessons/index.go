package lessons

// indexEntry is what the hook needs of a lesson without parsing it: its id
// (the file name), the rules it covers and its former ids. index_gen.go
// holds one per lesson, sorted by id, written by `go generate ./lessons`
// from the lesson files; a test fails when it no longer matches them.
type indexEntry struct {
	id      string
	rules   []string
	aliases []string
}

// indexFile is the id of the lesson whose id or alias is id.
func indexFile(id string) (string, bool) {
	for _, e := range index {
		if e.id == id {
			return e.id, true
		}
	}
	for _, e := range index {
		for _, a := range e.aliases {
			if a == id {
				return e.id, true
			}
		}
	}
	return "", false
}
