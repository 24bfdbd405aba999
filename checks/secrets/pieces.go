package secrets

import (
	"context"
	"encoding/base64"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"golang.org/x/sync/semaphore"
)

// gitleaks' detector costs more than the size of what it reads: a rule
// runs over a whole fragment as soon as one of its keywords is anywhere in
// it, each match is located by walking every newline of the fragment
// before it, and a rule's line allowlists are matched against the whole
// line for every candidate on it. A staged 1 MB file of one line took 21 s
// that way, a 3.8 MB JavaScript file 18 s of CPU. Fragments are read in
// pieces of about pieceSize bytes instead, so that each rule runs where its
// keywords are and neither a fragment nor a line is ever long: the work
// grows with the size of the change (TestPiecesFindWhatTheWholeFinds).
const (
	pieceSize = 2 << 10
	// pieceOverlap is how far each piece reads into the next: a secret of
	// one line up to this long that a cut runs through is whole in the
	// piece before it. A PEM block is never cut (see cutAt).
	pieceOverlap = 512
	// piecesPerJob is how many pieces of one fragment one worker reads, so
	// that a single large file keeps every core busy.
	piecesPerJob = 32
	// batchSize is about how much text of many small files a history
	// stream hands to a worker at once.
	batchSize = 64 << 10
	// jobsAhead is how many jobs may wait for a worker: the parse goes on
	// while the rules compile, as far as the budget of inFlight lets it.
	jobsAhead = 1024
	// maxBlock bounds how far a cut moves to keep a PEM block whole.
	maxBlock = 64 << 10
	// inFlight bounds the text held for detection at once, in bytes: the
	// parse of git's output waits rather than memory growing with the commit.
	inFlight = 64 << 20
)

// pieces splits a fragment longer than a piece and its overlap into pieces
// of about pieceSize bytes, each also reading the pieceOverlap bytes after
// it, and each carrying the line it starts on.
func pieces(f detect.Fragment) []detect.Fragment {
	if len(f.Raw) <= pieceSize+pieceOverlap {
		return []detect.Fragment{f}
	}
	var out []detect.Fragment
	line := f.StartLine
	for start := 0; start < len(f.Raw); {
		end := len(f.Raw)
		if end-start > pieceSize+pieceOverlap {
			end = cutAt(f.Raw, start, start+pieceSize)
		}
		p := f
		p.Raw = f.Raw[start:min(end+pieceOverlap, len(f.Raw))]
		p.Bytes = nil
		p.StartLine = line
		out = append(out, p)
		line += strings.Count(f.Raw[start:end], "\n")
		start = end
	}
	return out
}

// cutAt is where to end the piece that starts at start and should end at
// limit: after the last newline in its last quarter, else after the last
// space or punctuation there, else at limit. A cut that would fall inside a
// PEM block ("-----BEGIN ..." to "-----END ...-----", a private key over
// many lines) moves past its end, up to maxBlock further.
func cutAt(s string, start, limit int) int {
	cut := limit
	from := limit - pieceSize/4
	if i := strings.LastIndexByte(s[from:limit], '\n'); i >= 0 {
		cut = from + i + 1
	} else if i := strings.LastIndexAny(s[from:limit], " \t;,{}()"); i >= 0 {
		cut = from + i + 1
	}
	begin := strings.LastIndex(s[start:cut], "-----BEGIN")
	if begin < 0 {
		return cut
	}
	begin += start
	end := strings.Index(s[begin:min(begin+maxBlock, len(s))], "-----END")
	if end < 0 || begin+end < cut {
		return cut // whole before the cut, or no end in sight
	}
	// The block runs past the cut: end the piece after its last line.
	after := begin + end + len("-----END")
	if close := strings.Index(s[after:min(after+100, len(s))], "-----"); close >= 0 {
		return after + close + len("-----")
	}
	return cut
}

// dedupe keeps the first of the findings that overlapping pieces of one
// fragment report twice. It is safe for concurrent use. A finding is
// known by its rule, line and a 128-bit hash of its secret (as hunkKey):
// a file of 240,000 keys held 22 MB of keys that spelled the secrets out.
type dedupe struct {
	mu   sync.Mutex
	seen map[dedupeKey]struct{}
}

type dedupeKey struct {
	rule   string
	line   int
	secret [2]uint64
}

func newDedupe() *dedupe { return &dedupe{seen: map[dedupeKey]struct{}{}} }

