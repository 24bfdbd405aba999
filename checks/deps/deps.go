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
//   - one dependency file that cannot be read (malformed, crashing its
//     reader, a symlink, too large) is a warning naming it, and the others
//     are still checked; only regular files inside the repository are read;
//   - findings hidden by osv-scanner.toml are reported as suppressed;
//   - the smallest version that fixes every advisory of a package, and how
//     to apply it in that ecosystem.
package deps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	apkmeta "github.com/google/osv-scalibr/extractor/filesystem/os/apk/metadata"
	dpkgmeta "github.com/google/osv-scalibr/extractor/filesystem/os/dpkg/metadata"
	"github.com/google/osv-scalibr/inventory/osvecosystem"
	"github.com/ossf/osv-schema/bindings/go/osvconstants"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/safefile"
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
	file          string  // lockfile path in findings (relative to the repository root)
	rel           string  // lockfile path inside fsys
	fsys          *blobFS // the tree the lockfile was read from
	content       []byte
	kind          string // extractor name
	ecosystem     string // base ecosystem: the database folder ("npm", "Debian")
	ecosystemFull string // with its suffix ("Debian:12")
	eco           osvecosystem.Parsed
	name, version string
	line          int
	cfg           *osvConfig
}

// Run scans the source's lockfiles. History mode is not scanned: a
// vulnerability is a property of the dependencies in use now, and the
// working tree or the staged commit has them.
func (c *Check) Run(ctx context.Context, src *checks.Source) (checks.Result, error) {
	var res checks.Result
	if src.Mode == checks.ModeHistory {
		return res, nil
	}
	present := map[string]bool{}
	if src.Mode == checks.ModeWorktree && len(src.Paths) == 0 {
		links, err := symlinkedDependencyFiles(ctx, src)
		if err != nil {
			return res, err
		}
		for _, p := range links {
			present[p] = true
			res.Warnings = append(res.Warnings, fmt.Sprintf("deps: %s was NOT checked: %s", p, skipReason(safefile.ErrNotRegular)))
		}
	}
	for _, p := range src.StagedLinks(ctx, isDependencyFile) {
		present[p] = true
		res.Warnings = append(res.Warnings, fmt.Sprintf("deps: %s was NOT checked: staged as a symlink, which is never followed", p))
	}
	files, err := src.Files(ctx, isDependencyFile)
	if err != nil {
		return res, err
	}
	for _, f := range files {
		present[f.Path] = true
	}
	bare, err := unlockedManifests(ctx, src, present)
	if err != nil {
		return res, err
	}
	res.Warnings = append(res.Warnings, bare...)
	if len(files) == 0 {
		// The hook's fast path: a commit that touches no lockfile costs
		// nothing here, not even opening the database.
		return res, nil
	}
	now := time.Now
	if c.opts.Now != nil {
		now = c.opts.Now
	}
	mt := c.newMatching()
	defer mt.close()
	warns, refused, err := readPackages(ctx, src, files, now(), func(recs []*pkgRec) error { return mt.match(ctx, recs) })
	res.Warnings = append(res.Warnings, warns...)
	m := mt.done()
	res.Findings, res.Suppressed = m.findings, m.suppressed
	res.Warnings = append(res.Warnings, m.warnings...)
	res.Warnings = append(res.Warnings, refused...)
	return res, err
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
		if from := d.File.Path; from != "" && from != lf.rel && path.Dir(from) == path.Dir(lf.rel) {
			// Found in a file beside the lockfile: the modules of a module
			// before Go 1.17 that only go.sum lists. It is reported there.
			if data, err := lf.fsys.get(from); err == nil {
				r.file, r.rel, r.content = path.Join(path.Dir(lf.file), path.Base(from)), from, data
			}
		}
	}
	if r.line <= 0 {
		r.line = lineOf(r.content, p.Name)
	}
	if r.kind != gomod.Name {
		r.content = nil // only go.mod's "// indirect" is read later (directnessOf)
	}
	r.cfg = cfg
	return r
}

