// Package terraform is secfirst's Terraform check. It reads the .tf files
// of each module (a folder) with HashiCorp's own HCL parser, resolves the
// literal values, variable defaults and locals Terraform would, links the
// resources that refer to each other (a bucket and its public access
// block, in the same file or not), and checks them against the cloud
// practices secfirst teaches: encryption at rest, databases and admin
// ports closed to the internet, private clusters, TLS, WAF, audit trails,
// least privilege and public storage, on AWS, Azure and Google Cloud.
// Anything it cannot know (a reference to another resource's attribute, a
// module output, a value from outside) is not guessed into a finding.
// Findings carry the equivalent Trivy and Checkov ids so their users'
// suppressions keep working.
package terraform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/pragma"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// CheckName is the check's name in findings, --check and the policy.
const CheckName = "terraform"

// MaxFileSize is the largest .tf file the check reads. A larger one is
// named in a warning, never silently passed.
const MaxFileSize = 1 << 20

// parseCost is the memory parsing a module takes per byte of its files:
// HCL lexes a whole file into tokens before it parses, and the nesting
// guard (tooDeep) lexes it once before that (a 2 MiB file of small blocks
// held 108 MB of tokens, a 4 MiB one 246 MB), hence MaxFileSize.
const parseCost = 64

type check struct{}

// New returns the Terraform check.
func New() checks.Check { return check{} }

func (check) Name() string { return CheckName }

// IsCandidatePath reports whether a path is a Terraform file: a .tf file
// outside the .terraform folder where `terraform init` caches modules.
func IsCandidatePath(p string) bool {
	return strings.HasSuffix(p, ".tf") && !strings.Contains("/"+p, "/.terraform/")
}

// isJSONSyntax is a file in Terraform's JSON syntax (.tf.json), which the
// check does not read: it is named in a warning, never passed silently.
func isJSONSyntax(p string) bool {
	return strings.HasSuffix(p, ".tf.json") && !strings.Contains("/"+p, "/.terraform/")
}

func jsonSyntaxWarning(paths []string) string {
	sort.Strings(paths)
	shown := paths
	if len(shown) > 3 {
		shown = append(append([]string(nil), shown[:3]...), fmt.Sprintf("and %d more", len(paths)-3))
	}
	noun := "file is"
	if len(paths) > 1 {
		noun = "files are"
	}
	return fmt.Sprintf("terraform: %d .tf.json %s not checked (%s): secfirst reads Terraform's HCL syntax (.tf) only", len(paths), noun, strings.Join(shown, ", "))
}

// Result is what checking a module gives: its findings, the findings its
// suppression comments hid, and warnings (a file that does not parse).
type Result struct {
	Findings   []checks.Finding
	Suppressed []checks.Suppression
	Warnings   []string
	// Unlisted are the findings past the source's cap (see checks.RuleCap).
	Unlisted []checks.Unlisted
}

// source is one file of a module. Its data is read (load) just before its
// module is checked, so that a scan holds one module at a time, not every
// .tf file of the commit or the repository.
type source struct {
	path   string
	data   []byte
	report bool
	// Where data comes from: a staged blob, or a file on disk (abs
	// outside the repository, else path inside it).
	blob, abs string
	// order is the file's place among those the check was given: the
	// warnings of files that cannot be read come first, in that order.
	order int
}

// readWarning is the warning of a file that could not be read.
type readWarning struct {
	order int
	text  string
}

// load reads the files of one module: those that cannot be read are left
// out, named in warnings when they are the source's own (report). An error
// is git's: the check could not read what it checks.
func load(ctx context.Context, src *checks.Source, files []source) ([]source, []readWarning, error) {
	var ids []string
	for _, f := range files {
		if f.blob != "" {
			ids = append(ids, f.blob)
		}
	}
	blobs, err := src.ReadBlobs(ctx, ids, MaxFileSize)
	if err != nil {
		return nil, nil, err
	}
	var out []source
	var warnings []readWarning
	for _, f := range files {
		var err error
		switch {
		case f.blob != "":
			data, ok := blobs[f.blob]
			switch {
			case !ok:
				err = fmt.Errorf("its staged version could not be read")
			case len(data) > MaxFileSize:
				err = &safefile.TooLargeError{Path: f.path, Limit: MaxFileSize}
			}
			f.data = data
		case f.abs != "":
			f.data, err = safefile.ReadFile(f.abs, MaxFileSize)
		default:
			f.data, err = safefile.ReadInRoot(src.Root, f.path, MaxFileSize)
		}
		if err != nil {
			if f.report {
				warnings = append(warnings, readWarning{f.order, skipWarning(f.path, err)})
			}
			continue
		}
		out = append(out, f)
	}
	return out, warnings, nil
}

