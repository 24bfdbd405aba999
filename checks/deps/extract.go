package deps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/cpp/conanlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dart/pubspec"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/csproj"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/depsjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/nugetcpm"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packagesconfig"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packageslockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/erlang/mixlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/haskell/cabal"
	"github.com/google/osv-scalibr/extractor/filesystem/language/haskell/stacklock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradlelockfile"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradleverificationmetadataxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/pomxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/bunlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pdmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pipfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/uvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/r/renvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/ruby/gemfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargolock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/swift/packageresolved"
	"github.com/google/osv-scalibr/extractor/filesystem/os/apk"
	"github.com/google/osv-scalibr/extractor/filesystem/os/dpkg"
	"github.com/google/osv-scalibr/extractor/filesystem/sbom/cdx"
	"github.com/google/osv-scalibr/extractor/filesystem/sbom/spdx"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/google/osv-scalibr/inventory"
	scalibrlog "github.com/google/osv-scalibr/log"

	"github.com/secfirst-dev/secfirst/internal/safefile"
	"github.com/secfirst-dev/secfirst/internal/tomlshape"
)

// extractorCtors are the extractors osv-scanner v2.5.0 enables for
// `scan source`: its "lockfile" and "sbom" presets (the scalibr plugins; its
// own osv-scanner.json reader is internal to it). The "directory" preset
// (git submodules, vendored C code) queries the network and is left out, as
// osv-scanner leaves it out offline. Keep in step with
// osv-scanner/internal/scalibrplugin/presets.go.
var extractorCtors = []func(*cpb.PluginConfig) (filesystem.Extractor, error){
	conanlock.New,
	mixlock.New,
	pubspec.New,
	gomod.New,
	gradlelockfile.New,
	gradleverificationmetadataxml.New,
	pomxml.New,
	packagelockjson.New,
	pnpmlock.New,
	yarnlock.New,
	bunlock.New,
	composerlock.New,
	pipfilelock.New,
	pdmlock.New,
	poetrylock.New,
	pylock.New,
	requirements.New,
	uvlock.New,
	renvlock.New,
	gemfilelock.New,
	packageresolved.New,
	cargolock.New,
	csproj.New,
	depsjson.New,
	nugetcpm.New,
	packagesconfig.New,
	packageslockjson.New,
	cabal.New,
	stacklock.New,
	apk.New,
	dpkg.New,
	spdx.New,
	cdx.New,
}

var (
	extractorsOnce sync.Once
	extractorsList []filesystem.Extractor
)

func allExtractors() []filesystem.Extractor {
	extractorsOnce.Do(func() {
		for _, ctor := range extractorCtors {
			if e, err := ctor(&cpb.PluginConfig{}); err == nil {
				extractorsList = append(extractorsList, e)
			}
		}
	})
	return extractorsList
}

// fileAPI answers FileRequired without touching the disk: in staged mode the
// file is a blob, and size limits do not apply to lockfiles we were asked for.
type fileAPI struct{ p string }

func (f fileAPI) Path() string               { return f.p }
func (f fileAPI) Stat() (fs.FileInfo, error) { return memInfo{name: path.Base(f.p)}, nil }

// extractorsFor returns the extractors that read this slash path (relative
// to the scan root), in the order osv-scanner lists them.
func extractorsFor(p string) []filesystem.Extractor {
	var out []filesystem.Extractor
	api := fileAPI{p: p}
	for _, e := range allExtractors() {
		if e.FileRequired(api) {
			out = append(out, e)
		}
	}
	return out
}

// isDependencyFile reports whether any extractor reads the file.
func isDependencyFile(p string) bool {
	api := fileAPI{p: p}
	for _, e := range allExtractors() {
		if e.FileRequired(api) {
			return true
		}
	}
	return false
}

