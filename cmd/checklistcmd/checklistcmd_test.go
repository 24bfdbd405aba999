package checklistcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checklist"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func TestMain(m *testing.M) {
	// git runs with the process environment: no user or system
	// configuration, and no vulnerability database.
	os.Exit(gittest.Main(m, func(tmp string) {
		os.Setenv("SECFIRST_OSV_DB", filepath.Join(tmp, "no-osv-db"))
	}))
}

var today = time.Date(2024, 6, 30, 15, 4, 5, 0, time.Local)

type env struct {
	t    *testing.T
	repo *gittest.Repo
	ios  *iostreams.IOStreams
	in   *bytes.Buffer
	out  *bytes.Buffer
	err  *bytes.Buffer
	opts *Options
}

func newEnv(t *testing.T) *env {
	t.Helper()
	r := gittest.New(t)
	r.Write("README.md", "# app\n")
	r.Commit("init")
	return envFor(t, r)
}

func envFor(t *testing.T, r *gittest.Repo) *env {
	ios, in, out, errOut := iostreams.Test()
	e := &env{t: t, repo: r, ios: ios, in: in, out: out, err: errOut}
	e.opts = &Options{
		IO: ios, Dir: r.Dir,
		Now:  func() time.Time { return today },
		Repo: checklist.RepoOptions{CacheDir: t.TempDir()},
	}
	return e
}

func (e *env) reset() { e.out.Reset(); e.err.Reset() }

func (e *env) path() string { return filepath.Join(e.repo.Dir, ".secfirst", "checklist.yaml") }

func (e *env) read() []byte {
	e.t.Helper()
	data, err := os.ReadFile(e.path())
	if err != nil {
		e.t.Fatal(err)
	}
	return data
}

func (e *env) write(s string) {
	e.t.Helper()
	e.repo.Write(".secfirst/checklist.yaml", s)
}

func code(err error) int { return cmdutil.Code(err) }

func (e *env) status(format string) (*checklist.Report, int) {
	e.t.Helper()
	e.reset()
	err := RunStatus(context.Background(), &StatusOptions{Options: e.opts, Format: format})
	if code(err) == 2 {
		e.t.Fatalf("status: %v", err)
	}
	if format != "json" {
		return nil, code(err)
	}
	var rep checklist.Report
	if err := json.Unmarshal(e.out.Bytes(), &rep); err != nil {
		e.t.Fatalf("status JSON: %v\n%s", err, e.out)
	}
	return &rep, code(err)
}

func entry(t *testing.T, rep *checklist.Report, id string) checklist.Entry {
	t.Helper()
	for _, it := range rep.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no item %s in the report", id)
	return checklist.Entry{}
}

func TestInitWritesTheTemplateAndASecondInitChangesNothing(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	first := e.read()
	if !bytes.Equal(first, checklist.TemplateYAML()) {
		t.Fatal("init did not write the template")
	}
	if !strings.Contains(e.err.String(), "Wrote .secfirst/checklist.yaml") {
		t.Fatalf("stderr: %s", e.err)
	}
	fi1, _ := os.Stat(e.path())

	e.reset()
	// From a subdirectory: init finds the repository root.
	sub := filepath.Join(e.repo.Dir, "src", "pkg")
	os.MkdirAll(sub, 0o755)
	e.opts.Dir = sub
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.read(), first) {
		t.Fatal("a second init changed the file")
	}
	fi2, _ := os.Stat(e.path())
	if !fi1.ModTime().Equal(fi2.ModTime()) || !os.SameFile(fi1, fi2) {
		t.Fatal("a second init rewrote the file")
	}
	if !strings.Contains(e.err.String(), "already exists; left unchanged") {
		t.Fatalf("stderr: %s", e.err)
	}
	entries, _ := os.ReadDir(filepath.Dir(e.path()))
	if len(entries) != 2 || entries[0].Name() != checklist.IgnoreName || entries[1].Name() != checklist.FileName {
		t.Fatalf(".secfirst holds %v, want .gitignore and checklist.yaml only", entries)
	}
}