// Run checks every module of the source that holds a file of it. History
// mode has nothing to check: a module's problems are those of its current
// version. A commit that stages no .tf file costs nothing here. The
// repository's .trivyignore, as the source sees it, hides the findings
// whose Trivy ids it lists.
func (check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	var res checks.Result
	if src.Mode == checks.ModeHistory {
		return res, nil
	}
	all, err := src.Files(ctx, func(p string) bool { return isModuleFile(p) || isJSONSyntax(p) })
	if err != nil || len(all) == 0 {
		return res, err
	}
	var files []checks.File
	var jsonFiles []string
	for _, f := range all {
		if isJSONSyntax(f.Path) {
			jsonFiles = append(jsonFiles, f.Path)
			continue
		}
		files = append(files, f)
	}
	if len(jsonFiles) > 0 {
		res.Warnings = append(res.Warnings, jsonSyntaxWarning(jsonFiles))
	}
	if len(files) == 0 {
		return res, nil
	}
	var modules map[string][]source
	switch {
	case len(src.Paths) > 0:
		modules = readPathModules(src, files)
	case src.Mode == checks.ModeStaged:
		if modules, err = readStagedModules(ctx, src, files); err != nil {
			return res, err
		}
	default:
		modules = readTrackedModules(files)
	}
	dirs := make([]string, 0, len(modules))
	for d := range modules {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	now := time.Now()
	var unread []readWarning
	var moduleWarnings []string
	for _, d := range dirs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		files, warnings, err := load(ctx, src, modules[d])
		if err != nil {
			return res, err
		}
		unread = append(unread, warnings...)
		size := 0
		for _, f := range files {
			size += len(f.data)
		}
		done, err := src.Parsing(ctx, size*parseCost)
		if err != nil {
			return res, err
		}
		r := checkModuleSafely(d, files, now, src.RuleCap())
		done()
		res.Findings = append(res.Findings, r.Findings...)
		res.Suppressed = append(res.Suppressed, r.Suppressed...)
		res.Unlisted = append(res.Unlisted, r.Unlisted...)
		moduleWarnings = append(moduleWarnings, r.Warnings...)
	}
	sort.Slice(unread, func(i, j int) bool { return unread[i].order < unread[j].order })
	for _, w := range unread {
		res.Warnings = append(res.Warnings, w.text)
	}
	res.Warnings = append(res.Warnings, moduleWarnings...)
	if len(res.Findings) > 0 || len(res.Unlisted) > 0 {
		ignores, warns := pragma.ReadTrivyIgnore(ctx, src, CheckName)
		res.Warnings = append(res.Warnings, warns...)
		dialect.ApplyTrivyIgnore(&res, ignores, now)
	}
	return res, nil
}

// readTrackedModules reads the tracked .tf files, by folder.
func readTrackedModules(files []checks.File) map[string][]source {
	modules := map[string][]source{}
	for i, f := range files {
		dir := path.Dir(f.Path)
		modules[dir] = append(modules[dir], source{path: f.Path, report: true, order: i})
	}
	return modules
}

// readStagedModules reads, for each folder that holds a staged .tf file,
// the staged version of every .tf file of that folder: a module is checked
// as the commit will record it, whole, so removing a bucket's public
// access block from one file shows on the bucket in another.
func readStagedModules(ctx context.Context, src *checks.Source, files []checks.File) (map[string][]source, error) {
	dirs := map[string]bool{}
	for _, f := range files {
		dirs[path.Dir(f.Path)] = true
	}
	args := []string{"ls-files", "-s", "-z", "--"}
	for d := range dirs {
		if d == "." {
			args = append(args, ":(glob)*.tf", ":(glob)*.tfvars")
		} else {
			args = append(args, ":(glob)"+globEscape(d)+"/*.tf", ":(glob)"+globEscape(d)+"/*.tfvars")
		}
	}
	out, err := src.Git(ctx, args...)
	if err != nil {
		return nil, err
	}
	type entry struct{ path, blob string }
	var entries []entry
	// "<mode> <object> <stage>\t<path>\0"
	for _, rec := range bytes.Split(out, []byte{0}) {
		meta, p, ok := strings.Cut(string(rec), "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 || !isModuleFile(p) || !dirs[path.Dir(p)] {
			continue
		}
		if fields[0] == "120000" || fields[0] == "160000" {
			continue // a symlink or a submodule: never read
		}
		entries = append(entries, entry{p, fields[1]})
	}
	modules := map[string][]source{}
	for i, e := range entries {
		dir := path.Dir(e.path)
		modules[dir] = append(modules[dir], source{path: e.path, blob: e.blob, report: true, order: i})
	}
	return modules, nil
}

