package checklist

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// ParseError is a checklist file that cannot be used. It names the file and,
// whenever the problem has a place, the line.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// ErrNoChecklist is returned by Load when the repository has no checklist.
var ErrNoChecklist = errors.New("no checklist")

// File is a parsed checklist file. Its Items are read-only views; change
// them with Apply, which edits the YAML nodes so that everything else in the
// file (comments, order, quoting, blank lines) is kept.
type File struct {
	// Path is the file's path as given to Parse.
	Path string
	// Version is the schema version the file declares.
	Version int
	// Items in file order.
	Items []Item

	raw       []byte
	doc       *yaml.Node
	itemNodes []*yaml.Node // the mapping node of each item, parallel to Items
	indent    int
	dirty     bool
}

// Path returns the checklist's path in the repository rooted at root.
func Path(root string) string { return filepath.Join(root, Dir, FileName) }

// Load reads and parses a checklist. A missing file is ErrNoChecklist
// wrapped with the path. The file and its directory must be real (a
// symbolic link is a *SymlinkError), and the file a regular one of at most
// a few megabytes.
func Load(path string) (*File, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	data, err := safefile.ReadFile(path, maxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (run `secfirst checklist init`)", path, ErrNoChecklist)
	}
	if err != nil {
		return nil, &ParseError{Path: path, Msg: unwrapPathErr(err).Error()}
	}
	return Parse(path, data)
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Keys of an item, in the order new keys are written.
var itemKeys = []string{"id", "title", "category", "lesson", "kind", "status", "evidence", "owner", "note", "reviewed_by", "reviewed_at"}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// maxFileSize bounds what Parse accepts: a checklist is a few dozen kilobytes.
const maxFileSize = 4 << 20

// Parse reads checklist text; path names the file in errors. Anything that
// is not a valid checklist is a *ParseError with the line of the problem.
func Parse(path string, data []byte) (f *File, err error) {
	defer func() {
		// The YAML library must never crash the command; a panic inside it
		// is reported as a bad file.
		if r := recover(); r != nil {
			f, err = nil, &ParseError{Path: path, Msg: fmt.Sprintf("cannot parse: %v", r)}
		}
	}()
	if len(data) > maxFileSize {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("file is too large (%d bytes) for a checklist", len(data))}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &ParseError{Path: path, Line: 1 + bytes.Count(data[:i], []byte("\n")), Msg: "binary data (a NUL byte) in the file"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ParseError{Path: path, Line: 1, Msg: "the file is empty (run `secfirst checklist init` for the template)"}
		}
		return nil, syntaxError(path, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &ParseError{Path: path, Line: clampLine(data, extra.Line), Msg: "more than one YAML document: a checklist is one document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(path, data, err)
	}

	f = &File{Path: path, raw: data, doc: &doc, indent: detectIndent(data)}
	if err := f.decode(); err != nil {
		return nil, err
	}
	return f, nil
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// syntaxError turns the YAML library's message into a ParseError with a line.
func syntaxError(path string, data []byte, err error) error {
	msg := strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0])
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		msg = m[2]
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
	}
	if l := firstFailingLine(data, msg); l > 0 {
		line = l
	}
	if line == 0 {
		line = guessLine(data, msg)
	}
	return &ParseError{Path: path, Line: clampLine(data, line), Msg: "invalid YAML: " + msg}
}

// Bounds of firstFailingLine's search, which parses every prefix of the file.
const (
	maxLocateBytes = 32 << 10
	maxLocateLines = 1500
)

// firstFailingLine finds the line where the YAML stops making sense: the
// first line whose prefix of the file fails with the same message as the
// whole file. The library's own line is often where the enclosing block
// started (and counted from zero), not where the mistake is.
func firstFailingLine(data []byte, msg string) int {
	if len(data) > maxLocateBytes {
		return 0
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxLocateLines {
		return 0
	}
	end := 0
	for k, l := range lines {
		end += len(l)
		var doc yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(data[:end]))
		err := dec.Decode(&doc)
		if err == nil || errors.Is(err, io.EOF) {
			continue
		}
		m := strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0])
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			m = sm[2]
		}
		if m == msg {
			return k + 1
		}
	}
	return 0
}

