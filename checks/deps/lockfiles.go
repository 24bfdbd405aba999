package deps

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// maxDependencyFile bounds every dependency file read from disk (lockfiles,
// manifests, osv-scanner.toml): far above the largest real lockfiles (a
// monorepo's package-lock.json is tens of MB), far below what a file that
// never ends would cost.
const maxDependencyFile = 64 << 20

// lockfile is one dependency file of the source, read.
type lockfile struct {
	file    string  // as findings name it
	rel     string  // inside fsys
	root    string  // the folder fsys stands for
	fsys    *blobFS // the tree the lockfile was read from
	content []byte
}

// lockfileReader reads the dependency files of a source one at a time,
// each once its cost fits beside what the check holds (budgetShare): the
// files beside them first (staged: read from the index in one request; on
// disk: read as an extractor asks, their cost taken up front), then each
// lockfile as the check asks for it (read).
type lockfileReader struct {
	src   *checks.Source
	files []checks.File
	locks []lockfile // each file's names and tree; content is read by read
	sizes []int64    // on disk: each file's size; staged ones are measured as read
	index *blobFS    // staged: the index the lockfiles are read into
	trees []*blobFS  // every tree, for the files they refused (refusals)
}

// openLockfiles prepares the reading of the source's dependency files and
// reads the files beside them, within share: that part of it (its base)
// is held until the check is over.
func openLockfiles(ctx context.Context, src *checks.Source, files []checks.File, share *budgetShare) (*lockfileReader, error) {
	if src.Mode == checks.ModeStaged && len(src.Paths) == 0 {
		return openStagedLockfiles(ctx, src, files, share)
	}
	r := &lockfileReader{src: src, files: files}
	trees := map[string]*blobFS{}
	tree := func(root, shownDir string) *blobFS {
		t := trees[root]
		if t == nil {
			t = diskFS(root, shownDir)
			trees[root] = t
			r.trees = append(r.trees, t)
		}
		return t
	}
	var onDisk []string
	for _, f := range files {
		lf := lockfile{file: f.Path, rel: f.Path, root: src.Root}
		if filepath.IsAbs(filepath.FromSlash(f.Path)) || strings.HasPrefix(f.Path, "/") {
			// A PATH outside the repository: its own folder is its tree.
			dir := filepath.Dir(f.Abs)
			lf.root, lf.rel = dir, filepath.Base(f.Abs)
			lf.fsys = tree(dir, dir)
		} else {
			lf.fsys = tree(src.Root, "")
		}
		abs := filepath.Join(lf.root, filepath.FromSlash(lf.rel))
		r.sizes = append(r.sizes, diskSize(abs))
		onDisk = append(onDisk, abs)
		r.locks = append(r.locks, lf)
	}
	// The files beside the lockfiles are read as the extractors ask: what
	// they may cost is held from the start.
	if err := share.fit(ctx, readCost(diskSiblings(onDisk)), nil); err != nil {
		return nil, err
	}
	share.base = share.taken
	return r, nil
}

// read reads the i-th dependency file once its cost fits in share: beside
// the lockfiles read before it (a group), when it fits now; else, once the
// packages of those are matched (makeRoom) and their share given back, on
// its own. A file that cannot be read is a warning naming it (warn), and
// the others are still read.
func (r *lockfileReader) read(ctx context.Context, i int, share *budgetShare, makeRoom func() error) (lf lockfile, warn string, err error) {
	if err := ctx.Err(); err != nil {
		return lockfile{}, "", err
	}
	lf = r.locks[i]
	if r.index != nil {
		f := r.files[i]
		blobs, sizes, err := readStagedBlobs(ctx, r.src, share, []string{f.Blob}, map[string][]depFile{f.Blob: {{path: f.Path}}}, makeRoom)
		if err != nil {
			return lockfile{}, "", err
		}
		data, ok := blobs[f.Blob]
		switch {
		case sizes[f.Blob] > maxFileOf(f.Path):
			r.index.absent(f.Path) // nor read by another's include
			return lockfile{}, fmt.Sprintf("deps: %s was NOT checked: it is larger than %s", f.Path, safefile.Size(maxFileOf(f.Path))), nil
		case !ok:
			return lockfile{}, fmt.Sprintf("deps: %s was NOT checked: git could not read its staged content", f.Path), nil
		}
		lf.content = data
	} else {
		if err := share.fit(ctx, readCost([]depFile{{path: lf.rel, size: r.sizes[i]}}), makeRoom); err != nil {
			return lockfile{}, "", err
		}
		data, err := safefile.ReadInRoot(lf.root, lf.rel, maxFileOf(lf.rel))
		if err != nil {
			share.grouped = true   // its share is given back with the group's
			lf.fsys.absent(lf.rel) // nor read by another's include
			return lockfile{}, fmt.Sprintf("deps: %s was NOT checked: %s", lf.file, skipReason(err)), nil
		}
		lf.content = data
	}
	share.grouped = true
	lf.fsys.put(lf.rel, lf.content)
	return lf, "", nil
}

