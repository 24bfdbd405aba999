// Package iostreams knows where output goes and whether it is a terminal, so
// colour and interactivity adapt, and machine formats stay clean on stdout.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"
)

// IOStreams are the standard streams of a command.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	// outProfile and errProfile are the colours each stream may use, as
	// termenv reads the terminal and the environment (Ascii: none).
	outProfile termenv.Profile
	errProfile termenv.Profile
	// noColor is --no-color: no colour whatever the environment says.
	noColor bool
}

// System returns the process's streams. Colour follows termenv's reading
// of the environment: none when the stream is not a terminal, when
// NO_COLOR is set and not empty (no-color.org: NO_COLOR= means nothing), on
// TERM=dumb or CLICOLOR=0; forced by CLICOLOR_FORCE (bixense.com/clicolors).
func System() *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	s.outProfile = ColorProfile(os.Stdout, s.stdoutTTY, nil)
	s.errProfile = ColorProfile(os.Stderr, s.stderrTTY, nil)
	return s
}

func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }

// ColorProfile is the colours a stream may use: termenv's reading of the
// terminal and of env (nil: the process's environment), for a stream that
// is a terminal (tty) or not.
func ColorProfile(w io.Writer, tty bool, env termenv.Environ) termenv.Profile {
	opts := []termenv.OutputOption{termenv.WithTTY(tty)}
	if env != nil {
		opts = append(opts, termenv.WithEnvironment(env))
	}
	return termenv.NewOutput(w, opts...).EnvColorProfile()
}

// Test returns streams backed by buffers: nothing is a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, outProfile: termenv.Ascii, errProfile: termenv.Ascii}, in, out, errOut
}

// SetTTY marks all streams as terminals or not (tests). A terminal may
// use colour (256 colours) unless SetNoColor says otherwise.
func (s *IOStreams) SetTTY(tty bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = tty, tty, tty
	s.outProfile, s.errProfile = termenv.Ascii, termenv.Ascii
	if tty {
		s.outProfile, s.errProfile = termenv.ANSI256, termenv.ANSI256
	}
}

// SetNoColor turns colour off whatever the environment says (--no-color).
func (s *IOStreams) SetNoColor(v bool) { s.noColor = v }

// NoColor reports whether colour was turned off with SetNoColor.
func (s *IOStreams) NoColor() bool { return s.noColor }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// Interactive is true when both stdin and stdout are terminals.
func (s *IOStreams) Interactive() bool { return s.stdinTTY && s.stdoutTTY }

// ColorEnabled reports whether stdout may be coloured.
func (s *IOStreams) ColorEnabled() bool { return s.profile(s.outProfile) != termenv.Ascii }

// Profile is the colours stdout may use (termenv.Ascii: none).
func (s *IOStreams) Profile() termenv.Profile { return s.profile(s.outProfile) }

// ColorEnabledErr is ColorEnabled for stderr.
func (s *IOStreams) ColorEnabledErr() bool { return s.profile(s.errProfile) != termenv.Ascii }

func (s *IOStreams) profile(p termenv.Profile) termenv.Profile {
	if s.noColor {
		return termenv.Ascii
	}
	return p
}

// Renderer returns a lipgloss renderer for stdout that colours only when
// allowed, with the colours the terminal has.
func (s *IOStreams) Renderer() *lipgloss.Renderer {
	return renderer(s.Out, s.profile(s.outProfile))
}

// Width is the width of the terminal standard output writes to, in
// cells, or 0 when it is not a terminal (a file, a pipe, a CI log).
func (s *IOStreams) Width() int { return width(s.Out) }

// WidthErr is Width for standard error: 0 leaves text for the reader to
// wrap.
func (s *IOStreams) WidthErr() int { return width(s.ErrOut) }

func width(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(f.Fd()); err == nil && cols > 0 {
			return cols
		}
	}
	return 0
}

// RendererErr is Renderer for stderr.
func (s *IOStreams) RendererErr() *lipgloss.Renderer {
	return renderer(s.ErrOut, s.profile(s.errProfile))
}

// PlainRenderer renders without colour or styles: for files.
func PlainRenderer() *lipgloss.Renderer { return renderer(io.Discard, termenv.Ascii) }

// renderer never lets lipgloss ask the terminal anything: the profile is
// set, and nothing here reads the background colour.
func renderer(w io.Writer, p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w, termenv.WithProfile(p))
	r.SetColorProfile(p)
	return r
}
