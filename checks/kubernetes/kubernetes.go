// Package kubernetes is secfirst's Kubernetes manifest check. It finds
// manifests by their content (apiVersion and kind), reads every document of
// a file with go.yaml.in/yaml/v3's node API so each finding has its line,
// and checks the pod templates of workloads against the Pod Security
// Standards (Baseline and Restricted, as Kubernetes' own admission
// controller evaluates them) and the pod practices secfirst teaches:
// read-only root file system, resource limits, pinned images, no automatic
// service account token, no plain secrets in env. Findings carry the
// equivalent Trivy and Checkov ids so their users' suppressions keep
// working.
package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/pragma"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// CheckName is the check's name in findings, --check and the policy.
const CheckName = "kubernetes"

// MaxManifestSize is the largest file the check reads. A larger YAML file
// that is a manifest is named in a warning, never silently passed.
const MaxManifestSize = 4 << 20

type check struct{}

// New returns the Kubernetes check.
func New() checks.Check { return check{} }

func (check) Name() string { return CheckName }

// Run checks every manifest of the source. History mode has nothing to
// check: a manifest's problems are those of its current version. The
// repository's .trivyignore, as the source sees it, hides the findings
// whose Trivy ids it lists.
func (check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	var res checks.Result
	if src.Mode == checks.ModeHistory {
		return res, nil
	}
	files, err := src.Files(ctx, IsCandidatePath)
	if err != nil || len(files) == 0 {
		return res, err
	}
	// Staged blobs are read a few at a time through the scan's `git
	// cat-file --batch`.
	blobs := src.StagedBlobs(files, MaxManifestSize)
	templates := map[string][]string{} // folder -> templates skipped
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		data, err := readFile(ctx, src, f, blobs)
		var tooLarge *safefile.TooLargeError
		switch {
		case blobs.Err() != nil:
			return res, blobs.Err()
		case errors.Is(err, errNotManifest):
			continue
		case errors.As(err, &tooLarge):
			res.Warnings = append(res.Warnings, fmt.Sprintf("kubernetes: skipped %s: a manifest larger than %s is not checked; split it into smaller files", f.Path, safefile.Size(MaxManifestSize)))
			continue
		case err != nil:
			res.Warnings = append(res.Warnings, fmt.Sprintf("kubernetes: skipped %s: %v", f.Path, unwrapPathError(err)))
			continue
		}
		if !LooksLikeManifest(data) || !HoldsWorkloads(data) {
			continue
		}
		done, err := src.Parsing(ctx, parseCost(data))
		if err != nil {
			return res, err
		}
		r := checkFileSafely(f.Path, data, src.RuleCap())
		done()
		res.Findings = append(res.Findings, r.Findings...)
		res.Suppressed = append(res.Suppressed, r.Suppressed...)
		res.Unlisted = append(res.Unlisted, r.Unlisted...)
		for _, w := range r.Warnings {
			if w == r.template {
				dir := path.Dir(f.Path)
				templates[dir] = append(templates[dir], path.Base(f.Path))
				continue
			}
			res.Warnings = append(res.Warnings, w)
		}
	}
	res.Warnings = append(res.Warnings, templateWarnings(templates)...)
	if len(res.Findings) > 0 || len(res.Unlisted) > 0 {
		ignores, warns := pragma.ReadTrivyIgnore(ctx, src, CheckName)
		res.Warnings = append(res.Warnings, warns...)
		dialect.ApplyTrivyIgnore(&res, ignores, time.Now())
	}
	return res, nil
}

// maxTemplateFolders is how many folders of skipped templates get a
// warning each; more are summed up in one.
const maxTemplateFolders = 3

