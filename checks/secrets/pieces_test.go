package secrets

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// found lists findings as "rule line secret", sorted.
func found(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %d %s", f.RuleID, f.StartLine, f.Secret))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// detectInPieces is what scan.run does with one fragment.
func detectInPieces(d *detect.Detector, f detect.Fragment) []report.Finding {
	seen := newDedupe()
	var out []report.Finding
	for _, p := range pieces(f) {
		for _, finding := range d.DetectContext(context.Background(), p) {
			if seen.first(finding) {
				out = append(out, finding)
			}
		}
	}
	return out
}

// TestPiecesFindWhatTheWholeFinds reads texts in pieces and whole: the
// same secrets on the same lines, whether the secrets sit in short lines,
// in one long line, across the places the pieces are cut, or in a private
// key over many lines.
func TestPiecesFindWhatTheWholeFinds(t *testing.T) {
	cfg, err := defaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	d := detect.NewDetector(cfg)
	d.MaxDecodeDepth = maxDecodeDepth
	rnd := rand.New(rand.NewSource(7))
	// Code with lines, code on one line, and text without a place to cut
	// but anywhere (a long run of base64), where secrets straddle the cuts.
	filler := func(n int, kind string) string {
		var b strings.Builder
		for b.Len() < n {
			if kind == "no cuts" {
				b.WriteString(strings.Repeat("q", 1+rnd.Intn(50)) + fmt.Sprint(rnd.Intn(1000)))
				continue
			}
			fmt.Fprintf(&b, "var v%d=f(%d);", rnd.Intn(1000), rnd.Intn(1000))
			if kind == "lines" && rnd.Intn(3) == 0 {
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	secret := func(i int, kind string) string {
		switch i % 4 {
		case 0:
			return `"` + gittest.FakeGitHubToken() + `"`
		case 1:
			return `"` + gittest.FakeAWSKey() + `"`
		case 2:
			return `"` + gittest.FakeStripeKey() + `"`
		}
		if kind == "no cuts" {
			return `"` + gittest.FakeGitHubToken() + `"`
		}
		return "\n" + gittest.FakePrivateKey()
	}
	for _, kind := range []string{"lines", "one line", "no cuts"} {
		var b strings.Builder
		for i := range 40 {
			// Every distance to the next cut, the cut itself included;
			// without a place to cut, the pieces end every pieceSize bytes
			// and each secret starts a few bytes before one of those ends.
			n := pieceSize - 200 + rnd.Intn(400)
			if kind == "no cuts" {
				n = (i+1)*pieceSize - (5 + i%30) - b.Len()
			}
			b.WriteString(filler(n, kind)[:n])
			b.WriteString(secret(i, kind))
		}
		text := b.String()
		frag := detect.Fragment{Raw: text, FilePath: "bundle.js", StartLine: 1}
		if len(pieces(frag)) < 40 {
			t.Fatalf("the text must be read in many pieces: %d", len(pieces(frag)))
		}
		whole, inPieces := found(d.DetectContext(context.Background(), frag)), found(detectInPieces(d, frag))
		if len(whole) < 40 {
			t.Fatalf("%s: the whole text must hold the 40 secrets: %d", kind, len(whole))
		}
		if !slices.Equal(whole, inPieces) {
			t.Errorf("%s: in pieces %d findings, whole %d:\nonly whole: %d\nonly in pieces: %d", kind, len(inPieces), len(whole),
				len(slices.DeleteFunc(slices.Clone(whole), func(s string) bool { return slices.Contains(inPieces, s) })),
				len(slices.DeleteFunc(slices.Clone(inPieces), func(s string) bool { return slices.Contains(whole, s) })))
		}
	}
}

// TestFastLineAllowlistsAllowTheSame compares gitleaks' own compiled rules
// with those whose line allowlists secfirst rebuilt: the same findings on
// lines that the allowlists do and do not allow.
func TestFastLineAllowlistsAllowTheSame(t *testing.T) {
	vc, err := defaultViperConfig()
	if err != nil {
		t.Fatal(err)
	}
	fast, err := translate(vc)
	if err != nil {
		t.Fatal(err)
	}
	// gitleaks' own, compiled from a copy: Translate changes what it reads.
	vc.Rules = slices.Clone(vc.Rules)
	for i := range vc.Rules {
		vc.Rules[i].Allowlists = slices.Clone(vc.Rules[i].Allowlists)
	}
	vc.Allowlists = slices.Clone(vc.Allowlists)
	own, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := 0
	for id, r := range fast.Rules {
		for i, a := range r.Allowlists {
			if a != own.Rules[id].Allowlists[i] {
				rebuilt++
			}
		}
	}
	if rebuilt == 0 {
		t.Fatal("no line allowlist was rebuilt: the test would prove nothing")
	}
	value := func() string { return gittest.FakeGitHubToken()[4:24] }
	var lines []string
	for range 20 {
		v := value()
		lines = append(lines,
			`api_key = "`+v+`"`,
			`import { api_key } from "`+v+`"; const api_key = "`+v+`"`,
			`RUN --mount=type=secret,id=api_key,target=/run/`+v,
			`LICENSE_token = "`+v+`"`,
			`SRC_api_key = "`+v+`"`,
		)
	}
	for _, path := range []string{"app.py", "recipe.bb"} {
		frag := detect.Fragment{Raw: strings.Join(lines, "\n") + "\n", FilePath: path}
		a := found(detect.NewDetector(own).DetectContext(context.Background(), frag))
		b := found(detect.NewDetector(fast).DetectContext(context.Background(), frag))
		if len(a) == 0 || len(a) == len(lines) {
			t.Fatalf("%s: the lines must be partly allowed to test anything: %d of %d found", path, len(a), len(lines))
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: gitleaks' allowlists find %d, secfirst's %d", path, len(a), len(b))
		}
	}
}

// TestMayDecodeMissesNoSegment holds mayDecode to gitleaks' decoder: on
// texts built to sit on each edge of its patterns, whenever mayDecode says
// there is nothing to decode, the decoder finds no segment.
func TestMayDecodeMissesNoSegment(t *testing.T) {
	rnd := rand.New(rand.NewSource(11))
	pieces := []string{"%", "%4", "%41", "%zz", "U", "U+", "U+1F60", "U+1F600 ", `\`, `\u`, `\\u0041`, `\U00e9`,
		"abcdefghijklmno", "abcdefghijklmnop", "0123456789abcdef0123456789abcdef", "deadbeef", "==", "=", "-", "_", "/", "+", " ", "\n", ".", "\"", "é",
		"window_pane_set_mode", "getBoundingClientRect", "value_12", "aGVsbG8gd29ybGQ", "aGVsbG8gd29ybGQh", "dG9rZW49c2VjcmV0", "cGFzc3dvcmQ6IGh1bnRlcjI",
		base64.StdEncoding.EncodeToString([]byte("key: 1234567890abc")), base64.RawURLEncoding.EncodeToString([]byte("id=secret-value_1"))} // gitleaks:allow: fixtures of the decoder
	decoder := codec.NewDecoder()
	misses, skipped := 0, 0
	for range 50000 {
		var b strings.Builder
		for range 1 + rnd.Intn(6) {
			b.WriteString(pieces[rnd.Intn(len(pieces))])
		}
		text := b.String()
		if mayDecode(text) {
			continue
		}
		skipped++
		if _, segments := decoder.Decode(text, nil); len(segments) > 0 {
			misses++
			if misses < 5 {
				t.Errorf("mayDecode(%q) = false, but the decoder finds %d segments", text, len(segments))
			}
		}
	}
	if skipped < 1000 {
		t.Fatalf("too few texts without anything to decode to test: %d", skipped)
	}
	for _, text := range []string{"%41", "U+1F600 ", `\u0041`, strings.Repeat("f", 32), "aGVsbG8gd29ybGQh", "x=" + base64.StdEncoding.EncodeToString([]byte("key: 1234567890abc"))} { // gitleaks:allow: fixtures of the decoder
		if !mayDecode(text) {
			t.Errorf("mayDecode(%q) = false", text)
		}
	}
}

// TestHunksGiveFindingsTheirOwnLinesAndCommit: a hunk read again gets the
// findings of the first on its own lines and commit, and only a hunk of
// the same file and text is the same hunk.
func TestHunksGiveFindingsTheirOwnLinesAndCommit(t *testing.T) {
	cfg, err := defaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	d := detect.NewDetector(cfg)
	text := "x = 1\ntoken = \"" + gittest.FakeGitHubToken() + "\"\n"
	first := detect.Fragment{Raw: text, FilePath: "a.txt", StartLine: 3, CommitSHA: "1111111"}
	var h hunks
	h.remember(first, d.DetectContext(context.Background(), first))
	again := first
	again.StartLine, again.CommitSHA = 40, "2222222"
	got, ok := h.found(again)
	if !ok || len(got) != 1 || got[0].StartLine != 41 || got[0].EndLine != 41 || got[0].Commit != "2222222" {
		var where []string
		for _, f := range got {
			where = append(where, fmt.Sprintf("%s lines %d-%d of %s", f.RuleID, f.StartLine, f.EndLine, f.Commit))
		}
		t.Fatalf("want the token on line 41 of commit 2222222, got %v %v", ok, where)
	}
	if direct := d.DetectContext(context.Background(), again); len(direct) != 1 || direct[0].StartLine != got[0].StartLine {
		t.Fatalf("the detector itself puts it on line %d", direct[0].StartLine)
	}
	for _, other := range []detect.Fragment{{Raw: text, FilePath: "b.txt"}, {Raw: text + "y\n", FilePath: "a.txt"}} {
		if _, ok := h.found(other); ok {
			t.Errorf("%s %q is not the same hunk", other.FilePath, other.Raw[:5])
		}
	}
}
