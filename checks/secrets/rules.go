package secrets

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	gotoml "github.com/pelletier/go-toml/v2"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
)

// The hook pays for every millisecond of start-up. Two costs dominate a
// small scan: viper parsing gitleaks' default TOML and compiling all ~220
// rule regexps, of which a small diff needs a handful. go-toml (which viper
// itself uses underneath) decodes the same ViperConfig straight into the
// struct: 0.9 ms against BurntSushi/toml's 3.7 ms and viper's ~70 ms, four
// times that in the hook's fresh process; a test proves the three equal.
// (BurntSushi/toml stays the reader of the files people edit, for its
// error messages; this one is gitleaks' own, embedded.)

var (
	defaultViperOnce sync.Once
	defaultViper     config.ViperConfig
	defaultViperErr  error
	// defaultKeywords are the default rules' keywords, lower-cased, each
	// once.
	defaultKeywords []string
)

// keywordTrie finds the default rules' keywords in one pass over a text.
// Built on first use: its transition table is 2 KB a state (about 3 MB for
// gitleaks' keywords), and a hook whose added lines are small never needs
// it (see keywordScanBelow).
var keywordTrie = sync.OnceValue(func() *ahocorasick.Trie {
	return ahocorasick.NewTrieBuilder().AddStrings(defaultKeywords).Build()
})

// keywordScanBelow is the size of texts under which rulesFor looks for each
// keyword with strings.Contains instead of building keywordTrie: measured,
// 244 keywords cost about 75 µs a KiB of text that way, and building the
// trie 4 ms in a warm process, 15-20 ms in the hook's fresh one.
const keywordScanBelow = 32 << 10

// defaultViperConfig is gitleaks' default configuration, parsed once.
func defaultViperConfig() (config.ViperConfig, error) {
	defaultViperOnce.Do(func() {
		if err := gotoml.Unmarshal([]byte(config.DefaultConfig), &defaultViper); err != nil {
			defaultViperErr = fmt.Errorf("gitleaks default config: %w", err)
			return
		}
		for _, r := range defaultViper.Rules {
			for _, k := range r.Keywords {
				if k = strings.ToLower(k); !slices.Contains(defaultKeywords, k) {
					defaultKeywords = append(defaultKeywords, k)
				}
			}
		}
	})
	return defaultViper, defaultViperErr
}

var (
	allowlistOnce sync.Once
	allowlistCfg  config.Config
	allowlistErr  error
)

// defaultAllowlists is the default configuration without its rules: the
// global allowlists, cheap to compile, needed before choosing rules.
func defaultAllowlists() (*config.Config, error) {
	allowlistOnce.Do(func() {
		vc, err := defaultViperConfig()
		if err != nil {
			allowlistErr = err
			return
		}
		vc.Rules = nil
		allowlistCfg, allowlistErr = translate(vc)
	})
	return &allowlistCfg, allowlistErr
}

// translate compiles a ViperConfig. Translate mutates its receiver (it folds
// the deprecated [allowlist] into Allowlists, and lower-cases each rule's
// keywords in place), so it always gets a copy: two scans that redact at
// once (the checklist runs its checks in parallel) must not write the
// shared default configuration.
func translate(vc config.ViperConfig) (cfg config.Config, err error) {
	// Translate reads viper's configuration file and gitleaks' count of
	// [extend] levels, which a repository's configuration sets while it
	// loads (translateRepoConfig): one at a time.
	viperMu.Lock()
	defer viperMu.Unlock()
	gitleaksExtendDepth = 0
	defer func() {
		if r := recover(); r != nil { // regexp.MustCompile on a bad pattern
			err = fmt.Errorf("gitleaks config: %v", r)
		}
	}()
	vc.Rules = slices.Clone(vc.Rules)
	for i := range vc.Rules {
		vc.Rules[i].Allowlists = slices.Clone(vc.Rules[i].Allowlists)
		vc.Rules[i].Keywords = slices.Clone(vc.Rules[i].Keywords)
	}
	vc.Allowlists = slices.Clone(vc.Allowlists)
	if cfg, err = vc.Translate(); err == nil {
		fastLineAllowlists(&cfg)
	}
	return cfg, err
}

