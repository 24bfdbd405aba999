package secrets_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestRedactorMasksEverySecret holds the redactor the engine applies to
// every text a finding shows: every secret of the default rules and of the
// repository's own (staged in staged mode) is masked, an encoded one with
// its whole encoded form, one on a `gitleaks:allow` line too, and a long
// word cut by "…", while ordinary text is left as it is.
//
// It runs on these texts alone, and again with thousands of fixes like a
// report of a generated manifest holds after them (past 256 KiB the
// redactor runs every rule instead of choosing them, and the generic rule
// is skipped on the texts it cannot match).
func TestRedactorMasksEverySecret(t *testing.T) {
	for _, fillers := range []int{0, 3000} {
		t.Run(fmt.Sprint(fillers, " fillers"), func(t *testing.T) { testRedactorMasksEverySecret(t, fillers) })
	}
}

func testRedactorMasksEverySecret(t *testing.T, fillers int) {
	r := gittest.New(t)
	r.Write(".gitleaks.toml", "[[rules]]\nid = \"acme-internal-token\"\nregex = '''ACME-[0-9]{12}'''\nkeywords = [\"acme-\"]\n")
	r.Git("add", "-A")
	r.Write(".gitleaks.toml", "# not staged\n")
	gh, aws, acme := gittest.FakeGitHubToken(), gittest.FakeAWSKey(), "ACME-"+strings.Repeat("4", 12)
	generic := genericFake()
	encoded := b64(`{"aws_access_key_id": "` + aws + `"}`)
	texts := []string{
		`creds = "` + gh + `" + "` + aws + `"`,
		"data: " + encoded + " end",
		`k = "` + aws + `"  # gitleaks:allow`,
		"internal = " + acme,
		"RUN curl https://example.com/?t=" + gh[:20] + "…",
		"FROM alpine:3.19 AS build",
		"line one\nkey: " + gh + "\nline three",
		`api_key = "` + generic + `"`,
	}
	want := []string{
		`creds = "****" + "****"`,
		"data: **** end",
		`k = "****"  # gitleaks:allow`,
		"internal = ****",
		"RUN curl ****…", // the whole word cut: part of a secret is no less a secret
		"FROM alpine:3.19 AS build",
		"line one\nkey: ****\nline three",
		`api_key = "****"`,
	}
	for i := range fillers {
		fix := fmt.Sprintf("Add `automountServiceAccountToken: false` to the pod spec at spec (line %d); keep the token only for a service account with a Role", i)
		texts, want = append(texts, fix), append(want, fix)
	}
	src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	src.Env = r.Env
	got, err := secrets.NewRedactor().Redact(context.Background(), src, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		if got[i] != want[i] {
			t.Errorf("text %d: got %q, want %q", i, hideFakes(got[i], gh, aws, generic), want[i])
		}
	}
}

// TestRedactorsRunInParallel: scans that finish at once redact at once
// (the checklist runs its checks in parallel); they share gitleaks'
// default configuration and must not write it (run with -race).
func TestRedactorsRunInParallel(t *testing.T) {
	r := gittest.New(t)
	r.Write("README.md", "# app\n")
	r.Commit("init")
	gh := gittest.FakeGitHubToken()
	done := make(chan []string, 4)
	for i := 0; i < cap(done); i++ {
		src, err := checks.NewRepoSource(context.Background(), r.Dir, checks.ModeWorktree)
		if err != nil {
			t.Fatal(err)
		}
		src.Env = r.Env
		go func() {
			got, err := secrets.NewRedactor().Redact(context.Background(), src, []string{"token = " + gh, "AWS key"})
			if err != nil {
				t.Error(err)
			}
			done <- got
		}()
	}
	for i := 0; i < cap(done); i++ {
		if got := <-done; len(got) != 2 || got[0] != "token = ****" {
			t.Errorf("redacted %q", hideFakes(strings.Join(got, " | "), gh))
		}
	}
}

// hideFakes names the fake secrets of a test in what it prints.
// genericFake is a value for gitleaks' generic-api-key rule: 18 distinct
// letters and digits in a random order, so that its entropy (log2 18 =
// 4.17) always clears the rule's 3.5, drawn again while it holds one of
// the rule's stopwords ("vpn", "md5", "spec"...), which would hide it.
func genericFake() string {
	shuffle := func(b []byte) { rand.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] }) }
	stop := secrets.GenericStopWords()
	for {
		letters, digits := []byte("bcdfghjkmnpqrstvwxz"), []byte("23456789")
		shuffle(letters)
		shuffle(digits)
		v := append(letters[:14:14], digits[:4]...)
		shuffle(v)
		if !slices.ContainsFunc(stop, func(w string) bool { return strings.Contains(string(v), strings.ToLower(w)) }) {
			return string(v)
		}
	}
}

func hideFakes(s string, fakes ...string) string {
	for _, f := range fakes {
		s = strings.ReplaceAll(s, f, "<fake secret>")
	}
	return s
}

// A secret far into a long line (minified code) is shown in a window
// around it, cut with "…", never the whole line.
func TestSnippetOfALongLineShowsTheSecret(t *testing.T) {
	r := gittest.New(t)
	gh := gittest.FakeGitHubToken()
	r.Write("bundle.min.js", "var a=1;"+strings.Repeat("x=f(x);", 300)+`t="`+gh+`";`+strings.Repeat("y=g(y);", 300)+"\n")
	r.Commit("bundle")
	got := scan(t, r, checks.ModeWorktree)
	if len(got) != 1 {
		t.Fatalf("want one finding, got %v", rules(got))
	}
	s := got[0].Snippet
	if n := utf8.RuneCountInString(s); n > 200 || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") ||
		!strings.Contains(s, `t="****";`) || strings.Contains(s, gh) {
		t.Fatalf("want a window of at most 200 characters around the masked secret, got %d: %q", n, hideFakes(s, gh))
	}
}

// manyTexts is what a report of n Terraform findings asks the redactor to
// look at, with the secrets of TestRedactorMasksEverySecret's kinds among
// them every 97th text. (Reading the texts joined, to redact only those
// where something is found, was tried: 3 to 15 times slower, since every
// rule whose keyword occurs anywhere then reads the whole batch.)
func manyTexts(n int) (texts []string) {
	for i := range n {
		switch {
		case i%97 == 5:
			gh, aws := gittest.FakeGitHubToken(), gittest.FakeAWSKey()
			texts = append(texts, []string{
				`creds = "` + gh + `" + "` + aws + `"`,
				"data: " + b64(`{"aws_access_key_id": "`+aws+`"}`) + " end",
				"line one\nkey: " + gh + "\nline three",
				"RUN curl https://example.com/?t=" + gh[:20] + "…",
			}[i%4])
		default:
			texts = append(texts,
				fmt.Sprintf("aws_s3_bucket.logs_%d has no server_side_encryption_configuration: add one with sse_algorithm = \"aws:kms\"", i))
		}
	}
	return texts
}

// BenchmarkRedactManyTexts redacts the texts of a report of 20,000
// findings (the hook and the checklist redact every report).
func BenchmarkRedactManyTexts(b *testing.B) {
	texts := manyTexts(20000)
	src := &checks.Source{Mode: checks.ModeWorktree, Root: b.TempDir()}
	red := secrets.NewRedactor()
	for b.Loop() {
		if _, err := red.Redact(context.Background(), src, texts); err != nil {
			b.Fatal(err)
		}
	}
}
