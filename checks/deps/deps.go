// Package deps is the dependency check: the lockfiles and manifests of a
// source are read with osv-scanner's own extractors (osv-scalibr), and their
// packages are matched against the OSV database with osv-scanner's own
// matcher, offline first.
//
// What it adds to osv-scanner v2.5.0 used as is:
//   - a missing ecosystem database is a warning, never a silent "clean",
//     and the other ecosystems are still checked;
//   - an index per database (package name -> advisories) so a scan inflates
//     only the advisories of its packages instead of the whole zip;
//   - in staged mode only the staged versions of the lockfiles the commit
//     touches are read, and nothing at all when it touches none;
//   - the smallest version that fixes every advisory of a package, and how
//     to apply it in that ecosystem.
package deps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	apkmeta "github.com/google/osv-scalibr/extractor/filesystem/os/apk/metadata"
	dpkgmeta "github.com/google/osv-scalibr/extractor/filesystem/os/dpkg/metadata"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/google/osv-scalibr/inventory/osvecosystem"
	"github.com/ossf/osv-schema/bindings/go/osvconstants"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
)

// Name is the check's id.
const Name = "deps"

// DefaultAPITimeout bounds the whole OSV API fallback of one scan.
const DefaultAPITimeout = 5 * time.Second

// Options configure the dependency check.
type Options struct {
	// DBDir is the database directory; "" means DefaultDBDir().
	DBDir string
	// Offline forbids every network access: no OSV API fallback. (secfirst
	// never resolves transitive dependencies through deps.dev, online or not.)
	Offline bool
	// APITimeout bounds the OSV API fallback (default DefaultAPITimeout).
	APITimeout time.Duration
	// HTTPClient is used for the OSV API fallback (nil: a plain client).
	HTTPClient *http.Client
	// Now is the clock for osv-scanner.toml expiry dates (nil: time.Now).
	Now func() time.Time

	// apiBaseURL replaces https://api.osv.dev in tests.
	apiBaseURL string
}

// Check is the dependency check.
type Check struct{ opts Options }

// New returns the dependency check.
func New(opts Options) checks.Check { return &Check{opts: opts} }

// Name is "deps".
func (c *Check) Name() string { return Name }

// pkgRec is one package of one lockfile, as the matcher and the finding see it.
type pkgRec struct {
	pkg           *extractor.Package
	file          string       // lockfile path in findings (relative to the repository root)
	rel           string       // lockfile path inside fsys
	fsys          scalibrfs.FS // the tree the lockfile was read from
	content       []byte
	kind          string // extractor name
	ecosystem     string // base ecosystem: the database folder ("npm", "Debian")
	ecosystemFull string // with its suffix ("Debian:12")
	eco           osvecosystem.Parsed
	name, version string
	line          int
	cfg           *osvConfig
}

// lockfile is one dependency file of the source, read.
type lockfile struct {
	file    string
	rel     string
	root    string
	fsys    scalibrfs.FS
	content []byte
}

// Run scans the source's lockfiles. History mode is not scanned: a
// vulnerability is a property of the dependencies in use now, and the
// working tree or the staged commit has them.
func (c *Check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	var res checks.Result
	if src.Mode == checks.ModeHistory {
		return res, nil
	}
	files, err := src.Files(ctx, isDependencyFile)
	if err != nil {
		return res, err
	}
	if len(files) == 0 {
		// The hook's fast path: a commit that touches no lockfile costs
		// nothing here, not even opening the database.
		return res, nil
	}
	locks, err := readLockfiles(ctx, src, files)
	if err != nil {
		return res, err
	}
	now := time.Now
	if c.opts.Now != nil {
		now = c.opts.Now
	}
	recs, warns, err := collectPackages(ctx, locks, now())
	res.Warnings = append(res.Warnings, warns...)
	if err != nil {
		return res, err
	}
	findings, warns, err := c.match(ctx, recs)
	res.Warnings = append(res.Warnings, warns...)
	res.Findings = findings
	return res, err
}