// rulesFor returns the default configuration restricted to the rules that
// gitleaks would run on texts: rules without keywords, rules one of whose
// keywords occurs in a text or in one of its decoded passes (the same passes
// and depth as the detector), and the rules those require. Findings on texts
// are then exactly those of the full configuration.
func rulesFor(texts []string, decodeDepth int) (config.Config, error) {
	vc, err := defaultViperConfig()
	if err != nil {
		return config.Config{}, err
	}
	seen := map[string]bool{}
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	find := func(lower string) {
		for _, m := range keywordTrie().MatchString(lower) {
			seen[m.MatchString()] = true
		}
	}
	if size < keywordScanBelow {
		find = func(lower string) {
			for _, k := range defaultKeywords {
				if !seen[k] && strings.Contains(lower, k) {
					seen[k] = true
				}
			}
		}
	}
	decoder := codec.NewDecoder()
	for _, raw := range texts {
		current := raw
		var segments []*codec.EncodedSegment
		for depth := 0; ; depth++ {
			find(strings.ToLower(current))
			if depth+1 > decodeDepth {
				break
			}
			current, segments = decoder.Decode(current, segments)
			if len(segments) == 0 {
				break
			}
		}
	}
	want := map[string]bool{}
	for _, r := range vc.Rules {
		if len(r.Keywords) == 0 {
			want[r.ID] = true
			continue
		}
		for _, k := range r.Keywords {
			if seen[strings.ToLower(k)] {
				want[r.ID] = true
				break
			}
		}
	}
	// Composite rules need the rules they require.
	for changed := true; changed; {
		changed = false
		for _, r := range vc.Rules {
			if !want[r.ID] {
				continue
			}
			for _, req := range r.Required {
				if !want[req.ID] {
					want[req.ID], changed = true, true
				}
			}
		}
	}
	sub := vc
	sub.Rules = nil
	for _, r := range vc.Rules {
		if want[r.ID] {
			sub.Rules = append(sub.Rules, r)
		}
	}
	// The global allowlists are compiled once, by defaultAllowlists: a
	// hook chooses rules twice (the diff, then the report's redaction),
	// and compiling their path and regexp lists and stop words each time
	// cost more than the rules chosen.
	allow, err := defaultAllowlists()
	if err != nil {
		return config.Config{}, err
	}
	sub.AllowList, sub.Allowlists = nil, nil
	cfg, err := translate(sub)
	if err != nil {
		return config.Config{}, err
	}
	cfg.Allowlists = slices.Clone(allow.Allowlists)
	return cfg, nil
}

// pathAllowed reports whether gitleaks' global allowlists skip every
// fragment of this file in this commit. It is checkCommitOrPathAllowed of
// gitleaks' detector, asked once per file instead of once per hunk: with
// `-U0` a rewritten lockfile is thousands of one-line hunks, and each would
// run the allowlist's large path regexp again.
func pathAllowed(cfg *config.Config, path, commit string) bool {
	if path == "" && commit == "" {
		return false
	}
	for _, a := range cfg.Allowlists {
		commitAllowed, _ := a.CommitAllowed(commit)
		pathOK := a.PathAllowed(path)
		if a.MatchCondition == config.AllowlistMatchAnd {
			if len(a.Regexes) > 0 || len(a.StopWords) > 0 {
				continue // decided per finding, not per fragment
			}
			var all []bool
			if len(a.Commits) > 0 {
				all = append(all, commitAllowed)
			}
			if len(a.Paths) > 0 {
				all = append(all, pathOK)
			}
			if !slices.Contains(all, false) { // gitleaks' allTrue: true when empty
				return true
			}
			continue
		}
		if commitAllowed || pathOK {
			return true
		}
	}
	return false
}

// withoutGlobalPaths is cfg for a detector that is only given fragments of
// files that cfg's global allowlists leave (pathAllowed, asked once per
// file): the path regexes of its "OR" global allowlists, which gitleaks
// would match again for every fragment (a fifth of a history scan), are
// dropped, and what it finds is the same.
func withoutGlobalPaths(cfg config.Config) config.Config {
	var kept []*config.Allowlist
	for _, a := range cfg.Allowlists {
		if a.MatchCondition != config.AllowlistMatchOr || len(a.Paths) == 0 {
			kept = append(kept, a)
			continue
		}
		if len(a.Commits) == 0 && len(a.Regexes) == 0 && len(a.StopWords) == 0 {
			continue // paths only: nothing left to check
		}
		b := &config.Allowlist{Description: a.Description, MatchCondition: a.MatchCondition, Commits: a.Commits,
			RegexTarget: a.RegexTarget, Regexes: a.Regexes, StopWords: a.StopWords}
		if b.Validate() != nil {
			b = a
		}
		kept = append(kept, b)
	}
	cfg.Allowlists = kept
	return cfg
}

// rulesByCommit reports whether a rule's allowlist names commits: what it
// finds in a text then depends on the commit too.
func rulesByCommit(cfg config.Config) bool {
	for _, r := range cfg.Rules {
		for _, a := range r.Allowlists {
			if len(a.Commits) > 0 {
				return true
			}
		}
	}
	return false
}
