package tomlshape

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// Files people and package managers write pass, and then decode as before.
func TestRealDocumentsPass(t *testing.T) {
	for name, doc := range map[string]string{
		"policy": `fail_on = "high"
disabled_checks = ["terraform"]

[[ignore]]
fingerprint = "264b2cf6d71fa5b9b1cf"  # [a comment with brackets {
reason = "test fixture ]]] }}}"
expires = 2027-01-31
`,
		"Cargo.lock": `version = 4

[[package]]
name = "serde"
version = "1.0.219"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"
dependencies = [
 "serde_derive",
]
`,
		"dotted and inline": "a.b.c = 1\n[x.y]\nz = { p.q = [[1, 2], [3]], r = { s = 't' } }\n'quoted.key'.\"x.y\" = '''\n[[[ not nesting {{{\n'''\n",
		"64 levels":         "a = " + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + "\n",
	} {
		if err := Check([]byte(doc)); err != nil {
			t.Errorf("%s: refused: %v", name, err)
			continue
		}
		var v map[string]any
		if _, err := toml.Decode(doc, &v); err != nil {
			t.Errorf("%s: BurntSushi/toml refuses what Check passed: %v", name, err)
		}
	}
}

// The shapes that cost BurntSushi/toml quadratic time and memory are refused
// by a check linear in their size: each bomb here would allocate gigabytes
// in toml.Decode.
func TestBombsAreRefused(t *testing.T) {
	const parts = 30000
	for name, doc := range map[string]string{
		"dotted key":          strings.Repeat("a.", parts) + "b = 1\n",
		"table header":        "[" + strings.Repeat("a.", parts) + "b]\nx = 1\n",
		"array table header":  "[[" + strings.Repeat("a.", parts) + "b]]\nx = 1\n",
		"inline tables":       "x = " + strings.Repeat("{a = ", parts) + "1" + strings.Repeat("}", parts) + "\n",
		"arrays":              "x = " + strings.Repeat("[", parts) + strings.Repeat("]", parts) + "\n",
		"arrays and tables":   "x = " + strings.Repeat("[{a = ", parts) + "1" + strings.Repeat("}]", parts) + "\n",
		"header then dotted":  "[" + strings.Repeat("a.", 40) + "b]\n" + strings.Repeat("c.", 40) + "d = 1\n",
		"inline dotted":       "x = {" + strings.Repeat("a.", parts) + "b = 1}\n",
		"just over the limit": "a = " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "\n",
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := Check([]byte(doc))
		runtime.ReadMemStats(&after)
		var shape *Error
		if !errors.As(err, &shape) || !strings.Contains(err.Error(), "nest") {
			t.Errorf("%s: want a refusal for nesting, got %v", name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%s: the check itself allocated %d MB for a %d KB document", name, alloc>>20, len(doc)>>10)
		}
	}
}

// A document that is not TOML is refused with the line to blame.
func TestSyntaxErrorsNameTheLine(t *testing.T) {
	err := Check([]byte("a = 1\nb = \n"))
	var shape *Error
	if !errors.As(err, &shape) || shape.Line != 2 || !strings.HasPrefix(err.Error(), "line 2: ") {
		t.Fatalf("want an error on line 2, got %#v", err)
	}
	if strings.Contains(err.Error(), "toml: ") {
		t.Errorf("the library's prefix is kept: %q", err)
	}
}