func TestStatusJSONOfTheTemplate(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	rep, exit := e.status("json")
	if exit != 1 {
		t.Fatalf("exit %d, want 1: the hook item fails in a fresh repository", exit)
	}
	if len(rep.Items) != len(checklist.Template) {
		t.Fatalf("%d items, want %d", len(rep.Items), len(checklist.Template))
	}
	hook := entry(t, rep, "secret-scanning-hook")
	if hook.Status != checklist.Fail || hook.Kind != checklist.Auto || !strings.Contains(hook.Evidence, "secfirst hooks install") {
		t.Fatalf("hook item: %+v", hook)
	}
	if it := entry(t, rep, "mfa-enforced"); it.Status != checklist.Todo || it.Kind != checklist.Manual || it.Lesson != "mfa" || it.Stale {
		t.Fatalf("mfa item: %+v", it)
	}
	// The exact keys of the contract, in every item and the summary.
	var raw struct {
		Items   []map[string]any `json:"items"`
		Summary map[string]int   `json:"summary"`
	}
	if err := json.Unmarshal(e.out.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	keys := []string{"id", "title", "category", "kind", "status", "stale", "evidence", "owner", "note", "reviewed_by", "reviewed_at", "lesson"}
	for _, it := range raw.Items {
		if len(it) != len(keys) {
			t.Fatalf("item keys %v, want %v", it, keys)
		}
		for _, k := range keys {
			if _, ok := it[k]; !ok {
				t.Fatalf("item without %q: %v", k, it)
			}
		}
	}
	total := 0
	for _, k := range []string{"pass", "fail", "todo", "n/a", "accepted-risk"} {
		v, ok := raw.Summary[k]
		if !ok {
			t.Fatalf("summary without %q: %v", k, raw.Summary)
		}
		total += v
	}
	if _, ok := raw.Summary["stale"]; !ok || total != len(rep.Items) {
		t.Fatalf("summary %v does not count %d items", raw.Summary, len(rep.Items))
	}
	if e.err.Len() != 0 {
		t.Fatalf("JSON mode wrote to stderr: %s", e.err)
	}
}

const manualOnly = `version: 1
items:
  - id: mfa-enforced
    title: MFA is enforced
    category: identity-and-access
    lesson: mfa
    kind: manual
    status: pass
    reviewed_by: Grace <grace@example.com>
    reviewed_at: %s
  - id: waf
    title: A WAF in front of every entry point
    category: infrastructure
    lesson: waf
    kind: manual
    status: n/a
    note: no public endpoint
`

func TestStaleItemMakesStatusExit1(t *testing.T) {
	e := newEnv(t)
	e.write(fmt.Sprintf(manualOnly, "2024-06-01"))
	rep, exit := e.status("json")
	if exit != 0 || rep.Summary.Stale != 0 || rep.Summary.Pass != 1 || rep.Summary.NA != 1 {
		t.Fatalf("fresh review: exit %d, summary %+v", exit, rep.Summary)
	}

	e.write(fmt.Sprintf(manualOnly, "2024-03-01")) // 121 days before today
	rep, exit = e.status("json")
	if exit != 1 {
		t.Fatalf("exit %d with a stale item, want 1", exit)
	}
	if it := entry(t, rep, "mfa-enforced"); !it.Stale || it.Status != checklist.Pass || it.ReviewedAt != "2024-03-01" || it.ReviewedBy != "Grace <grace@example.com>" {
		t.Fatalf("stale item: %+v", it)
	}
	if rep.Summary.Stale != 1 {
		t.Fatalf("summary: %+v", rep.Summary)
	}
	_, exit = e.status("text")
	if exit != 1 || !strings.Contains(e.out.String(), "STALE (121 days)") || !strings.Contains(e.out.String(), "1 stale") {
		t.Fatalf("text status (exit %d):\n%s", exit, e.out)
	}

	// The review period comes from .secfirst.toml.
	e.repo.Write(".secfirst.toml", "[checklist]\nstale_after_days = 180\n")
	if _, exit = e.status("json"); exit != 0 {
		t.Fatalf("exit %d with stale_after_days = 180", exit)
	}
}

func TestFailingManualItemMakesStatusExit1(t *testing.T) {
	e := newEnv(t)
	e.write(strings.Replace(fmt.Sprintf(manualOnly, "2024-06-01"), "status: pass", "status: fail", 1))
	if _, exit := e.status("text"); exit != 1 || !strings.Contains(e.out.String(), "✗ fail") || !strings.Contains(e.out.String(), "Not done: 1 failing") {
		t.Fatalf("exit %d:\n%s", exit, e.out)
	}
}

func TestSetRecordsReviewAndKeepsHandComments(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	// A comment added by hand, on the item and beside a value.
	orig := string(e.read())
	edited := strings.Replace(orig, "  - id: mfa-enforced\n", "  # Okta covers staff; contractors are on Google.\n  - id: mfa-enforced\n", 1)
	edited = strings.Replace(edited, "    lesson: mfa\n", "    lesson: mfa # see the onboarding deck\n", 1)
	if edited == orig {
		t.Fatal("template layout changed; update the test")
	}
	e.write(edited)

	opts := &SetOptions{Options: e.opts, ID: "mfa-enforced", Status: "pass", Note: strp("Enforced in Okta for everyone")}
	if err := RunSet(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	got := string(e.read())
	for _, want := range []string{
		"  # Okta covers staff; contractors are on Google.\n  - id: mfa-enforced\n",
		"    lesson: mfa # see the onboarding deck\n",
		"    status: pass\n    note: Enforced in Okta for everyone\n    reviewed_by: Ada Tester <ada@example.com>\n    reviewed_at: 2024-06-30\n",
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("file lacks %q:\n%s", want, got)
		}
	}
	// Nothing else changed: the rest of the file is byte for byte the same.
	if strings.Replace(got, "    status: pass\n    note: Enforced in Okta for everyone\n    reviewed_by: Ada Tester <ada@example.com>\n    reviewed_at: 2024-06-30\n", "    status: todo\n", 1) != edited {
		t.Fatalf("set changed more than the item:\n%s", got)
	}
	rep, _ := e.status("json")
	it := entry(t, rep, "mfa-enforced")
	if it.Status != checklist.Pass || it.Note != "Enforced in Okta for everyone" || it.ReviewedBy != "Ada Tester <ada@example.com>" || it.ReviewedAt != "2024-06-30" || it.Stale {
		t.Fatalf("read back: %+v", it)
	}

	// Without --note the note is kept; the new status and date are recorded.
	e.opts.Now = func() time.Time { return today.AddDate(0, 0, 3) }
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "mfa-enforced", Status: "fail"}); err != nil {
		t.Fatal(err)
	}
	rep, _ = e.status("json")
	if it := entry(t, rep, "mfa-enforced"); it.Status != checklist.Fail || it.Note != "Enforced in Okta for everyone" || it.ReviewedAt != "2024-07-03" {
		t.Fatalf("second set: %+v", it)
	}
}

