package deps

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/sbom/cdx"
	"github.com/google/osv-scalibr/extractor/filesystem/sbom/spdx"

	"github.com/secfirst-dev/secfirst/checks"
)

// The check holds the dependency files it reads, their packages and the
// matching of them within the scan's parse budget (checks.Source.Parsing),
// as the Kubernetes, Terraform and Dockerfile checks hold their parsers: a
// 58 MB package-lock.json (198 MB once extracted) and a 4 MiB manifest
// (116 MB parsed) are no longer held at once. Its share is taken before a
// file's content is read, from the file's size. The lockfiles are read in
// groups that fit in the budget together (budgetShare): a group's packages
// are matched and let go before the next group is read, so that a commit
// of several large lockfiles holds one at a time.

// Memory the check holds per byte of a dependency file, measured: the live
// heap (after a collection, GOGC=5) at its peak while the file is read,
// extracted and matched, divided by the file's size. Most of it is per
// package (osv-scalibr's Package and the check's pkgRec, about 700 bytes
// for one package): the fewer bytes a format spends on a package, the more
// it costs per byte. The file itself is part of it (held until matching is
// over), as is matching (3.3 B/B for the npm lockfile: the packages are
// still held, the advisories of a few are added).
const (
	// costDefault: pnpm-lock.yaml 14.4 (YAML nodes), Gemfile.lock 15.5,
	// poetry.lock 11.7 and Cargo.lock 8.6 (TOML), CycloneDX JSON 5.1.
	costDefault = 16
	// costSparse: package-lock.json 3.3 (a 58 MB lockfile of 220,000
	// packages peaked at 181 MB; TestNpmLockfileCostIsMeasured holds it),
	// yarn.lock 3.7, composer.lock 3.3.
	costSparse = 4
	// costDense: a package a line of a few tens of bytes: go.mod 24-29,
	// requirements.txt 29.5 (without hashes; 9.5 with).
	costDense = 32
	// costSibling: a file read beside a lockfile (go.sum, package.json,
	// osv-scanner.toml) is held as read, and go.sum is read for the
	// modules of an old go.mod: a go.sum of 6.3 MB added 6 MB.
	costSibling = 4
	// costSBOM: CycloneDX JSON 5.1 (SPDX taken as the same): SBOMs of
	// tens of MB are common, and keep a limit of their own.
	costSBOM = 6
)

// costByReader is what a file costs per byte when a reader of this name
// reads it (costDefault for the others).
var costByReader = map[string]int64{
	packagelockjson.Name: costSparse,
	yarnlock.Name:        costSparse,
	composerlock.Name:    costSparse,
	gomod.Name:           costDense,
	requirements.Name:    costDense,
	cdx.Name:             costSBOM,
	spdx.Name:            costSBOM,
}

// costPerByte is the memory reading the dependency file p takes per byte
// of it: each of its readers' cost, added.
func costPerByte(p string) int64 {
	var cost int64
	for _, e := range extractorsFor(p) {
		c, ok := costByReader[e.Name()]
		if !ok {
			c = costDefault
		}
		cost += c
	}
	if cost == 0 {
		return costDefault
	}
	return cost
}

// maxFileOf is the size past which the dependency file p is named, not
// read: what its readers hold a byte (costPerByte) bounds it, so that the
// hook stays under its 300 MB on any of them. A staged 8 MiB
// requirements.txt of 450,000 packages (a package a line) peaked at 436
// MB; a 58 MB package-lock.json at 210 MB. A real requirements.txt or
// go.mod is well under 100 KB.
func maxFileOf(p string) int64 {
	switch c := costPerByte(p); {
	case c <= costSparse:
		return maxDependencyFile // 64 MiB
	case c <= costSBOM:
		return maxDependencyFile / 2 // 32 MiB
	case c <= costDefault:
		return maxDependencyFile / 8 // 8 MiB
	default:
		return maxDependencyFile / 16 // 4 MiB
	}
}

// readLimit is the most of rel the check reads when a reader opens it
// (a requirements file's -r include, a parent POM): a file read beside a
// lockfile up to maxDependencyFile, a dependency file up to its format's
// limit, any other up to the strictest (4 MiB): an include is parsed as
// its includer's format, outside the budget.
func readLimit(rel string) int64 {
	switch {
	case slices.Contains(siblingFiles(), path.Base(rel)):
		return maxDependencyFile
	case isDependencyFile(rel):
		return maxFileOf(rel)
	}
	return maxDependencyFile / 16
}

// depFile is a file the check is about to read and its size.
type depFile struct {
	path    string
	size    int64
	sibling bool // read beside a lockfile, not extracted itself
}

// readCost is the share of the parse budget that reading the files
// takes, at most all of it. A file over its limit (maxFileOf) costs
// nothing: it is never extracted, only named.
func readCost(files []depFile) int {
	var total int64
	for _, f := range files {
		if f.size <= 0 || f.size > maxDependencyFile || (!f.sibling && f.size > maxFileOf(f.path)) {
			continue
		}
		per := int64(costSibling)
		if !f.sibling {
			per = costPerByte(f.path)
		}
		total = min(total+f.size*per, checks.ParseBudget)
	}
	return int(total)
}

// budgetWait, when set (a test), is called as the check starts waiting for
// its share of the parse budget.
var budgetWait func()