// readLockfiles reads the dependency files of the source: staged blobs in
// one batch, or files on disk, each with the tree its extractor may look
// into for files beside it.
func readLockfiles(ctx context.Context, src *checks.Source, files []checks.File) ([]lockfile, error) {
	var out []lockfile
	if src.Mode == checks.ModeStaged && len(src.Paths) == 0 {
		return readStagedLockfiles(ctx, src, files)
	}
	rootFS := scalibrfs.DirFS(src.Root)
	for _, f := range files {
		data, err := src.Read(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", f.Path, err)
		}
		lf := lockfile{file: f.Path, rel: f.Path, root: src.Root, fsys: rootFS, content: data}
		if filepath.IsAbs(filepath.FromSlash(f.Path)) || strings.HasPrefix(f.Path, "/") {
			// A PATH outside the repository: its own folder is its tree.
			dir := filepath.Dir(f.Abs)
			lf.root, lf.rel, lf.fsys = dir, filepath.Base(f.Abs), scalibrfs.DirFS(dir)
		}
		out = append(out, lf)
	}
	return out, nil
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

// readStagedLockfiles reads the staged lockfiles and the staged files beside
// them with two git commands in all (ls-files for which siblings exist, one
// cat-file batch for every blob), so a commit pays no process per file.
func readStagedLockfiles(ctx context.Context, src *checks.Source, files []checks.File) ([]lockfile, error) {
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
	ids := make([]string, 0, len(files)+len(wanted))
	for _, f := range files {
		ids = append(ids, f.Blob)
	}
	// ls-files -s: "<mode> <object> <stage>\t<path>\0" for the paths that exist.
	out, err := src.Git(ctx, append([]string{"--literal-pathspecs", "ls-files", "-s", "-z", "--"}, wanted...)...)
	if err != nil {
		return nil, err
	}
	sibling := map[string]string{}
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, p, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		if f := strings.Fields(meta); len(f) == 3 && f[2] == "0" && (f[0] == "100644" || f[0] == "100755") {
			sibling[p] = f[1]
			ids = append(ids, f[1])
		}
	}
	blobs, err := src.ReadBlobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	index := newBlobFS(func(rel string) ([]byte, error) { return src.ReadPath(ctx, rel) })
	for _, p := range wanted {
		if id, ok := sibling[p]; ok {
			if data, ok := blobs[id]; ok {
				index.put(p, data)
				continue
			}
		}
		index.absent(p)
	}
	var locks []lockfile
	for _, f := range files {
		data, ok := blobs[f.Blob]
		if !ok {
			return nil, fmt.Errorf("cannot read the staged %s", f.Path)
		}
		index.put(f.Path, data)
		locks = append(locks, lockfile{file: f.Path, rel: f.Path, root: src.Root, fsys: index, content: data})
	}
	return locks, nil
}

// collectPackages extracts the packages of every lockfile and applies what
// osv-scanner applies before matching: unscannable packages dropped, Go's
// toolchain line from go.mod only when ScanGoModVersion asks, and
// osv-scanner.toml package overrides.
func collectPackages(ctx context.Context, locks []lockfile, now time.Time) ([]*pkgRec, []string, error) {
	var recs []*pkgRec
	var warns []string
	configs := map[string]*osvConfig{}
	type dedupKey struct{ file, eco, name, version string }
	seen := map[dedupKey]*pkgRec{}
	for _, lf := range locks {
		pkgs, problems, err := extractFile(ctx, lf.fsys, lf.root, lf.rel, lf.content)
		if err != nil {
			return nil, warns, err
		}
		for _, p := range problems {
			warns = append(warns, "deps: "+p)
		}
		cfgKey := lf.root + "\x00" + path.Dir(lf.rel)
		cfg, ok := configs[cfgKey]
		if !ok {
			cfg, err = loadOSVConfig(lf, now)
			if err != nil {
				warns = append(warns, fmt.Sprintf("deps: ignored invalid %v", err))
			}
			configs[cfgKey] = cfg
		}
		for _, p := range pkgs {
			r := newPkgRec(p, lf, cfg)
			if r == nil {
				continue
			}
			if cfg.ignorePackage(r) {
				continue
			}
			k := dedupKey{r.file, r.ecosystemFull, r.name, r.version}
			if prev, ok := seen[k]; ok {
				if prev.line == 0 || (r.line > 0 && r.line < prev.line) {
					prev.line = r.line
				}
				continue
			}
			seen[k] = r
			recs = append(recs, r)
		}
	}
	return recs, warns, nil
}

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

// osvName is the package name as OSV advisories spell it (osv-scanner's
// rules: PEP 503 for PyPI, "stdlib" for Go's toolchain, source package
// names for Debian and Alpine).
func osvName(p *extractor.Package, eco osvecosystem.Parsed) string {
	switch {
	case eco.Ecosystem == osvconstants.EcosystemGo && p.Name == "go":
		return "stdlib"
	case eco.Ecosystem == osvconstants.EcosystemPyPI:
		return nameKey(p.Name) // PEP 503, as OSV spells PyPI names
	}
	if m, ok := p.Metadata.(*dpkgmeta.Metadata); ok && m.SourceName != "" {
		return m.SourceName
	}
	if m, ok := p.Metadata.(*apkmeta.Metadata); ok && m.OriginName != "" {
		return m.OriginName
	}
	return p.Name
}