func strp(s string) *string { return &s }

func TestSetRefusesWhatItCannotRecord(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	before := e.read()
	cases := []struct {
		opts SetOptions
		want string
	}{
		{SetOptions{ID: "mfa-enforcd", Status: "pass"}, `did you mean mfa-enforced`},
		{SetOptions{ID: "mfa-enforced", Status: "done"}, `invalid status "done"`},
		{SetOptions{ID: "waf", Status: "accepted-risk"}, "needs a note"},
		// The hook is not installed: secfirst will not record a pass.
		{SetOptions{ID: "secret-scanning-hook", Status: "pass"}, "is checked automatically and is fail now"},
	}
	for _, c := range cases {
		c.opts.Options = e.opts
		err := RunSet(context.Background(), &c.opts)
		if code(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("set %s --status %s: exit %d, %v; want %q", c.opts.ID, c.opts.Status, code(err), err, c.want)
		}
	}
	if !bytes.Equal(e.read(), before) {
		t.Fatal("a refused set changed the file")
	}

	// An override with a note is recorded on an automatic item.
	err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "secret-scanning-hook", Status: "accepted-risk", Note: strp("CI scans every push")})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := e.status("json")
	if it := entry(t, rep, "secret-scanning-hook"); it.Status != checklist.AcceptedRisk || it.Note != "CI scans every push" || !strings.Contains(it.Evidence, "no secret-scanning pre-commit hook") {
		t.Fatalf("override: %+v", it)
	}

	// Without git's user.name and user.email the review cannot be attributed.
	e.repo.Git("config", "--unset", "user.name")
	e.repo.Git("config", "--unset", "user.email")
	err = RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "waf", Status: "pass"})
	if code(err) != 2 || !strings.Contains(err.Error(), "user.name") {
		t.Fatalf("set without a git identity: %v", err)
	}
}

