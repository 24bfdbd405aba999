package secrets

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	gotoml "github.com/pelletier/go-toml/v2"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// TestDefaultConfigDecodesLikeViper guards the go-toml shortcut: the
// ViperConfig it decodes must equal the one gitleaks' own viper path makes,
// and BurntSushi/toml's, and leave no key of the file undecoded.
func TestDefaultConfigDecodesLikeViper(t *testing.T) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	var want config.ViperConfig
	if err := v.Unmarshal(&want); err != nil {
		t.Fatal(err)
	}
	got, err := defaultViperConfig()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) < 200 || !reflect.DeepEqual(got, want) {
		t.Fatalf("go-toml and viper decode gitleaks' default config differently (%d vs %d rules)", len(got.Rules), len(want.Rules))
	}
	var strict config.ViperConfig
	dec := gotoml.NewDecoder(strings.NewReader(config.DefaultConfig))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&strict); err != nil {
		t.Fatalf("keys the struct does not hold: %v", err)
	}
	var burnt config.ViperConfig
	md, err := toml.Decode(config.DefaultConfig, &burnt)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Undecoded()) > 0 || !reflect.DeepEqual(burnt, want) {
		t.Fatalf("BurntSushi/toml decodes it differently (undecoded: %v)", md.Undecoded())
	}
}

// corpus is text with fake secrets of many kinds, plain and encoded, and
// ordinary code: the reduced rule set must find exactly what all rules find.
func corpus(t *testing.T) []string {
	aws, gh, stripe := gittest.FakeAWSKey(), gittest.FakeGitHubToken(), gittest.FakeStripeKey()
	texts := []string{
		"aws_access_key_id = " + aws + "\n",
		"token := \"" + gh + "\"\n",
		"const key = '" + stripe + "';\n",
		"auth: " + base64.StdEncoding.EncodeToString([]byte(`{"token":"`+gh+`"}`)) + "\n",
		"hex = " + hex.EncodeToString([]byte("aws "+aws)) + "\n",
		"url = https://example.com/?k=" + url.QueryEscape("key="+stripe+"&x=1") + "\n",
		"password = \"" + strings.Repeat("Zx9", 6) + "q\"\napi_key: " + hex.EncodeToString([]byte(gittest.FakeAWSKey()[4:])) + "\n",
		// A private key block, assembled at run time so none sits in the source.
		"-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat(gittest.FakeGitHubToken(), 4))) + "\n-----END OPENSSH " + "PRIVATE KEY-----\n",
		"def add(a, b):\n    return a + b\n",
		"curl -H 'Authorization: Bearer " + gh + "' https://api.example.com\n",
		"https://hooks.slack.com/services/T01234567/B01234567/" + strings.Repeat("aB3", 8) + "\n",
	}
	// The lessons are ordinary prose full of keywords.
	files, _ := filepath.Glob("../../lessons/content/*.md")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	return texts
}

func findings(t *testing.T, cfg config.Config, texts []string) []string {
	t.Helper()
	d := detect.NewDetector(cfg)
	d.MaxDecodeDepth = maxDecodeDepth
	var out []string
	for i, text := range texts {
		for _, f := range d.DetectContext(context.Background(), detect.Fragment{Raw: text, FilePath: fmt.Sprintf("f%d.txt", i), StartLine: 1}) {
			out = append(out, fmt.Sprintf("%s %s:%d:%d-%d", f.RuleID, f.File, f.StartLine, f.StartColumn, f.EndColumn))
		}
	}
	sort.Strings(out)
	return out
}

func TestRulesForFindsWhatAllRulesFind(t *testing.T) {
	texts := corpus(t)
	full, err := defaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := findings(t, full, texts)
	if len(want) < 8 {
		t.Fatalf("the corpus must trigger many rules, got %v", want)
	}
	// The whole corpus takes the trie, each text alone the plain search.
	if size := len(strings.Join(texts, "")); size < keywordScanBelow {
		t.Fatalf("the corpus (%d bytes) must be large enough for the keyword trie", size)
	}
	sub, err := rulesFor(texts, maxDecodeDepth)
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Rules) >= len(full.Rules) {
		t.Fatalf("no reduction: %d of %d rules", len(sub.Rules), len(full.Rules))
	}
	if got := findings(t, sub, texts); !reflect.DeepEqual(got, want) {
		t.Fatalf("reduced rules differ from all rules:\n got %v\nwant %v", got, want)
	}
	// Each text alone, too: the selection is per scan, not global.
	for i, text := range texts {
		sub, err := rulesFor([]string{text}, maxDecodeDepth)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := findings(t, sub, []string{text}), findings(t, full, []string{text}); !reflect.DeepEqual(got, want) {
			t.Fatalf("text %d: reduced %v, full %v", i, got, want)
		}
	}
	// Translating twice must work: Translate mutates its receiver.
	if _, err := rulesFor(texts, maxDecodeDepth); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkConfigAllRules(b *testing.B) {
	vc, _ := defaultViperConfig()
	for i := 0; i < b.N; i++ {
		if _, err := translate(vc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConfigRulesForSmallDiff(b *testing.B) {
	texts := []string{"def added():\n    return 1\n", "token = \"" + gittest.FakeGitHubToken() + "\"\n"}
	for i := 0; i < b.N; i++ {
		if _, err := rulesFor(texts, maxDecodeDepth); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPathAllowedAgreesWithDetector: skipping a file before detection must
// drop exactly the fragments gitleaks' detector drops for its path.
func TestPathAllowedAgreesWithDetector(t *testing.T) {
	full, err := defaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	token := "token = \"" + gittest.FakeGitHubToken() + "\"\n"
	allowed := 0
	for _, p := range []string{"package-lock.json", "web/yarn.lock", "src/app.py", "poetry.lock", "vendor/x/y.go",
		"go.sum", "img/logo.png", "node_modules/a/index.js", "docs/README.md", "Pipfile.lock", "lock.json", ".git/config"} {
		d := detect.NewDetector(full)
		got := len(d.DetectContext(context.Background(), detect.Fragment{Raw: token, FilePath: p, StartLine: 1})) == 0
		if pathAllowed(&full, p, "") != got {
			t.Errorf("%s: pathAllowed = %v, detector skipped = %v", p, !got, got)
		}
		if got {
			allowed++
		}
	}
	if allowed == 0 {
		t.Fatal("the paths must include some the default allowlist skips")
	}
}

// The rules chosen for a text come with gitleaks' global allowlists, the
// same as every rule's configuration has (compiled once, shared).
func TestRulesForKeepsTheGlobalAllowlists(t *testing.T) {
	full, err := defaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := rulesFor([]string{"token = 1\n"}, maxDecodeDepth)
	if err != nil {
		t.Fatal(err)
	}
	describe := func(cfg config.Config) []string {
		var out []string
		for _, a := range cfg.Allowlists {
			out = append(out, fmt.Sprintf("%s %v paths=%d regexes=%d stopwords=%d commits=%d", a.Description, a.MatchCondition, len(a.Paths), len(a.Regexes), len(a.StopWords), len(a.Commits)))
		}
		return out
	}
	if got, want := describe(sub), describe(full); len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("global allowlists:\n got %v\nwant %v", got, want)
	}
}
