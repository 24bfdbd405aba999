package lessons

import (
	"fmt"
	"regexp"
	"strings"
)

// Section headings, in the order every lesson must have them.
const (
	HeadingWhy       = "Why it matters"
	HeadingHowToFix  = "How to fix"
	HeadingExample   = "Example"
	HeadingLearnMore = "Learn more"
	HeadingQuiz      = "Quiz"
)

// Headings lists the section headings in their required order.
var Headings = []string{HeadingWhy, HeadingHowToFix, HeadingExample, HeadingLearnMore, HeadingQuiz}

// Sections is a lesson's body split by heading. Each text field holds the
// Markdown under its heading, without the heading itself.
type Sections struct {
	WhyItMatters string      `json:"why_it_matters"`
	HowToFix     string      `json:"how_to_fix"`
	Example      string      `json:"example"`
	LearnMore    string      `json:"learn_more"`
	References   []Reference `json:"references"`
	Quiz         Quiz        `json:"quiz"`
}

// Reference is one "Learn more" link.
type Reference struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Quiz is a lesson's single multiple-choice question. Choices are the texts
// without their letter; the letter of Choices[i] is ChoiceLabel(i).
type Quiz struct {
	Question    string   `json:"question"`
	Choices     []string `json:"choices"`
	Answer      string   `json:"answer"` // a letter: "A", "B", ...
	Explanation string   `json:"explanation"`
}

// Markdown writes the quiz back in the lessons' Markdown form (ParseQuiz
// reads it); the answer and the explanation only when answer is true.
func (q Quiz) Markdown(answer bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Question: %s\n\n", q.Question)
	for i, c := range q.Choices {
		fmt.Fprintf(&b, "- %s) %s\n", ChoiceLabel(i), c)
	}
	if answer {
		fmt.Fprintf(&b, "\nAnswer: %s\n\nExplanation: %s\n", q.Answer, q.Explanation)
	}
	return b.String()
}

// ChoiceLabel is the letter of the i-th choice: 0 is "A".
func ChoiceLabel(i int) string { return string(rune('A' + i)) }

// AnswerIndex is the index in Choices of the right answer, or -1.
func (q Quiz) AnswerIndex() int {
	if len(q.Answer) != 1 {
		return -1
	}
	i := int(q.Answer[0] - 'A')
	if i < 0 || i >= len(q.Choices) {
		return -1
	}
	return i
}

// IsCorrect reports whether choice i (0-based) is the answer.
func (q Quiz) IsCorrect(i int) bool { return i >= 0 && i == q.AnswerIndex() }

var (
	choiceLine = regexp.MustCompile(`^[-*]\s+([A-Z])\)\s+(.+)$`)
	// "- Title: https://..." or "- [Title](https://...)"
	refColon = regexp.MustCompile(`^[-*]\s+(.+?):\s+(https?://\S+)$`)
	refLink  = regexp.MustCompile(`^[-*]\s+\[(.+?)\]\((https?://[^)\s]+)\)`)
)

// ParseSections splits a lesson body into its five sections. It is strict:
// the headings must be exactly Headings, in order, each non-empty, and the
// quiz must be well formed. Headings inside fenced code blocks are text.
func ParseSections(body string) (Sections, error) {
	var (
		names  []string
		texts  []*strings.Builder
		fenced bool
	)
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(line, "## ") {
			names = append(names, strings.TrimSpace(strings.TrimPrefix(line, "## ")))
			texts = append(texts, &strings.Builder{})
			continue
		}
		if !fenced && strings.HasPrefix(line, "# ") {
			return Sections{}, fmt.Errorf("unexpected top-level heading %q (the title comes from the front matter)", trimmed)
		}
		if len(texts) == 0 {
			if trimmed != "" {
				return Sections{}, fmt.Errorf("text before the first section: %q", trimmed)
			}
			continue
		}
		texts[len(texts)-1].WriteString(line + "\n")
	}
	if fenced {
		return Sections{}, fmt.Errorf("unclosed code fence")
	}
	if strings.Join(names, "|") != strings.Join(Headings, "|") {
		return Sections{}, fmt.Errorf("sections are %q, want exactly %q in this order", names, Headings)
	}
	text := make([]string, len(texts))
	for i, b := range texts {
		text[i] = strings.TrimSpace(b.String())
		if text[i] == "" {
			return Sections{}, fmt.Errorf("section %q is empty", names[i])
		}
	}
	s := Sections{
		WhyItMatters: text[0],
		HowToFix:     text[1],
		Example:      text[2],
		LearnMore:    text[3],
		References:   parseReferences(text[3]),
	}
	if len(s.References) == 0 {
		return Sections{}, fmt.Errorf("section %q has no link (want \"- Title: https://...\")", HeadingLearnMore)
	}
	q, err := ParseQuiz(text[4])
	if err != nil {
		return Sections{}, fmt.Errorf("quiz: %w", err)
	}
	s.Quiz = q
	return s, nil
}

func parseReferences(md string) []Reference {
	var refs []Reference
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if m := refLink.FindStringSubmatch(line); m != nil {
			refs = append(refs, Reference{Title: m[1], URL: m[2]})
		} else if m := refColon.FindStringSubmatch(line); m != nil {
			refs = append(refs, Reference{Title: m[1], URL: m[2]})
		}
	}
	return refs
}

// ParseQuiz reads a quiz section:
//
//	Question: ...
//
//	- A) ...
//	- B) ...
//
//	Answer: B
//
//	Explanation: ...
//
// Question and Explanation may wrap over several lines.
func ParseQuiz(md string) (Quiz, error) {
	var (
		q       Quiz
		current *string // the field a continuation line extends
	)
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			current = nil
		case strings.HasPrefix(line, "Question:"):
			q.Question = strings.TrimSpace(strings.TrimPrefix(line, "Question:"))
			current = &q.Question
		case strings.HasPrefix(line, "Answer:"):
			q.Answer = strings.TrimSpace(strings.TrimPrefix(line, "Answer:"))
			current = nil
		case strings.HasPrefix(line, "Explanation:"):
			q.Explanation = strings.TrimSpace(strings.TrimPrefix(line, "Explanation:"))
			current = &q.Explanation
		case choiceLine.MatchString(line):
			m := choiceLine.FindStringSubmatch(line)
			if want := ChoiceLabel(len(q.Choices)); m[1] != want {
				return Quiz{}, fmt.Errorf("choice %s) where %s) was expected", m[1], want)
			}
			q.Choices = append(q.Choices, strings.TrimSpace(m[2]))
			current = &q.Choices[len(q.Choices)-1]
		case current != nil:
			*current += " " + line
		default:
			return Quiz{}, fmt.Errorf("unexpected line %q", line)
		}
	}
	switch {
	case q.Question == "":
		return Quiz{}, fmt.Errorf("no \"Question:\" line")
	case len(q.Choices) < 3 || len(q.Choices) > 4:
		return Quiz{}, fmt.Errorf("%d choices, want 3 or 4 (\"- A) ...\")", len(q.Choices))
	case q.AnswerIndex() < 0:
		return Quiz{}, fmt.Errorf("answer %q is not one of the choices A-%s", q.Answer, ChoiceLabel(len(q.Choices)-1))
	case q.Explanation == "":
		return Quiz{}, fmt.Errorf("no \"Explanation:\" line")
	}
	return q, nil
}
