// Package checklist is the per-repository security checklist: the file
// .secfirst/checklist.yaml committed with the code, its default template, the
// evidence secfirst gathers for the items it can verify itself, and the
// staleness of the items people attest.
//
// The file is read and written through the node API of go.yaml.in/yaml/v3 so
// that the comments, order and formatting a team adds survive every write.
// Automatic items never store their status or evidence: both are computed
// from the repository each time the file is read, so what the file says can
// never go stale. A person may only override an automatic item with n/a or
// accepted-risk (with a note); that override is stored and reviewed like
// any manual item.
package checklist

import (
	"fmt"
	"strings"
	"time"
)

// SchemaVersion is the version of the file format this package reads and writes.
const SchemaVersion = 1

// Dir and FileName locate the checklist at the repository root.
const (
	Dir      = ".secfirst"
	FileName = "checklist.yaml"
)

// RelPath is the checklist's path relative to the repository root.
const RelPath = Dir + "/" + FileName

// Status is an item's state.
type Status string

const (
	Pass         Status = "pass"
	Fail         Status = "fail"
	Todo         Status = "todo"
	NA           Status = "n/a"
	AcceptedRisk Status = "accepted-risk"
)

// Statuses lists every status in display order.
var Statuses = []Status{Pass, Fail, Todo, NA, AcceptedRisk}

// ParseStatus accepts the five statuses (case-insensitive; "na" for n/a).
func ParseStatus(s string) (Status, error) {
	v := Status(strings.ToLower(strings.TrimSpace(s)))
	if v == "na" {
		v = NA
	}
	for _, st := range Statuses {
		if v == st {
			return v, nil
		}
	}
	return "", fmt.Errorf("invalid status %q (want pass, fail, todo, n/a or accepted-risk)", s)
}

// IsOverride reports whether a person may set this status on an automatic
// item: only "it does not apply" and "we accept the risk" are judgements a
// tool cannot make.
func (s Status) IsOverride() bool { return s == NA || s == AcceptedRisk }

// Kind says who establishes an item's status.
type Kind string

const (
	// Auto items are verified by secfirst from the repository.
	Auto Kind = "auto"
	// Manual items are attested by a person.
	Manual Kind = "manual"
)

// DateLayout is how review dates are written.
const DateLayout = "2006-01-02"

// Item is one practice of the checklist as stored in the file.
type Item struct {
	ID       string
	Title    string
	Category string
	Lesson   string
	Kind     Kind
	// Status is the stored status: a manual item's attested status (todo
	// when absent), or an automatic item's override (n/a or accepted-risk;
	// empty when the computed status applies).
	Status Status
	// Evidence is free text a person stored on a manual item (a link to the
	// pen-test report, say). An automatic item's evidence is never stored.
	Evidence   string
	Owner      string
	Note       string
	ReviewedBy string
	// ReviewedAt is the review day (midnight, local time); zero when never reviewed.
	ReviewedAt time.Time
	// Line is where the item starts in the file.
	Line int
}

// Reviewed reports whether someone has reviewed the item.
func (it Item) Reviewed() bool { return !it.ReviewedAt.IsZero() }

// Area is one of the six practice areas of the default template.
type Area struct {
	ID    string
	Title string
}

// Areas are the categories of the default template, in display order.
var Areas = []Area{
	{"code-and-supply-chain", "Code and supply chain"},
	{"containers-and-clusters", "Containers and clusters"},
	{"infrastructure", "Infrastructure"},
	{"identity-and-access", "Identity and access"},
	{"data", "Data"},
	{"operations", "Operations"},
}

// AreaTitle returns the display title of a category: the area's title for
// the six known ones, the category itself otherwise.
func AreaTitle(category string) string {
	for _, a := range Areas {
		if a.ID == category {
			return a.Title
		}
	}
	return category
}

// areaRank orders categories: known areas first in their order, others after.
func areaRank(category string) int {
	for i, a := range Areas {
		if a.ID == category {
			return i
		}
	}
	return len(Areas)
}

// Today is the local calendar day of t, at midnight.
func Today(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// DaysSince counts whole calendar days from day to now (negative when day
// is in the future).
func DaysSince(day, now time.Time) int {
	a, b := Today(day), Today(now)
	// Go through UTC dates so a daylight-saving change is not a lost hour.
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// IsStale reports whether an item's human review has aged past staleAfter
// days. Items never reviewed are "unreviewed", not stale; automatic items
// without an override are never stale, since their evidence is fresh on
// every read.
func IsStale(it Item, staleAfterDays int, now time.Time) bool {
	if !it.Reviewed() || staleAfterDays <= 0 {
		return false
	}
	if it.Kind == Auto && !it.Status.IsOverride() {
		return false
	}
	return DaysSince(it.ReviewedAt, now) >= staleAfterDays
}