func TestBrokenYAMLIsRefusedWithItsLineAndLeftUnchanged(t *testing.T) {
	e := newEnv(t)
	broken := "version: 1\nitems:\n  - id: waf\n    title: A WAF\n    category: infrastructure\n    note: [unclosed\n  - id: mfa\n    title: MFA\n    category: identity-and-access\n"
	e.write(broken)
	fi1, _ := os.Stat(e.path())
	runs := map[string]func() error{
		"status": func() error { return RunStatus(context.Background(), &StatusOptions{Options: e.opts, Format: "json"}) },
		"set": func() error {
			return RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "waf", Status: "pass"})
		},
		"export": func() error {
			return RunExport(context.Background(), &ExportOptions{Options: e.opts, Format: "markdown"})
		},
		"review": func() error {
			e.in.WriteString("p\n\n")
			return RunReview(context.Background(), &ReviewOptions{Options: e.opts, Stdin: true})
		},
		"init": func() error { return RunInit(context.Background(), &InitOptions{Options: e.opts}) },
	}
	for name, run := range runs {
		e.reset()
		err := run()
		if name == "init" {
			if err != nil {
				t.Errorf("init over a broken file: %v", err)
			}
		} else if code(err) != 2 || !strings.Contains(err.Error(), filepath.Join(".secfirst", "checklist.yaml")+":6:") {
			t.Errorf("%s: exit %d, %v; want exit 2 naming checklist.yaml:6", name, code(err), err)
		}
		if e.out.Len() != 0 {
			t.Errorf("%s printed on stdout: %s", name, e.out)
		}
		if got := e.read(); string(got) != broken {
			t.Fatalf("%s changed the broken file", name)
		}
	}
	fi2, _ := os.Stat(e.path())
	if !os.SameFile(fi1, fi2) || !fi1.ModTime().Equal(fi2.ModTime()) {
		t.Fatal("the broken file was rewritten")
	}
}

