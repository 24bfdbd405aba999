package secrets

import (
	"cmp"
	"container/heap"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"unique"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/secfirst-dev/secfirst/checks"
)

// capped holds, under a cap of findings per rule in a file (the pre-commit
// hook's, see checks.RuleCap), only what the cap lists whole: the first
// limit findings of each rule in each file, in the order convert sorts
// them, and of the others their line, columns and fingerprint. gitleaks'
// detector keeps every finding whole until the end: a staged leak corpus
// of 240,000 keys held 100 MB of findings (each with its line, match and
// secret) while the other checks ran, and took the hook past 500 MB.
// Findings suppressed where they are written (gitleaks:allow,
// .gitleaksignore) are kept whole: outputs list each. It is safe for
// concurrent use.
type capped struct {
	limit  int
	ignore ignoreList
	mu     sync.Mutex
	whole  []report.Finding // suppressed where written
	groups map[capKey]*capGroup
}

type capKey struct{ file, rule string }

// capGroup is what capped holds of one rule in one file.
type capGroup struct {
	first firstFindings
	rest  []countedFinding
	// like is one of the group's findings, for what they all share (the
	// rule's description, the file's names) once its texts are dropped.
	like report.Finding
}

// countedFinding is a finding past the cap: where it is, which orders it
// as compareFindings does (the commit is the same for all in the hook),
// and its fingerprint, 24 bytes instead of a finding's kilobyte (at 40,
// the 240,000 keys of a leak corpus held 13 MB).
type countedFinding struct {
	line, column, endColumn int32
	fingerprint             [10]byte
}

func newCapped(limit int, ignore ignoreList) *capped {
	return &capped{limit: limit, ignore: ignore, groups: map[capKey]*capGroup{}}
}

// add takes a finding in whatever order the pieces are detected.
func (c *capped) add(g report.Finding) {
	_, ignored := c.ignore.match(g)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ignored || strings.Contains(g.Line, allowSignature) {
		c.whole = append(c.whole, detached(g))
		return
	}
	key := capKey{findingPath(g), g.RuleID}
	grp, ok := c.groups[key]
	if !ok {
		grp = &capGroup{}
		c.groups[key] = grp
	}
	if len(grp.first) < c.limit {
		heap.Push(&grp.first, detached(g))
		return
	}
	if compareFindings(g, grp.first[0]) < 0 {
		g, grp.first[0] = grp.first[0], detached(g)
		heap.Fix(&grp.first, 0)
	}
	grp.like = report.Finding{RuleID: g.RuleID, Description: g.Description, File: g.File, SymlinkFile: g.SymlinkFile}
	grp.rest = append(grp.rest, countedFinding{line: int32(g.StartLine), column: int32(g.StartColumn), endColumn: int32(g.EndColumn),
		fingerprint: fingerprintBytes(g)})
}

// detached is g without the text it was found in: its line, match and
// secret are slices of that text (a piece of a file's added lines), and
// the findings held to the end kept the whole text of each file alive
// after its share of the budget was given back (a 10 MB leak corpus' and
// a 9 MB bundle's: 23 MB of the hook's peak). Only the exported fields
// are kept: gitleaks' unexported ones (the findings of a composite rule's
// parts) are slices too. A line is interned: the findings of one line,
// many of them suppressed by one .gitleaksignore entry, share one copy.
func detached(g report.Finding) report.Finding {
	return report.Finding{
		RuleID: g.RuleID, Description: g.Description,
		StartLine: g.StartLine, EndLine: g.EndLine, StartColumn: g.StartColumn, EndColumn: g.EndColumn,
		Line: unique.Make(g.Line).Value(), Match: strings.Clone(g.Match), Secret: strings.Clone(g.Secret),
		File: g.File, SymlinkFile: g.SymlinkFile, Commit: g.Commit, Link: g.Link, Entropy: g.Entropy,
		Author: g.Author, Email: g.Email, Date: g.Date, Message: g.Message, Tags: g.Tags, Fingerprint: g.Fingerprint,
	}
}

// findings are the findings held whole, in no order, and the counted
// ones: each group's in order (line, columns, fingerprint), the groups in
// the order of their first. Passed to convert after the whole
// ones, the counted ones fill the cap's unlisted groups in the order a
// sort of every finding would have.
func (c *capped) findings() ([]report.Finding, []*capGroup) {
	out := c.whole
	var past []*capGroup
	for _, grp := range c.groups {
		out = append(out, grp.first...)
		if len(grp.rest) == 0 {
			continue
		}
		slices.SortFunc(grp.rest, compareCounted)
		past = append(past, grp)
	}
	slices.SortFunc(past, func(a, b *capGroup) int {
		x, y := a.rest[0], b.rest[0]
		return cmp.Or(cmp.Compare(findingPath(a.like), findingPath(b.like)), cmp.Compare(x.line, y.line),
			cmp.Compare(x.column, y.column), cmp.Compare(a.like.RuleID, b.like.RuleID), compareCounted(x, y))
	})
	return out, past
}

func compareCounted(a, b countedFinding) int {
	return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.column, b.column), cmp.Compare(a.endColumn, b.endColumn),
		slices.Compare(a.fingerprint[:], b.fingerprint[:]))
}

// compareFindings is the order in which a cap lists findings. Detection
// runs in parallel pieces: which are listed must not depend on which piece
// finished first. (A column counts from the start of the piece of a long
// line that was read, not of the line: ties are broken by the rest.)
func compareFindings(a, b report.Finding) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.StartLine, b.StartLine),
		cmp.Compare(a.StartColumn, b.StartColumn), cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.Commit, b.Commit),
		cmp.Compare(a.EndColumn, b.EndColumn), cmp.Compare(fingerprint(a), fingerprint(b)))
}

// firstFindings is a heap of findings with the last in order on top: the
// one that leaves when an earlier one comes.
type firstFindings []report.Finding

func (h firstFindings) Len() int           { return len(h) }
func (h firstFindings) Less(i, j int) bool { return compareFindings(h[i], h[j]) > 0 }
func (h firstFindings) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *firstFindings) Push(x any)        { *h = append(*h, x.(report.Finding)) }
func (h *firstFindings) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// fingerprint is a secret finding's fingerprint: of its rule, its file and
// a digest of the secret, never the secret itself.
func fingerprint(g report.Finding) string {
	digest := sha256.Sum256([]byte(g.Secret))
	return checks.Fingerprint(Name, g.RuleID, findingPath(g), hex.EncodeToString(digest[:]))
}

func fingerprintBytes(g report.Finding) (out [10]byte) {
	if _, err := hex.Decode(out[:], []byte(fingerprint(g))); err != nil {
		panic("secrets: " + err.Error()) // Fingerprint's are 20 hex digits
	}
	return out
}
