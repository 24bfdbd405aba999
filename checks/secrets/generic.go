package secrets

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
)

// gitleaks' generic-api-key rule is most of the cost of reading large or
// many texts: its keywords (key, token, api, auth...) are in most code, so
// it runs on most of it, and its regexp starts with a lazy run of up to 50
// word characters, which Go's engine tries from every position (measured:
// 1.06 of the 1.29 s the rules' regexps cost on a 5 MB minified bundle).
// Every match of that regexp holds a keyword followed by at most 20 name
// characters, up to 3 quotes or spaces, an assignment ("=", ":", "=>",
// ",", ...), up to 5 quotes or spaces and at least 10 characters of value.
// A text in which no keyword is followed that way cannot match, and is
// read by a detector without the rule: the findings are the same, for a
// fraction of the time (TestGenericCannotMatchIsNecessary).

// genericRuleID is the rule's id.
const genericRuleID = "generic-api-key"

// genericRegex is the rule's regexp in gitleaks' default configuration. The
// shortcut is taken only for a rule of that id with exactly this regexp
// (whatever its allowlists, entropy or keywords: it is left out only where
// its regexp cannot match); a repository's rule of that id with another
// regexp, or a new gitleaks that changes it, is run on every text
// (TestGenericRegexIsGitleaks fails on the second).
const genericRegex = `(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)`

// genericWords are the words of the rule's keyword group, lower-cased.
var genericWords = []string{"access", "auth", "api", "credential", "creds", "key", "passwd", "password", "secret", "token"}

// genericTail is what must follow a keyword in any match: the part of the
// regexp after the keyword group, up to the first characters of the value.
var genericTail = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^[ \t\w.-]{0,20}[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}(?:[\w.=-]{10}|[a-z0-9][a-z0-9+/]{11})`)
})

// genericTailSpan bounds what genericTail can read: 20+3+4+5+12 bytes.
const genericTailSpan = 64

// genericCannotMatch reports whether the generic rule's regexp cannot match
// text. Only ASCII text is decided: (?i) folds a few other letters into
// ASCII ones (the Kelvin sign into k, the long s into s), and a text with
// any other byte is said to possibly match.
func genericCannotMatch(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			return false
		}
	}
	lower := asciiLower(text)
	tail := genericTail()
	for _, w := range genericWords {
		for off := 0; ; {
			i := strings.Index(lower[off:], w)
			if i < 0 {
				break
			}
			end := off + i + len(w)
			if tail.MatchString(text[end:min(len(text), end+genericTailSpan)]) {
				return false
			}
			off = end - len(w) + 1
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only (the text is ASCII).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// withoutGeneric is cfg without gitleaks' generic-api-key rule, for the
// texts it cannot match; ok is false when cfg has no rule of that id with
// genericRegex and no path, or has a rule that requires it.
func withoutGeneric(cfg config.Config) (lean config.Config, ok bool) {
	r, has := cfg.Rules[genericRuleID]
	if !has || r.Regex == nil || r.Regex.String() != genericRegex || r.Path != nil {
		return cfg, false
	}
	for _, other := range cfg.Rules {
		for _, req := range other.RequiredRules {
			if req.RuleID == genericRuleID {
				return cfg, false
			}
		}
	}
	lean = cfg
	lean.Rules = maps.Clone(cfg.Rules)
	delete(lean.Rules, genericRuleID)
	lean.OrderedRules = slices.DeleteFunc(slices.Clone(cfg.OrderedRules), func(id string) bool { return id == genericRuleID })
	lean.Keywords = map[string]struct{}{}
	for _, rule := range lean.Rules {
		for _, k := range rule.Keywords {
			lean.Keywords[k] = struct{}{}
		}
	}
	return lean, true
}