func (d *dedupe) first(f report.Finding) bool {
	key := dedupeKey{rule: f.RuleID, line: f.StartLine}
	for i, seed := range hunkSeeds {
		key.secret[i] = maphash.String(seed, f.Secret)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.seen[key]; ok {
		return false
	}
	d.seen[key] = struct{}{}
	return true
}

// newBudget bounds the bytes of text held for detection at once.
func newBudget() *semaphore.Weighted { return semaphore.NewWeighted(inFlight) }

// acquire takes n bytes of the budget (all of it for more) and returns
// what to release, or an error when ctx ends first.
func acquire(ctx context.Context, b *semaphore.Weighted, n int) (int64, error) {
	w := min(int64(max(n, 1)), inFlight)
	return w, b.Acquire(ctx, w)
}

// fastLineAllowlists makes gitleaks test the regexes of the allowlists that
// target a whole line one by one. gitleaks joins them into one alternation
// (Allowlist.Validate), which has no literal prefix for Go's regexp to
// search for, and matches it against the whole line for every candidate on
// the line; each of them alone starts with a literal ("import", "LICENSE",
// "--mount=type=secret,") and is found with a fast search. Only allowlists
// whose every regex has a literal prefix, and which list no commits or
// stop words (whose matching Validate also prepares), are rebuilt; what
// they allow is the same (TestFastLineAllowlistsAllowTheSame).
func fastLineAllowlists(cfg *config.Config) {
	for id, r := range cfg.Rules {
		changed := false
		for i, a := range r.Allowlists {
			if !fastable(a) {
				continue
			}
			if !changed {
				r.Allowlists = append([]*config.Allowlist(nil), r.Allowlists...)
				changed = true
			}
			r.Allowlists[i] = &config.Allowlist{Description: a.Description, MatchCondition: a.MatchCondition,
				Paths: a.Paths, RegexTarget: a.RegexTarget, Regexes: a.Regexes}
		}
		if changed {
			cfg.Rules[id] = r
		}
	}
}

func fastable(a *config.Allowlist) bool {
	if a.RegexTarget != "line" || len(a.Regexes) == 0 || len(a.Commits) > 0 || len(a.StopWords) > 0 {
		return false
	}
	for _, re := range a.Regexes {
		if prefix, _ := re.LiteralPrefix(); prefix == "" {
			return false
		}
	}
	return true
}

// mayDecode reports whether gitleaks' decoder could find a segment to
// decode in s. The decoder (codec.Decoder) matches its patterns over the
// whole text, at every depth, and is the largest cost of a history scan;
// a text where it can decode nothing is read by a detector that does not
// decode, and the findings are the same (TestMayDecodeMissesNoSegment).
// Its patterns and tests, in its order: a percent escape (%XX), a Unicode
// escape (U+XXXX, \uXXXX), a run of 32 hex digits, and a run of 16 base64
// characters ([\w/+-], then up to two "=") that holds a digit or one of
// "+/-_" and decodes, as standard or raw URL base64, to printable ASCII.
// A run is matched from its start, so only a run starting with 32 hex
// digits can hold a hex match; the others are taken at their word.
func mayDecode(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			return true
		case c == '\\' && i+1 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U' || s[i+1] == '\\'):
			return true
		case !isBase64(c):
			i++
			continue
		}
		j := i
		for j < len(s) && isBase64(s[j]) {
			j++
		}
		run := s[i:j]
		if strings.Contains(run, "U+") {
			return true
		}
		if len(run) >= 16 {
			hex := 0
			for hex < len(run) && isHex(run[hex]) {
				hex++
			}
			end := j
			for end < len(s) && end < j+2 && s[end] == '=' {
				end++
			}
			if hex >= 32 || decodesAsBase64(s[i:end]) {
				return true
			}
		}
		i = j
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isBase64(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/' || c == '+' || c == '-'
}

// decodesAsBase64 is whether gitleaks' decoder would decode v as base64.
func decodesAsBase64(v string) bool {
	if !strings.ContainsAny(v, "0123456789+/-_") {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && !slices.ContainsFunc(b, func(c byte) bool { return c <= '\x08' || c >= '\x7f' }) {
			return true
		}
	}
	return false
}

// hunks remembers what the fragments of a history scan held, by their
// file and text: a quarter of the hunks of a long history (tmux: 24,648 of
// 96,369) add text that an earlier commit added already (reverts, cherry
// picks, a closing brace), and each is read once. A hunk seen again gets
// the findings of the first, on its own lines and commit: gitleaks reports
// a secret in every commit whose diff adds it, and so does secfirst. It is
// safe for concurrent use.
type hunks struct {
	seen sync.Map // hunkKey → []report.Finding, lines relative to the hunk
	n    atomic.Int64
}

// maxHunks bounds the hunks remembered (about 100 bytes each).
const maxHunks = 1 << 20

// hunkSeeds make a 128-bit key of two independent 64-bit hashes: a
// collision would give a hunk the findings of another.
var hunkSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func hunkKey(f detect.Fragment) [2]uint64 {
	var k [2]uint64
	for i, seed := range hunkSeeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteString(f.FilePath)
		h.WriteByte(0)
		h.WriteString(f.Raw)
		k[i] = h.Sum64()
	}
	return k
}

// found returns the findings of a hunk with f's text read before, moved to
// f's lines and commit, and whether there was one.
func (h *hunks) found(f detect.Fragment) ([]report.Finding, bool) {
	v, ok := h.seen.Load(hunkKey(f))
	if !ok {
		return nil, false
	}
	var out []report.Finding
	for _, finding := range v.([]report.Finding) {
		finding.StartLine += f.StartLine
		finding.EndLine += f.StartLine
		finding.Commit = f.CommitSHA
		out = append(out, finding)
	}
	return out, true
}

// remember keeps the findings of f.
func (h *hunks) remember(f detect.Fragment, fs []report.Finding) {
	if h.n.Add(1) > maxHunks {
		return
	}
	rel := make([]report.Finding, len(fs))
	for i, finding := range fs {
		finding.StartLine -= f.StartLine
		finding.EndLine -= f.StartLine
		rel[i] = finding
	}
	h.seen.Store(hunkKey(f), rel)
}
