// Package dockerfile is secfirst's Dockerfile check. It reads Dockerfiles
// with BuildKit's own parser (the one `docker build` uses), resolves build
// arguments the way BuildKit does, analyses RUN commands with a real shell
// parser, and reports findings whose refs name the equivalent hadolint,
// Trivy and Checkov ids so that their users' suppressions keep working.
package dockerfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// CheckName is the check's name in findings, --check and the policy.
const CheckName = "dockerfile"

type check struct{}

// New returns the Dockerfile check.
func New() checks.Check { return check{} }

func (check) Name() string { return CheckName }

// MaxFileSize is the largest Dockerfile secfirst reads. Real Dockerfiles
// are a few kilobytes; a file over this is skipped with a warning rather
// than read whole.
const MaxFileSize = 1 << 20

// Run checks every Dockerfile of the source. History mode has nothing to
// check: a Dockerfile's problems are those of its current version. A file
// that cannot be read (not a regular file, too large) is skipped with a
// warning that names it; the others are checked all the same.
func (check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	var res checks.Result
	if src.Mode == checks.ModeHistory {
		return res, nil
	}
	files, err := src.Files(ctx, IsDockerfile)
	if err != nil {
		return res, err
	}
	res.Warnings = append(res.Warnings, skippedLinks(ctx, src)...)
	if len(files) == 0 {
		return res, nil
	}
	cfg, warns := loadConfig(ctx, src)
	res.Warnings = append(res.Warnings, warns...)
	// Staged blobs are read a few at a time through the scan's `git
	// cat-file --batch`.
	blobs := src.StagedBlobs(files, MaxFileSize)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		data, err := readDockerfile(ctx, src, f, blobs)
		if blobs.Err() != nil {
			return res, blobs.Err()
		}
		if err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("dockerfile: skipped %s: %s", f.Path, readProblem(err)))
			continue
		}
		done, err := src.Parsing(ctx, len(data)*parseCost)
		if err != nil {
			return res, err
		}
		fr := analyzeFile(f.Path, data, cfg, src.RuleCap())
		done()
		res.Findings = append(res.Findings, fr.findings...)
		res.Suppressed = append(res.Suppressed, fr.suppressed...)
		res.Unlisted = append(res.Unlisted, fr.unlisted...)
		res.Warnings = append(res.Warnings, fr.warnings...)
	}
	return res, nil
}

// parseCost is the memory checking a Dockerfile takes per byte of it
// (BuildKit's nodes and instructions, the shell parser's trees): 94 MB
// for a 1 MiB file of RUN lines.
const parseCost = 96

// readDockerfile reads one file of the source: a staged blob, or a file on
// disk that must be a regular file (a symlink is never followed, nor a
// directory on the way to it inside the repository), at most MaxFileSize.
func readDockerfile(ctx context.Context, src *checks.Source, f checks.File, blobs *checks.StagedBlobs) ([]byte, error) {
	var data []byte
	var err error
	switch {
	case f.Blob != "":
		var ok bool
		if data, ok, err = blobs.Get(ctx, f.Blob); err != nil {
			return nil, err
		}
		if !ok {
			if data, err = src.Read(ctx, f); err != nil {
				return nil, err
			}
		}
		if len(data) > MaxFileSize {
			return nil, &safefile.TooLargeError{Path: f.Path, Limit: MaxFileSize}
		}
		return data, nil
	case !filepath.IsAbs(filepath.FromSlash(f.Path)):
		return safefile.ReadInRoot(src.Root, f.Path, MaxFileSize)
	}
	return safefile.ReadFile(f.Abs, MaxFileSize)
}

