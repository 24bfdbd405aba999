package deps

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/enricher/vulnmatch/osvlocal"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/inventory/osvecosystem"
	"github.com/google/osv-scalibr/semantic"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/secfirst-dev/secfirst/checks"
)

// affecting is osv-scanner's own matcher (scalibr's osvlocal, which
// osv-scanner --offline runs): the advisories among vulns that affect pkg,
// withdrawn ones excluded. secfirst never compares versions itself.
func affecting(vulns []*osvpb.Vulnerability, pkg *extractor.Package) []*osvpb.Vulnerability {
	return osvlocal.VulnerabilitiesAffectingPackage(vulns, pkg)
}

// group is advisories that describe the same vulnerability (linked by ids,
// aliases or upstream ids), as osv-scanner groups them in its reports.
type group struct {
	vulns []*osvpb.Vulnerability
	ids   []string // ids of the advisories in the group
	all   []string // ids, aliases and upstream ids
}

func linkIDs(v *osvpb.Vulnerability) []string {
	ids := append([]string{v.GetId()}, v.GetAliases()...)
	return append(ids, v.GetUpstream()...)
}

// groupVulns unions advisories that share an id or alias.
func groupVulns(vulns []*osvpb.Vulnerability) []*group {
	parent := make([]int, len(vulns))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	owner := map[string]int{}
	for i, v := range vulns {
		for _, id := range linkIDs(v) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	byRoot := map[int]*group{}
	var out []*group
	for i, v := range vulns {
		r := find(i)
		g := byRoot[r]
		if g == nil {
			g = &group{}
			byRoot[r] = g
			out = append(out, g)
		}
		g.vulns = append(g.vulns, v)
		g.ids = append(g.ids, v.GetId())
		g.all = append(g.all, linkIDs(v)...)
	}
	for _, g := range out {
		sort.Strings(g.ids)
		g.all = uniqueSorted(g.all)
	}
	sort.Slice(out, func(i, j int) bool { return ruleID(out[i]) < ruleID(out[j]) })
	return out
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if x != "" && (i == 0 || x != s[i-1]) {
			out = append(out, x)
		}
	}
	return out
}

// ruleID names a group by one of its own advisories: a GHSA id when there is
// one (the id GitHub, npm audit and Dependabot show, and the most stable as
// databases add their own records), else the ecosystem database's id
// (GO-, PYSEC-, RUSTSEC-...), else a CVE.
func ruleID(g *group) string {
	rank := func(id string) int {
		switch {
		case strings.HasPrefix(id, "GHSA-"):
			return 0
		case strings.HasPrefix(id, "CVE-"):
			return 2
		}
		return 1
	}
	best := ""
	for _, id := range g.ids {
		if best == "" || rank(id) < rank(best) || (rank(id) == rank(best) && id < best) {
			best = id
		}
	}
	return best
}

// cvssScore is the base score of one severity entry, -1 when it has none.
// The CVSS library is the one osv-scanner uses (pandatix/go-cvss).
func cvssScore(s *osvpb.Severity) float64 {
	switch s.GetType() {
	case osvpb.Severity_CVSS_V2:
		if v, err := gocvss20.ParseVector(s.GetScore()); err == nil {
			return v.BaseScore()
		}
	case osvpb.Severity_CVSS_V3:
		if strings.HasPrefix(s.GetScore(), "CVSS:3.0") {
			if v, err := gocvss30.ParseVector(s.GetScore()); err == nil {
				return v.BaseScore()
			}
		} else if v, err := gocvss31.ParseVector(s.GetScore()); err == nil {
			return v.BaseScore()
		}
	case osvpb.Severity_CVSS_V4:
		if v, err := gocvss40.ParseVector(s.GetScore()); err == nil {
			return v.Score()
		}
	}
	return -1
}

func severityOfScore(score float64) checks.Severity {
	switch {
	case score >= 9:
		return checks.Critical
	case score >= 7:
		return checks.High
	case score >= 4:
		return checks.Medium
	case score > 0:
		return checks.Low
	}
	return checks.Info
}

