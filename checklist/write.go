package checklist

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// Bytes returns the file's text with the changes applied. Unchanged files
// are returned byte for byte. Changed files are encoded from the YAML nodes
// (so comments and key order survive) and then laid out like the original:
// every line the edit did not touch keeps its exact text, and blank lines
// come back where they were.
func (f *File) Bytes() ([]byte, error) {
	if !f.dirty {
		return f.raw, nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(f.indent)
	if err := enc.Encode(f.doc); err != nil {
		return nil, fmt.Errorf("%s: cannot encode: %w", f.Path, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("%s: cannot encode: %w", f.Path, err)
	}
	encoded := buf.Bytes()
	want, err := signature(encoded)
	if err != nil {
		return nil, fmt.Errorf("%s: the YAML library wrote text it cannot read back: %w", f.Path, err)
	}
	out := relayout(f.raw, encoded)
	// The layout pass works on lines; keep its result only when it means
	// exactly what the encoder wrote, values and comments alike.
	if got, err := signature(out); err != nil || got != want {
		out = encoded
	}
	if bytes.Contains(f.raw, []byte("\r\n")) {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	return out, nil
}

// signature is a digest of a YAML text's meaning: every node's kind,
// resolved tag, value and comments, without positions or quoting style.
func signature(data []byte) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", err
	}
	var b strings.Builder
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		fmt.Fprintf(&b, "(%d %s %q %q %q %q", n.Kind, n.ShortTag(), n.Value, n.HeadComment, n.LineComment, n.FootComment)
		for _, c := range n.Content {
			walk(c)
		}
		b.WriteString(")")
	}
	walk(&doc)
	return b.String(), nil
}

// maxLayoutCells bounds the line-matching table (lines of the original
// times lines of the new text, after the common head and tail).
const maxLayoutCells = 4 << 20

// relayout returns encoded laid out like orig: the lines both texts share
// (matched by a longest common subsequence, ignoring the spacing before a
// trailing comment) are written as orig had them, the blank lines of orig
// are put back before the line that followed them, and new or changed lines
// come from encoded.
func relayout(orig, encoded []byte) []byte {
	O := splitLines(orig)
	N := splitLines(encoded)
	ok := make([]string, len(O))
	nk := make([]string, len(N))
	for i, l := range O {
		ok[i] = lineKey(l)
	}
	for i, l := range N {
		nk[i] = lineKey(l)
	}
	match := matchLines(ok, nk) // match[j] = index in O of N[j], or -1

	var out bytes.Buffer
	emit := func(s string) { out.WriteString(s); out.WriteByte('\n') }
	if len(O) > 0 && strings.TrimSpace(O[0]) == "---" && (len(N) == 0 || strings.TrimSpace(N[0]) != "---") {
		emit(O[0])
	}
	prevO := -1
	var pending []string // new lines waiting for the next matched line
	for j, line := range N {
		i := match[j]
		if i < 0 {
			pending = append(pending, line)
			continue
		}
		for _, p := range pending {
			emit(p)
		}
		pending = pending[:0]
		for k := prevO + 1; k < i; k++ {
			if strings.TrimSpace(O[k]) == "" {
				emit("")
			}
		}
		emit(O[i])
		prevO = i
	}
	for _, p := range pending {
		emit(p)
	}
	return out.Bytes()
}

func splitLines(data []byte) []string {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

var commentGap = regexp.MustCompile(`[ \t]+#`)

// lineKey is how lines are compared: trailing spaces and the width of the
// gap before a trailing comment do not count.
func lineKey(l string) string {
	l = strings.TrimRight(l, " \t")
	if loc := commentGap.FindStringIndex(l); loc != nil && strings.TrimSpace(l[:loc[0]]) != "" {
		l = l[:loc[0]] + " #" + l[loc[1]:]
	}
	return l
}

// matchLines pairs equal lines of a and b in order (longest common
// subsequence). It returns, for each line of b, its partner in a or -1.
func matchLines(a, b []string) []int {
	match := make([]int, len(b))
	for j := range match {
		match[j] = -1
	}
	// Common head and tail first: an edit usually touches a few lines.
	lo := 0
	for lo < len(a) && lo < len(b) && a[lo] == b[lo] {
		match[lo] = lo
		lo++
	}
	ha, hb := len(a), len(b)
	for ha > lo && hb > lo && a[ha-1] == b[hb-1] {
		ha--
		hb--
		match[hb] = ha
	}
	ma, mb := a[lo:ha], b[lo:hb]
	if len(ma) == 0 || len(mb) == 0 || len(ma)*len(mb) > maxLayoutCells {
		return match
	}
	// Classic dynamic programme on the middle.
	w := len(mb) + 1
	dp := make([]int32, (len(ma)+1)*w)
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				dp[i*w+j] = dp[(i+1)*w+j+1] + 1
			} else if dp[(i+1)*w+j] >= dp[i*w+j+1] {
				dp[i*w+j] = dp[(i+1)*w+j]
			} else {
				dp[i*w+j] = dp[i*w+j+1]
			}
		}
	}
	for i, j := 0, 0; i < len(ma) && j < len(mb); {
		switch {
		case ma[i] == mb[j]:
			match[lo+j] = lo + i
			i++
			j++
		case dp[(i+1)*w+j] >= dp[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return match
}

// Save writes the changes atomically: a temporary file in the same
// directory, synced, then renamed over the original. It holds the writers'
// lock (see Lock) while it checks and writes, and refuses when the file
// changed on disk since it was read, so a concurrent edit is never lost:
// callers that want to merge with other writers use Update instead.
func (f *File) Save() error {
	if !f.dirty {
		return nil
	}
	root := rootOf(f.Path)
	unlock, err := Lock(context.Background(), root)
	if err != nil {
		return err
	}
	defer unlock()
	if err := checkPath(f.Path); err != nil {
		return err
	}
	removeLeftovers(root)
	return f.save()
}

// rootOf is the repository root of a checklist path (<root>/.secfirst/checklist.yaml).
func rootOf(path string) string { return filepath.Dir(filepath.Dir(path)) }

// save writes the file; the caller holds the lock and has checked the
// directory.
func (f *File) save() error {
	if !f.dirty {
		return nil
	}
	data, err := f.Bytes()
	if err != nil {
		return err
	}
	current, err := safefile.ReadFile(f.Path, maxFileSize)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, unwrapPathErr(err))
	}
	if !bytes.Equal(current, f.raw) {
		return fmt.Errorf("%s changed on disk while secfirst was working; nothing was written, run the command again", f.Path)
	}
	perm := fs.FileMode(0o644)
	if fi, err := os.Lstat(f.Path); err == nil {
		perm = fi.Mode().Perm()
	}
	if err := atomicfile.Write(f.Path, data, perm); err != nil {
		return err
	}
	f.raw = data
	f.dirty = false
	return nil
}
