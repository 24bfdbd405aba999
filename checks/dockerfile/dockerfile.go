// Package dockerfile is secfirst's Dockerfile check. It reads Dockerfiles
// with BuildKit's own parser (the one `docker build` uses), resolves build
// arguments the way BuildKit does, analyses RUN commands with a real shell
// parser, and reports findings whose refs name the equivalent hadolint,
// Trivy and Checkov ids so that their users' suppressions keep working.
package dockerfile

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
)

// CheckName is the check's name in findings, --check and the policy.
const CheckName = "dockerfile"

type check struct{}

// New returns the Dockerfile check.
func New() checks.Check { return check{} }

func (check) Name() string { return CheckName }

// Run checks every Dockerfile of the source. History mode has nothing to
// check: a Dockerfile's problems are those of its current version.
func (check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	var res checks.Result
	if src.Mode == checks.ModeHistory {
		return res, nil
	}
	files, err := src.Files(ctx, IsDockerfile)
	if err != nil {
		return res, err
	}
	if len(files) == 0 {
		return res, nil
	}
	// Staged blobs are read through one `git cat-file --batch`.
	var blobs map[string][]byte
	var ids []string
	for _, f := range files {
		if f.Blob != "" {
			ids = append(ids, f.Blob)
		}
	}
	if len(ids) > 0 {
		if blobs, err = src.ReadBlobs(ctx, ids); err != nil {
			return res, err
		}
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		data, ok := blobs[f.Blob]
		if !ok {
			if data, err = src.Read(ctx, f); err != nil {
				res.Warnings = append(res.Warnings, fmt.Sprintf("dockerfile: cannot read %s: %v", f.Path, err))
				continue
			}
		}
		fs, warns := checkFileSafely(f.Path, data)
		res.Findings = append(res.Findings, fs...)
		res.Warnings = append(res.Warnings, warns...)
	}
	return res, nil
}

// checkFileSafely keeps one odd file from taking the whole check down: an
// internal error becomes a warning that names the file.
func checkFileSafely(file string, data []byte) (fs []checks.Finding, warns []string) {
	defer func() {
		if r := recover(); r != nil {
			fs = nil
			warns = []string{fmt.Sprintf("dockerfile: internal error checking %s: %v (please report it)", file, r)}
		}
	}()
	return analyzeFile(file, data)
}

// CheckFile checks one Dockerfile's content as found at path (slash
// separated, relative to the repository). It never fails: a file that does
// not parse is a dockerfile/parse-error finding.
func CheckFile(path string, content []byte) []checks.Finding {
	fs, _ := analyzeFile(path, content)
	return fs
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