// databaseSeverity reads the severity word databases put in
// database_specific or ecosystem_specific (GitHub: LOW/MODERATE/HIGH/CRITICAL).
func databaseSeverity(v *osvpb.Vulnerability) checks.Severity {
	words := []string{v.GetDatabaseSpecific().GetFields()["severity"].GetStringValue()}
	for _, a := range v.GetAffected() {
		words = append(words,
			a.GetDatabaseSpecific().GetFields()["severity"].GetStringValue(),
			a.GetEcosystemSpecific().GetFields()["severity"].GetStringValue())
	}
	best := checks.Severity("")
	for _, w := range words {
		var s checks.Severity
		switch strings.ToUpper(strings.TrimSpace(w)) {
		case "CRITICAL":
			s = checks.Critical
		case "HIGH", "IMPORTANT":
			s = checks.High
		case "MODERATE", "MEDIUM":
			s = checks.Medium
		case "LOW", "NEGLIGIBLE":
			s = checks.Low
		}
		if s.Rank() > best.Rank() {
			best = s
		}
	}
	return best
}

// severityBasis says where a finding's severity came from.
type severityBasis struct {
	kind  string  // "cvss", "database", "alias" or "unscored"
	score float64 // CVSS base score, -1 when none
	from  string  // the aliased advisory that gave it (kind "alias")
}

// describe is the sentence a finding's message gives about its severity.
func (b severityBasis) describe() string {
	switch b.kind {
	case "cvss":
		return fmt.Sprintf("CVSS %.1f.", b.score)
	case "alias":
		if b.score >= 0 {
			return fmt.Sprintf("CVSS %.1f (from %s; this database gives no severity).", b.score, b.from)
		}
		return fmt.Sprintf("Severity from %s (this database gives none).", b.from)
	case "unscored":
		return "No database gives a severity; secfirst rates unscored advisories high."
	}
	return ""
}

// groupSeverity decides a group's severity:
//  1. the highest CVSS base score among its advisories (osv-scanner's rule);
//  2. else the database's own severity word;
//  3. else the CVSS or severity word of an aliased advisory found in the
//     same database (the Go database never scores: GO-2022-1059 takes the
//     score of GHSA-69ch-w2m2-3vjp, its alias);
//  4. else high: an advisory nobody scored is not evidence of low risk, and
//     with the default fail_on=high it must not pass a commit silently.
func groupSeverity(g *group, lookup func(id string) *osvpb.Vulnerability) (checks.Severity, severityBasis) {
	score := -1.0
	for _, v := range g.vulns {
		for _, s := range v.GetSeverity() {
			score = max(score, cvssScore(s))
		}
	}
	if score >= 0 {
		return severityOfScore(score), severityBasis{kind: "cvss", score: score}
	}
	best := checks.Severity("")
	for _, v := range g.vulns {
		if s := databaseSeverity(v); s.Rank() > best.Rank() {
			best = s
		}
	}
	if best != "" {
		return best, severityBasis{kind: "database", score: -1}
	}
	if lookup != nil {
		own := map[string]bool{}
		for _, id := range g.ids {
			own[id] = true
		}
		from, fromWord := "", ""
		for _, id := range g.all {
			if own[id] {
				continue
			}
			v := lookup(id)
			if v == nil {
				continue
			}
			for _, s := range v.GetSeverity() {
				if sc := cvssScore(s); sc > score {
					score, from = sc, id
				}
			}
			if s := databaseSeverity(v); s.Rank() > best.Rank() {
				best, fromWord = s, id
			}
		}
		if score >= 0 {
			return severityOfScore(score), severityBasis{kind: "alias", score: score, from: from}
		}
		if best != "" {
			return best, severityBasis{kind: "alias", score: -1, from: fromWord}
		}
	}
	return checks.High, severityBasis{kind: "unscored", score: -1}
}

