// Package theme names secfirst's colours and turns them into the one Styles
// struct every screen draws with, so a screen never invents a colour and
// NO_COLOR (an Ascii renderer) turns every colour off in one place.
package theme

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/secfirst-dev/secfirst/checks"
)

// Theme is a palette of named colours. Adaptive colours pick a shade for
// light and dark terminals.
type Theme struct {
	Primary   lipgloss.TerminalColor // title badge, focused borders
	Secondary lipgloss.TerminalColor // section titles
	Text      lipgloss.TerminalColor
	Muted     lipgloss.TerminalColor // labels, help descriptions
	Faint     lipgloss.TerminalColor // separators
	Selected  lipgloss.TerminalColor // background of the selected row
	OnPrimary lipgloss.TerminalColor // text on the badge

	Success lipgloss.TerminalColor
	Warning lipgloss.TerminalColor
	Danger  lipgloss.TerminalColor

	Critical lipgloss.TerminalColor
	High     lipgloss.TerminalColor
	Medium   lipgloss.TerminalColor
	Low      lipgloss.TerminalColor
	Info     lipgloss.TerminalColor
}

// Default is secfirst's palette.
func Default() Theme {
	return Theme{
		Primary:   lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#8B7CF6"},
		Secondary: lipgloss.AdaptiveColor{Light: "#1F6FB2", Dark: "#5FB3F9"},
		Text:      lipgloss.AdaptiveColor{Light: "#1A1A1A", Dark: "#E6E6E6"},
		Muted:     lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#9A9A9A"},
		Faint:     lipgloss.AdaptiveColor{Light: "#C8C8C8", Dark: "#4A4A4A"},
		Selected:  lipgloss.AdaptiveColor{Light: "#E4DEFF", Dark: "#3A3360"},
		OnPrimary: lipgloss.Color("#FFFFFF"),

		Success: lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#4ADE80"},
		Warning: lipgloss.AdaptiveColor{Light: "#A15C00", Dark: "#FBBF24"},
		Danger:  lipgloss.AdaptiveColor{Light: "#B42318", Dark: "#F87171"},

		Critical: lipgloss.AdaptiveColor{Light: "#9F1239", Dark: "#FB7185"},
		High:     lipgloss.AdaptiveColor{Light: "#B42318", Dark: "#F87171"},
		Medium:   lipgloss.AdaptiveColor{Light: "#A15C00", Dark: "#FBBF24"},
		Low:      lipgloss.AdaptiveColor{Light: "#1F6FB2", Dark: "#60A5FA"},
		Info:     lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#9A9A9A"},
	}
}

// Styles are every style the screens use, made by one renderer.
type Styles struct {
	// Header line: the badge, the repository name and the screen title.
	Badge      lipgloss.Style
	HeaderRepo lipgloss.Style
	HeaderPage lipgloss.Style

	Title    lipgloss.Style // a screen's own heading
	Section  lipgloss.Style // a section heading inside a screen
	Label    lipgloss.Style // "Path", "Hook"...
	Text     lipgloss.Style
	Muted    lipgloss.Style
	Bold     lipgloss.Style
	Divider  lipgloss.Style
	Selected lipgloss.Style // the row under the cursor
	Cursor   lipgloss.Style // the "›" before it
	Code     lipgloss.Style // a code line (already redacted)
	Key      lipgloss.Style // a key named in prose

	OK   lipgloss.Style
	Warn lipgloss.Style
	Err  lipgloss.Style

	// Focused and Blurred frame a pane that Tab moves between.
	Focused lipgloss.Style
	Blurred lipgloss.Style

	Spinner lipgloss.Style

	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style

	severity map[checks.Severity]lipgloss.Style
}

// NewStyles builds the styles of theme t for renderer r. With an Ascii
// renderer (NO_COLOR, no terminal) every colour and attribute vanishes and
// the layout stays the same.
func NewStyles(r *lipgloss.Renderer, t Theme) *Styles {
	n := r.NewStyle
	s := &Styles{
		Badge:      n().Bold(true).Foreground(t.OnPrimary).Background(t.Primary).Padding(0, 1),
		HeaderRepo: n().Bold(true).Foreground(t.Text).Padding(0, 1),
		HeaderPage: n().Foreground(t.Muted),

		Title:    n().Bold(true).Foreground(t.Primary),
		Section:  n().Bold(true).Foreground(t.Secondary),
		Label:    n().Foreground(t.Muted),
		Text:     n().Foreground(t.Text),
		Muted:    n().Foreground(t.Muted),
		Bold:     n().Bold(true),
		Divider:  n().Foreground(t.Faint),
		Selected: n().Bold(true).Background(t.Selected),
		Cursor:   n().Bold(true).Foreground(t.Primary),
		Code:     n().Foreground(t.Warning),
		Key:      n().Bold(true).Foreground(t.Primary),

		OK:   n().Foreground(t.Success),
		Warn: n().Foreground(t.Warning),
		Err:  n().Bold(true).Foreground(t.Danger),

		Focused: n().Border(lipgloss.NormalBorder()).BorderForeground(t.Primary),
		Blurred: n().Border(lipgloss.NormalBorder()).BorderForeground(t.Faint),

		Spinner: n().Foreground(t.Primary),

		HelpKey:  n().Foreground(t.Text).Bold(true),
		HelpDesc: n().Foreground(t.Muted),
		HelpSep:  n().Foreground(t.Faint),
	}
	s.severity = map[checks.Severity]lipgloss.Style{
		checks.Critical: n().Bold(true).Foreground(t.Critical),
		checks.High:     n().Bold(true).Foreground(t.High),
		checks.Medium:   n().Foreground(t.Medium),
		checks.Low:      n().Foreground(t.Low),
		checks.Info:     n().Foreground(t.Info),
	}
	return s
}

// Severity is the style of a severity label.
func (s *Styles) Severity(sev checks.Severity) lipgloss.Style {
	if st, ok := s.severity[sev]; ok {
		return st
	}
	return s.Text
}

// SeverityLabel is the short, fixed-width label of a severity: the words
// themselves, so the meaning survives without colour.
func SeverityLabel(sev checks.Severity) string {
	switch sev {
	case checks.Critical:
		return "CRIT"
	case checks.High:
		return "HIGH"
	case checks.Medium:
		return "MED "
	case checks.Low:
		return "LOW "
	case checks.Info:
		return "INFO"
	}
	return "?   "
}