// guessLine finds a line for the messages the YAML library gives without
// one: the first control character, or else the last line (the library
// reports errors without a line when the stream ends unexpectedly).
func guessLine(data []byte, msg string) int {
	if strings.Contains(msg, "control characters") || strings.Contains(msg, "invalid Unicode") || strings.Contains(msg, "invalid leading UTF-8") || strings.Contains(msg, "incomplete UTF-8") {
		line := 1
		for i, r := range string(data) {
			if r == '\n' {
				line++
				continue
			}
			if r == '\uFFFD' || (r < 0x20 && r != '\t' && r != '\r') || r == 0x7f {
				_ = i
				return line
			}
		}
	}
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	if n < 1 {
		n = 1
	}
	return n
}

// detectIndent returns the indentation step the file uses (2 by default),
// so a file indented by four spaces is written back with four.
func detectIndent(data []byte) int {
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || trimmed == strings.TrimRight(line, "\r") {
			continue
		}
		n := len(line) - len(trimmed)
		if n >= 2 && n <= 8 {
			return n
		}
		return 2
	}
	return 2
}

func (f *File) errAt(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = clampLine(f.raw, n.Line)
	}
	return &ParseError{Path: f.Path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// clampLine keeps a line inside the file: the YAML library places an
// absent value (a lone "---") on the line after the last.
func clampLine(data []byte, line int) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) == 0 || data[len(data)-1] != '\n' {
		n++
	}
	if line > n {
		return n
	}
	return line
}

// decode checks the document's shape and fills Version and Items.
func (f *File) decode() error {
	if f.doc.Kind != yaml.DocumentNode || len(f.doc.Content) != 1 {
		return f.errAt(f.doc, "not a YAML document")
	}
	top := f.doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return f.errAt(top, "the checklist must be a mapping with `version` and `items`")
	}
	var versionNode, itemsNode *yaml.Node
	seen := map[string]int{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return f.errAt(k, "keys must be plain names")
		}
		if prev, dup := seen[k.Value]; dup {
			return f.errAt(k, "%q is defined twice (first on line %d)", k.Value, prev)
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "version":
			versionNode = v
		case "items":
			itemsNode = v
		default:
			return f.errAt(k, "unknown key %q (want version and items)", k.Value)
		}
	}
	if versionNode == nil {
		return f.errAt(top, "missing `version: %d`", SchemaVersion)
	}
	if versionNode.Kind != yaml.ScalarNode {
		return f.errAt(versionNode, "version must be a number")
	}
	v, err := strconv.Atoi(versionNode.Value)
	if err != nil {
		return f.errAt(versionNode, "version must be a number, not %q", versionNode.Value)
	}
	if v != SchemaVersion {
		return f.errAt(versionNode, "unsupported checklist version %d (this secfirst reads version %d; upgrade secfirst)", v, SchemaVersion)
	}
	f.Version = v
	if itemsNode == nil {
		return f.errAt(top, "missing `items`")
	}
	if itemsNode.Kind == yaml.ScalarNode && itemsNode.ShortTag() == "!!null" {
		// "items:" with nothing under it: an empty checklist.
		return nil
	}
	if itemsNode.Kind != yaml.SequenceNode {
		return f.errAt(itemsNode, "items must be a list")
	}
	ids := map[string]int{}
	for _, n := range itemsNode.Content {
		it, err := f.decodeItem(n)
		if err != nil {
			return err
		}
		if prev, dup := ids[it.ID]; dup {
			return f.errAt(n, "duplicate item id %q (first on line %d)", it.ID, prev)
		}
		ids[it.ID] = it.Line
		f.Items = append(f.Items, it)
		f.itemNodes = append(f.itemNodes, n)
	}
	return nil
}