// templateWarnings names the templates skipped, one warning per folder
// (a Helm chart's templates/ holds many), or one for them all when they
// are in more than maxTemplateFolders folders.
func templateWarnings(byDir map[string][]string) []string {
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	if len(dirs) > maxTemplateFolders {
		// A repository of charts (prometheus-community/helm-charts: 45
		// folders) would open the report with a page of warnings.
		n := 0
		for _, d := range dirs {
			n += len(byDir[d])
		}
		shown := append(append([]string(nil), dirs[:maxTemplateFolders]...), "…")
		return []string{fmt.Sprintf("kubernetes: skipped %d templates in %d folders (%s): Helm and other Go templates are not YAML until they are rendered. %s", n, len(dirs), strings.Join(shown, ", "), renderHint)}
	}
	var out []string
	for _, d := range dirs {
		names := byDir[d]
		if len(names) == 1 {
			out = append(out, fmt.Sprintf("kubernetes: skipped %s: a template (Helm or another Go template) is not YAML until it is rendered. %s", path.Join(d, names[0]), renderHint))
			continue
		}
		shown := names
		if len(shown) > 3 {
			shown = append(append([]string(nil), shown[:3]...), "…")
		}
		out = append(out, fmt.Sprintf("kubernetes: skipped %d templates in %s (%s): Helm and other Go templates are not YAML until they are rendered. %s", len(names), d, strings.Join(shown, ", "), renderHint))
	}
	return out
}

// parseCost is the memory checking a manifest takes, measured: its
// documents are parsed one at a time (see analyzeFile), each into a node
// tree of about 25 times its size; the text, its lines and the findings
// take about 4 times the file's. A single document (a List of thousands of
// objects) is the whole file's tree at once.
func parseCost(data []byte) int {
	largest, start := 0, 0
	for i := 0; i <= len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		if end < 0 {
			end = len(data) - i
		}
		line := data[i : i+end]
		if bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("...")) {
			largest = max(largest, i-start)
			start = i + end
		}
		i += end + 1
	}
	largest = max(largest, len(data)-start)
	return 4*len(data) + 25*largest
}

// errNotManifest is a file too large to read whose beginning shows it is
// no manifest: not this check's business, and no warning.
var errNotManifest = errors.New("not a manifest")

// readFile reads one candidate, bounded: a staged blob, or a regular file
// on disk (never through a symlink).
func readFile(ctx context.Context, src *checks.Source, f checks.File, blobs *checks.StagedBlobs) ([]byte, error) {
	if f.Blob != "" {
		data, ok, err := blobs.Get(ctx, f.Blob)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("staged blob %s is missing", f.Blob)
		}
		if len(data) > MaxManifestSize {
			if !LooksLikeManifest(data[:headSize]) {
				return nil, errNotManifest
			}
			return nil, &safefile.TooLargeError{Path: f.Path, Limit: MaxManifestSize}
		}
		return data, nil
	}
	var (
		data []byte
		err  error
	)
	if rel := src.Rel(f.Abs); src.InRepo && !filepath.IsAbs(filepath.FromSlash(rel)) {
		data, err = safefile.ReadInRoot(src.Root, rel, MaxManifestSize)
	} else {
		data, err = safefile.ReadFile(f.Abs, MaxManifestSize)
	}
	var tooLarge *safefile.TooLargeError
	if errors.As(err, &tooLarge) {
		// safefile has just seen a regular file; its beginning tells
		// whether it is a manifest worth a warning.
		if head, herr := readHead(f.Abs, headSize); herr == nil && !LooksLikeManifest(head) {
			return nil, errNotManifest
		}
	}
	return data, err
}

// headSize is how much of an oversized file is sniffed.
const headSize = 64 << 10

func readHead(name string, n int64) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return io.ReadAll(io.LimitReader(fh, n))
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Result is what checking one file gives: its findings, the findings its
// suppression comments hid, and warnings (a file that does not parse).
type Result struct {
	Findings   []checks.Finding
	Suppressed []checks.Suppression
	Warnings   []string
	// Unlisted are the findings past the source's cap (see checks.RuleCap).
	Unlisted []checks.Unlisted

	// template is the warning of a template skipped whole (also in
	// Warnings): Run gathers those of one folder into one warning.
	template string
}