// siblingFiles are the files beside a lockfile that a scan may read:
// osv-scanner.toml, the files extractors open (npm-shrinkwrap.json, go.sum)
// and the project manifests that tell direct dependencies apart.
func siblingFiles() []string {
	names := []string{osvConfigName, "npm-shrinkwrap.json", "go.sum"}
	for _, ms := range manifestFor {
		names = append(names, ms...)
	}
	sort.Strings(names)
	return slices.Compact(names)
}

func init() { checks.RegisterConfigFiles(siblingFiles()...) }

// errStagedSymlink is why a staged symbolic link beside a lockfile is not read.
var errStagedSymlink = errors.New("staged as a symbolic link")

// openStagedLockfiles reads the staged files beside the staged lockfiles
// without a git process per file: which exist comes from the source's
// staged lookup (HEAD's tree and the staged diff, see
// checks.Source.IndexEntriesOf), every blob from its cat-file batch, once
// its cost fits in share (see readStagedBlobs). A blob over
// maxDependencyFile is never read: its size names it. The lockfiles are
// read by read.
func openStagedLockfiles(ctx context.Context, src *checks.Source, files []checks.File, share *budgetShare) (*lockfileReader, error) {
	dirs := map[string]bool{}
	var wanted []string
	for _, f := range files {
		d := path.Dir(f.Path)
		if dirs[d] {
			continue
		}
		dirs[d] = true
		for _, n := range siblingFiles() {
			wanted = append(wanted, path.Join(d, n))
		}
	}
	// Beside a lockfile at the root, every one is among the configuration
	// files the source looks up at once (checks.RegisterConfigFiles).
	entries, err := src.IndexEntriesOf(ctx, wanted)
	if err != nil {
		return nil, err
	}
	staged := map[string]bool{}
	for _, f := range files {
		staged[f.Path] = true
	}
	// What each blob is read as: the same blob is read once.
	blobUses := map[string][]depFile{}
	var ids []string
	sibling := map[string]string{}
	symlinks := map[string]bool{}
	for _, p := range wanted {
		es := entries[p]
		switch {
		case staged[p]:
			// A staged lockfile (npm-shrinkwrap.json) is read as one
			// (read); until then the index reads it should a reader ask.
		case len(es) != 1 || es[0].Stage != "0":
		case es[0].Regular():
			sibling[p] = es[0].ID
			if _, ok := blobUses[es[0].ID]; !ok {
				ids = append(ids, es[0].ID)
			}
			blobUses[es[0].ID] = append(blobUses[es[0].ID], depFile{path: p, sibling: true})
		case es[0].Mode == "120000":
			symlinks[p] = true
		}
	}
	blobs, sizes, err := readStagedBlobs(ctx, src, share, ids, blobUses, nil)
	if err != nil {
		return nil, err
	}
	share.base = share.taken
	index := newBlobFS(func(rel string) ([]byte, error) { return src.ReadRegular(ctx, rel, readLimit(rel)) })
	got := func(id string) bool { _, ok := blobs[id]; return ok }
	for _, p := range wanted {
		switch id, ok := sibling[p]; {
		case staged[p]:
		case ok && sizes[id] > maxDependencyFile:
			index.refuse(p, &safefile.TooLargeError{Path: p, Limit: maxDependencyFile})
		case ok && got(id):
			index.put(p, blobs[id])
		case symlinks[p]:
			index.refuse(p, errStagedSymlink)
		default:
			index.absent(p)
		}
	}
	r := &lockfileReader{src: src, files: files, index: index, trees: []*blobFS{index}}
	for _, f := range files {
		r.locks = append(r.locks, lockfile{file: f.Path, rel: f.Path, root: src.Root, fsys: index})
	}
	return r, nil
}

