package checklist

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

// Entry is one item as `status` and `export` show it: the stored item with
// its fresh evidence and effective status. Its JSON form is the contract of
// PRODUCT.md.
type Entry struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Category   string `json:"category"`
	Kind       Kind   `json:"kind"`
	Status     Status `json:"status"`
	Stale      bool   `json:"stale"`
	Evidence   string `json:"evidence"`
	Owner      string `json:"owner"`
	Note       string `json:"note"`
	ReviewedBy string `json:"reviewed_by"`
	ReviewedAt string `json:"reviewed_at"`
	Lesson     string `json:"lesson"`

	// Computed is an automatic item's status as secfirst found it (it
	// differs from Status when a person overrode it with n/a or
	// accepted-risk).
	Computed Status `json:"-"`
	// Overridden is true when Status is a person's override of Computed.
	Overridden bool `json:"-"`
	// Reviewed is false for an item nobody has reviewed yet.
	Reviewed bool `json:"-"`
	// AgeDays is the number of days since the review (0 when unreviewed).
	AgeDays int `json:"-"`
	// Line is where the item is in the file.
	Line int `json:"-"`
	// Fresh says how current an automatic item's evidence is: which
	// cached scans it reused ("" when it was all computed now).
	Fresh string `json:"-"`
}

// Summary counts items per status, and the stale ones. Its JSON form is the
// contract of PRODUCT.md.
type Summary struct {
	Pass         int `json:"pass"`
	Fail         int `json:"fail"`
	Todo         int `json:"todo"`
	NA           int `json:"n/a"`
	AcceptedRisk int `json:"accepted-risk"`
	Stale        int `json:"stale"`
}

// Count returns the number of items with status s.
func (s Summary) Count(st Status) int {
	switch st {
	case Pass:
		return s.Pass
	case Fail:
		return s.Fail
	case Todo:
		return s.Todo
	case NA:
		return s.NA
	case AcceptedRisk:
		return s.AcceptedRisk
	}
	return 0
}

// Total is the number of items counted.
func (s Summary) Total() int { return s.Pass + s.Fail + s.Todo + s.NA + s.AcceptedRisk }

// Report is `secfirst checklist status --format json`.
type Report struct {
	Items   []Entry `json:"items"`
	Summary Summary `json:"summary"`

	// Path is the checklist file; StaleAfterDays the review period; Now
	// the moment of the report.
	Path           string    `json:"-"`
	StaleAfterDays int       `json:"-"`
	Now            time.Time `json:"-"`
}

// Failing reports whether CI should fail: an item fails or is stale.
func (r *Report) Failing() bool { return r.Summary.Fail > 0 || r.Summary.Stale > 0 }

// Assess combines the file, the fresh evidence and the review period into
// the report. ev holds the evidence of automatic items (see Evaluate); an
// automatic item missing from it is a todo.
func Assess(f *File, ev map[string]Evidence, staleAfterDays int, now time.Time) *Report {
	rep := &Report{Items: []Entry{}, Path: f.Path, StaleAfterDays: staleAfterDays, Now: now}
	for _, it := range f.Items {
		got, ok := ev[it.ID]
		if it.Kind == Manual && ok && !got.Manual {
			// The repository holds what verifies the item (Kubernetes
			// manifests, Terraform): secfirst verifies it, as if the
			// file said `kind: auto`; a status stored by hand no longer
			// applies unless it is an override.
			it.Kind = Auto
		}
		e := Entry{
			ID: it.ID, Title: it.Title, Category: it.Category, Kind: it.Kind,
			Owner: it.Owner, Note: it.Note, ReviewedBy: it.ReviewedBy, Lesson: it.Lesson,
			Reviewed: it.Reviewed(), Line: it.Line,
		}
		if it.Reviewed() {
			e.ReviewedAt = it.ReviewedAt.Format(DateLayout)
			e.AgeDays = DaysSince(it.ReviewedAt, now)
		}
		if it.Kind == Auto {
			if !ok {
				got = Evidence{Status: Todo, Text: "not checked"}
			}
			e.Computed, e.Evidence, e.Fresh = got.Status, got.Text, got.Fresh
			e.Status = got.Status
			if it.Status.IsOverride() {
				e.Status, e.Overridden = it.Status, true
			}
		} else {
			e.Status, e.Evidence = it.Status, it.Evidence
			if ok && got.Manual && e.Evidence == "" {
				e.Evidence = got.Text // why secfirst leaves it to people
			}
		}
		e.Stale = IsStale(it, staleAfterDays, now)
		rep.Items = append(rep.Items, e)
		switch e.Status {
		case Pass:
			rep.Summary.Pass++
		case Fail:
			rep.Summary.Fail++
		case Todo:
			rep.Summary.Todo++
		case NA:
			rep.Summary.NA++
		case AcceptedRisk:
			rep.Summary.AcceptedRisk++
		}
		if e.Stale {
			rep.Summary.Stale++
		}
	}
	return rep
}

// Group is the items of one area.
type Group struct {
	Category string
	Title    string
	Items    []Entry
}

// Groups returns the items by area: the six areas of the template first, in
// their order, then other categories in the order they first appear.
func (r *Report) Groups() []Group {
	var groups []Group
	index := map[string]int{}
	for _, e := range r.Items {
		i, ok := index[e.Category]
		if !ok {
			i = len(groups)
			index[e.Category] = i
			groups = append(groups, Group{Category: e.Category, Title: AreaTitle(e.Category)})
		}
		groups[i].Items = append(groups[i].Items, e)
	}
	sort.SliceStable(groups, func(a, b int) bool { return areaRank(groups[a].Category) < areaRank(groups[b].Category) })
	return groups
}

// Line is "38 items: 5 pass, 2 fail, 28 todo, 2 n/a, 1 accepted-risk; 1 stale".
func (s Summary) Line() string {
	var parts []string
	for _, st := range Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", s.Count(st), st))
	}
	return fmt.Sprintf("%s: %s; %d stale", plural(s.Total(), "item", "items"), strings.Join(parts, ", "), s.Stale)
}

// NeedsReview reports whether `review` should ask about the item: its
// review is stale, or nobody has reviewed it yet.
func (e Entry) NeedsReview() bool {
	return e.Stale || !e.Reviewed
}

// Check loads the repository's checklist, computes fresh evidence for its
// automatic items and returns the file with its report. Callers that must
// stay responsive pass EvalOptions{SkipSlow: true} and a cancellable ctx.
func Check(ctx context.Context, repo *Repo, o EvalOptions, now time.Time) (*File, *Report, error) {
	f, err := Load(Path(repo.Root))
	if err != nil {
		return nil, nil, err
	}
	ev := Evaluate(ctx, repo, f.Items, o)
	stale := checks.DefaultStaleAfterDays
	if repo.Policy != nil && repo.Policy.StaleAfterDays > 0 {
		stale = repo.Policy.StaleAfterDays
	}
	return f, Assess(f, ev, stale, now), nil
}

// Reviewer is who records a review: "Name <email>" from git's user config
// for the repository at root (git itself reads it, so includes and
// conditional includes apply), as a commit would be signed. Either part
// alone will do; neither is an error that says how to set them.
func Reviewer(ctx context.Context, root string) (string, error) {
	get := func(key string) string {
		out, err := checks.Git(ctx, root, nil, "config", "--get", key)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	name, email := get("user.name"), get("user.email")
	switch {
	case name == "" && email == "":
		return "", errors.New("git has no user.name or user.email, so the review cannot be attributed: run `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`")
	case name == "":
		return email, nil
	case email == "":
		return name, nil
	}
	return name + " <" + email + ">", nil
}