// checkFileSafely keeps one odd file from taking the whole check down: an
// internal error becomes a warning that names the file.
func checkFileSafely(file string, data []byte, listed *checks.RuleCap) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Warnings: []string{fmt.Sprintf("kubernetes: internal error checking %s: %v (please report it)", file, p)}}
		}
	}()
	return analyzeFile(file, data, listed)
}

// CheckFile checks the manifests in one file's content as found at path
// (slash separated, relative to the repository). It never fails: a file
// that does not parse as YAML is a warning with its line.
func CheckFile(path string, content []byte) Result {
	return analyzeFile(path, content, nil)
}

// IsCandidatePath reports whether a path may hold manifests: YAML and JSON
// files. Which of them are manifests is decided by their content
// (LooksLikeManifest), not their name; lockfiles and tool configurations
// that are never manifests are not read at all.
func IsCandidatePath(p string) bool {
	base := strings.ToLower(path.Base(p))
	switch path.Ext(base) {
	case ".yaml", ".yml":
		return true
	case ".json":
		return !notManifestJSON[base] && !strings.Contains("/"+p, "/node_modules/")
	}
	return false
}

// notManifestJSON are JSON files of other tools, often large and often
// staged, that are never Kubernetes manifests.
var notManifestJSON = map[string]bool{
	"package.json": true, "package-lock.json": true, "npm-shrinkwrap.json": true, "composer.json": true,
	"tsconfig.json": true, "jsconfig.json": true, "deno.json": true, "bun.lock": true, "renovate.json": true,
	".eslintrc.json": true, "angular.json": true, "project.assets.json": true, "packages.lock.json": true,
	"pipfile.lock": true, "flake.lock": true, "cargo.lock": true,
}

// LooksLikeManifest is the cheap sniff that decides whether a YAML or JSON
// file is parsed at all: it holds the key apiVersion and the key kind
// (block or flow YAML, or JSON), outside comments.
func LooksLikeManifest(data []byte) bool {
	return eachKey(data, "apiVersion", func([]byte) bool { return true }) &&
		eachKey(data, "kind", func([]byte) bool { return true })
}

// HoldsWorkloads is the second sniff: one of the kinds written in the file
// has a pod template (or is a List). Files of other objects (RBAC,
// Services, large CustomResourceDefinitions) are not parsed. With
// IsCandidatePath and LooksLikeManifest it tells whether a repository holds
// workloads this check has something to say about.
func HoldsWorkloads(data []byte) bool {
	return eachKey(data, "kind", func(v []byte) bool {
		kind := string(v)
		_, ok := templatePaths[kind]
		return ok || strings.HasSuffix(kind, "List")
	})
}

// eachKey calls fn with the value written after key, for each place key
// is written as a mapping key: after the start of a line, blanks, a list
// dash, a brace, a comma or a quote, followed by a colon (after an
// optional quote and blanks), with no # before it on its line. It stops
// at the first fn that returns true, and reads data once, so a huge
// one-line file stays cheap.
func eachKey(data []byte, key string, fn func(value []byte) bool) bool {
	lineStart, scanned, comment := 0, 0, false
	for {
		i := bytes.Index(data[scanned:], []byte(key))
		if i < 0 {
			return false
		}
		at := scanned + i
		seg := data[scanned:at]
		if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
			lineStart, comment = scanned+nl+1, false
			seg = data[lineStart:at]
		}
		comment = comment || bytes.IndexByte(seg, '#') >= 0
		scanned = at + len(key)
		if comment || at > lineStart && !bytes.ContainsRune([]byte(" \t-{,\""), rune(data[at-1])) {
			continue
		}
		after := bytes.TrimPrefix(data[scanned:], []byte(`"`))
		after = bytes.TrimLeft(after, " \t")
		if len(after) == 0 || after[0] != ':' {
			continue
		}
		value := after[1:]
		if end := bytes.IndexAny(value, ",}#\r\n"); end >= 0 {
			value = value[:end]
		}
		value = bytes.Trim(value, " \t\"'")
		if fn(value) {
			return true
		}
	}
}