// readProblem says in a few words why a file was not read.
func readProblem(err error) string {
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return "larger than " + safefile.Size(tooLarge.Limit) + ", more than any real Dockerfile; not read"
	case errors.Is(err, safefile.ErrNotRegular):
		return "not a regular file (a symlink, device or FIFO is never followed)"
	case errors.Is(err, safefile.ErrOutside):
		return "reached through a symlinked directory, which may lead outside the repository; not followed"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// skippedLinks names the tracked Dockerfiles that the working tree holds as
// symlinks (or anything else but a regular file): the source does not list
// them, as reading them would follow the link, and a skipped Dockerfile must
// not pass unnoticed. In staged mode, the Dockerfiles the commit stages as
// symlinks (the index holds no devices).
func skippedLinks(ctx context.Context, src *checks.Source) []string {
	if src.Mode == checks.ModeStaged {
		var warns []string
		for _, rel := range src.StagedLinks(ctx, IsDockerfile) {
			warns = append(warns, fmt.Sprintf("dockerfile: skipped %s: staged as a symlink, which is never followed; the file it points to is checked where it is tracked", rel))
		}
		return warns
	}
	if src.Mode != checks.ModeWorktree || !src.InRepo || len(src.Paths) > 0 {
		return nil
	}
	out, err := src.Git(ctx, "-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--full-name", "--",
		":(glob,icase)**/*dockerfile*", ":(glob,icase)**/*containerfile*")
	if err != nil {
		return nil // the listing itself already succeeded; this is only a note
	}
	var warns []string
	seen := map[string]bool{}
	for _, p := range bytes.Split(out, []byte{0}) {
		rel := string(p)
		if rel == "" || seen[rel] || !IsDockerfile(rel) {
			continue
		}
		seen[rel] = true
		fi, err := os.Lstat(filepath.Join(src.Root, filepath.FromSlash(rel)))
		if err == nil && !fi.Mode().IsRegular() {
			warns = append(warns, fmt.Sprintf("dockerfile: skipped %s: %s", rel, readProblem(safefile.ErrNotRegular)))
		}
	}
	return warns
}

// CheckFile checks one Dockerfile's content as found at path (slash
// separated, relative to the repository). It never fails: a file that does
// not parse is a dockerfile/parse-error finding.
func CheckFile(path string, content []byte) []checks.Finding {
	return analyzeFile(path, content, nil, nil).findings
}

// IsDockerfile reports whether a path names a Dockerfile: Dockerfile,
// Containerfile, Dockerfile.<variant>, <variant>.Dockerfile, in any case.
// Per-Dockerfile ignore files (Dockerfile.dockerignore) and documents about
// Dockerfiles (Dockerfile.md) are not Dockerfiles.
func IsDockerfile(p string) bool {
	base := strings.ToLower(path.Base(p))
	for _, name := range []string{"dockerfile", "containerfile"} {
		switch {
		case base == name:
			return true
		case strings.HasSuffix(base, "."+name):
			return true
		case strings.HasPrefix(base, name+"."):
			ext := base[strings.LastIndexByte(base, '.')+1:]
			return !notDockerfileExt[ext]
		}
	}
	return false
}

var notDockerfileExt = map[string]bool{
	"dockerignore": true, "md": true, "markdown": true, "rst": true, "adoc": true, "txt": true,
	"orig": true, "rej": true, "bak": true, "swp": true, "json": true, "yml": true, "yaml": true,
	"lock": true, "html": true, "svg": true, "png": true, "sig": true, "asc": true, "sha256": true,
	// Source files named after Dockerfiles (dockerfile.go, dockerfile_test.go
	// is caught by its .go) are code that handles Dockerfiles, not Dockerfiles.
	"go": true, "py": true, "js": true, "mjs": true, "cjs": true, "ts": true, "tsx": true, "jsx": true, "rb": true,
	"java": true, "kt": true, "rs": true, "c": true, "h": true, "cc": true, "cpp": true, "cs": true,
	"php": true, "pl": true, "lua": true, "swift": true, "scala": true, "ex": true, "exs": true,
	"sh": true, "bash": true, "ps1": true, "toml": true, "xml": true, "ini": true, "csv": true,
}

// templateExt are Dockerfile templates: their template lines are not
// Dockerfile instructions and are not reported as such.
var templateExt = map[string]bool{
	"j2": true, "jinja": true, "jinja2": true, "tmpl": true, "tpl": true, "template": true,
	"erb": true, "mustache": true, "hbs": true, "in": true, "gotmpl": true,
}

func isTemplate(p string) bool {
	base := strings.ToLower(path.Base(p))
	i := strings.LastIndexByte(base, '.')
	return i >= 0 && templateExt[base[i+1:]]
}
