package common

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Cursor is a position in a list of Len rows shown Height at a time; Offset
// is the first row visible. It keeps the cursor in view as it moves.
type Cursor struct {
	Index, Offset int
	Len, Height   int
}

// SetLen changes the number of rows and keeps the cursor inside.
func (c *Cursor) SetLen(n int) {
	c.Len = n
	c.clamp()
}

// SetHeight changes the number of rows visible.
func (c *Cursor) SetHeight(h int) {
	c.Height = max(h, 1)
	c.clamp()
}

// Move moves the cursor by delta rows.
func (c *Cursor) Move(delta int) {
	c.Index += delta
	c.clamp()
}

// Top and Bottom jump to the ends.
func (c *Cursor) Top()    { c.Index = 0; c.clamp() }
func (c *Cursor) Bottom() { c.Index = c.Len - 1; c.clamp() }

func (c *Cursor) clamp() {
	if c.Height < 1 {
		c.Height = 1
	}
	if c.Index >= c.Len {
		c.Index = c.Len - 1
	}
	if c.Index < 0 {
		c.Index = 0
	}
	if c.Index < c.Offset {
		c.Offset = c.Index
	}
	if c.Index >= c.Offset+c.Height {
		c.Offset = c.Index - c.Height + 1
	}
	if c.Offset > max(c.Len-c.Height, 0) {
		c.Offset = max(c.Len-c.Height, 0)
	}
	if c.Offset < 0 {
		c.Offset = 0
	}
}

// Visible returns the range [from, to) of rows in view.
func (c *Cursor) Visible() (from, to int) {
	c.clamp()
	return c.Offset, min(c.Offset+c.Height, c.Len)
}

// Truncate cuts s (which may hold ANSI styles) to width cells, with "…".
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// Lines cuts or pads text to exactly height lines, each cut to width, so a
// screen never pushes the help line off the bottom.
func Lines(s string, width, height int) string {
	if height <= 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = Truncate(l, width)
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Wrap word-wraps plain text to width.
func Wrap(s string, width int) string {
	if width < 10 {
		width = 10
	}
	return ansi.Wrap(s, width, "")
}

// Columns joins two blocks side by side with a gap, the left one padded
// to leftWidth.
func Columns(left, right string, leftWidth, gap int) string {
	l := lipgloss.NewStyle().Width(leftWidth).MaxWidth(leftWidth).Render(left)
	return lipgloss.JoinHorizontal(lipgloss.Top, l, strings.Repeat(" ", gap), right)
}

// Rule is a horizontal line of width cells.
func Rule(width int) string {
	return strings.Repeat("─", max(width, 0))
}

// Indent puts first before the first line of s and rest before every other.
func Indent(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