// needsContent reports whether the record of p reads its lockfile's
// content: go.mod's (directnessOf), or one whose line the reader did not
// give (newPkgRec looks for it).
func needsContent(p *extractor.Package) bool {
	d := p.Location.Descriptor
	return firstPlugin(p) == gomod.Name || d == nil || d.File == nil || d.File.LineNumber <= 0
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

// matched is what matching found: findings, the findings osv-scanner.toml
// hid, and warnings.
type matched struct {
	findings   []checks.Finding
	suppressed []checks.Suppression
	warnings   []string
}

// add reports the advisories of one package, given every advisory known
// for its name (complete: the whole database's). A crash while building its
// findings (an advisory or a version nobody foresaw) costs that package
// only, and a warning names it.
func (m *matched) add(r *pkgRec, all []*osvpb.Vulnerability, complete bool, lookup func(string) *osvpb.Vulnerability, manifests *manifestCache) {
	defer func() {
		if p := recover(); p != nil {
			m.warnings = append(m.warnings, fmt.Sprintf("deps: %s: %s %s was NOT checked: %s %v", r.file, r.name, r.version, internalErrorPrefix, p))
		}
	}()
	found, hidden := buildFindings(r, affecting(all, r.pkg), all, complete, lookup, manifests)
	m.findings = append(m.findings, found...)
	m.suppressed = append(m.suppressed, hidden...)
}

// matching finds the advisories of the packages of one group of lockfiles
// after another (see readPackages): each ecosystem's database is opened
// once, the packages of an ecosystem it has no database for are asked of
// the OSV API a group at a time, and those left unchecked are named once,
// when all are matched (done).
type matching struct {
	c         *Check
	dbDir     string
	dbs       map[string]*database // nil: no database to use for it
	empty     map[string]bool      // its database holds no advisory
	manifests *manifestCache
	apiErr    error // the OSV API failed: it is not asked again
	unchecked map[string]*uncheckedPackages
	matched
}

// uncheckedPackages are the packages of an ecosystem that nothing checked.
type uncheckedPackages struct {
	n     int
	files map[string]bool
}

func (c *Check) newMatching() *matching {
	return &matching{
		c:         c,
		dbDir:     ResolveDBDir(c.opts.DBDir),
		dbs:       map[string]*database{},
		empty:     map[string]bool{},
		manifests: &manifestCache{},
		unchecked: map[string]*uncheckedPackages{},
	}
}

// database is the ecosystem's database, opened the first time it is asked
// for; nil when there is none to use.
func (mt *matching) database(eco string) *database {
	if db, ok := mt.dbs[eco]; ok {
		return db
	}
	db, err := openDatabase(mt.dbDir, eco)
	switch {
	case err != nil:
		if !errors.Is(err, errNoDatabase) {
			mt.warnings = append(mt.warnings, fmt.Sprintf("deps: cannot use the %s database %s: %v", eco, ZipPath(mt.dbDir, eco), err))
		}
		db = nil
	case db.index.nEntries == 0:
		// A valid zip with no advisory in it (an interrupted export, a
		// wrong file) would make every package look clean.
		db.Close()
		mt.empty[eco] = true
		db = nil
	}
	mt.dbs[eco] = db
	return db
}

// match finds the advisories of every package of recs, per ecosystem
// database.
func (mt *matching) match(ctx context.Context, recs []*pkgRec) error {
	// The advisories read for a group are not kept for the next: the
	// databases stay open, what they decoded is let go.
	defer func() {
		for _, db := range mt.dbs {
			if db != nil {
				clear(db.cache)
			}
		}
	}()
	byEco := map[string][]*pkgRec{}
	for _, r := range recs {
		byEco[r.ecosystem] = append(byEco[r.ecosystem], r)
	}
	ecos := make([]string, 0, len(byEco))
	for e := range byEco {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)

	// Packages osv-scanner.toml ignores whole are not asked of the API and
	// not counted as unchecked: the user asked for them not to be checked.
	var ask []*pkgRec
	for _, eco := range ecos {
		if err := ctx.Err(); err != nil {
			return err
		}
		db := mt.database(eco)
		if db == nil {
			for _, r := range byEco[eco] {
				if !r.cfg.ignorePackage(r) {
					ask = append(ask, r)
				}
			}
			continue
		}
		for _, r := range byEco[eco] {
			cands, err := db.advisoriesFor(lookupNames(r))
			if err != nil {
				return err
			}
			mt.add(r, cands, true, db.byID, mt.manifests)
		}
	}
	if len(ask) == 0 {
		return nil
	}
	if !mt.c.opts.Offline && mt.apiErr == nil {
		online, err := mt.c.queryAPI(ctx, ask)
		if err == nil {
			for _, r := range ask {
				mt.add(r, online[r], false, nil, mt.manifests)
			}
			return nil
		}
		mt.apiErr = err
	}
	for _, r := range ask {
		u := mt.unchecked[r.ecosystem]
		if u == nil {
			u = &uncheckedPackages{files: map[string]bool{}}
			mt.unchecked[r.ecosystem] = u
		}
		u.n++
		u.files[r.file] = true
	}
	return nil
}

// done is what matching found, with a warning for each ecosystem whose
// packages were not all checked.
func (mt *matching) done() matched {
	ecos := make([]string, 0, len(mt.unchecked))
	for e := range mt.unchecked {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	for _, eco := range ecos {
		mt.warnings = append(mt.warnings, missingWarning(mt.dbDir, eco, mt.unchecked[eco], mt.empty[eco], mt.c.opts.Offline, mt.apiErr))
	}
	mt.unchecked = map[string]*uncheckedPackages{}
	return mt.matched
}

// close closes the databases.
func (mt *matching) close() {
	for _, db := range mt.dbs {
		if db != nil {
			db.Close()
		}
	}
}

func missingWarning(dbDir, eco string, u *uncheckedPackages, empty, offline bool, apiErr error) string {
	files := make([]string, 0, len(u.files))
	for f := range u.files {
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
	if u.n == 1 {
		noun = "package in %s was"
	}
	noun = fmt.Sprintf(noun, strings.Join(files, ", "))
	data := fmt.Sprintf("no OSV database for %s at %s", eco, ZipPath(dbDir, eco))
	if empty {
		data = fmt.Sprintf("the OSV database for %s at %s holds no advisories", eco, ZipPath(dbDir, eco))
	}
	return fmt.Sprintf("deps: %d %s %s NOT checked: %s (%s). Run `secfirst db update` or point --db / %s at a database.",
		u.n, eco, noun, data, why, EnvDB)
}

// buildFindings turns a package's advisories into findings, one per
// advisory group, and the findings osv-scanner.toml hides (a package
// override, or an ignore of one of the group's ids) into suppressions.
// vulns affect the package; all are every advisory of its name that is
// known (complete: the whole database), from which the version to upgrade
// to is chosen.
func buildFindings(r *pkgRec, vulns, all []*osvpb.Vulnerability, complete bool, lookup func(string) *osvpb.Vulnerability, manifests *manifestCache) ([]checks.Finding, []checks.Suppression) {
	if len(vulns) == 0 {
		return nil, nil
	}
	groups := groupVulns(vulns)
	pkgIgnore := r.cfg.packageIgnore(r)
	rec := recommend(r, all, len(groups), complete)
	d := directnessOf(r, manifests)
	lesson := lessonFor(lessonRule(rec.version, d))
	fix := fixText(r, rec, len(groups), d)
	kind := "direct"
	switch d {
	case transitive:
		kind = "transitive"
	case directUnknown:
		kind = "locked"
	}

	var out []checks.Finding
	var hidden []checks.Suppression
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
		// The advisory's own fix, as osv-scanner reports it per advisory:
		// one advisory without a fix does not take the others' away.
		own := smallestFix(r.pkg, r.eco, r.name, g.vulns)
		var fixed []string
		if own != "" {
			fixed = []string{own}
			msg += fmt.Sprintf(" Fixed in %s.", own)
		} else {
			msg += " No fixed version of this advisory yet."
		}
		msg += " " + rec.describe(r)
		f := checks.Finding{
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
			Package:     &checks.Package{Ecosystem: r.ecosystemFull, Name: r.name, Version: r.version, Fixed: fixed},
		}
		switch {
		case pkgIgnore != nil:
			hidden = append(hidden, checks.Suppression{Finding: f, By: checks.SuppressedByOSVConfig, Reason: pkgIgnore.Reason, Where: r.cfg.where(pkgIgnore.line)})
			continue
		default:
			if ig, ok := r.cfg.ignoredVuln(g.all); ok {
				hidden = append(hidden, checks.Suppression{Finding: f, By: checks.SuppressedByOSVConfig, Reason: ig.Reason, Where: r.cfg.where(ig.line)})
				continue
			}
		}
		out = append(out, f)
	}
	return out, hidden
}

// describe is what a finding's message says of the version to upgrade to.
func (rec recommendation) describe(r *pkgRec) string {
	switch {
	case rec.version == "":
		return fmt.Sprintf("No known version of %s has fewer advisories than %s.", r.name, r.version)
	case len(rec.remaining) > 0:
		return fmt.Sprintf("No version of %s is free of known advisories: %s, the smallest with the fewest, is still affected by %s.", r.name, rec.version, strings.Join(rec.remaining, ", "))
	case !rec.complete:
		return fmt.Sprintf("%s is the smallest version that fixes every advisory of %s (advisories of later versions were not looked up: no local database).", rec.version, r.version)
	}
	return fmt.Sprintf("Smallest version with no known advisory: %s.", rec.version)
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