// extractFile runs the extractors of one file over its content. fsys is
// rooted at root and serves the files an extractor reads beside it (go.sum,
// requirement includes, npm-shrinkwrap.json). Each extractor that fails,
// or crashes, on the file is one problem.
func extractFile(ctx context.Context, fsys scalibrfs.FS, root, rel string, content []byte) ([]*extractor.Package, []readProblem, error) {
	var pkgs []*extractor.Package
	var problems []readProblem
	for _, e := range extractorsFor(rel) {
		// One slice for the packages of one reader (nothing appends to
		// it): one each was 3.5 MB for 220,000 packages.
		plugins := []string{e.Name()}
		if isNpmLockExtractor(e) {
			if chunked, ok := extractNpmLockChunked(ctx, e, fsys, root, rel, content, npmChunk); ok {
				for _, p := range chunked {
					p.Plugins = plugins
				}
				pkgs = append(pkgs, chunked...)
				continue
			}
		}
		if tomlReaders[e.Name()] {
			if err := tomlshape.Check(content); err != nil {
				problems = append(problems, readProblem{reader: e.Name(), why: shortError(err)})
				continue
			}
		}
		inv, err := runExtractor(ctx, e, scanInput(fsys, root, rel, content))
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if err != nil {
			problems = append(problems, readProblem{reader: e.Name(), why: shortError(err)})
			continue
		}
		for _, p := range inv.Packages {
			p.Plugins = plugins
			if p.Location.Descriptor == nil || p.Location.Descriptor.File == nil {
				p.Location = extractor.LocationFromPath(rel)
			}
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, problems, nil
}

// tomlReaders are the extractors that decode their file with
// BurntSushi/toml, which a hostile lockfile nested deep enough stalls for
// minutes and gigabytes: internal/tomlshape refuses such a file first.
var tomlReaders = map[string]bool{
	cargolock.Name:  true,
	poetrylock.Name: true,
	uvlock.Name:     true,
	pdmlock.Name:    true,
	pylock.Name:     true,
}

// readProblem is an extractor that could not read a file, and why.
type readProblem struct{ reader, why string }

// regenerate says how to write each kind of lockfile anew. A lockfile that
// osv-scanner's reader (secfirst's too) cannot read is usually one an old
// tool wrote (a 2019 package-lock.json with "resolved": false) or a merge
// gone wrong: the tool of today writes one both can read.
var regenerate = map[string]string{
	packagelockjson.Name:  "regenerate it with a current npm (`npm install --package-lock-only`)",
	yarnlock.Name:         "regenerate it with `yarn install`",
	pnpmlock.Name:         "regenerate it with `pnpm install --lockfile-only`",
	bunlock.Name:          "regenerate it with `bun install --lockfile-only`",
	gomod.Name:            "fix it with `go mod tidy`",
	poetrylock.Name:       "regenerate it with `poetry lock`",
	uvlock.Name:           "regenerate it with `uv lock`",
	pipfilelock.Name:      "regenerate it with `pipenv lock`",
	pdmlock.Name:          "regenerate it with `pdm lock`",
	cargolock.Name:        "regenerate it with `cargo generate-lockfile`",
	composerlock.Name:     "regenerate it with `composer update --lock`",
	gemfilelock.Name:      "regenerate it with `bundle lock`",
	pubspec.Name:          "regenerate it with `dart pub get`",
	mixlock.Name:          "regenerate it with `mix deps.get`",
	gradlelockfile.Name:   "regenerate it with `gradle dependencies --write-locks`",
	packageslockjson.Name: "regenerate it with `dotnet restore --force-evaluate`",
}

// String is the problem as a warning says it, with how to fix the file.
func (p readProblem) String() string {
	hint, ok := regenerate[p.reader]
	if !ok {
		hint = "fix it, or write it anew with the tool that made it"
	}
	return fmt.Sprintf("cannot read it as %s: %s. osv-scanner cannot read it either: %s, and commit it.", p.reader, strings.TrimSuffix(p.why, "."), hint)
}

// runExtractor runs one of osv-scalibr's extractors, turning a crash into
// an error: a reader that panics on one malformed file (pubspec.lock holding
// only "~" did) must cost that file, not the whole dependency check.
func runExtractor(ctx context.Context, e filesystem.Extractor, in *filesystem.ScanInput) (inv inventory.Inventory, err error) {
	defer func() {
		if r := recover(); r != nil {
			inv, err = inventory.Inventory{}, fmt.Errorf("the reader crashed: %v", r)
		}
	}()
	return e.Extract(ctx, in)
}

// shortError is an extractor's error as one bounded line: parsers quote the
// file's text in their errors, and a warning is no place for a whole line
// of a lockfile.
func shortError(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if r := []rune(s); len(r) > maxErrorRunes {
		s = string(r[:maxErrorRunes]) + "…"
	}
	return s
}

const maxErrorRunes = 160

// scanInput is what an extractor reads: content as the file rel of the
// tree fsys rooted at root.
func scanInput(fsys scalibrfs.FS, root, rel string, content []byte) *filesystem.ScanInput {
	return &filesystem.ScanInput{
		FS:     fsys,
		Path:   rel,
		Root:   root,
		Info:   memInfo{name: path.Base(rel), size: int64(len(content))},
		Reader: bytes.NewReader(content),
	}
}

// memInfo is the fs.FileInfo of an in-memory regular file.
type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

type memFile struct {
	*bytes.Reader
	info memInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

// blobFS is the repository as a source sees it (the index in staged mode,
// the working tree's regular files otherwise), for the extractors that open
// files beside the one they parse and for osv-scanner.toml and the project
// manifests. Files are read on demand through read and kept. A file read
// refuses (a symlink, a device, a file over the size limit) is recorded, so
// the check can name it in a warning: extractors take any error as "absent".
type blobFS struct {
	read func(rel string) ([]byte, error)
	// dir is the folder names are shown under ("" for the repository root).
	dir     string
	mu      sync.Mutex
	files   map[string][]byte
	refused map[string]error
}

func newBlobFS(read func(rel string) ([]byte, error)) *blobFS {
	return &blobFS{read: read, files: map[string][]byte{}, refused: map[string]error{}}
}

// diskFS serves the regular files under root, each at most its
// readLimit, never through a symlink (internal/safefile).
func diskFS(root, shownDir string) *blobFS {
	b := newBlobFS(func(rel string) ([]byte, error) { return safefile.ReadInRoot(root, rel, readLimit(rel)) })
	b.dir = shownDir
	return b
}

// shown is the name of a file of this tree as findings and warnings give it.
func (b *blobFS) shown(name string) string {
	if b.dir == "" {
		return name
	}
	return filepath.ToSlash(filepath.Join(b.dir, filepath.FromSlash(name)))
}

func (b *blobFS) get(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if data, ok := b.files[name]; ok {
		if data == nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return data, nil
	}
	data, err := b.read(name)
	if err != nil {
		b.files[name] = nil
		if !errors.Is(err, fs.ErrNotExist) {
			b.refused[name] = err
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if data == nil {
		data = []byte{}
	}
	b.files[name] = data
	return data, nil
}

// forget lets go of a file's content: read again should it be asked for.
func (b *blobFS) forget(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.files[name] != nil {
		delete(b.files, name)
	}
}

// keepPresent lets go of a file's content, but not of its presence: the
// npm reader passes over a package-lock.json beside an
// npm-shrinkwrap.json, whose content it never reads.
func (b *blobFS) keepPresent(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.files[name] != nil {
		b.files[name] = []byte{}
	}
}

// refuse records that a file exists but is not read (a staged symlink).
func (b *blobFS) refuse(name string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files[name] = nil
	b.refused[name] = err
}

// refusals are warnings naming the files of this tree that were asked for
// and not read, in name order, but those in except.
func (b *blobFS) refusals(except map[string]bool) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	names := make([]string, 0, len(b.refused))
	for n := range b.refused {
		if !except[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, fmt.Sprintf("deps: %s was skipped: %s", b.shown(n), skipReason(b.refused[n])))
	}
	return out
}

// skipReason says why a dependency file was not read.
func skipReason(err error) string {
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.Is(err, errStagedSymlink):
		return "staged as a symbolic link (secfirst never follows one)"
	case errors.As(err, &tooLarge):
		return "it is larger than " + safefile.Size(tooLarge.Limit)
	case errors.Is(err, safefile.ErrNotRegular):
		return "not a regular file (secfirst never follows a symbolic link or reads a device)"
	case errors.Is(err, safefile.ErrOutside):
		return "it is reached through a symbolic link (secfirst reads only files inside the repository)"
	}
	return shortError(err)
}

func (b *blobFS) put(name string, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if data == nil {
		data = []byte{}
	}
	b.files[name] = data
}

// absent records that a file does not exist, so no one asks git again.
func (b *blobFS) absent(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.files[name]; !ok {
		b.files[name] = nil
	}
}

func (b *blobFS) Open(name string) (fs.File, error) {
	data, err := b.get(name)
	if err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(data), info: memInfo{name: path.Base(name), size: int64(len(data))}}, nil
}

func (b *blobFS) Stat(name string) (fs.FileInfo, error) {
	data, err := b.get(name)
	if err != nil {
		return nil, err
	}
	return memInfo{name: path.Base(name), size: int64(len(data))}, nil
}

// ReadDir is not offered: no lockfile extractor lists directories.
func (b *blobFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.ErrUnsupported}
}

var _ scalibrfs.FS = (*blobFS)(nil)

// osv-scalibr logs through the standard logger by default, and its readers
// log lines of the file they fail on ("Failed to determine version of
// <line> while parsing a yarn.lock"): text from the repository, printed raw
// on the hook's stderr. secfirst reports what it could not read as
// warnings instead, so the library's log is switched off.
func init() { scalibrlog.SetLogger(quietLog{}) }

// quietLog is osv-scalibr's logger, silent.
type quietLog struct{}

func (quietLog) Errorf(string, ...any) {}
func (quietLog) Error(...any)          {}
func (quietLog) Warnf(string, ...any)  {}
func (quietLog) Warn(...any)           {}
func (quietLog) Infof(string, ...any)  {}
func (quietLog) Info(...any)           {}
func (quietLog) Debugf(string, ...any) {}
func (quietLog) Debug(...any)          {}
