package learn

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/tuilaunch"
	"github.com/secfirst-dev/secfirst/lessons"
)

func runLearn(t *testing.T, query, format string, tty, color bool) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(tty)
	ios.SetNoColor(!color)
	err := Run(&Options{IO: ios, Query: query, Format: format, Width: 80})
	return out.String(), errOut.String(), err
}

func mustGet(t *testing.T, id string) *lessons.Lesson {
	t.Helper()
	l, ok := lessons.Get(id)
	if !ok {
		t.Fatalf("lesson %s missing", id)
	}
	return l
}

func TestListText(t *testing.T) {
	out, _, err := runLearn(t, "", "text", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour escape codes when stdout is not a terminal")
	}
	for _, l := range lessons.All() {
		// Summaries are wrapped, at spaces and after hyphens.
		flat := strings.Join(strings.Fields(strings.ReplaceAll(out, "-\n      ", "-")), " ")
		if !strings.Contains(out, l.ID) || !strings.Contains(out, l.Title) || !strings.Contains(flat, l.Summary) {
			t.Errorf("listing lacks %s with its title and summary", l.ID)
		}
	}
	// Grouped by topic, in the library's topic order.
	secrets := strings.Index(out, "\nSecrets\n")
	containers := strings.Index(out, "\nContainers and clusters\n")
	if !strings.HasPrefix(out, "Fundamentals\n") || secrets < 0 || containers < secrets {
		t.Errorf("topics missing or out of order:\n%s", out[:min(len(out), 400)])
	}
	if strings.Index(out, "secrets-history") < secrets || strings.Index(out, "containers-non-root") < containers {
		t.Error("lessons are not under their topic")
	}
}

func TestListTextColoursOnATerminal(t *testing.T) {
	out, _, err := runLearn(t, "", "text", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "\x1b[") {
		t.Error("no colour on a terminal with colour enabled")
	}
}

func TestListJSON(t *testing.T) {
	out, _, err := runLearn(t, "", "json", false, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got) != len(lessons.All()) {
		t.Fatalf("%d lessons in JSON, library has %d", len(got), len(lessons.All()))
	}
	for _, item := range got {
		for _, key := range []string{"id", "title", "summary", "rules", "topics"} {
			if _, ok := item[key]; !ok {
				t.Errorf("%v lacks %q", item["id"], key)
			}
		}
		if _, ok := item["rules"].([]any); !ok {
			t.Errorf("%v: rules is %v, want a list (never null)", item["id"], item["rules"])
		}
		if _, ok := item["sections"]; ok {
			t.Errorf("%v: the listing carries no sections", item["id"])
		}
	}
}

func TestListMarkdown(t *testing.T) {
	out, _, err := runLearn(t, "", "markdown", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "# secfirst lessons\n") || !strings.Contains(out, "\n## Secrets\n") {
		t.Errorf("markdown listing:\n%s", out[:min(len(out), 300)])
	}
	if !strings.Contains(out, "(`secrets-history`)") {
		t.Error("markdown listing lacks lesson ids")
	}
}

