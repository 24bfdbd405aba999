package deps

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path"
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
// requirement includes, npm-shrinkwrap.json).
func extractFile(ctx context.Context, fsys scalibrfs.FS, root, rel string, content []byte) ([]*extractor.Package, []string, error) {
	var pkgs []*extractor.Package
	var problems []string
	for _, e := range extractorsFor(rel) {
		if isNpmLockExtractor(e) {
			if chunked, ok := extractNpmLockChunked(ctx, e, fsys, root, rel, content, npmChunk); ok {
				for _, p := range chunked {
					p.Plugins = []string{e.Name()}
				}
				pkgs = append(pkgs, chunked...)
				continue
			}
		}
		inv, err := e.Extract(ctx, scanInput(fsys, root, rel, content))
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if err != nil {
			problems = append(problems, rel+": cannot read as "+e.Name()+": "+err.Error())
			continue
		}
		for _, p := range inv.Packages {
			p.Plugins = []string{e.Name()}
			if p.Location.Descriptor == nil || p.Location.Descriptor.File == nil {
				p.Location = extractor.LocationFromPath(rel)
			}
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, problems, nil
}

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

// blobFS is the repository as a source sees it (the index in staged mode),
// for the extractors that open files beside the one they parse. Files are
// read on demand through read and kept.
type blobFS struct {
	read  func(rel string) ([]byte, error)
	mu    sync.Mutex
	files map[string][]byte
}

func newBlobFS(read func(rel string) ([]byte, error)) *blobFS {
	return &blobFS{read: read, files: map[string][]byte{}}
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