func newPkgRec(p *extractor.Package, lf lockfile, cfg *osvConfig) *pkgRec {
	eco := p.Ecosystem()
	if eco.IsEmpty() || eco.GetValidity() != nil || p.Name == "" || p.Version == "" {
		// Local, path or git dependencies: nothing in OSV to match by version.
		return nil
	}
	r := &pkgRec{
		pkg:           p,
		file:          lf.file,
		rel:           lf.rel,
		fsys:          lf.fsys,
		content:       lf.content,
		kind:          firstPlugin(p),
		ecosystem:     string(eco.Ecosystem),
		ecosystemFull: eco.String(),
		eco:           eco,
		name:          osvName(p, eco),
		version:       p.Version,
	}
	if eco.Ecosystem == osvconstants.EcosystemMaven && r.name == "unknown" {
		return nil
	}
	if r.name == "stdlib" && r.kind == gomod.Name {
		// go.mod's go line is the minimum language version, not the
		// toolchain that builds: osv-scanner skips it unless asked.
		if cfg == nil || !cfg.ScanGoModVersion {
			return nil
		}
	}
	if r.name == "stdlib" && cfg != nil && cfg.GoVersionOverride != "" {
		cp := *p
		cp.Version = cfg.GoVersionOverride
		r.pkg, r.version = &cp, cp.Version
	}
	if d := p.Location.Descriptor; d != nil && d.File != nil {
		r.line = d.File.LineNumber
	}
	if r.line <= 0 {
		r.line = lineOf(lf.content, p.Name)
	}
	r.cfg = cfg
	return r
}

func firstPlugin(p *extractor.Package) string {
	if len(p.Plugins) > 0 {
		return p.Plugins[0]
	}
	return ""
}

// lookupNames are the names a package's advisories may be filed under.
func lookupNames(r *pkgRec) []string {
	names := []string{r.name}
	if r.pkg.Name != r.name {
		names = append(names, r.pkg.Name)
	}
	if r.ecosystem == string(osvconstants.EcosystemGo) {
		if pu := r.pkg.PURL(); pu != nil && pu.Subpath != "" {
			for _, part := range strings.Split(pu.Subpath, "/") {
				if len(part) > 1 && part[0] == 'v' && strings.Trim(part[1:], "0123456789") == "" {
					names = append(names, r.pkg.Name+"/"+part)
				}
			}
		}
	}
	return names
}

// match finds the advisories of every package, per ecosystem database.
func (c *Check) match(ctx context.Context, recs []*pkgRec) ([]checks.Finding, []string, error) {
	byEco := map[string][]*pkgRec{}
	for _, r := range recs {
		byEco[r.ecosystem] = append(byEco[r.ecosystem], r)
	}
	ecos := make([]string, 0, len(byEco))
	for e := range byEco {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)

	dbDir := ResolveDBDir(c.opts.DBDir)
	var findings []checks.Finding
	var warns []string
	var missing []string
	manifests := &manifestCache{}
	for _, eco := range ecos {
		if err := ctx.Err(); err != nil {
			return nil, warns, err
		}
		db, err := openDatabase(dbDir, eco)
		if err != nil {
			if !errors.Is(err, errNoDatabase) {
				warns = append(warns, fmt.Sprintf("deps: cannot use the %s database %s: %v", eco, ZipPath(dbDir, eco), err))
			}
			missing = append(missing, eco)
			continue
		}
		for _, r := range byEco[eco] {
			cands, err := db.advisoriesFor(lookupNames(r))
			if err != nil {
				db.Close()
				return nil, warns, err
			}
			vulns := affecting(cands, r.pkg)
			findings = append(findings, buildFindings(r, vulns, db.byID, manifests)...)
		}
		db.Close()
	}
	if len(missing) == 0 {
		return findings, warns, nil
	}

	var online map[*pkgRec][]*osvpb.Vulnerability
	var apiErr error
	if !c.opts.Offline {
		var ask []*pkgRec
		for _, eco := range missing {
			ask = append(ask, byEco[eco]...)
		}
		online, apiErr = c.queryAPI(ctx, ask)
		if apiErr == nil {
			for _, r := range ask {
				findings = append(findings, buildFindings(r, online[r], nil, manifests)...)
			}
			return findings, warns, nil
		}
	}
	for _, eco := range missing {
		warns = append(warns, missingWarning(dbDir, eco, byEco[eco], c.opts.Offline, apiErr))
	}
	return findings, warns, nil
}