func TestExportContainsEveryItem(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "waf", Status: "pass", Note: strp("Cloudflare | in front")}); err != nil {
		t.Fatal(err)
	}
	e.reset()
	if err := RunExport(context.Background(), &ExportOptions{Options: e.opts, Format: "markdown"}); err != nil {
		t.Fatalf("export exits 0 even with failing items: %v", err)
	}
	md := e.out.String()
	for _, it := range checklist.Template {
		if !strings.Contains(md, "`"+it.ID+"`") || !strings.Contains(md, "**"+strings.ReplaceAll(strings.ReplaceAll(it.Title, "<", "&lt;"), ">", "&gt;")+"**") {
			t.Errorf("markdown lacks %s", it.ID)
		}
	}
	for _, a := range checklist.Areas {
		if !strings.Contains(md, "\n## "+a.Title+"\n") {
			t.Errorf("markdown lacks the area %q", a.Title)
		}
	}
	for _, want := range []string{"Note: Cloudflare \\| in front", "Ada Tester &lt;ada@example.com&gt;, 2024-06-30", "❌ fail", "no secret-scanning pre-commit hook"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// Areas come in the order of PRODUCT.md.
	last := -1
	for _, a := range checklist.Areas {
		i := strings.Index(md, "## "+a.Title)
		if i < last {
			t.Errorf("area %s out of order", a.Title)
		}
		last = i
	}

	e.reset()
	if err := RunExport(context.Background(), &ExportOptions{Options: e.opts, Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var doc checklist.ExportDocument
	if err := json.Unmarshal(e.out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != len(checklist.Template) || doc.ExportedAt != "2024-06-30" || doc.StaleAfterDays != 90 || doc.Summary.Total() != len(checklist.Template) {
		t.Fatalf("json export: %d items, %+v", len(doc.Items), doc)
	}
}

func TestExportMarksStaleItems(t *testing.T) {
	e := newEnv(t)
	e.write(fmt.Sprintf(manualOnly, "2024-01-01"))
	if err := RunExport(context.Background(), &ExportOptions{Options: e.opts, Format: "markdown"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), "Grace &lt;grace@example.com&gt;, 2024-01-01 ⏰ **stale** (181 days)") {
		t.Fatalf("no stale mark:\n%s", e.out)
	}
}

func TestReviewWithPipedAnswers(t *testing.T) {
	e := newEnv(t)
	e.write(`version: 1
items:
  # Hand comment.
  - id: mfa-enforced
    title: MFA is enforced
    category: identity-and-access
    kind: manual
    status: pass
    reviewed_by: Grace
    reviewed_at: 2024-06-20
  - id: waf
    title: A WAF in front of every entry point
    category: infrastructure
    kind: manual
  - id: sso
    title: SSO
    category: identity-and-access
    kind: manual
    status: pass
    reviewed_by: Grace
    reviewed_at: 2023-01-01
  - id: security-policy
    title: A SECURITY.md
    category: code-and-supply-chain
    kind: auto
  - id: pentest
    title: Pen test
    category: operations
    kind: manual
`)
	// Order: areas first (code, infrastructure, identity, operations):
	// security-policy (auto, fails), waf, sso (stale), pentest.
	e.in.WriteString(strings.Join([]string{
		"p", // security-policy: pass contradicts the evidence, asked again
		"a", // accepted-risk...
		"",  // ...needs a note
		"internal tool",
		"x",  // waf: not an answer
		"n",  // waf: n/a
		"",   // no note
		"",   // sso: Enter keeps pass
		"- ", // note "-": nothing to remove
		"q",  // quit before pentest
		"",
	}, "\n"))
	err := RunReview(context.Background(), &ReviewOptions{Options: e.opts, Stdin: true})
	if err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	for _, want := range []string{
		"4 items to review as Ada Tester <ada@example.com>",
		"[1/4] Code and supply chain · security-policy (auto)",
		"secfirst finds: fail — no SECURITY.md",
		"secfirst verifies this item and finds fail",
		"accepted-risk needs a note",
		`"x" is not an answer here`,
		"[3/4] Identity and access · sso (manual)",
		"days ago, stale",
		"Stopped: 3 reviewed, 0 skipped, 1 left.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("review output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "mfa-enforced") {
		t.Error("review asked about an item reviewed 10 days ago")
	}
	rep, _ := e.status("json")
	check := func(id string, st checklist.Status, note, at string) {
		t.Helper()
		it := entry(t, rep, id)
		if it.Status != st || it.Note != note || it.ReviewedAt != at {
			t.Errorf("%s: %+v; want %s, note %q, reviewed %s", id, it, st, note, at)
		}
	}
	check("security-policy", checklist.AcceptedRisk, "internal tool", "2024-06-30")
	check("waf", checklist.NA, "", "2024-06-30")
	check("sso", checklist.Pass, "", "2024-06-30")
	check("pentest", checklist.Todo, "", "")
	check("mfa-enforced", checklist.Pass, "", "2024-06-20")
	if !strings.Contains(string(e.read()), "  # Hand comment.\n  - id: mfa-enforced\n") {
		t.Fatalf("review lost a hand comment:\n%s", e.read())
	}
}

func TestReviewRefusesANonTerminalUnlessAskedTo(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	before := e.read()
	e.in.WriteString("p\n")
	err := RunReview(context.Background(), &ReviewOptions{Options: e.opts})
	if code(err) != 2 || !strings.Contains(err.Error(), "--stdin") {
		t.Fatalf("review without a terminal: %v", err)
	}
	if !bytes.Equal(e.read(), before) {
		t.Fatal("file changed")
	}
	// Input that ends early stops cleanly and keeps what was answered.
	e.in.Reset()
	e.in.WriteString("s\n")
	if err := RunReview(context.Background(), &ReviewOptions{Options: e.opts, Stdin: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), "End of input: 0 reviewed, 1 skipped") {
		t.Fatalf("output:\n%s", e.out)
	}
}

func TestOutsideARepositoryAndWithoutAChecklist(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	opts := &Options{IO: ios, Dir: t.TempDir()}
	err := RunStatus(context.Background(), &StatusOptions{Options: opts, Format: "text"})
	if code(err) != 2 || !strings.Contains(err.Error(), "not inside a git repository") || out.Len() != 0 {
		t.Fatalf("outside a repository: %v", err)
	}
	e := newEnv(t)
	err = RunStatus(context.Background(), &StatusOptions{Options: e.opts, Format: "json"})
	if code(err) != 2 || !strings.Contains(err.Error(), "secfirst checklist init") {
		t.Fatalf("without a checklist: %v", err)
	}
	err = RunStatus(context.Background(), &StatusOptions{Options: e.opts, Format: "yaml"})
	if code(err) != 2 || !strings.Contains(err.Error(), "--format") {
		t.Fatalf("bad format: %v", err)
	}
}

func TestHookItemTurnsFromFailToPassWhenTheHookIsInstalled(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	rep, _ := e.status("json")
	if it := entry(t, rep, "secret-scanning-hook"); it.Status != checklist.Fail {
		t.Fatalf("before install: %+v", it)
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := hooks.PlanInstall(context.Background(), e.repo.Dir, hooks.InstallOptions{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	rep, _ = e.status("json")
	if it := entry(t, rep, "secret-scanning-hook"); it.Status != checklist.Pass || !strings.Contains(it.Evidence, ".git/hooks/pre-commit") {
		t.Fatalf("after install: %+v", it)
	}
	// Confirming what secfirst finds records the review and stores no status.
	if err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: "secret-scanning-hook", Status: "pass"}); err != nil {
		t.Fatal(err)
	}
	rep, _ = e.status("json")
	if it := entry(t, rep, "secret-scanning-hook"); it.Status != checklist.Pass || it.ReviewedAt != "2024-06-30" {
		t.Fatalf("after set: %+v", it)
	}
	data := string(e.read())
	item := data[strings.Index(data, "- id: secret-scanning-hook"):]
	item = item[:strings.Index(item, "\n  - id:")]
	if strings.Contains(item, "status:") || !strings.Contains(item, "reviewed_by: Ada Tester <ada@example.com>") {
		t.Fatalf("automatic item as stored:\n%s", item)
	}
}

func TestUnknownIDSuggestsCloseOnes(t *testing.T) {
	e := newEnv(t)
	if err := RunInit(context.Background(), &InitOptions{Options: e.opts}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"mfa":                 "did you mean mfa-enforced?",
		"secret-scaning-hook": "did you mean secret-scanning-hook?",
		"kubernetes":          "(`secfirst checklist status` lists the ids)",
	} {
		err := RunSet(context.Background(), &SetOptions{Options: e.opts, ID: id, Status: "pass"})
		if code(err) != 2 || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("set %s: %v; want it to end with %q", id, err, want)
		}
	}
}