// symlinkedDependencyFiles are the dependency files committed as symbolic
// links: the working tree's source leaves them out (a link to /dev/zero or
// outside the repository is never followed), and the check says so.
func symlinkedDependencyFiles(ctx context.Context, src *checks.Source) ([]string, error) {
	out, err := src.Git(ctx, "ls-files", "-s", "-z", "--cached", "--full-name")
	if err != nil {
		return nil, err
	}
	var links []string
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, p, ok := strings.Cut(rec, "\t")
		if !ok || !strings.HasPrefix(meta, "120000 ") || !isDependencyFile(p) {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(src.Root, filepath.FromSlash(p))); err != nil || fi.Mode().IsRegular() {
			continue // deleted, or replaced by a regular file the source reads
		}
		links = append(links, p)
	}
	return links, nil
}

// npmLockfiles are the files that pin what a package.json asks for.
var npmLockfiles = []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock"}

// isNpmManifest matches a project's package.json (not one of an installed
// package under node_modules).
func isNpmManifest(p string) bool {
	return path.Base(p) == "package.json" && !strings.Contains("/"+p, "/node_modules/")
}

// unlockedManifests are warnings naming the package.json files that declare
// dependencies with no lockfile beside them or in a folder above (the root
// lockfile of a workspace covers its members): like osv-scanner, secfirst
// checks the versions a lockfile pins, and a bare manifest pins none.
// present holds the lockfiles of the source (in staged mode, git is asked
// which ones the index has).
func unlockedManifests(ctx context.Context, src *checks.Source, present map[string]bool) ([]string, error) {
	manifests, err := src.Files(ctx, isNpmManifest)
	if err != nil || len(manifests) == 0 {
		return nil, err
	}
	staged := src.Mode == checks.ModeStaged && len(src.Paths) == 0
	lockfilesFor := func(m string) []string {
		var out []string
		for d := path.Dir(m); ; d = path.Dir(d) {
			for _, n := range npmLockfiles {
				out = append(out, path.Join(d, n))
			}
			if d == "." || d == "/" {
				return out
			}
		}
	}
	if staged {
		var wanted []string
		for _, m := range manifests {
			wanted = append(wanted, lockfilesFor(m.Path)...)
		}
		out, err := src.Git(ctx, append([]string{"--literal-pathspecs", "ls-files", "-z", "--"}, wanted...)...)
		if err != nil {
			return nil, err
		}
		present = map[string]bool{}
		for _, p := range strings.Split(string(out), "\x00") {
			present[p] = true
		}
	}
	var bare []checks.File
	for _, m := range manifests {
		if !slices.ContainsFunc(lockfilesFor(m.Path), func(l string) bool { return present[l] }) {
			bare = append(bare, m)
		}
	}
	if len(bare) == 0 {
		return nil, nil
	}
	var blobs map[string][]byte
	if staged {
		ids := make([]string, len(bare))
		for i, m := range bare {
			ids[i] = m.Blob
		}
		if blobs, err = src.ReadBlobs(ctx, ids, checks.MaxBlobRead); err != nil {
			return nil, err
		}
	}
	var warns []string
	for _, m := range bare {
		data, ok := blobs[m.Blob]
		if !staged {
			var err error
			data, err = safefile.ReadFile(m.Abs, maxDependencyFile)
			ok = err == nil
		}
		if ok && !declaresDependencies(data) {
			continue
		}
		warns = append(warns, fmt.Sprintf("deps: %s was NOT checked: no lockfile pins its dependencies (%s beside it or in a folder above). Commit the lockfile your package manager writes (`npm install --package-lock-only`, `yarn install`, `pnpm install --lockfile-only`).",
			m.Path, strings.Join(npmLockfiles, ", ")))
	}
	return warns, nil
}