func missingWarning(dbDir, eco string, recs []*pkgRec, offline bool, apiErr error) string {
	fileSet := map[string]bool{}
	for _, r := range recs {
		fileSet[r.file] = true
	}
	files := make([]string, 0, len(fileSet))
	for f := range fileSet {
		files = append(files, f)
	}
	sort.Strings(files)
	why := "--offline: the OSV API was not asked"
	if !offline {
		why = "the OSV API did not answer"
		if apiErr != nil {
			why += ": " + apiErr.Error()
		}
	}
	noun := "packages in %s were"
	if len(recs) == 1 {
		noun = "package in %s was"
	}
	noun = fmt.Sprintf(noun, strings.Join(files, ", "))
	return fmt.Sprintf("deps: %d %s %s NOT checked: no OSV database for %s at %s (%s). Run `secfirst db update` or point --db / %s at a database.",
		len(recs), eco, noun, eco, ZipPath(dbDir, eco), why, EnvDB)
}

// buildFindings turns a package's advisories into findings: one per
// advisory group, after osv-scanner.toml's ignores.
func buildFindings(r *pkgRec, vulns []*osvpb.Vulnerability, lookup func(string) *osvpb.Vulnerability, manifests *manifestCache) []checks.Finding {
	if len(vulns) == 0 || r.cfg.ignorePackageVulns(r) {
		return nil
	}
	var groups []*group
	var kept []*osvpb.Vulnerability
	for _, g := range groupVulns(vulns) {
		if _, ignored := r.cfg.ignoredVuln(g.all); ignored {
			continue
		}
		groups = append(groups, g)
		kept = append(kept, g.vulns...)
	}
	if len(groups) == 0 {
		return nil
	}
	fixed := smallestFix(r.pkg, r.eco, r.name, kept)
	d := directnessOf(r, manifests)
	rule := lessonRule(fixed, d)
	lesson := lessonFor(rule)
	fix := fixText(r, fixed, d)
	var fixedList []string
	if fixed != "" {
		fixedList = []string{fixed}
	}
	kind := "direct"
	switch d {
	case transitive:
		kind = "transitive"
	case directUnknown:
		kind = "locked"
	}

	out := make([]checks.Finding, 0, len(groups))
	for _, g := range groups {
		id := ruleID(g)
		sev, basis := groupSeverity(g, lookup)
		var refs []string
		for _, a := range g.all {
			if a != id {
				refs = append(refs, a)
			}
		}
		msg := fmt.Sprintf("%s %s (%s, %s dependency) is affected by %s", r.name, r.version, r.ecosystemFull, kind, id)
		if len(refs) > 0 {
			msg += " (" + strings.Join(refs, ", ") + ")"
		}
		msg += ": " + sentence(summaryOf(g))
		if d := basis.describe(); d != "" {
			msg += " " + d
		}
		if own := smallestFix(r.pkg, r.eco, r.name, g.vulns); own != "" && own != fixed {
			msg += fmt.Sprintf(" Fixed for this advisory in %s;", own)
		}
		if fixed != "" {
			msg += fmt.Sprintf(" %s is the smallest version without any known advisory for this package.", fixed)
		} else {
			msg += " No fixed version yet."
		}
		out = append(out, checks.Finding{
			Check:       Name,
			Rule:        id,
			Severity:    sev,
			Title:       fmt.Sprintf("%s %s: %s", r.name, r.version, summaryOf(g)),
			File:        r.file,
			Line:        r.line,
			Message:     strings.TrimSpace(msg),
			Fix:         fix,
			Lesson:      lesson,
			Refs:        refs,
			Fingerprint: checks.Fingerprint(Name, id, r.file, r.ecosystemFull+"/"+r.name+"@"+r.version),
			Package:     &checks.Package{Ecosystem: r.ecosystemFull, Name: r.name, Version: r.version, Fixed: fixedList},
		})
	}
	return out
}

var lessonIDs sync.Map // lesson rule -> lesson id

// lessonFor resolves the lesson of a lesson rule once per process.
func lessonFor(rule string) string {
	if id, ok := lessonIDs.Load(rule); ok {
		return id.(string)
	}
	id := lessons.IDForRule(rule, "deps-vulnerable")
	lessonIDs.Store(rule, id)
	return id
}
