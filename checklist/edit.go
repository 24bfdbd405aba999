package checklist

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Review is what a person records on one item: `secfirst checklist set` and
// each answer of `secfirst checklist review`.
type Review struct {
	// Status is the status to record. On an automatic item only n/a and
	// accepted-risk are stored (an override); the computed status confirms
	// the evidence and clears any override.
	Status Status
	// Note replaces the note when not nil; an empty note removes it.
	Note *string
	// Owner replaces the owner when not nil; empty removes it.
	Owner *string
	// ReviewedBy is "Name <email>" from git's user config.
	ReviewedBy string
	// ReviewedAt is the review day.
	ReviewedAt time.Time
}

// Apply records a review on item id by editing its YAML nodes in place:
// keys that exist keep their position and comments, new keys go where the
// canonical order puts them. computed is the item's status as secfirst
// finds it: "" for a manual item, unless the repository holds what
// verifies it (Entry.Computed of a manual item that Assess made
// automatic), which Apply then treats as automatic.
func (f *File) Apply(id string, r Review, computed Status) error {
	idx := -1
	for i, it := range f.Items {
		if it.ID == id {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("no item %q in %s", id, f.Path)
	}
	it := f.Items[idx]
	m := f.itemNodes[idx]
	if r.ReviewedBy == "" || r.ReviewedAt.IsZero() {
		return fmt.Errorf("a review needs a reviewer and a date")
	}
	note := it.Note
	if r.Note != nil {
		note = *r.Note
	}
	if r.Status == AcceptedRisk && strings.TrimSpace(note) == "" {
		return fmt.Errorf("accepted-risk needs a note saying why the risk is accepted (--note)")
	}
	switch {
	case it.Kind == Manual && computed == "":
		if _, err := ParseStatus(string(r.Status)); err != nil {
			return err
		}
		setScalar(m, "status", string(r.Status), "!!str")
		it.Status = r.Status
	case r.Status.IsOverride():
		setScalar(m, "status", string(r.Status), "!!str")
		it.Status = r.Status
	case r.Status == computed:
		// Confirming what secfirst found: nothing to store but the review,
		// and any earlier override no longer applies.
		deleteKey(m, "status")
		it.Status = ""
	default:
		return &AutoStatusError{ID: id, Want: r.Status, Computed: computed}
	}
	if r.Note != nil {
		if *r.Note == "" {
			deleteKey(m, "note")
		} else {
			setScalar(m, "note", *r.Note, "!!str")
		}
		it.Note = *r.Note
	}
	if r.Owner != nil {
		if *r.Owner == "" {
			deleteKey(m, "owner")
		} else {
			setScalar(m, "owner", *r.Owner, "!!str")
		}
		it.Owner = *r.Owner
	}
	setScalar(m, "reviewed_by", r.ReviewedBy, "!!str")
	it.ReviewedBy = r.ReviewedBy
	day := Today(r.ReviewedAt)
	// No tag: a plain date reads as a date and needs no quotes.
	setScalar(m, "reviewed_at", day.Format(DateLayout), "")
	it.ReviewedAt = day
	f.Items[idx] = it
	f.dirty = true
	return nil
}

// AutoStatusError is an attempt to set an automatic item to a status that
// contradicts what secfirst finds in the repository.
type AutoStatusError struct {
	ID       string
	Want     Status
	Computed Status
}

func (e *AutoStatusError) Error() string {
	return fmt.Sprintf("%s is checked automatically and is %s now, not %s: fix the repository, or record n/a or accepted-risk with a note", e.ID, e.Computed, e.Want)
}

// setScalar sets key in mapping m, keeping the key's comments and position,
// or adds it after the keys that precede it in the canonical order.
func setScalar(m *yaml.Node, key, value, tag string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		v := m.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			m.Content[i+1] = newScalar(value, tag)
			return
		}
		old := v.Style
		v.Value, v.Tag = value, tag
		v.Style = styleFor(value, old)
		return
	}
	pos := 0
	rank := keyRank(key)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if keyRank(m.Content[i].Value) <= rank {
			pos = i + 2
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	m.Content = append(m.Content[:pos], append([]*yaml.Node{k, newScalar(value, tag)}, m.Content[pos:]...)...)
}

func newScalar(value, tag string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value, Style: styleFor(value, 0)}
}

// styleFor keeps a value's quoting unless the new text needs another style:
// several lines are written as a literal block.
func styleFor(value string, old yaml.Style) yaml.Style {
	if strings.Contains(value, "\n") {
		return yaml.LiteralStyle
	}
	switch old {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		return old
	}
	return 0
}

func keyRank(key string) int {
	for i, k := range itemKeys {
		if k == key {
			return i
		}
	}
	return len(itemKeys)
}

// deleteKey removes key from mapping m. Comments attached to the removed
// key move to the next key so that a person's comment is not lost.
func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		k, v := m.Content[i], m.Content[i+1]
		m.Content = append(m.Content[:i], m.Content[i+2:]...)
		lost := nonEmpty(k.HeadComment, k.LineComment, v.HeadComment, v.LineComment, k.FootComment, v.FootComment)
		switch {
		case len(lost) == 0:
		case i < len(m.Content):
			next := m.Content[i]
			next.HeadComment = strings.Join(nonEmpty(append(lost, next.HeadComment)...), "\n")
		case len(m.Content) > 0:
			last := m.Content[len(m.Content)-1]
			last.FootComment = strings.Join(nonEmpty(append([]string{last.FootComment}, lost...)...), "\n")
		}
		return
	}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