// declaresDependencies reports whether a package.json asks for packages.
// One that does not parse may: it is reported.
func declaresDependencies(data []byte) bool {
	var m struct {
		Dependencies         map[string]any `json:"dependencies"`
		DevDependencies      map[string]any `json:"devDependencies"`
		OptionalDependencies map[string]any `json:"optionalDependencies"`
	}
	if json.Unmarshal(data, &m) != nil {
		return true
	}
	return len(m.Dependencies)+len(m.DevDependencies)+len(m.OptionalDependencies) > 0
}

// readPackages reads the packages of the source's dependency files, a
// group of lockfiles at a time, and hands each group's to use before the
// next group is read: a group is the lockfiles whose cost fits in the
// parse budget together (see lockfileReader.read), so that two 58 MB
// package-lock.json are never held at once (together, 373 MB). It applies
// what osv-scanner applies before matching: unscannable packages dropped,
// Go's toolchain line from go.mod only when ScanGoModVersion asks, and
// osv-scanner.toml package overrides. A file that cannot be read, fails to
// parse or crashes its reader is a warning naming it: the others are
// still checked. refused are warnings naming the files beside them that
// were asked for and not read (a symlinked osv-scanner.toml, go.sum or
// package.json).
func readPackages(ctx context.Context, src *checks.Source, files []checks.File, now time.Time, use func([]*pkgRec) error) (warns, refused []string, err error) {
	siblings := siblingFiles()
	isSibling := func(f checks.File) bool { return slices.Contains(siblings, path.Base(f.Path)) }
	// A lockfile that is also read beside others (npm-shrinkwrap.json,
	// whose presence makes the npm reader pass over package-lock.json) is
	// read first, as a scan of the repository lists it: by the time another
	// asks for it, it is in its tree, or known not to be read.
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b checks.File) int {
		switch sa, sb := isSibling(a), isSibling(b); {
		case sa == sb:
			return 0
		case sa:
			return -1
		}
		return 1
	})
	share := &budgetShare{src: src}
	defer share.release()
	rd, err := openLockfiles(ctx, src, files, share)
	if err != nil {
		return nil, nil, err
	}
	// The files refused by the trees lockfiles were read from, but the
	// lockfiles named on their own (one over its limit that another's
	// include asked for).
	read := map[*blobFS]bool{}             // a lockfile was read from it
	named := map[*blobFS]map[string]bool{} // its lockfiles not read, each with a warning of its own
	refusals := func() []string {
		var out []string
		for _, t := range rd.trees {
			if read[t] {
				out = append(out, t.refusals(named[t])...)
			}
		}
		return out
	}
	var group []*pkgRec
	useGroup := func() error {
		recs := group
		group = nil
		if len(recs) == 0 {
			return nil
		}
		if groupUsed != nil {
			groupUsed(recs)
		}
		return use(recs)
	}
	var readWarns, pkgWarns []string
	configs := map[string]*osvConfig{}
	for i := range files {
		lf, warn, err := rd.read(ctx, i, share, useGroup)
		if err != nil {
			return append(readWarns, pkgWarns...), refusals(), err
		}
		if warn != "" {
			readWarns = append(readWarns, warn)
			lf := rd.locks[i]
			if named[lf.fsys] == nil {
				named[lf.fsys] = map[string]bool{}
			}
			named[lf.fsys][lf.rel] = true
			continue
		}
		read[lf.fsys] = true
		cfgKey := lf.root + "\x00" + path.Dir(lf.rel)
		cfg, ok := configs[cfgKey]
		if !ok {
			var err error
			cfg, err = loadOSVConfig(lf, now)
			if err != nil {
				pkgWarns = append(pkgWarns, fmt.Sprintf("deps: ignored invalid %v", err))
			}
			configs[cfgKey] = cfg
		}
		// Once its packages are read they hold what matching needs
		// (newPkgRec): a lockfile no other is read beside is let go. A
		// 58 MB package-lock.json was held through matching, at the
		// check's peak.
		letGo := func() {
			lf.content = nil
			if isSibling(files[i]) {
				lf.fsys.keepPresent(lf.rel) // its content is never read beside another
			} else {
				lf.fsys.forget(lf.rel)
			}
		}
		got, problems, err := packagesOf(ctx, lf, cfg, letGo)
		if err != nil {
			return append(readWarns, pkgWarns...), refusals(), err
		}
		pkgWarns = append(pkgWarns, problems...)
		group = append(group, got...)
		letGo()
	}
	err = useGroup()
	return append(readWarns, pkgWarns...), refusals(), err
}