func TestShowByIDIsPlainMarkdownWhenPiped(t *testing.T) {
	l := mustGet(t, "secrets-history")
	for _, format := range []string{"text", "markdown"} {
		out, _, err := runLearn(t, "secrets-history", format, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if out != l.ReadingMarkdown(false) {
			t.Errorf("--format %s piped: want the lesson's Markdown, got:\n%s", format, out)
		}
	}
}

func TestShowByRuleID(t *testing.T) {
	cases := map[string]string{
		"aws-access-token":    "secrets-cloud-keys",
		"github-pat":          "secrets-vcs-tokens",
		"secrets/history":     "secrets-history",
		"deps/transitive":     "deps-transitive",
		"GHSA-35jh-r3h4-6jhm": "deps-vulnerable",
		"SECRETS-HISTORY":     "secrets-history", // lesson ids ignore case
		// Ids other tools give the same problem, as in a finding's refs.
		"DL3002":       "containers-non-root",
		"dl3002":       "containers-non-root",
		"CKV_DOCKER_8": "containers-non-root",
		"CKV_K8S_16":   "pod-host-isolation",
		"AVD-AWS-0080": "encryption-at-rest", // a Terraform rule's Trivy id
		"CKV_AWS_16":   "encryption-at-rest",
	}
	for query, want := range cases {
		out, _, err := runLearn(t, query, "markdown", false, false)
		if err != nil {
			t.Errorf("%s: %v", query, err)
			continue
		}
		if l := mustGet(t, want); out != l.ReadingMarkdown(false) {
			t.Errorf("learn %s did not show %s", query, want)
		}
	}
}

func TestShowJSONHasSections(t *testing.T) {
	out, _, err := runLearn(t, "deps-no-fix", "json", false, false)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ID       string   `json:"id"`
		Title    string   `json:"title"`
		Summary  string   `json:"summary"`
		Rules    []string `json:"rules"`
		Topics   []string `json:"topics"`
		Sections struct {
			WhyItMatters string              `json:"why_it_matters"`
			HowToFix     string              `json:"how_to_fix"`
			Example      string              `json:"example"`
			LearnMore    string              `json:"learn_more"`
			References   []lessons.Reference `json:"references"`
			Quiz         lessons.Quiz        `json:"quiz"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	l := mustGet(t, "deps-no-fix")
	if got.ID != l.ID || got.Title != l.Title || got.Summary != l.Summary || len(got.Rules) != 1 || got.Rules[0] != "deps/no-fix" {
		t.Errorf("header %+v", got)
	}
	s := got.Sections
	if s.WhyItMatters != l.Sections.WhyItMatters || s.HowToFix == "" || !strings.Contains(s.Example, "[[ignore]]") || len(s.References) == 0 {
		t.Errorf("sections %+v", s)
	}
	if s.Quiz.Question == "" || len(s.Quiz.Choices) < 3 || s.Quiz.AnswerIndex() < 0 || s.Quiz.Explanation == "" {
		t.Errorf("quiz %+v", s.Quiz)
	}
}

// On a terminal the lesson is rendered by the terminal interface
// (secfirst-tui), which secfirst does not link; without it, the lesson is
// still shown, as Markdown, and stderr says why.
func TestShowOnATerminalLaunchesTheInterface(t *testing.T) {
	l := mustGet(t, "containers-non-root")
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(true)
	var launched []string
	err := Run(&Options{IO: ios, Query: l.ID, Format: "text", Launch: func(args []string) error {
		launched = args
		return nil
	}})
	if err != nil || strings.Join(launched, " ") != "learn "+l.ID || out.Len() != 0 {
		t.Fatalf("launched %q, err %v, stdout %q", launched, err, out)
	}
	err = Run(&Options{IO: ios, Query: l.ID, Format: "text", Answer: true, Launch: func(args []string) error {
		launched = args
		return nil
	}})
	if err != nil || strings.Join(launched, " ") != "learn "+l.ID+" --answer" {
		t.Fatalf("with --answer: launched %q, err %v", launched, err)
	}

	ios, _, out, errOut = iostreams.Test()
	ios.SetTTY(true)
	err = Run(&Options{IO: ios, Query: l.ID, Format: "text", Launch: func(args []string) error {
		return cmdutil.Failf("the terminal interface is not installed (%w)", tuilaunch.ErrNotFound)
	}})
	if err != nil || out.String() != l.ReadingMarkdown(false) || !strings.Contains(errOut.String(), "showing the lesson as Markdown") {
		t.Fatalf("without secfirst-tui: err %v, stderr %q, stdout %q", err, errOut, out)
	}
}

func TestUnknownIDExitsTwoWithClosestMatches(t *testing.T) {
	out, _, err := runLearn(t, "secrets-histroy", "text", false, false)
	if cmdutil.Code(err) != cmdutil.ExitFailure {
		t.Fatalf("exit %d, want 2 (err %v)", cmdutil.Code(err), err)
	}
	if out != "" {
		t.Errorf("stdout must stay empty on error: %q", out)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, `"secrets-histroy"`) || !strings.Contains(msg, "closest: secrets-history") {
		t.Errorf("message %q", msg)
	}
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) {
		t.Error("not an ExitError")
	}

	_, _, err = runLearn(t, "zzzzzzzzzzzzzzzz", "json", false, false)
	if cmdutil.Code(err) != 2 || strings.Contains(err.Error(), "closest") {
		t.Errorf("nothing is close to zzzz…, got %v", err)
	}
}

func TestInvalidFormat(t *testing.T) {
	_, _, err := runLearn(t, "", "yaml", false, false)
	if cmdutil.Code(err) != 2 || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("got %v", err)
	}
}

func TestClosest(t *testing.T) {
	cases := map[string]string{
		"pod-securty": "pod-security",
		"mfa":         "mfa",
		"tls":         "tls-and-private-connectivity",
		"stripe-key":  "stripe-*",
		"offboardng":  "offboarding",
		"deps/direkt": "deps/direct",
		"DEPS-NO-FIX": "deps-no-fix",
	}
	for q, want := range cases {
		got := Closest(q, 3)
		if want == "stripe-*" {
			// Patterns are not suggested; the payment lesson is.
			for _, g := range got {
				if strings.Contains(g, "*") {
					t.Errorf("Closest(%q) suggests the pattern %q", q, g)
				}
			}
			continue
		}
		if len(got) == 0 || got[0] != want {
			t.Errorf("Closest(%q) = %v, want %s first", q, got, want)
		}
	}
	if got := Closest("xq", 3); len(got) != 0 {
		t.Errorf("Closest(xq) = %v, want nothing", got)
	}
}

func TestCommandFlagsAndArgs(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	cmd := NewCmd(ios)
	cmd.SetArgs([]string{"--format", "json", "mfa"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got["id"] != "mfa" {
		t.Errorf("learn --format json mfa: %v %s", err, out)
	}
	cmd = NewCmd(ios)
	cmd.SetArgs([]string{"a", "b"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil {
		t.Error("two arguments were accepted")
	}
}

// The quiz's answer is shown only when asked for; JSON, which is data,
// always holds it.
func TestQuizAnswerOnlyWhenAsked(t *testing.T) {
	l := mustGet(t, "containers-non-root")
	for _, format := range []string{"text", "markdown"} {
		hidden, _, err := runLearn(t, l.ID, format, false, false)
		if err != nil || strings.Contains(hidden, "Answer:") || strings.Contains(hidden, l.Sections.Quiz.Explanation) || !strings.Contains(hidden, l.Sections.Quiz.Question) {
			t.Errorf("--format %s: the answer is given away (%v):\n%s", format, err, hidden)
		}
		ios, _, out, _ := iostreams.Test()
		if err := Run(&Options{IO: ios, Query: l.ID, Format: format, Answer: true}); err != nil || !strings.Contains(out.String(), "Answer: "+l.Sections.Quiz.Answer) {
			t.Errorf("--format %s --answer: no answer (%v)", format, err)
		}
	}
	js, _, err := runLearn(t, l.ID, "json", false, false)
	if err != nil || !strings.Contains(js, `"answer": "`+l.Sections.Quiz.Answer+`"`) {
		t.Errorf("JSON lacks the answer (%v)", err)
	}
}

func TestWrap(t *testing.T) {
	// Cells, not runes: each of these characters takes two cells.
	if got := wrap("日本語 日本語 日本語", 10); len(got) != 3 {
		t.Errorf("wide characters wrapped as %q, want one word a line", got)
	}
	got := wrap("one two three four five", 9)
	want := []string{"one two", "three", "four five"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if got := wrap("averyveryverylongword x", 5); got[0] != "averyveryverylongword" || got[1] != "x" {
		t.Errorf("a long word stays whole on its own line: %q", got)
	}
}

func TestListTextFitsEightyColumns(t *testing.T) {
	out, _, err := runLearn(t, "", "text", false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
}
