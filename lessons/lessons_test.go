package lessons

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestEveryLessonLoads(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if len(All()) < 40 {
		t.Fatalf("only %d lessons loaded", len(All()))
	}
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestEveryLessonIsComplete(t *testing.T) {
	known := map[string]bool{}
	for _, tp := range Topics {
		known[tp.ID] = true
	}
	for _, l := range All() {
		t.Run(l.ID, func(t *testing.T) {
			if !kebab.MatchString(l.ID) {
				t.Errorf("id %q is not kebab-case", l.ID)
			}
			if strings.Contains(l.Summary, "\n") || len(l.Summary) > 200 {
				t.Errorf("summary must be one line of at most 200 characters, got %d: %q", len(l.Summary), l.Summary)
			}
			// Listings put the id (up to 31) and the title on one 80-column line.
			if len(l.Title) > 45 || len(l.ID) > 31 {
				t.Errorf("title %q (%d) or id (%d) too long: at most 45 and 31 characters", l.Title, len(l.Title), len(l.ID))
			}
			if len(l.Topics) == 0 {
				t.Error("no topics")
			}
			for _, tp := range l.Topics {
				if !known[tp] {
					t.Errorf("unknown topic %q (add it to Topics or use one of them)", tp)
				}
			}
			s := l.Sections
			for name, text := range map[string]string{
				HeadingWhy: s.WhyItMatters, HeadingHowToFix: s.HowToFix,
				HeadingExample: s.Example, HeadingLearnMore: s.LearnMore,
			} {
				if strings.TrimSpace(text) == "" {
					t.Errorf("section %q is empty", name)
				}
			}
			if !strings.Contains(s.Example, "```") && !strings.Contains(s.Example, "|---") {
				t.Error("Example has no code block or table")
			}
			if !strings.Contains(s.Example, "Before") || !strings.Contains(s.Example, "After") {
				t.Error("Example must show Before and After")
			}
			for _, r := range s.References {
				if !strings.HasPrefix(r.URL, "https://") {
					t.Errorf("reference %q is not https: %s", r.Title, r.URL)
				}
			}
			q := s.Quiz
			if n := len(q.Choices); n < 3 || n > 4 {
				t.Errorf("quiz has %d choices", n)
			}
			if i := q.AnswerIndex(); i < 0 || !q.IsCorrect(i) {
				t.Errorf("quiz answer %q is not one of its choices %q", q.Answer, q.Choices)
			}
			if q.Question == "" || q.Explanation == "" {
				t.Error("quiz needs a question and an explanation")
			}
			// Code keeps its line breaks when rendered: at most 72 columns, so
			// it fits an 80-column terminal with glamour's indentation.
			fenced := false
			for _, line := range strings.Split(l.Body, "\n") {
				if strings.HasPrefix(line, "```") {
					fenced = !fenced
					continue
				}
				if fenced && len([]rune(line)) > 72 {
					t.Errorf("code line of %d columns (max 72): %q", len([]rune(line)), line)
				}
			}
			// Two minutes of reading: about 450 words of prose and code.
			if words := len(strings.Fields(l.Body)); words > 520 {
				t.Errorf("lesson is %d words; keep it under 520 so it reads in two minutes", words)
			}
		})
	}
}

func TestExactRuleIDsAreClaimedOnce(t *testing.T) {
	owner := map[string]string{}
	for _, l := range All() {
		for _, r := range l.Rules {
			if r == "*" {
				t.Errorf("%s: the catch-all pattern \"*\" hides missing lessons; name rules or families", l.ID)
			}
			if prev, ok := owner[strings.ToLower(r)]; ok {
				t.Errorf("rule %q is claimed by both %s and %s", r, prev, l.ID)
			}
			owner[strings.ToLower(r)] = l.ID
		}
	}
}

func TestForRulePrefersExactThenLongestPattern(t *testing.T) {
	cases := map[string]string{
		"aws-access-token":                      "secrets-cloud-keys",    // aws-*
		"aws-amazon-bedrock-api-key-long-lived": "secrets-ai-keys",       // longer pattern wins
		"square-access-token":                   "secrets-payment-keys",  // square-*
		"squarespace-access-token":              "secrets-leaked",        // exact, not square-*
		"secrets/history":                       "secrets-history",       // exact
		"SECRETS/HISTORY":                       "secrets-history",       // exact ids ignore case
		"dockerfile/something-new":              "containers-dockerfile", // family pattern
		"GHSA-35jh-r3h4-6jhm":                   "deps-vulnerable",       // advisory ids
		"deps/transitive":                       "deps-transitive",       // exact
		"ssh-private-key":                       "secrets-private-keys",  // *-private-key
	}
	for rule, want := range cases {
		l, ok := ForRule(rule)
		if !ok || l.ID != want {
			got := "<none>"
			if ok {
				got = l.ID
			}
			t.Errorf("ForRule(%q) = %s, want %s", rule, got, want)
		}
	}
	if _, ok := ForRule("no-such-rule"); ok {
		t.Error("an unknown rule must not resolve: there is no catch-all")
	}
	if got := IDForRule("no-such-rule", "secrets-leaked"); got != "secrets-leaked" {
		t.Errorf("IDForRule fallback = %q", got)
	}
}

func TestFallbackLessonsExist(t *testing.T) {
	// The checks use these ids when no lesson names their rule.
	for _, id := range []string{"secrets-leaked", "deps-vulnerable", "containers-dockerfile"} {
		if _, ok := Get(id); !ok {
			t.Errorf("fallback lesson %q is missing", id)
		}
	}
}

func TestByTopicListsEveryLessonOnceInTopicOrder(t *testing.T) {
	groups := ByTopic(All())
	seen := map[string]bool{}
	var order []string
	for _, g := range groups {
		order = append(order, g.Topic.ID)
		for _, l := range g.Lessons {
			if seen[l.ID] {
				t.Errorf("%s listed twice", l.ID)
			}
			seen[l.ID] = true
			if l.PrimaryTopic() != g.Topic.ID {
				t.Errorf("%s listed under %s, its first topic is %s", l.ID, g.Topic.ID, l.PrimaryTopic())
			}
		}
	}
	if len(seen) != len(All()) {
		t.Errorf("grouped %d lessons, have %d", len(seen), len(All()))
	}
	var want []string
	for _, tp := range Topics {
		if slices.Contains(order, tp.ID) {
			want = append(want, tp.ID)
		}
	}
	if !slices.Equal(order, want) {
		t.Errorf("topic order %v, want %v", order, want)
	}
}

func TestMarkdownHasTitleSummaryAndBody(t *testing.T) {
	l, ok := Get("secrets-history")
	if !ok {
		t.Fatal("secrets-history is missing")
	}
	md := l.Markdown()
	if !strings.HasPrefix(md, "# "+l.Title+"\n\n"+l.Summary+"\n\n## Why it matters") {
		t.Errorf("Markdown starts %q", md[:min(len(md), 200)])
	}
}

const goodBody = "## Why it matters\n\nWhy.\n\n## How to fix\n\nFix.\n\n## Example\n\nBefore:\n\n```sh\n## not a heading\n```\n\n" +
	"## Learn more\n\n- A page: https://example.com/a\n- [Another](https://example.com/b)\n\n" +
	"## Quiz\n\nQuestion: Which one\nwraps?\n\n- A) first\n- B) second\n  continued\n- C) third\n\nAnswer: B\n\nExplanation: Because.\n"

func TestParseSections(t *testing.T) {
	s, err := ParseSections(goodBody)
	if err != nil {
		t.Fatal(err)
	}
	if s.WhyItMatters != "Why." || s.HowToFix != "Fix." {
		t.Errorf("sections %+v", s)
	}
	if !strings.Contains(s.Example, "## not a heading") {
		t.Errorf("a heading inside a code fence must stay in the example: %q", s.Example)
	}
	if len(s.References) != 2 || s.References[0].URL != "https://example.com/a" || s.References[1].Title != "Another" {
		t.Errorf("references %+v", s.References)
	}
	q := s.Quiz
	if q.Question != "Which one wraps?" || q.Answer != "B" || q.Explanation != "Because." {
		t.Errorf("quiz %+v", q)
	}
	if len(q.Choices) != 3 || q.Choices[1] != "second continued" {
		t.Errorf("choices %q", q.Choices)
	}
	if q.AnswerIndex() != 1 || !q.IsCorrect(1) || q.IsCorrect(0) || ChoiceLabel(2) != "C" {
		t.Errorf("answer index %d", q.AnswerIndex())
	}
}

func TestParseSectionsRejectsBadLessons(t *testing.T) {
	cases := map[string]string{
		"missing section":   strings.Replace(goodBody, "## How to fix\n\nFix.\n\n", "", 1),
		"wrong order":       strings.Replace(strings.Replace(goodBody, "## Why it matters", "## TMP", 1), "## How to fix", "## Why it matters", 1),
		"extra section":     strings.Replace(goodBody, "## Quiz", "## Notes\n\nx\n\n## Quiz", 1),
		"empty section":     strings.Replace(goodBody, "Fix.", "", 1),
		"answer not choice": strings.Replace(goodBody, "Answer: B", "Answer: D", 1),
		"no answer":         strings.Replace(goodBody, "Answer: B", "", 1),
		"two choices":       strings.Replace(goodBody, "- C) third\n", "", 1),
		"choices skip":      strings.Replace(goodBody, "- C) third", "- D) third", 1),
		"no explanation":    strings.Replace(goodBody, "Explanation: Because.", "", 1),
		"no link":           strings.Replace(strings.Replace(goodBody, "- A page: https://example.com/a\n", "", 1), "- [Another](https://example.com/b)\n", "- nothing\n", 1),
		"unclosed fence":    strings.Replace(goodBody, "## not a heading\n```", "## not a heading", 1),
		"text before":       "Intro.\n\n" + goodBody,
		"stray quiz line":   strings.Replace(goodBody, "Answer: B", "Answer: B\nWhat is this", 1),
	}
	for name, body := range cases {
		if _, err := ParseSections(body); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseNeedsFrontMatterAndSections(t *testing.T) {
	if _, err := Parse([]byte("---\nid: x\ntitle: X\nsummary: s\n---\n" + goodBody)); err != nil {
		t.Errorf("good lesson: %v", err)
	}
	if _, err := Parse([]byte("---\nid: x\ntitle: X\nsummary: s\n---\nno sections\n")); err == nil {
		t.Error("a lesson without sections was accepted")
	}
	if _, err := Parse([]byte("---\nid: x\ntitle: X\n---\n" + goodBody)); err == nil {
		t.Error("a lesson without a summary was accepted")
	}
}

func TestAliasesKeepRenamedIDsWorking(t *testing.T) {
	l, ok := Get("logs-no-secrets")
	if !ok || l.ID != "logs-without-secrets" {
		t.Fatalf("alias logs-no-secrets: %v %v", l, ok)
	}
	n := 0
	for _, x := range All() {
		if x == l {
			n++
		}
	}
	if n != 1 {
		t.Errorf("an aliased lesson is listed %d times", n)
	}
	for _, x := range All() {
		for _, a := range x.Aliases {
			if !kebab.MatchString(a) {
				t.Errorf("%s: alias %q is not kebab-case", x.ID, a)
			}
		}
	}
}

// A quiz written back as Markdown reads the same; without its answer it
// holds the question and choices only, and a reading copy of the lesson
// keeps every section before the quiz.
func TestQuizMarkdownRoundTripsAndHidesTheAnswer(t *testing.T) {
	for _, l := range All() {
		q, err := ParseQuiz(l.Sections.Quiz.Markdown(true))
		if err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		if q.Question != l.Sections.Quiz.Question || q.Answer != l.Sections.Quiz.Answer || strings.Join(q.Choices, "|") != strings.Join(l.Sections.Quiz.Choices, "|") || q.Explanation != l.Sections.Quiz.Explanation {
			t.Errorf("%s: quiz changed in the round trip", l.ID)
		}
		reading := l.ReadingMarkdown(false)
		if strings.Contains(reading, "Answer:") || strings.Contains(reading, "Explanation:") {
			t.Errorf("%s: the reading copy gives the answer away", l.ID)
		}
		for _, want := range []string{"## " + HeadingWhy, "## " + HeadingExample, "## " + HeadingQuiz, l.Sections.Quiz.Choices[0]} {
			if !strings.Contains(reading, want) {
				t.Errorf("%s: the reading copy lacks %q", l.ID, want)
			}
		}
		if !strings.Contains(l.ReadingMarkdown(true), "Answer: "+l.Sections.Quiz.Answer) {
			t.Errorf("%s: asked for, the answer is not shown", l.ID)
		}
	}
}

// index_gen.go is what ForRule, IDForRule and Get read instead of parsing
// every lesson: it must say what the lesson files say, in their order.
func TestIndexMatchesTheLessonFiles(t *testing.T) {
	ls := All()
	if len(index) != len(ls) {
		t.Fatalf("index_gen.go has %d lessons, content/ %d: run `go generate ./lessons`", len(index), len(ls))
	}
	for i, l := range ls {
		e := index[i]
		if e.id != l.ID || !slices.Equal(e.rules, l.Rules) || !slices.Equal(e.aliases, l.Aliases) {
			t.Errorf("index_gen.go says %+v, content/%s.md says id %q rules %q aliases %q: run `go generate ./lessons`", e, l.ID, l.ID, l.Rules, l.Aliases)
		}
	}
}

// Get and ForRule parse one file; the lesson they return is the one All
// lists, not a copy.
func TestGetAndForRuleReturnTheListedLesson(t *testing.T) {
	byPtr := map[*Lesson]bool{}
	for _, l := range All() {
		byPtr[l] = true
	}
	for _, l := range All() {
		if g, ok := Get(l.ID); !ok || !byPtr[g] || g.ID != l.ID {
			t.Errorf("Get(%q) = %v, %v", l.ID, g, ok)
		}
		for _, r := range l.Rules {
			f, ok := ForRule(r)
			if !ok || !byPtr[f] {
				t.Errorf("ForRule(%q) = %v, %v", r, f, ok)
			}
		}
	}
	if _, ok := Get("no-such-lesson"); ok {
		t.Error("Get found a lesson that does not exist")
	}
}
