package pragma

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

// TrivyIgnoreFile is Trivy's ignore file, at the top of the repository.
const TrivyIgnoreFile = ".trivyignore"

// maxTrivyIgnoreSize bounds the .trivyignore read from a repository.
const maxTrivyIgnoreSize = 256 << 10

// TrivyIgnore is one id of a .trivyignore.
type TrivyIgnore struct {
	ID     string    // normalised: DS-0002, KSV-0017, AWS-0086
	Expiry time.Time // `exp:YYYY-MM-DD`; zero: never
	Line   int
	Reason string // the comment after the id, if any
}

// TrivyIgnores are the ids of a .trivyignore, in its order.
type TrivyIgnores []TrivyIgnore

// ParseTrivyIgnore reads a .trivyignore as Trivy does: one id a line,
// optionally followed by `exp:YYYY-MM-DD`, and # comments; the comment
// after an id is its reason.
func ParseTrivyIgnore(data []byte) TrivyIgnores {
	var out TrivyIgnores
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		why := ""
		if j := strings.Index(line, "#"); j >= 0 {
			line, why = strings.TrimSpace(line[:j]), strings.TrimSpace(line[j+1:])
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		ig := TrivyIgnore{ID: NormalizeTrivy(fields[0]), Line: i + 1, Reason: why}
		for _, f := range fields[1:] {
			if d, ok := strings.CutPrefix(f, "exp:"); ok {
				if t, err := time.Parse(time.DateOnly, d); err == nil {
					ig.Expiry = t
				}
			}
		}
		out = append(out, ig)
	}
	return out
}

// .trivyignore is among the configuration a staged scan looks up in the
// index at once, with every check's (checks.RegisterConfigFiles).
func init() { checks.RegisterConfigFiles(TrivyIgnoreFile) }

// ReadTrivyIgnore reads the repository's .trivyignore as the source sees
// it: in the hook the staged one (the index is the commit), otherwise the
// working tree's, as a regular file inside the repository only. A file that
// cannot be used is a warning, prefixed with the check's name, and ignores
// nothing; a missing one is no warning.
func ReadTrivyIgnore(ctx context.Context, src *checks.Source, check string) (TrivyIgnores, []string) {
	if src == nil || src.Root == "" {
		return nil, nil
	}
	data, err := src.ReadRegular(ctx, TrivyIgnoreFile, maxTrivyIgnoreSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, []string{fmt.Sprintf("%s: skipped %s: %v; its settings are not applied", check, TrivyIgnoreFile, err)}
	}
	return ParseTrivyIgnore(data), nil
}

// MatchTrivyIgnore returns the entry that ignores a finding with refs at now: an id
// of one of the dialect's families that names a ref, and has not expired.
func (d Dialect) MatchTrivyIgnore(list TrivyIgnores, refs []string, now time.Time) (TrivyIgnore, bool) {
	for _, ig := range list {
		if !expired(ig.Expiry, now) && d.trivyRef(ig.ID, refs) {
			return ig, true
		}
	}
	return TrivyIgnore{}, false
}

// Suppression is the suppression an entry makes of a finding.
func (ig TrivyIgnore) Suppression(f checks.Finding) checks.Suppression {
	return checks.Suppression{Finding: f, By: checks.SuppressedByTrivyIgnore, Where: fmt.Sprintf("%s:%d", TrivyIgnoreFile, ig.Line), Reason: ig.Reason}
}

// ApplyTrivyIgnore moves the findings of res that the list ignores at now
// to its suppressed ones.
func (d Dialect) ApplyTrivyIgnore(res *checks.Result, list TrivyIgnores, now time.Time) {
	if len(list) == 0 {
		return
	}
	kept := res.Findings[:0]
	for _, f := range res.Findings {
		if ig, ok := d.MatchTrivyIgnore(list, f.Refs, now); ok {
			res.Suppressed = append(res.Suppressed, ig.Suppression(f))
			continue
		}
		kept = append(kept, f)
	}
	res.Findings = kept
	left := res.Unlisted[:0]
	for _, u := range res.Unlisted {
		if ig, ok := d.MatchTrivyIgnore(list, u.Refs, now); ok {
			s := ig.Suppression(u.Finding(""))
			s.Count = u.Count()
			res.Suppressed = append(res.Suppressed, s)
			continue
		}
		left = append(left, u)
	}
	res.Unlisted = left
}
