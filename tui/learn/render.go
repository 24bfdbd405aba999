package learn

import (
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/styles"
	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/lessons"
)

// Render formats a lesson for a terminal with glamour, wrapped at width,
// in the colours of profile (the program's reading of the terminal:
// termenv.Ascii for none, ANSI for 16 colours, and so on). Without colour it
// uses glamour's plain style; with colour, GLAMOUR_STYLE when set, else the
// dark or light style that suits the terminal.
//
// References are printed by us, one URL per line and never wrapped: glamour
// breaks long URLs at dots, which makes them impossible to open or copy.
// The quiz's answer and explanation are shown only when answer is true.
func Render(l *lessons.Lesson, width int, profile termenv.Profile, answer bool) (string, error) {
	var style glamour.TermRendererOption
	switch {
	case profile == termenv.Ascii:
		style = glamour.WithStandardStyle(styles.NoTTYStyle)
	case os.Getenv("GLAMOUR_STYLE") != "":
		style = glamour.WithEnvironmentConfig()
	case lightBackground(os.Getenv("COLORFGBG")):
		style = glamour.WithStandardStyle(styles.LightStyle)
	default:
		style = glamour.WithStandardStyle(styles.DarkStyle)
	}
	r, err := glamour.NewTermRenderer(style, glamour.WithWordWrap(width), glamour.WithColorProfile(profile), glamour.WithChromaFormatter(chromaFormatter(profile)))
	if err != nil {
		return "", err
	}
	s := l.Sections
	head, err := r.Render("# " + l.Title + "\n\n" + l.Summary +
		"\n\n## " + lessons.HeadingWhy + "\n\n" + s.WhyItMatters +
		"\n\n## " + lessons.HeadingHowToFix + "\n\n" + s.HowToFix +
		"\n\n## " + lessons.HeadingExample + "\n\n" + s.Example +
		"\n\n## " + lessons.HeadingLearnMore + "\n")
	if err != nil {
		return "", err
	}
	var refs strings.Builder
	for _, ref := range s.References {
		// Glamour indents the document by two columns; match it.
		fmt.Fprintf(&refs, "  • %s\n    %s\n", ref.Title, ref.URL)
	}
	quiz, err := r.Render("## " + lessons.HeadingQuiz + "\n\n" + s.Quiz.Markdown(answer))
	if err != nil {
		return "", err
	}
	return strings.TrimRight(head, " \n") + "\n\n" + refs.String() + quiz, nil
}

// chromaFormatter is the chroma formatter that highlights code blocks in
// profile's colours (glamour's default is 256 colours whatever the
// terminal).
func chromaFormatter(profile termenv.Profile) string {
	if f, ok := chromaFormatters[profile]; ok {
		return f
	}
	return "terminal256"
}

var chromaFormatters = map[termenv.Profile]string{termenv.TrueColor: "terminal16m", termenv.ANSI: "terminal16"}

// lightBackground reads COLORFGBG ("fg;bg", set by many terminals): a light
// grey or white background means the light style. We do not ask the
// terminal itself (glamour's auto style): terminals that do not answer make
// that query wait five seconds and leave escape codes on the screen.
func lightBackground(colorfgbg string) bool {
	parts := strings.Split(colorfgbg, ";")
	bg := parts[len(parts)-1]
	return bg == "7" || bg == "15"
}
