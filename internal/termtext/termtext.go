// Package termtext turns data that comes from a repository (file names,
// file content, commit data, notes people wrote) into text that is safe to
// show on a terminal: no byte of it can move the cursor, change the
// window's title, ring the bell or reorder what is shown. Every text output
// secfirst writes for a person (the hook's message, `scan` text, the
// checklist's status and export, the TUI) passes repository data through it
// at the point where the data becomes terminal text. Machine formats (JSON,
// SARIF) keep the exact strings: their encoders escape them.
//
// It imports nothing of secfirst's, so any package may use it.
package termtext

import (
	"strings"
	"unicode/utf8"
)

// Line makes s safe to show on one line: every control character,
// newlines and tabs included, is shown visibly (ESC as \x1b, a C1 control
// as \u009b), as are the Unicode bidirectional overrides that can make
// text read differently from what it is ("Trojan Source"), and bytes that
// are not UTF-8.
func Line(s string) string { return sanitize(s, false) }

// Block is Line for text of several lines: newlines and tabs are kept,
// every other control character is shown visibly.
func Block(s string) string { return sanitize(s, true) }

// Safe reports whether s would be shown as it is by Line.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || unsafeRune(r) {
			return false
		}
		i += n
	}
	return true
}

func sanitize(s string, keepLines bool) string {
	if Safe(s) {
		return s // the common case costs no allocation
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			writeByte(&b, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			writeByte(&b, byte(r))
		case unsafeRune(r):
			writeRune(&b, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune: C0 and DEL, C1, and the bidirectional embedding, override
// and isolate controls.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

const hexDigits = "0123456789abcdef"

func writeByte(b *strings.Builder, c byte) {
	switch c {
	case '\n':
		b.WriteString(`\n`)
	case '\t':
		b.WriteString(`\t`)
	case '\r':
		b.WriteString(`\r`)
	default:
		b.WriteString(`\x`)
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
}

func writeRune(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}
