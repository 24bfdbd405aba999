package lessons_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/secfirst-dev/secfirst/lessons"
)

// gitleaksDefault loads gitleaks' own default configuration, the rules the
// secrets check runs, through a private viper so no global state is shared.
func gitleaksDefault(t *testing.T) config.Config {
	t.Helper()
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		t.Fatal(err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestEveryGitleaksDefaultRuleHasALesson(t *testing.T) {
	cfg := gitleaksDefault(t)
	if len(cfg.Rules) < 200 {
		t.Fatalf("gitleaks default config has only %d rules", len(cfg.Rules))
	}
	perLesson := map[string]int{}
	for id := range cfg.Rules {
		l, ok := lessons.ForRule(id)
		if !ok {
			t.Errorf("gitleaks rule %q has no lesson: add it (or its family pattern) to a secrets-* lesson's rules", id)
			continue
		}
		if !strings.HasPrefix(l.ID, "secrets-") {
			t.Errorf("gitleaks rule %q resolves to %s, not a secrets lesson", id, l.ID)
		}
		perLesson[l.ID]++
	}
	// The grouping is the point: the generic lesson must not swallow the
	// families that have their own advice.
	for _, id := range []string{"secrets-cloud-keys", "secrets-vcs-tokens", "secrets-payment-keys",
		"secrets-chat-webhooks", "secrets-private-keys", "secrets-generic", "secrets-package-registry"} {
		if perLesson[id] == 0 {
			t.Errorf("no gitleaks rule resolves to %s", id)
		}
	}
}

// forwardPatterns are families no default rule uses today but custom rules
// in a repository's .gitleaks.toml commonly do.
var forwardPatterns = map[string]bool{
	"*-private-key": true, // e.g. ssh-private-key, gpg-private-key
}

func TestEveryLessonPatternMatchesARealRule(t *testing.T) {
	// A pattern that matches nothing is a typo that leaves rules uncovered.
	cfg := gitleaksDefault(t)
	var ids []string
	for id := range cfg.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, l := range lessons.All() {
		if !strings.HasPrefix(l.ID, "secrets-") || l.ID == "secrets-history" {
			continue
		}
		for _, r := range l.Rules {
			if forwardPatterns[r] {
				continue
			}
			matched := false
			for _, id := range ids {
				if ok, _ := filepath.Match(r, id); ok || strings.EqualFold(r, id) {
					matched = true
					break
				}
			}
			if !matched {
				t.Errorf("%s: rule %q matches no gitleaks default rule", l.ID, r)
			}
		}
	}
}

func TestOtherRulesHaveLessons(t *testing.T) {
	cases := map[string]string{
		"secrets/history": "secrets-history",
		"deps/direct":     "deps-vulnerable",
		"deps/transitive": "deps-transitive",
		"deps/no-fix":     "deps-no-fix",
	}
	for rule, want := range cases {
		l, ok := lessons.ForRule(rule)
		if !ok || l.ID != want {
			t.Errorf("rule %q: got %v, want lesson %s", rule, l, want)
		}
	}
}

func TestGitleaksFindsNothingInLessons(t *testing.T) {
	d := detect.NewDetector(gitleaksDefault(t))
	// The detector must be able to fire at all, or this test proves nothing:
	// feed it a fake token built at run time.
	fake := "ghp_" + strings.Repeat("aB3dE5fG7h", 4)[:36]
	if len(d.DetectString("token = \""+fake+"\"\n")) == 0 {
		t.Fatal("gitleaks did not detect a fake GitHub token; the scan below would be vacuous")
	}
	d = detect.NewDetector(gitleaksDefault(t))
	entries, err := os.ReadDir("content")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no lessons")
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("content", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range d.DetectBytes(data) {
			// Never print the match itself: report where and which rule.
			t.Errorf("content/%s:%d: gitleaks rule %s fires; use a placeholder like <your key>", e.Name(), f.StartLine+1, f.RuleID)
		}
	}
}
