package checklist

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/lessons"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(DateLayout, s, time.Local)
	if err != nil {
		panic(err)
	}
	return t
}

func strp(s string) *string { return &s }

func TestTemplateParsesAndCoversTheSixAreas(t *testing.T) {
	f, err := Parse("checklist.yaml", TemplateYAML())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) < 25 || len(f.Items) != len(Template) {
		t.Fatalf("template has %d items, want %d (at least 25)", len(f.Items), len(Template))
	}
	perArea := map[string]int{}
	auto := map[string]bool{}
	for _, p := range DefaultProviders() {
		// A provider that promotes verifies a manual item in the
		// repositories that hold what it reads.
		auto[p.ID] = !p.Promotes
	}
	for i, it := range f.Items {
		tpl := Template[i]
		if it.ID != tpl.ID || it.Title != tpl.Title || it.Category != tpl.Category || it.Lesson != tpl.Lesson || it.Kind != tpl.Kind {
			t.Errorf("item %d read back as %+v, want %+v", i, it, tpl)
		}
		if it.Lesson == "" {
			t.Errorf("%s has no lesson", it.ID)
		}
		perArea[it.Category]++
		// Every automatic item has a provider, and every provider an item.
		if (it.Kind == Auto) != auto[it.ID] {
			t.Errorf("%s: kind %s but provider present = %v", it.ID, it.Kind, auto[it.ID])
		}
		if it.Kind == Manual && it.Status != Todo {
			t.Errorf("%s: manual items start as todo, got %q", it.ID, it.Status)
		}
		if it.Kind == Auto && it.Status != "" {
			t.Errorf("%s: automatic items store no status, got %q", it.ID, it.Status)
		}
	}
	for _, a := range Areas {
		if perArea[a.ID] < 3 {
			t.Errorf("area %s has %d items, want at least 3", a.ID, perArea[a.ID])
		}
	}
	if len(perArea) != len(Areas) {
		t.Errorf("template uses categories %v, want exactly the six areas", perArea)
	}
	// The template reads back exactly: a no-op write changes nothing.
	out, err := f.Bytes()
	if err != nil || !bytes.Equal(out, TemplateYAML()) {
		t.Fatalf("unchanged file re-encoded differently (err %v)", err)
	}
}

