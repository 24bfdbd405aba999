package secrets_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// minified is n bytes of what a JavaScript bundle looks like to gitleaks,
// modelled on a real one (Apache ECharts' 1.1 MB echarts.min.js, whose
// keywords gitleaks finds at about the same rates): short names and
// property chains, common words that are rule keywords ("key", "api",
// "token", "s."), strings, hex colours and a few base64 data URIs, on one
// line or on many. The same seed gives the same bytes.
func minified(n int, seed int64, newlines bool) string {
	rnd := rand.New(rand.NewSource(seed))
	words := strings.Fields("length prototype call apply push map filter indexOf value style " +
		"getBoundingClientRect createElement series data option width height color label " +
		"position silent animation duration easing group parent children type")
	// Rule keywords in about one statement of a hundred, as in the real one.
	keywords := strings.Fields("key keys api apiVersion token tokenize access auth")
	word := func() string {
		if rnd.Intn(100) == 0 {
			return keywords[rnd.Intn(len(keywords))]
		}
		return words[rnd.Intn(len(words))]
	}
	name := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		return string(letters[rnd.Intn(len(letters))])
	}
	var b strings.Builder
	for b.Len() < n {
		w := word()
		switch k := rnd.Intn(100); {
		case k < 30:
			fmt.Fprintf(&b, "function %s(%s,%s){return %s.%s(%s)}", name(), name(), name(), name(), w, name())
		case k < 55:
			fmt.Fprintf(&b, "var %s=%s.%s,%s=%s.%s||%d;", name(), name(), w, name(), name(), word(), rnd.Intn(1000))
		case k < 70:
			fmt.Fprintf(&b, `if(%s&&%s.%s)return %s.%s;`, name(), name(), w, name(), w)
		case k < 85:
			fmt.Fprintf(&b, `%s.%s="%s %s";`, name(), w, w, word())
		case k < 99:
			fmt.Fprintf(&b, `%s.color="#%06x";`, name(), rnd.Intn(1<<24))
		default:
			raw := make([]byte, 300)
			rnd.Read(raw)
			fmt.Fprintf(&b, `%s.src="data:image/png;base64,%s";`, name(), base64.StdEncoding.EncodeToString(raw))
		}
		if newlines && rnd.Intn(20) == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String() + "\n"
}

// benchStaged measures the secrets check of a commit that stages content
// as path, with a fake token in its middle, redaction of what it reports
// included, as the hook runs it; the token must be found.
func benchStaged(b *testing.B, path, content string) {
	r := gittest.New(b)
	r.Write("README", "x\n")
	r.Commit("init")
	half := len(content) / 2
	r.Write(path, content[:half]+`;var T="`+gittest.FakeGitHubToken()+`";`+content[half:])
	r.Git("add", "-A")
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeStaged)
	if err != nil {
		b.Fatal(err)
	}
	src.Env = r.Env
	checks.SetRedactor(secrets.NewRedactor())
	b.SetBytes(int64(len(content)))
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		rep := checks.Scan(context.Background(), src, []checks.Check{secrets.New()}, nil, checks.Options{})
		if len(rep.Errors) > 0 || len(rep.Warnings) > 0 {
			b.Fatal(rep.Errors, rep.Warnings)
		}
		if !slices.ContainsFunc(rep.Findings, func(f checks.Finding) bool { return f.Rule == "github-pat" }) {
			b.Fatalf("the token in the middle of %s was not found: %v", path, rules(rep.Findings))
		}
	}
	// On a shared machine the wall time says more about the neighbours.
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the CPU time the process has used, git's included once it has
// exited.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	var d time.Duration
	for _, ru := range []syscall.Rusage{self, children} {
		d += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return d
}

// A staged 1 MB file of one line (issue 13: 21 s) must add well under a
// second to the hook.
func BenchmarkStagedSingleLine1MB(b *testing.B) {
	benchStaged(b, "dist/app.min.js", minified(1<<20, 1, false))
}

// A staged 5 MB minified bundle (issue 13: a real 4.5 MB one made a commit
// take 36 s) must add well under a second to the hook.
func BenchmarkStagedMinifiedBundle5MB(b *testing.B) {
	benchStaged(b, "static/js/main.3f2a1c.js", minified(5<<20, 2, true))
}

// historyRepo is the fixture of ../shared/bench/run history, built the same
// way: 3,000 commits that each rewrite 4 of 2,000 files of 30 lines, one
// commit in 75 adding a fake token.
func historyRepo(b *testing.B) *gittest.Repo {
	r := gittest.New(b)
	rnd := rand.New(rand.NewSource(3))
	var stream strings.Builder
	for c := range 3000 {
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter p <p@example.com> %d +0000\ndata %d\nc%d\n", 1700000000+c, len(fmt.Sprint("c", c)), c)
		for f := range 4 {
			i := rnd.Intn(2000)
			var body strings.Builder
			for j := range 30 {
				fmt.Fprintf(&body, "value_%d = %d\n", j, rnd.Intn(1_000_001))
			}
			if c%75 == 0 && f == 0 {
				fmt.Fprintf(&body, "token = \"%s\"\n", gittest.FakeGitHubToken())
			}
			fmt.Fprintf(&stream, "M 100644 inline pkg%d/mod%d.py\ndata %d\n%s\n", i%40, i, body.Len(), body.String())
		}
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Env, cmd.Stdin = r.Dir, r.Env, strings.NewReader(stream.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("fast-import: %v\n%s", err, out)
	}
	r.Git("checkout", "-q", "main")
	return r
}

// BenchmarkHistory scans the history of the bench fixture: every one of
// its 40 leaks must be found, each once.
func BenchmarkHistory(b *testing.B) {
	r := historyRepo(b)
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeHistory)
	if err != nil {
		b.Fatal(err)
	}
	src.Env = r.Env
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		res, err := secrets.New().Run(context.Background(), src)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 40 {
			b.Fatalf("want the 40 leaks, got %d", len(res.Findings))
		}
	}
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}
