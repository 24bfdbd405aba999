package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A hook manager's configuration is the team's file: secfirst adds its
// entry by inserting lines, so that every other byte (comments, blank
// lines, quoting, indentation) stays as the team wrote it. The YAML node
// tree says where the lines go; the result is parsed again and must decode
// to exactly the old document plus the new entry, or the edit is refused.

// yamlDoc is a YAML file, its lines and its parsed node tree.
type yamlDoc struct {
	src   []byte
	lines []string // without their "\n"; a "\r" stays on its line
	eol   string   // "\r\n" when the file uses it, else "\n"
	root  *yaml.Node
}

func parseYAMLDoc(src []byte) (*yamlDoc, error) {
	d := &yamlDoc{src: src, eol: "\n"}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		d.root = doc.Content[0]
		if d.root.Kind != yaml.MappingNode && !isNull(d.root) {
			return nil, fmt.Errorf("the file holds a %s, not a mapping of keys", kindName(d.root))
		}
	}
	text := string(src)
	if strings.Contains(text, "\r\n") {
		d.eol = "\r\n"
	}
	text = strings.TrimSuffix(text, "\n")
	if text != "" {
		d.lines = strings.Split(text, "\n")
	}
	return d, nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	}
	return "document of another kind"
}

// get returns the value of key in mapping m, and the key node.
func get(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// blockEnd is the index of the first line after the block that value v
// (of a key at column keyCol) spans: the next line of content that is less
// indented than v, or a line at the key's own column that does not carry a
// list item of v.
func (d *yamlDoc) blockEnd(keyCol int, v *yaml.Node) int {
	for i := v.Line; i < len(d.lines); i++ {
		line := strings.TrimRight(d.lines[i], "\r")
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(trimmed) + 1 // a column, as the parser counts
		if indent < v.Column || indent <= keyCol && !(v.Kind == yaml.SequenceNode && strings.HasPrefix(trimmed, "-")) {
			return i
		}
	}
	return len(d.lines)
}

// lastContent is the index of the last line of content (not blank, not a
// comment) in lines[from:to], or from-1 when there is none.
func (d *yamlDoc) lastContent(from, to int) int {
	for i := to - 1; i >= from; i-- {
		t := strings.TrimSpace(d.lines[i])
		if t != "" && !strings.HasPrefix(t, "#") {
			return i
		}
	}
	return from - 1
}

// insert returns the file with lines added before line index at, in the
// file's own line endings.
func (d *yamlDoc) insert(at int, add []string) []byte {
	cr := ""
	if d.eol == "\r\n" {
		cr = "\r"
	}
	finalNewline := len(d.src) == 0 || bytes.HasSuffix(d.src, []byte("\n"))
	out := append([]string{}, d.lines[:at]...)
	if at == len(d.lines) && at > 0 && !finalNewline {
		out[at-1] += cr // the last line gets the newline it lacked
	}
	for _, a := range add {
		out = append(out, a+cr)
	}
	out = append(out, d.lines[at:]...)
	text := strings.Join(out, "\n")
	if finalNewline || at == len(d.lines) {
		text += "\n"
	}
	return []byte(text)
}

// addUnder inserts lines at the end of the block of v, the value of key k.
func (d *yamlDoc) addUnder(k, v *yaml.Node, lines []string) []byte {
	end := d.blockEnd(k.Column, v)
	return d.insert(d.lastContent(k.Line-1, end)+1, lines)
}

// indent prefixes every line with n spaces.
func indent(lines []string, n int) []string {
	pad := strings.Repeat(" ", n)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = pad + l
	}
	return out
}

// errNotEditable is a configuration secfirst does not edit in place (flow
// style, another format, a shape it does not know): the person adds the
// entry by hand.
var errNotEditable = errors.New("cannot be edited in place")

// verifyEdit checks that after decodes to before with the change made by
// want applied to before's decoded form.
func verifyEdit(before, after []byte, want func(doc map[string]any) error) error {
	var old, got map[string]any
	if err := yaml.Unmarshal(before, &old); err != nil {
		return err
	}
	if err := yaml.Unmarshal(after, &got); err != nil {
		return fmt.Errorf("%w: the edited file would not parse: %v", errNotEditable, err)
	}
	if old == nil {
		old = map[string]any{}
	}
	if err := want(old); err != nil {
		return err
	}
	if !reflect.DeepEqual(old, got) {
		return fmt.Errorf("%w: adding the lines would change more than the new entry", errNotEditable)
	}
	return nil
}