func TestApplyKeepsCommentsBlankLinesAndLayout(t *testing.T) {
	src := `# Our checklist.
# Reviewed every quarter.

version: 1
items:
  # Identity first.
  - id: mfa-enforced   # the board asked for this
    title: MFA is enforced
    category: identity-and-access
    kind: manual
    status: todo    # ask IT
    owner: "Grace"

  - id: waf
    title: "A WAF: in front of everything"
    category: infrastructure
    kind: manual
    status: pass
    note: |
      Cloudflare in front of
      the public API.
    reviewed_by: Bob <bob@example.com>
    reviewed_at: 2020-01-02

  # Tail comment about the last item.
  - id: custom
    title: Something of our own
    category: our-own-area
`
	f, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Apply("mfa-enforced", Review{Status: Pass, Note: strp("Enforced in Okta: yes"), ReviewedBy: "Ada <ada@example.com>", ReviewedAt: day("2024-05-06")}, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := `# Our checklist.
# Reviewed every quarter.

version: 1
items:
  # Identity first.
  - id: mfa-enforced   # the board asked for this
    title: MFA is enforced
    category: identity-and-access
    kind: manual
    status: pass # ask IT
    owner: "Grace"
    note: 'Enforced in Okta: yes'
    reviewed_by: Ada <ada@example.com>
    reviewed_at: 2024-05-06

  - id: waf
    title: "A WAF: in front of everything"
    category: infrastructure
    kind: manual
    status: pass
    note: |
      Cloudflare in front of
      the public API.
    reviewed_by: Bob <bob@example.com>
    reviewed_at: 2020-01-02

  # Tail comment about the last item.
  - id: custom
    title: Something of our own
    category: our-own-area
`
	if string(out) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
	g, err := Parse("c.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	it, _ := g.Item("mfa-enforced")
	if it.Status != Pass || it.Note != "Enforced in Okta: yes" || it.ReviewedBy != "Ada <ada@example.com>" || !it.ReviewedAt.Equal(day("2024-05-06")) || it.Owner != "Grace" {
		t.Fatalf("read back %+v", it)
	}
	if c, _ := g.Item("custom"); c.Kind != Manual || c.Status != Todo {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestApplyMultilineNoteAndIndentFour(t *testing.T) {
	src := "version: 1\nitems:\n    - id: a\n      title: A\n      category: data\n"
	f, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Apply("a", Review{Status: Fail, Note: strp("line one\nline two"), ReviewedBy: "Ada", ReviewedAt: day("2024-01-01")}, ""); err != nil {
		t.Fatal(err)
	}
	out, _ := f.Bytes()
	want := "version: 1\nitems:\n    - id: a\n      title: A\n      category: data\n      status: fail\n      note: |-\n        line one\n        line two\n      reviewed_by: Ada\n      reviewed_at: 2024-01-01\n"
	if string(out) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestApplyAutoItems(t *testing.T) {
	src := "version: 1\nitems:\n  - id: security-policy\n    title: S\n    category: code-and-supply-chain\n    kind: auto\n"
	f, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := Review{Status: Pass, ReviewedBy: "Ada", ReviewedAt: day("2024-01-01")}
	var ae *AutoStatusError
	if err := f.Apply("security-policy", r, Fail); !errors.As(err, &ae) {
		t.Fatalf("setting pass on a failing automatic item: %v", err)
	}
	if out, _ := f.Bytes(); string(out) != src {
		t.Fatal("a refused change altered the file")
	}
	r.Status = AcceptedRisk
	if err := f.Apply("security-policy", r, Fail); err == nil || !strings.Contains(err.Error(), "note") {
		t.Fatalf("accepted-risk without a note: %v", err)
	}
	r.Note = strp("internal tool, no external reporters")
	if err := f.Apply("security-policy", r, Fail); err != nil {
		t.Fatal(err)
	}
	it, _ := f.Item("security-policy")
	if it.Status != AcceptedRisk {
		t.Fatalf("override not stored: %+v", it)
	}
	// Confirming the computed status clears the override.
	r = Review{Status: Fail, ReviewedBy: "Ada", ReviewedAt: day("2024-02-01")}
	if err := f.Apply("security-policy", r, Fail); err != nil {
		t.Fatal(err)
	}
	out, _ := f.Bytes()
	if strings.Contains(string(out), "status:") {
		t.Fatalf("override kept after confirming the computed status:\n%s", out)
	}
	if _, err := Parse("c.yaml", out); err != nil {
		t.Fatal(err)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"syntax", "version: 1\nitems:\n  - id: a\n    title: [unclosed\n  - id: b\n", 4, "invalid YAML"},
		{"tab", "version: 1\nitems:\n\t- id: a\n", 3, "invalid YAML"},
		{"empty", "", 1, "empty"},
		{"not a mapping", "- a\n- b\n", 1, "mapping"},
		{"no version", "items: []\n", 1, "version"},
		{"bad version", "version: 9\nitems: []\n", 1, "unsupported"},
		{"unknown top key", "version: 1\nitemz: []\n", 2, "unknown key"},
		{"unknown item key", "version: 1\nitems:\n  - id: a\n    title: A\n    category: c\n    reviewd_by: x\n", 6, `unknown key "reviewd_by"`},
		{"bad status", "version: 1\nitems:\n  - id: a\n    title: A\n    category: c\n    status: done\n", 6, "invalid status"},
		{"bad kind", "version: 1\nitems:\n  - id: a\n    title: A\n    category: c\n    kind: robot\n", 6, "invalid kind"},
		{"bad date", "version: 1\nitems:\n  - id: a\n    title: A\n    category: c\n    reviewed_at: last week\n", 6, "not a date"},
		{"duplicate id", "version: 1\nitems:\n  - id: a\n    title: A\n    category: c\n  - id: a\n    title: B\n    category: c\n", 6, "duplicate item id"},
		{"duplicate key", "version: 1\nitems:\n  - id: a\n    title: A\n    title: B\n    category: c\n", 5, "twice"},
		{"no id", "version: 1\nitems:\n  - title: A\n    category: c\n", 3, "without an id"},
		{"auto with pass", "version: 1\nitems:\n  - id: a\n    title: A\n    category: c\n    kind: auto\n    status: pass\n", 7, "automatic"},
		{"list value", "version: 1\nitems:\n  - id: a\n    title: [x, y]\n    category: c\n", 4, "single value"},
		{"alias", "version: 1\nitems:\n  - &x\n    id: a\n    title: A\n    category: c\n  - *x\n", 7, "mapping"},
		{"two documents", "version: 1\nitems: []\n---\nversion: 1\n", 3, "more than one"},
		{"control character", "version: 1\nitems:\n  - id: a\x01\n", 3, "invalid YAML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x/checklist.yaml", []byte(c.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
				t.Fatalf("got %q (line %d), want line %d containing %q", err, pe.Line, c.line, c.msg)
			}
			if !strings.HasPrefix(err.Error(), "x/checklist.yaml:") {
				t.Fatalf("error does not name the file: %q", err)
			}
		})
	}
}

func TestSaveIsAtomicAndRefusesConcurrentChanges(t *testing.T) {
	p := Path(gittest.New(t).Dir)
	dir := filepath.Dir(p)
	os.MkdirAll(dir, 0o755)
	src := "version: 1\nitems:\n  - id: a\n    title: A\n    category: data\n"
	if err := os.WriteFile(p, []byte(src), 0o640); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Apply("a", Review{Status: Pass, ReviewedBy: "Ada", ReviewedAt: day("2024-01-01")}, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode not kept: %v %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	// Someone edits the file after it was read: Save must not clobber it.
	f2, _ := Load(p)
	if err := f2.Apply("a", Review{Status: Fail, ReviewedBy: "Ada", ReviewedAt: day("2024-01-02")}, ""); err != nil {
		t.Fatal(err)
	}
	edited := []byte("# edited by hand\n" + src)
	os.WriteFile(p, edited, 0o640)
	if err := f2.Save(); err == nil || !strings.Contains(err.Error(), "changed on disk") {
		t.Fatalf("Save over a concurrent edit: %v", err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, edited) {
		t.Fatal("concurrent edit lost")
	}
}

func TestInitNeverOverwrites(t *testing.T) {
	root := gittest.New(t).Dir
	p, created, err := Init(root)
	if err != nil || !created {
		t.Fatalf("first init: created=%v err=%v", created, err)
	}
	if ig, _ := os.ReadFile(filepath.Join(root, Dir, IgnoreName)); string(ig) != IgnoreText {
		t.Fatalf(".secfirst/.gitignore holds %q", ig)
	}
	first, _ := os.ReadFile(p)
	if !bytes.Equal(first, TemplateYAML()) {
		t.Fatal("init did not write the template")
	}
	os.WriteFile(p, []byte("mine"), 0o644)
	_, created, err = Init(root)
	if err != nil || created {
		t.Fatalf("second init: created=%v err=%v", created, err)
	}
	if got, _ := os.ReadFile(p); string(got) != "mine" {
		t.Fatal("init overwrote an existing file")
	}
	// The exclusive create itself refuses an existing name.
	if err := atomicfile.CreateExclusive(p, []byte("x"), 0o644); !errors.Is(err, os.ErrExist) {
		t.Fatalf("CreateExclusive over a file: %v", err)
	}
}

func TestStaleness(t *testing.T) {
	now := day("2024-06-30")
	manual := Item{Kind: Manual, Status: Pass, ReviewedAt: day("2024-04-01")} // 90 days before
	if !IsStale(manual, 90, now) {
		t.Error("a review 90 days old is stale at 90 days")
	}
	manual.ReviewedAt = day("2024-04-02")
	if IsStale(manual, 90, now) {
		t.Error("a review 89 days old is not stale")
	}
	if IsStale(Item{Kind: Manual, Status: Todo}, 90, now) {
		t.Error("an unreviewed item is unreviewed, not stale")
	}
	if IsStale(Item{Kind: Auto, ReviewedAt: day("2020-01-01")}, 90, now) {
		t.Error("an automatic item is verified on every read and never stale")
	}
	if !IsStale(Item{Kind: Auto, Status: AcceptedRisk, ReviewedAt: day("2020-01-01")}, 90, now) {
		t.Error("an old accepted-risk override on an automatic item is stale")
	}
}

func TestRelayoutFallsBackWhenMeaningWouldChange(t *testing.T) {
	// Whatever relayout does, Bytes only keeps a text that means what the
	// encoder wrote; check on a file whose lines are all unusual.
	src := "version:    1\nitems:\n- id: a\n  title:   A   # t\n  category: data\n"
	f, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Apply("a", Review{Status: Pass, ReviewedBy: "Ada", ReviewedAt: day("2024-01-01")}, ""); err != nil {
		t.Fatal(err)
	}
	out, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse("c.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	it, _ := g.Item("a")
	if it.Status != Pass || it.Title != "A" || !strings.Contains(string(out), "# t") {
		t.Fatalf("got %+v from\n%s", it, out)
	}
}

func TestCRLFKept(t *testing.T) {
	src := "version: 1\r\nitems:\r\n  - id: a\r\n    title: A\r\n    category: data\r\n"
	f, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f.Apply("a", Review{Status: Pass, ReviewedBy: "Ada", ReviewedAt: day("2024-01-01")}, "")
	out, _ := f.Bytes()
	if bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) || !bytes.HasPrefix(out, []byte("version: 1\r\nitems:\r\n")) {
		t.Fatalf("line endings changed: %q", out)
	}
}

func TestSyntaxErrorLines(t *testing.T) {
	cases := []struct {
		src  string
		line int
	}{
		{"version: 1\nitems:\n  - id: a\n    title: x\n   bad: y\n", 5},
		{"version: 1\nitems:\n  - id: a\n    title: x\n    - b\n", 5},
		{"a: b: c\n", 1},
		{"version: 1\nitems:\n  - id: a\n    title: \"x\n  - id: b\n", 4},
		{"version: 1\nitems:\n  - id: a\n    note: \"two\n      lines\"\n    title: x\n   bad: y\n", 7},
	}
	for _, c := range cases {
		_, err := Parse("c.yaml", []byte(c.src))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != c.line {
			t.Errorf("%q: got %v, want line %d", c.src, err, c.line)
		}
	}
}

func TestEveryTemplateLessonResolves(t *testing.T) {
	if err := lessons.Err(); err != nil {
		t.Fatal(err)
	}
	for _, it := range Template {
		if _, ok := lessons.Get(it.Lesson); !ok {
			t.Errorf("%s links to lesson %q, which `secfirst learn` does not know", it.ID, it.Lesson)
		}
	}
}
