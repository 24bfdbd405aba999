// Package lessons is secfirst's library of short lessons: Markdown files with
// front matter, embedded in the binary. It is data that any package may read
// and it imports none of secfirst's own packages.
package lessons

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed content/*.md
var content embed.FS

//go:generate go run gen_index.go

// Lesson is one lesson: front matter and the Markdown body.
type Lesson struct {
	ID      string   `yaml:"id" json:"id"`
	Title   string   `yaml:"title" json:"title"`
	Summary string   `yaml:"summary" json:"summary"`
	Rules   []string `yaml:"rules" json:"rules"`
	Topics  []string `yaml:"topics" json:"topics"`
	// Aliases are former ids: Get still finds the lesson by them, so a
	// renamed lesson never breaks a link in a checklist or a script.
	Aliases []string `yaml:"aliases" json:"-"`
	// Body is the Markdown after the front matter.
	Body string `yaml:"-" json:"-"`
	// Sections is Body split by heading, with the quiz parsed.
	Sections Sections `yaml:"-" json:"-"`
}

// Markdown is the lesson as one Markdown document: the title as a heading,
// the summary, then the body.
func (l *Lesson) Markdown() string {
	return "# " + l.Title + "\n\n" + l.Summary + "\n\n" + l.Body
}

// ReadingMarkdown is the lesson as a person reads it before taking the
// quiz: Markdown, with the quiz's question and choices but its answer and
// explanation only when answer is true.
func (l *Lesson) ReadingMarkdown(answer bool) string {
	body, _, _ := strings.Cut(l.Body, "## "+HeadingQuiz+"\n")
	return "# " + l.Title + "\n\n" + l.Summary + "\n\n" + strings.TrimRight(body, "\n") +
		"\n\n## " + HeadingQuiz + "\n\n" + l.Sections.Quiz.Markdown(answer)
}

var (
	loadOnce sync.Once
	all      []*Lesson
	byID     map[string]*Lesson
	loadErr  error
)

// parsed holds the lesson files parsed so far, by file name: Get and
// ForRule parse only the file they need (the hook names one or two lessons
// and must not parse sixty), and load reuses them, so a lesson is always
// the same *Lesson.
var (
	parsedMu sync.Mutex
	parsed   = map[string]*Lesson{}
)

// parseFile parses one file of content/, once.
func parseFile(name string) (*Lesson, error) {
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if l, ok := parsed[name]; ok {
		return l, nil
	}
	data, err := content.ReadFile("content/" + name)
	if err != nil {
		return nil, err
	}
	l, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("lessons/content/%s: %w", name, err)
	}
	parsed[name] = l
	return l, nil
}

func load() {
	byID = map[string]*Lesson{}
	entries, err := fs.ReadDir(content, "content")
	if err != nil {
		loadErr = err
		return
	}
	for _, e := range entries {
		l, err := parseFile(e.Name())
		if err != nil {
			loadErr = err
			return
		}
		// The file name is the id, so ids stay stable and easy to find.
		if want := strings.TrimSuffix(e.Name(), ".md"); l.ID != want {
			loadErr = fmt.Errorf("lessons/content/%s: id %q must match the file name %q", e.Name(), l.ID, want)
			return
		}
		for _, id := range append([]string{l.ID}, l.Aliases...) {
			if byID[id] != nil {
				loadErr = fmt.Errorf("lessons/content/%s: duplicate id %q", e.Name(), id)
				return
			}
			byID[id] = l
		}
		all = append(all, l)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
}

// Parse reads one lesson file: "---\n<yaml>\n---\n<markdown>". The
// Markdown must have the five sections of Headings (see ParseSections).
func Parse(data []byte) (*Lesson, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		return nil, fmt.Errorf("no front matter (the file must start with ---)")
	}
	fm, body, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		return nil, fmt.Errorf("front matter is not closed by ---")
	}
	var l Lesson
	if err := yaml.Unmarshal(fm, &l); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if l.ID == "" || l.Title == "" || l.Summary == "" {
		return nil, fmt.Errorf("front matter needs id, title and summary")
	}
	l.Body = strings.TrimSpace(string(body)) + "\n"
	sections, err := ParseSections(l.Body)
	if err != nil {
		return nil, err
	}
	l.Sections = sections
	return &l, nil
}

// Err reports a lesson file that failed to load (tests assert it is nil).
func Err() error {
	loadOnce.Do(load)
	return loadErr
}

// All returns every lesson, sorted by id.
func All() []*Lesson {
	loadOnce.Do(load)
	return all
}

// Get returns the lesson with this id or alias.
func Get(id string) (*Lesson, bool) {
	file, ok := indexFile(id)
	if !ok {
		return nil, false
	}
	l, err := parseFile(file + ".md")
	if err != nil {
		// A broken file: the full load names it (Err), and finds nothing
		// by this id either.
		loadOnce.Do(load)
		l, ok = byID[id]
		return l, ok
	}
	return l, true
}

// ForRule returns the lesson that covers a rule id. A lesson's rules are ids
// or path.Match patterns ("dockerfile/*"); an exact id wins over a pattern,
// and a longer pattern over a shorter one.
func ForRule(rule string) (*Lesson, bool) {
	id, ok := idForRule(rule)
	if !ok {
		return nil, false
	}
	return Get(id)
}

// idForRule picks the lesson for a rule from the index, without parsing
// any lesson: every finding of every check asks for one.
func idForRule(rule string) (string, bool) {
	if v, ok := forRule.Load(rule); ok {
		id := v.(string)
		return id, id != ""
	}
	best := ""
	bestScore := -1
	for _, e := range index {
		for _, r := range e.rules {
			score := -1
			if strings.EqualFold(r, rule) {
				score = 1 << 20
			} else if ok, _ := path.Match(r, rule); ok {
				score = len(r)
			}
			if score > bestScore {
				best, bestScore = e.id, score
			}
		}
	}
	forRule.Store(rule, best)
	return best, best != ""
}

// forRule remembers idForRule's answers (rule id -> lesson id, "" for none):
// the checks ask for every finding, and the lessons are embedded, so an
// answer never changes.
var forRule sync.Map

// IDForRule is ForRule's id, or fallback when no lesson covers the rule.
func IDForRule(rule, fallback string) string {
	if id, ok := idForRule(rule); ok {
		return id
	}
	return fallback
}
