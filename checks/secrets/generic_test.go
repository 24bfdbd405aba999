package secrets

import (
	"math/rand"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The shortcut of generic.go holds for the rule gitleaks ships: a new
// gitleaks that changes the rule's regexp fails here, and generic.go's
// reasoning must be checked against the new one.
func TestGenericRegexIsGitleaks(t *testing.T) {
	cfg, err := defaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	r, ok := cfg.Rules[genericRuleID]
	if !ok || r.Regex.String() != genericRegex {
		t.Fatalf("gitleaks' %s is now %q", genericRuleID, r.Regex)
	}
	lean, ok := withoutGeneric(cfg)
	if !ok || len(lean.Rules) != len(cfg.Rules)-1 || len(lean.OrderedRules) != len(cfg.OrderedRules)-1 {
		t.Fatalf("withoutGeneric: %v, %d of %d rules", ok, len(lean.Rules), len(cfg.Rules))
	}
	if _, still := cfg.Rules[genericRuleID]; !still {
		t.Fatal("withoutGeneric changed the configuration it was given")
	}
}

// genericText is text made of what the rule's regexp is made of: its
// keywords in any case, name characters, quotes, spaces, assignments,
// values of many lengths, base64, noise, and now and then a letter that
// (?i) folds into ASCII.
func genericText(rnd *rand.Rand) string {
	words := append(slices.Clone(genericWords), "Api", "API", "aPi", "PassWord", "TOKEN")
	parts := []string{" ", "\t", "=", ":", "::=", ",", ">", "=>", "||", "?=", "'", "\"", "`", ";", "\n", `\n`, "-", ".", "_", "(", ")", "{", "}", "/", "+"}
	var b strings.Builder
	for n := rnd.Intn(12) + 1; n > 0; n-- {
		switch k := rnd.Intn(10); {
		case k < 3:
			w := words[rnd.Intn(len(words))]
			if rnd.Intn(3) == 0 {
				w = strings.ToUpper(w)
			}
			b.WriteString(w)
		case k < 6:
			b.WriteString(parts[rnd.Intn(len(parts))])
		case k < 8:
			const value = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.=-+/"
			for m := rnd.Intn(20); m > 0; m-- {
				b.WriteByte(value[rnd.Intn(len(value))])
			}
		case k < 9:
			b.WriteByte(byte(32 + rnd.Intn(95)))
		default:
			b.WriteString([]string{"\u212a", "\u017f", "é", "x"}[rnd.Intn(4)])
		}
	}
	return b.String()
}

// Whenever genericCannotMatch says a text cannot match, the rule's
// regexp finds nothing in it; and it says so often enough to be worth it.
func TestGenericCannotMatchIsNecessary(t *testing.T) {
	full := regexp.MustCompile(genericRegex)
	rnd := rand.New(rand.NewSource(7))
	cannot, matches := 0, 0
	for range 300_000 {
		text := genericText(rnd)
		m := full.MatchString(text)
		if m {
			matches++
		}
		if genericCannotMatch(text) {
			cannot++
			if m {
				t.Fatalf("genericCannotMatch(%q), yet the rule matches %q", text, full.FindString(text))
			}
		}
	}
	if cannot < 50_000 || matches < 10_000 {
		t.Fatalf("the generator is too one-sided: %d cannot, %d matches", cannot, matches)
	}
}

// A text that the rule cannot match is read by the detector without it:
// same findings as with every rule.
func TestLeanDetectorFindsWhatAllRulesFind(t *testing.T) {
	full, err := defaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	lean, ok := withoutGeneric(full)
	if !ok {
		t.Fatal("no lean configuration")
	}
	texts := corpus(t)
	rnd := rand.New(rand.NewSource(11))
	for range 2000 {
		texts = append(texts, genericText(rnd)+"\n"+genericText(rnd))
	}
	leanRead := 0
	for _, text := range texts {
		if !genericCannotMatch(text) {
			continue
		}
		leanRead++
		if got, want := findings(t, lean, []string{text}), findings(t, full, []string{text}); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: lean %v, all rules %v", text, got, want)
		}
	}
	if leanRead < 200 {
		t.Fatalf("only %d texts went to the lean detector", leanRead)
	}
}
