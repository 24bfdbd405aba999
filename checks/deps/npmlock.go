package deps

import (
	"cmp"
	"context"
	"encoding/json"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	scalibrosv "github.com/google/osv-scalibr/extractor/filesystem/osv"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/tidwall/gjson"
)

// osv-scalibr's package-lock.json reader finds each package's line with a
// gjson lookup that scans the "packages" object from its start: quadratic in
// the number of packages. 1,500 packages cost 25 ms, 5,000 half a second,
// on every commit that stages the lockfile. secfirst still lets that reader
// extract every package, but feeds it the "packages" object in chunks of
// npmChunk entries, each a small lockfile of its own, and maps the line the
// reader reports in a chunk back to the line of the same entry in the real
// file. Duplicates across chunks are merged as the reader merges them
// within a file. Tests prove the result equal to the whole-file extraction,
// but for the line of a package with several entries: always its first here,
// any of them there.

// npmChunk is the number of "packages" entries per chunk: small enough for
// the reader's scans to stay short, large enough that a chunk's fixed costs
// do not add up (32 to 128 measure the same).
const npmChunk = 64

// npmEntry is one entry of a lockfile's "packages" object.
type npmEntry struct {
	key    string // the package's path, unescaped
	rawKey string // the key as written in the file, quoted
	value  string // the value as written in the file
	line   int    // line of the value's first byte in the lockfile
}

// npmLockEntries reads the entries of the top-level "packages" object of a
// lockfile, with their lines, in file order. ok is false when the file is
// not such a lockfile (no "packages", a v1 lockfile, invalid or unusual
// JSON): it is then read whole. gjson walks the file without decoding it
// (encoding/json's tokens cost a third of the read).
func npmLockEntries(content []byte) (entries []npmEntry, ok bool) {
	// encoding/json validates without recursion and refuses nesting past
	// 10,000 levels; gjson's validator recurses without a limit, and a
	// lockfile of a few million "[" would overflow the stack.
	if !json.Valid(content) {
		return nil, false
	}
	// gjson.ParseBytes copies the document into a string, and the entries
	// keep that copy alive while the chunks are read: 55 MB more for a
	// 58 MB lockfile, over the hook's 300 MB. The lockfile's content is
	// never written after it is read (readLockfiles hands it out
	// read-only), so the string may share its bytes.
	doc := gjson.Parse(unsafe.String(unsafe.SliceData(content), len(content)))
	if !doc.IsObject() {
		return nil, false
	}
	lines := newLineIndex(content)
	found, usable := 0, true
	doc.ForEach(func(key, value gjson.Result) bool {
		if key.Str != "packages" {
			return true
		}
		if found++; found > 1 || !value.IsObject() {
			usable = false // a second "packages": leave it to the reader
			return false
		}
		seen := map[string]bool{}
		value.ForEach(func(k, v gjson.Result) bool {
			if k.Type != gjson.String || seen[k.Str] || v.Index == 0 {
				usable = false
				return false
			}
			seen[k.Str] = true
			entries = append(entries, npmEntry{key: k.Str, rawKey: k.Raw, value: v.Raw, line: lines.lineOf(v.Index)})
			return true
		})
		return usable
	})
	if !usable || found != 1 {
		return nil, false
	}
	return entries, true
}

// lineIndex turns byte offsets into 1-based line numbers.
type lineIndex []int // offsets of line starts