// fixCandidates are the versions above the package's own at which an
// advisory's affected range ends: the "fixed" events of the advisories'
// ECOSYSTEM and SEMVER ranges for this package, in ascending order by
// osv-scalibr's version semantics for the ecosystem. A version that no
// advisory affects, if there is one above the package's own, starts at one
// of them: an affected range only ends at a fixed event. (A range that ends
// with last_affected ends at the release after it, which OSV does not name;
// an advisory that lists affected versions names no fix at all.)
func fixCandidates(pkg *extractor.Package, eco osvecosystem.Parsed, name string, vulns []*osvpb.Vulnerability) []string {
	ecoName := string(eco.Ecosystem)
	current, err := semantic.Parse(pkg.Version, ecoName)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var candidates []string
	for _, v := range vulns {
		for _, a := range v.GetAffected() {
			if a.GetPackage().GetName() != name {
				continue
			}
			if p, err := osvecosystem.Parse(a.GetPackage().GetEcosystem()); err != nil || !p.Equal(eco) {
				continue
			}
			for _, r := range a.GetRanges() {
				if r.GetType() != osvpb.Range_ECOSYSTEM && r.GetType() != osvpb.Range_SEMVER {
					continue
				}
				for _, e := range r.GetEvents() {
					f := e.GetFixed()
					if f == "" || seen[f] {
						continue
					}
					seen[f] = true
					if c, err := current.CompareStr(f); err == nil && c < 0 {
						candidates = append(candidates, f)
					}
				}
			}
		}
	}
	sort.SliceStable(candidates, func(i, j int) bool {
		a, err := semantic.Parse(candidates[i], ecoName)
		if err != nil {
			return false
		}
		c, err := a.CompareStr(candidates[j])
		return err == nil && c < 0
	})
	return candidates
}

// at is the package at another version, for the matcher.
func at(pkg *extractor.Package, version string) *extractor.Package {
	probe := *pkg
	probe.Version = version
	return &probe
}

// smallestFix is the fix of one advisory group: the smallest candidate
// version that osv-scanner's matcher finds affected by none of vulns. ""
// means the group names no fixed version.
func smallestFix(pkg *extractor.Package, eco osvecosystem.Parsed, name string, vulns []*osvpb.Vulnerability) string {
	for _, c := range fixCandidates(pkg, eco, name, vulns) {
		if len(affecting(vulns, at(pkg, c))) == 0 {
			return c
		}
	}
	return ""
}

// recommendation is the version a package's findings advise upgrading to.
type recommendation struct {
	// version is "" when no known version has fewer advisories than the
	// package's own.
	version string
	// remaining are the advisory groups that still affect version (none
	// when it is clean), by rule id.
	remaining []string
	// complete is false when only the advisories of the package's own
	// version were known (the OSV API answers those): version then fixes
	// them, and later advisories were not looked up.
	complete bool
}

// recommend chooses the version to upgrade to: the smallest version above
// the package's own that no advisory in all affects, as osv-scanner's
// matcher decides for each candidate. When every candidate is still
// affected (an advisory with no fix), the smallest candidate affected by
// the fewest advisory groups, if that is fewer than now. all is every
// advisory of the package's name in the database, affecting it now or not:
// a fix for today's advisories can be hit by another one (advisory A fixed
// in 2.0, advisory B affecting 1.5 to 2.1: from 1.0, 2.1 is the answer).
func recommend(r *pkgRec, all []*osvpb.Vulnerability, now int, complete bool) recommendation {
	best := recommendation{complete: complete}
	fewest := now
	for _, c := range fixCandidates(r.pkg, r.eco, r.name, all) {
		groups := groupVulns(affecting(all, at(r.pkg, c)))
		if len(groups) >= fewest {
			continue
		}
		fewest = len(groups)
		best.version, best.remaining = c, nil
		for _, g := range groups {
			best.remaining = append(best.remaining, ruleID(g))
		}
		if fewest == 0 {
			break
		}
	}
	return best
}

// summaryOf is the one-line description of a group: the summary, else the
// first sentence of the details, shortened at a word boundary.
func summaryOf(g *group) string {
	for _, v := range g.vulns {
		if s := strings.TrimSpace(v.GetSummary()); s != "" {
			return s
		}
	}
	for _, v := range g.vulns {
		d := strings.TrimSpace(v.GetDetails())
		if i := strings.IndexByte(d, '\n'); i >= 0 {
			d = d[:i]
		}
		if i := strings.Index(d, ". "); i >= 0 {
			d = d[:i]
		}
		d = strings.TrimSuffix(d, ".")
		if len(d) > 100 {
			cut := strings.LastIndexByte(d[:100], ' ')
			if cut < 60 {
				cut = 100
			}
			d = strings.TrimRight(d[:cut], " ,;:") + "…"
		}
		if d != "" {
			return d
		}
	}
	return "known vulnerability"
}

// sentence ends s with a full stop unless it ends with punctuation.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "…") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