func (f *File) decodeItem(n *yaml.Node) (Item, error) {
	it := Item{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return it, f.errAt(n, "each item must be a mapping (id, title, category, ...)")
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return it, f.errAt(k, "keys must be plain names")
		}
		if prev, dup := seen[k.Value]; dup {
			return it, f.errAt(k, "%q is defined twice in this item (first on line %d)", k.Value, prev)
		}
		seen[k.Value] = k.Line
		if !knownKey(k.Value) {
			return it, f.errAt(k, "unknown key %q (want %s)", k.Value, strings.Join(itemKeys, ", "))
		}
		if v.Kind != yaml.ScalarNode {
			return it, f.errAt(v, "%s must be a single value, not a list or mapping", k.Value)
		}
		val := v.Value
		if v.ShortTag() == "!!null" {
			val = ""
		}
		switch k.Value {
		case "id":
			it.ID = strings.TrimSpace(val)
		case "title":
			it.Title = val
		case "category":
			it.Category = strings.TrimSpace(val)
		case "lesson":
			it.Lesson = strings.TrimSpace(val)
		case "kind":
			switch Kind(strings.TrimSpace(val)) {
			case Auto, Manual:
				it.Kind = Kind(strings.TrimSpace(val))
			default:
				return it, f.errAt(v, "invalid kind %q (want auto or manual)", val)
			}
		case "status":
			if strings.TrimSpace(val) == "" {
				break
			}
			st, err := ParseStatus(val)
			if err != nil {
				return it, f.errAt(v, "%v", err)
			}
			it.Status = st
		case "evidence":
			it.Evidence = val
		case "owner":
			it.Owner = val
		case "note":
			it.Note = val
		case "reviewed_by":
			it.ReviewedBy = val
		case "reviewed_at":
			if strings.TrimSpace(val) == "" {
				break
			}
			day, err := parseDay(val)
			if err != nil {
				return it, f.errAt(v, "reviewed_at %q is not a date (want YYYY-MM-DD)", val)
			}
			it.ReviewedAt = day
		}
	}
	if it.ID == "" {
		return it, f.errAt(n, "item without an id")
	}
	if !idPattern.MatchString(it.ID) {
		return it, f.errAt(n, "item id %q must be lower case letters, digits, '-', '_' or '.'", it.ID)
	}
	if strings.TrimSpace(it.Title) == "" {
		return it, f.errAt(n, "item %q has no title", it.ID)
	}
	if it.Category == "" {
		return it, f.errAt(n, "item %q has no category", it.ID)
	}
	if it.Kind == "" {
		it.Kind = Manual
	}
	if it.Kind == Auto && it.Status != "" && !it.Status.IsOverride() {
		return it, f.errAt(statusNode(n), "item %q is automatic: its status is computed from the repository; only n/a or accepted-risk may be set by hand (remove `status: %s`)", it.ID, it.Status)
	}
	if it.Kind == Manual && it.Status == "" {
		it.Status = Todo
	}
	return it, nil
}

func statusNode(m *yaml.Node) *yaml.Node {
	if v := lookup(m, "status"); v != nil {
		return v
	}
	return m
}

func knownKey(k string) bool {
	for _, key := range itemKeys {
		if k == key {
			return true
		}
	}
	return false
}

// parseDay accepts YYYY-MM-DD and RFC 3339 timestamps (their local day).
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation(DateLayout, s, time.Local); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return Today(t.Local()), nil
}

// lookup returns the value node of key in mapping m.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Item returns the item with this id.
func (f *File) Item(id string) (Item, bool) {
	for _, it := range f.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// IDs lists the item ids in file order.
func (f *File) IDs() []string {
	ids := make([]string, len(f.Items))
	for i, it := range f.Items {
		ids[i] = it.ID
	}
	return ids
}
