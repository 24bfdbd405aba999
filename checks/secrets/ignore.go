package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/secfirst-dev/secfirst/checks"
)

// ignoreFile lists gitleaks fingerprints of findings to ignore.
const ignoreFile = ".gitleaksignore"

// allowSignature on a line makes gitleaks ignore the secrets on it.
const allowSignature = "gitleaks:allow"

// ignoreList is a .gitleaksignore: each fingerprint gitleaks would skip, with
// its line in the file. gitleaks' own detector (AddGitleaksIgnore) drops
// these findings without a trace and reads only a path on disk; secfirst
// reads the file as the source sees it (staged in staged mode) and keeps
// what it hid, so outputs can count it. The format and the matching are
// gitleaks' (detect.AddGitleaksIgnore and AddFinding), and
// TestIgnoreListMatchesGitleaks compares the two.
type ignoreList map[string]int

// readIgnoreList reads the repository's .gitleaksignore; warnings name its
// lines that are not fingerprints.
func readIgnoreList(ctx context.Context, src *checks.Source) (ignoreList, []string, error) {
	if src.Root == "" {
		return nil, nil, nil
	}
	data, err := src.ReadRegular(ctx, ignoreFile, maxConfigSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, readError(src, ignoreFile, err)
	}
	return parseIgnoreList(string(data))
}

func parseIgnoreList(data string) (ignoreList, []string, error) {
	list := ignoreList{}
	var warnings []string
	slashes := strings.NewReplacer("\\", "/")
	for i, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ":")
		switch len(parts) {
		case 3: // file:rule-id:start-line
			parts[0] = slashes.Replace(parts[0])
		case 4: // commit:file:rule-id:start-line
			parts[1] = slashes.Replace(parts[1])
		default:
			warnings = append(warnings, fmt.Sprintf("secrets: %s:%d is not a gitleaks fingerprint (file:rule:line or commit:file:rule:line); it hides nothing", ignoreFile, i+1))
		}
		key := strings.Join(parts, ":")
		if _, dup := list[key]; !dup {
			list[key] = i + 1
		}
	}
	return list, warnings, nil
}

// match returns the line of the entry that hides f, as gitleaks matches it:
// by file, rule and line, or by commit, file, rule and line.
func (l ignoreList) match(f report.Finding) (int, bool) {
	if len(l) == 0 {
		return 0, false
	}
	if n, ok := l[fmt.Sprintf("%s:%s:%d", f.File, f.RuleID, f.StartLine)]; ok {
		return n, true
	}
	if f.Commit != "" {
		n, ok := l[fmt.Sprintf("%s:%s:%s:%d", f.Commit, f.File, f.RuleID, f.StartLine)]
		return n, ok
	}
	return 0, false
}
