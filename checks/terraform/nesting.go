package terraform

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// maxNesting bounds how deeply a file may nest what HCL's parser (and
// secfirst's evaluation after it) descends into by recursion: blocks,
// brackets, calls, templates, and chains of unary operators and
// conditionals. Real modules stay under a few dozen levels; a hostile file
// of 80,000 nested brackets (160 KB) would overflow the goroutine's stack,
// a fatal error no recover catches, and 10,000 already cost 260 MB.
const maxNesting = 256

// tooDeep reports the line where src first nests deeper than maxNesting,
// or 0. It counts on HCL's own lexer, which does not recurse: an opening
// bracket, brace, parenthesis, quote, heredoc or template sequence adds a
// level until it closes; a unary operator or a `?` adds one until the
// expression ends (a comma, a newline in a body or an object, or its
// bracket closing); a template's %{if} or %{for} adds one until its end.
// It over-counts binary minus, never under-counts.
func tooDeep(src []byte) int {
	// Every level needs a byte that opens it: a brace (which also opens
	// the quote or heredoc of a template around it, or a directive), a
	// bracket, a parenthesis or an operator. Most files are ruled out
	// without lexing.
	count := func(chars string) (n int) {
		for _, c := range []byte(chars) {
			n += bytes.Count(src, []byte{c})
		}
		return n
	}
	if 2*count("{")+count("[(?!-") < maxNesting {
		return 0
	}
	tokens, _ := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	// levels are the brackets open, innermost last, each with the unary
	// operators and conditionals pending in it; the first is the file.
	type level struct {
		open hclsyntax.TokenType
		ops  int
	}
	levels := []level{{open: hclsyntax.TokenOBrace}}
	depth := 0 // brackets open, every level's pending operators, template directives open
	for i, t := range tokens {
		in := &levels[len(levels)-1]
		switch t.Type {
		case hclsyntax.TokenIdent:
			// %{if} and %{for} nest until their %{endif} and %{endfor}.
			if i > 0 && tokens[i-1].Type == hclsyntax.TokenTemplateControl {
				switch string(t.Bytes) {
				case "if", "for":
					depth++
				case "endif", "endfor":
					depth--
				}
			}
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote,
			hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			levels = append(levels, level{open: t.Type})
			depth++
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote,
			hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			if len(levels) > 1 {
				depth -= in.ops + 1
				levels = levels[:len(levels)-1]
			}
		case hclsyntax.TokenBang, hclsyntax.TokenMinus, hclsyntax.TokenQuestion:
			in.ops++
			depth++
		case hclsyntax.TokenComma, hclsyntax.TokenNewline:
			// A newline ends an expression only in a body or an object;
			// inside brackets, parentheses and templates it is a blank.
			if t.Type == hclsyntax.TokenComma || in.open == hclsyntax.TokenOBrace {
				depth -= in.ops
				in.ops = 0
			}
		}
		if depth > maxNesting {
			return t.Range.Start.Line
		}
	}
	return 0
}