// readStagedBlobs reads the blobs of ids (at most maxDependencyFile bytes
// each; what each is read as in uses) through the source's cat-file batch,
// adding the cost of each to share as git gives its size and before its
// content is read, as long as it fits without waiting: no git process asks
// the sizes first. When one does not fit, nothing more is read, what was
// is dropped, makeRoom (when set) matches the packages share holds, and
// all of it is read again once its cost fits beside share's base (see
// budgetShare.fit). A blob over maxDependencyFile, or over its format's
// limit, is only measured.
func readStagedBlobs(ctx context.Context, src *checks.Source, share *budgetShare, ids []string, uses map[string][]depFile, makeRoom func() error) (blobs map[string][]byte, sizes map[string]int64, err error) {
	sized := func(id string, size int64) []depFile {
		fs := slices.Clone(uses[id])
		for i := range fs {
			fs[i].size = size
		}
		return fs
	}
	// unread: over maxDependencyFile, or over the limit of every format
	// it would be read as (maxFileOf): named, never held.
	unread := func(id string, size int64) bool {
		if size > maxDependencyFile {
			return true
		}
		return !slices.ContainsFunc(uses[id], func(f depFile) bool { return f.sibling || size <= maxFileOf(f.path) })
	}
	sizes = map[string]int64{}
	wait := false
	blobs, err = src.ReadBlobsIf(ctx, ids, maxDependencyFile, func(id string, size int64) bool {
		sizes[id] = size
		switch {
		case unread(id, size) || wait:
			return false
		case !share.tryTake(readCost(sized(id, size))):
			wait = true
			return false
		}
		return true
	})
	if err != nil || !wait {
		return blobs, sizes, err
	}
	blobs = nil // what was read is garbage before its share is given back
	var all []depFile
	var again []string
	for _, id := range ids {
		if size, ok := sizes[id]; ok && !unread(id, size) {
			again = append(again, id)
			all = append(all, sized(id, size)...)
		}
	}
	if err := share.fit(ctx, readCost(all), makeRoom); err != nil {
		return nil, nil, err
	}
	if blobs, err = src.ReadBlobs(ctx, again, maxDependencyFile); err != nil {
		return nil, nil, err
	}
	return blobs, sizes, nil
}

// budgetShare is the check's share of the parse budget. It holds the files
// read beside the lockfiles (base) and a group of lockfiles, with their
// packages until they are matched: a lockfile is added to the group when
// its cost fits now (tryTake), and when it does not, the group is matched
// and let go first (fit). At most all of the budget is taken: a lockfile
// that costs it all is a group of its own.
type budgetShare struct {
	src     *checks.Source
	taken   int
	dones   []func()
	base    int  // the share of the files beside the lockfiles: held throughout
	grouped bool // a lockfile is held beside base
}

// tryTake takes cost more of the budget if it fits now, beside the group
// held, if any.
func (b *budgetShare) tryTake(cost int) bool {
	if b.grouped && b.taken+cost > checks.ParseBudget {
		return false // the group is matched first
	}
	need := min(b.taken+cost, checks.ParseBudget) - b.taken
	if need <= 0 {
		return true
	}
	done, ok := b.src.TryParsing(need)
	if !ok {
		return false
	}
	b.taken += need
	b.dones = append(b.dones, done)
	return true
}

// fit takes cost more of the budget: now if it fits (tryTake); else once
// the group held is matched (makeRoom), all of the share given back, and
// base and cost fit together. It waits holding none of the budget: two
// checks that each wait holding part of it could wait for each other.
func (b *budgetShare) fit(ctx context.Context, cost int, makeRoom func() error) error {
	if b.tryTake(cost) {
		return nil
	}
	large := b.grouped && b.taken-b.base >= checks.ParseBudget/2
	if makeRoom != nil {
		if err := makeRoom(); err != nil {
			return err
		}
	}
	base := b.base
	b.release()
	if large && makeRoom != nil {
		// The pages a large group held go back to the system before the
		// next is read: left to the runtime, the next lockfile's content
		// (one block of tens of MB) did not fit among them and took new
		// ones. Two 58 MB lockfiles peaked 20-30 MB over one; with this,
		// the same (one collection of what is left, a few milliseconds).
		debug.FreeOSMemory()
	}
	if budgetWait != nil {
		budgetWait()
	}
	need := min(base+cost, checks.ParseBudget)
	done, err := b.src.Parsing(ctx, need)
	if err != nil {
		return err
	}
	b.taken, b.dones, b.base = need, []func(){done}, base
	return nil
}

// release gives the share back.
func (b *budgetShare) release() {
	for _, done := range b.dones {
		done()
	}
	b.taken, b.dones, b.grouped = 0, nil, false
}

// diskSize is the size of a regular file on disk, 0 for anything else
// (the read refuses it, and names it).
func diskSize(name string) int64 {
	fi, err := os.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	return fi.Size()
}

// diskSiblings are the files beside the lockfiles (paths on disk) that a
// scan may read, with their sizes.
func diskSiblings(lockfiles []string) []depFile {
	isLock := map[string]bool{}
	for _, p := range lockfiles {
		isLock[p] = true
	}
	var out []depFile
	dirs := map[string]bool{}
	for _, lf := range lockfiles {
		dir := filepath.Dir(lf)
		if dirs[dir] {
			continue
		}
		dirs[dir] = true
		for _, n := range siblingFiles() {
			p := filepath.Join(dir, n)
			if isLock[p] {
				continue // counted as a lockfile
			}
			if size := diskSize(p); size > 0 {
				out = append(out, depFile{path: p, size: size, sibling: true})
			}
		}
	}
	return out
}
