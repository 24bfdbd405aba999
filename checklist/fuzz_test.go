package checklist

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzChecklist feeds the reader arbitrary text. It must never panic (a
// panic inside the YAML library is reported as "cannot parse", which the
// fuzzer treats as a failure too), every error must be a ParseError with a
// line inside the file, and every file it accepts must survive a review
// written back: the new text parses to the same items with the change.
func FuzzChecklist(f *testing.F) {
	f.Add(TemplateYAML())
	f.Add([]byte("version: 1\nitems: []\n"))
	f.Add([]byte("version: 1\nitems:\n  - id: a\n    title: A\n    category: data\n    note: |\n      two\n      lines\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cl, err := Parse("c.yaml", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %v", err)
			}
			if strings.HasPrefix(pe.Msg, "cannot parse:") {
				t.Fatalf("the parser panicked: %v", err)
			}
			if lines := bytes.Count(data, []byte("\n")) + 1; pe.Line < 0 || pe.Line > lines {
				t.Fatalf("error line %d outside the file's %d lines: %v", pe.Line, lines, err)
			}
			return
		}
		if out, err := cl.Bytes(); err != nil || !bytes.Equal(out, data) {
			t.Fatalf("an unchanged file is not written back byte for byte (err %v)", err)
		}
		if len(cl.Items) == 0 {
			return
		}
		first := cl.Items[0]
		status := Pass
		if first.Kind == Auto {
			status = NA
		}
		note := "fuzz: checked\nsecond line"
		r := Review{Status: status, Note: &note, ReviewedBy: "Ada <ada@example.com>", ReviewedAt: day("2024-05-06")}
		if err := cl.Apply(first.ID, r, ""); err != nil {
			t.Fatalf("apply: %v", err)
		}
		out, err := cl.Bytes()
		if err != nil {
			t.Fatalf("bytes: %v", err)
		}
		again, err := Parse("c.yaml", out)
		if err != nil {
			t.Fatalf("the written file does not parse: %v\n--- in\n%s\n--- out\n%s", err, data, out)
		}
		if len(again.Items) != len(cl.Items) {
			t.Fatalf("%d items became %d", len(cl.Items), len(again.Items))
		}
		got := again.Items[0]
		if got.ID != first.ID || got.Status != status || got.Note != note || got.ReviewedBy != r.ReviewedBy || !got.ReviewedAt.Equal(r.ReviewedAt) {
			t.Fatalf("the review did not read back: %+v", got)
		}
		for i := 1; i < len(cl.Items); i++ {
			a, b := cl.Items[i], again.Items[i]
			a.Line, b.Line = 0, 0
			if a != b {
				t.Fatalf("item %d changed:\n%+v\n%+v", i, a, b)
			}
		}
	})
}