// groupUsed, when set (a test), is called with the packages of each group
// of lockfiles as they are handed on.
var groupUsed func([]*pkgRec)

// packagesOf reads the packages of one lockfile. A crash in secfirst's own
// code on this file is caught here too and costs this file only; the fuzz
// test (FuzzLockfile) holds that it never happens.
// letGo, when it is the only holder, drops the lockfile's content: called
// before the records are built when none of them needs it.
func packagesOf(ctx context.Context, lf lockfile, cfg *osvConfig, letGo func()) (recs []*pkgRec, problems []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			recs, err = nil, nil
			problems = []string{fmt.Sprintf("deps: %s was NOT checked: %s %v", lf.file, internalErrorPrefix, r)}
		}
	}()
	pkgs, failed, err := extractFile(ctx, lf.fsys, lf.root, lf.rel, lf.content)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range failed {
		problems = append(problems, fmt.Sprintf("deps: %s was NOT checked: %s", lf.file, f))
	}
	if !slices.ContainsFunc(pkgs, needsContent) {
		lf.content = nil
		letGo()
	}
	recs = make([]*pkgRec, 0, len(pkgs))
	for _, p := range pkgs {
		if r := newPkgRec(p, lf, cfg); r != nil {
			recs = append(recs, r)
		}
	}
	return firstOfEach(recs), problems, nil
}

// firstOfEach keeps the first record of each package (ecosystem, name and
// version) in file order, on the smallest line of its copies (keepFirst).
func firstOfEach(recs []*pkgRec) []*pkgRec {
	same := func(a, b *pkgRec) int {
		return cmp.Or(strings.Compare(a.ecosystemFull, b.ecosystemFull), strings.Compare(a.name, b.name), strings.Compare(a.version, b.version))
	}
	return keepFirst(recs, same, func(first, r *pkgRec) {
		if first.line == 0 || (r.line > 0 && r.line < first.line) {
			first.line = r.line
		}
	})
}

// keepFirst keeps, of the elements of all that same calls equal, the
// first, in order, and folds each of the others into it (in order). They
// are sorted rather than looked up in a map (a map of 220,000 packages was
// 14-20 MB of the check's peak). all is reused; the tail is cleared.
func keepFirst[T any](all []T, same func(a, b T) int, fold func(first, other T)) []T {
	order := make([]int32, len(all))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return cmp.Or(same(all[i], all[j]), cmp.Compare(i, j)) })
	dup := make([]bool, len(all))
	for i := 0; i < len(order); {
		first := all[order[i]]
		j := i + 1
		for ; j < len(order) && same(all[order[j]], first) == 0; j++ {
			fold(first, all[order[j]])
			dup[order[j]] = true
		}
		i = j
	}
	out := all[:0]
	for i, x := range all {
		if !dup[i] {
			out = append(out, x)
		}
	}
	clear(all[len(out):])
	return out
}

// internalErrorPrefix starts the warning of a crash in secfirst's own code.
const internalErrorPrefix = "internal error in secfirst:"

// loadOSVConfig reads the osv-scanner.toml beside a lockfile, if any. The
// tree serves only regular files, bounded: a symlink is recorded there and
// named in a warning, never followed.
func loadOSVConfig(lf lockfile, now time.Time) (*osvConfig, error) {
	p := path.Join(path.Dir(lf.rel), osvConfigName)
	f, err := lf.fsys.Open(p)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	shown := path.Join(path.Dir(lf.file), osvConfigName)
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", shown, err)
	}
	return parseOSVConfig(shown, data, now)
}