func newLineIndex(b []byte) lineIndex {
	starts := lineIndex{0}
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func (l lineIndex) lineOf(offset int) int {
	i, found := slices.BinarySearch(l, offset)
	if found {
		return i + 1
	}
	return i
}

// npmChunks splits the entries into chunks of at most size entries, no two
// entries of the same folder name (node_modules/a and
// node_modules/b/node_modules/a) in one chunk. Within one chunk the reader
// would keep the line of whichever copy its map iteration met last, so the
// line of a finding would change from run to run; across chunks
// mergeNpmDuplicate keeps the first.
func npmChunks(entries []npmEntry, size int) [][]npmEntry {
	var chunks [][]npmEntry
	var names []map[string]bool
	open := 0 // the chunks before it are full
	for _, e := range entries {
		base := path.Base(e.key)
		i := open
		for i < len(chunks) && (len(chunks[i]) == size || names[i][base]) {
			i++
		}
		if i == len(chunks) {
			chunks = append(chunks, make([]npmEntry, 0, size))
			names = append(names, map[string]bool{})
		}
		chunks[i] = append(chunks[i], e)
		names[i][base] = true
		for open < len(chunks) && len(chunks[open]) == size {
			open++
		}
	}
	return chunks
}

// npmLockChunk is a lockfile of some entries, each starting a line, and
// the real line of the entry on each line one starts. An entry is copied as
// it is written, so one of many lines takes as many in the chunk.
func npmLockChunk(entries []npmEntry) ([]byte, map[int]int) {
	var b strings.Builder
	b.WriteString("{\"lockfileVersion\":3,\"packages\":{\n")
	lineIn := make(map[int]int, len(entries))
	line := 2
	for i, e := range entries {
		lineIn[line] = e.line
		b.WriteString(e.rawKey)
		b.WriteByte(':')
		b.WriteString(e.value)
		if i < len(entries)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		line += 1 + strings.Count(e.value, "\n")
	}
	b.WriteString("}}\n")
	return []byte(b.String()), lineIn
}

// isNpmLockExtractor tells osv-scalibr's package-lock.json reader apart.
func isNpmLockExtractor(e filesystem.Extractor) bool {
	return e.Name() == packagelockjson.Name
}

// extractNpmLockChunked runs the package-lock.json reader over the lockfile
// in chunks of at most size entries (see the comment at the top). Small
// lockfiles go through it too, so a package with several entries is always
// reported on its first. ok is false when the lockfile cannot be split (a
// v1 lockfile, invalid or unusual JSON) or a chunk fails: the caller then
// reads it whole, as osv-scalibr would, and the reader reports the error.
func extractNpmLockChunked(ctx context.Context, e filesystem.Extractor, fsys scalibrfs.FS, root, rel string, content []byte, size int) ([]*extractor.Package, bool) {
	entries, ok := npmLockEntries(content)
	if !ok {
		return nil, false
	}
	chunks := npmChunks(entries, size)
	// The chunks are read on every core (the hook waits for a rewritten
	// lockfile more than for anything else), and merged in file order.
	results := make([][]*extractor.Package, len(chunks))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(chunks) && !failed.Load(); i = int(next.Add(1) - 1) {
				chunk, lineIn := npmLockChunk(chunks[i])
				chunks[i] = nil // its entries are in chunk: garbage as the packages grow
				inv, err := runExtractor(ctx, e, scanInput(fsys, root, rel, chunk))
				if err != nil || ctx.Err() != nil {
					failed.Store(true)
					return
				}
				// Each package's line in the real file, at once: the
				// chunks' line maps of a 58 MB lockfile were 8 MB.
				for _, p := range inv.Packages {
					line := 0
					if loc := p.Location.Descriptor; loc != nil && loc.File != nil {
						if l, ok := lineIn[loc.File.LineNumber]; ok {
							line = l
						}
					}
					p.Location = extractor.LocationFromPathAndLine(rel, line)
					if p.SourceCode != nil && p.SourceCode.Commit == "" {
						p.SourceCode = nil // the reader gives every package one: 7 MB of 220,000
					}
				}
				results[i] = inv.Packages
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		return nil, false
	}
	var all []*extractor.Package
	for i, pkgs := range results {
		all = append(all, pkgs...)
		results[i] = nil
	}
	return mergeNpmDuplicates(all), true
}

// mergeNpmDuplicates keeps the first of the packages of the same name and
// version (or commit), in file order, and folds the others into it
// (mergeNpmDuplicate), by keepFirst: a map of 220,000 packages by
// "name@version" was 20 MB of the check's peak.
func mergeNpmDuplicates(all []*extractor.Package) []*extractor.Package {
	ref := func(p *extractor.Package) string {
		if p.SourceCode != nil && p.SourceCode.Commit != "" {
			return p.SourceCode.Commit
		}
		return p.Version
	}
	same := func(a, b *extractor.Package) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(ref(a), ref(b)))
	}
	return keepFirst(all, same, mergeNpmDuplicate)
}

// mergeNpmDuplicate folds a second occurrence of a package into the first
// as osv-scalibr does within one file: dependency groups are merged, and a
// package in no group (a production dependency) stays in none. The earlier
// line is kept, so a package is reported on its first entry in the file
// (the reader itself reports whichever entry its map iteration met last).
func mergeNpmDuplicate(into, p *extractor.Package) {
	a, _ := into.Metadata.(*scalibrosv.DepGroupMetadata)
	b, _ := p.Metadata.(*scalibrosv.DepGroupMetadata)
	if a != nil && b != nil {
		if len(a.DepGroupVals) == 0 || len(b.DepGroupVals) == 0 {
			a.DepGroupVals = []string{}
		} else {
			merged := slices.Concat(a.DepGroupVals, b.DepGroupVals)
			slices.Sort(merged)
			a.DepGroupVals = slices.Compact(merged)
		}
	}
	if l, at := p.Location.Descriptor.File.LineNumber, into.Location.Descriptor.File.LineNumber; l > 0 && (at == 0 || l < at) {
		into.Location = p.Location
	}
}