// globEscape escapes the characters a git glob pathspec gives a meaning.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// readPathModules reads the files given on the command line and, to
// resolve what they refer to, the other .tf files of their folders; only
// the given files' findings are reported.
func readPathModules(src *checks.Source, files []checks.File) map[string][]source {
	modules := map[string][]source{}
	given := map[string]bool{}
	for _, f := range files {
		given[f.Abs] = true
	}
	seenDir := map[string]bool{}
	for i, f := range files {
		dir := filepath.Dir(f.Abs)
		modules[dir] = append(modules[dir], source{path: f.Path, abs: f.Abs, report: true, order: i})
		if seenDir[dir] {
			continue
		}
		seenDir[dir] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			sib := filepath.Join(dir, e.Name())
			if given[sib] || !e.Type().IsRegular() || !isModuleFile(e.Name()) {
				continue
			}
			modules[dir] = append(modules[dir], source{path: src.Rel(sib), abs: sib})
		}
	}
	return modules
}

func skipWarning(p string, err error) string {
	var tooLarge *safefile.TooLargeError
	if errors.As(err, &tooLarge) {
		return tooLargeWarning(p)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("terraform: skipped %s: %v", p, err)
}

func tooLargeWarning(p string) string {
	return fmt.Sprintf("terraform: skipped %s: a .tf file larger than %s is not checked; split it into smaller files", p, safefile.Size(MaxFileSize))
}

// checkModuleSafely keeps one odd module from taking the whole check down:
// an internal error becomes a warning that names the folder.
func checkModuleSafely(dir string, files []source, now time.Time, listed *checks.RuleCap) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Warnings: []string{fmt.Sprintf("terraform: internal error checking the module in %s: %v (please report it)", dir, p)}}
		}
	}()
	return checkModule(files, now, listed)
}

// checkModule parses the files of one module and checks it.
func checkModule(files []source, now time.Time, listed *checks.RuleCap) Result {
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	var parsed []*tfFile
	var warnings []string
	for _, s := range files {
		f, w := parseFile(s)
		parsed = append(parsed, f)
		if w != "" && s.report {
			warnings = append(warnings, w)
		}
	}
	r := analyzeModule(newModule(parsed), now, listed)
	r.Warnings = append(warnings, r.Warnings...)
	return r
}

// parseFile parses one file. A file that does not parse is a warning with
// its line; the blocks HCL's parser recovered still resolve references
// from the other files, but its own resources are not checked (a resource
// cut short would be guessed into findings).
func parseFile(s source) (*tfFile, string) {
	data := bytes.TrimPrefix(s.data, []byte("\xef\xbb\xbf"))
	f := &tfFile{path: s.path, src: data, report: s.report}
	if line := tooDeep(data); line > 0 {
		f.report, f.pragmas = false, parsePragmas(data, s.path)
		return f, fmt.Sprintf("terraform: %s:%d nests deeper than %d levels (blocks, brackets, templates or operators); its resources are not checked", s.path, line, maxNesting)
	}
	file, diags := hclsyntax.ParseConfig(data, s.path, hcl.InitialPos)
	if file != nil {
		f.body, _ = file.Body.(*hclsyntax.Body)
	}
	f.pragmas = parsePragmas(data, s.path)
	if !diags.HasErrors() {
		return f, ""
	}
	f.report = false
	var first *hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			first = d
			break
		}
	}
	where := s.path
	if first.Subject != nil {
		where = fmt.Sprintf("%s:%d", s.path, first.Subject.Start.Line)
	}
	return f, fmt.Sprintf("terraform: %s does not parse as HCL (%s); its resources are not checked", where, strings.TrimSuffix(first.Summary, "."))
}

// CheckFile checks one file's content as a module of its own, found at
// path (slash separated, relative to the repository). It never fails: a
// file that does not parse is a warning with its line.
func CheckFile(path string, content []byte) Result {
	return checkModule([]source{{path: path, data: content, report: true}}, time.Now(), nil)
}

// CheckModule checks the files of one folder together, by path.
func CheckModule(files map[string][]byte) Result {
	var srcs []source
	for p, d := range files {
		srcs = append(srcs, source{path: p, data: d, report: true})
	}
	return checkModule(srcs, time.Now(), nil)
}
