// Package tomlshape checks the shape of a TOML document before
// BurntSushi/toml decodes it.
//
// BurntSushi/toml (v1.6.0, the newest release) spends time and memory
// quadratic in the depth of a key: each part of a dotted key or a table
// header, and each inline table around it, copies the whole path so far
// (BurntSushi/toml#496). A 20 KB `a.a.a.… = 1` allocates 4 GB; an 840 KB
// `x = {a = {a = …}}` grew secfirst to 24 GB before the kernel killed it.
// Every TOML file secfirst reads comes from a repository (.secfirst.toml,
// osv-scanner.toml, lefthook.toml, Cargo.lock, poetry.lock, uv.lock,
// pdm.lock, pylock.toml), so one hostile commit would stall every hook and
// scan after it. Check parses the document with pelletier/go-toml, whose
// parser is linear in its input (gitleaks reads its own configuration with
// it), and refuses a document nested deeper than MaxDepth, which no file a
// person or a package manager writes comes near.
package tomlshape

import (
	"errors"
	"fmt"
	"strings"

	gotoml "github.com/pelletier/go-toml/v2"
)

// MaxDepth is how deep tables, dotted keys, arrays and inline tables may
// nest. The deepest real files nest a handful of levels (a Cargo.lock
// package's dependency list is 3); BurntSushi/toml decodes 64 levels in
// microseconds.
const MaxDepth = 64

// Error is a document Check refuses; Line is 0 when no line is to blame.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Check returns an *Error when data is not TOML (where and why, as
// pelletier/go-toml's parser says) or nests deeper than MaxDepth.
// A document two TOML 1.1 parsers disagree on is refused rather than handed
// to the one Check did not run.
func Check(data []byte) error {
	var doc map[string]any
	if err := gotoml.Unmarshal(data, &doc); err != nil {
		var de *gotoml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return &Error{Line: line, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
		}
		return &Error{Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	if deeper(doc, MaxDepth) {
		return &Error{Msg: fmt.Sprintf("tables, dotted keys, arrays and inline tables nest more than %d levels deep", MaxDepth)}
	}
	return nil
}

// deeper reports whether v nests more than levels maps and arrays, itself
// included. It stops at the first path too deep, so its own recursion is
// bounded by levels.
func deeper(v any, levels int) bool {
	switch v := v.(type) {
	case map[string]any:
		if levels == 0 {
			return true
		}
		for _, e := range v {
			if deeper(e, levels-1) {
				return true
			}
		}
	case []any:
		if levels == 0 {
			return true
		}
		for _, e := range v {
			if deeper(e, levels-1) {
				return true
			}
		}
	}
	return false
}
