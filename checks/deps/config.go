package deps

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	scalibrosv "github.com/google/osv-scalibr/extractor/filesystem/osv"

	"github.com/secfirst-dev/secfirst/internal/tomlshape"
)

// osvConfigName is osv-scanner's per-directory configuration file. Like
// osv-scanner, a lockfile uses the one in its own directory only.
const osvConfigName = "osv-scanner.toml"

// osvConfig is osv-scanner.toml, with osv-scanner's keys and meaning
// (osv-scanner keeps its parser internal, so it is read here with the same
// TOML library and the same rules: unknown keys make the file invalid).
type osvConfig struct {
	IgnoredVulns      []osvIgnore   `toml:"IgnoredVulns"`
	PackageOverrides  []osvOverride `toml:"PackageOverrides"`
	GoVersionOverride string        `toml:"GoVersionOverride"`
	ScanGoModVersion  bool          `toml:"ScanGoModVersion"`

	path string
	now  time.Time
}

type osvIgnore struct {
	ID          string    `toml:"id"`
	IgnoreUntil time.Time `toml:"ignoreUntil"`
	Reason      string    `toml:"reason"`

	line int // of its [[IgnoredVulns]] header, 0 when unknown
}

type osvOverride struct {
	Name          string `toml:"name"`
	Version       string `toml:"version"`
	Ecosystem     string `toml:"ecosystem"`
	Group         string `toml:"group"`
	NameIsRegex   bool   `toml:"nameIsRegex"`
	Ignore        bool   `toml:"ignore"`
	Vulnerability struct {
		Ignore bool `toml:"ignore"`
	} `toml:"vulnerability"`
	License struct {
		Override []string `toml:"override"`
		Ignore   bool     `toml:"ignore"`
	} `toml:"license"`
	EffectiveUntil time.Time `toml:"effectiveUntil"`
	Reason         string    `toml:"reason"`

	re   *regexp.Regexp
	line int // of its [[PackageOverrides]] header, 0 when unknown
}

// parseOSVConfig parses osv-scanner.toml; path is used in errors.
func parseOSVConfig(path string, data []byte, now time.Time) (*osvConfig, error) {
	cfg := &osvConfig{path: path, now: now}
	if err := tomlshape.Check(data); err != nil { // see internal/tomlshape
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("%s: unknown keys %s", path, strings.Join(keys, ", "))
	}
	if lines := headerLines(data, "IgnoredVulns"); len(lines) == len(cfg.IgnoredVulns) {
		for i := range cfg.IgnoredVulns {
			cfg.IgnoredVulns[i].line = lines[i]
		}
	}
	overrideLines := headerLines(data, "PackageOverrides")
	for i := range cfg.PackageOverrides {
		o := &cfg.PackageOverrides[i]
		if len(overrideLines) == len(cfg.PackageOverrides) {
			o.line = overrideLines[i]
		}
		if o.NameIsRegex && o.Name != "" {
			re, err := regexp.Compile("^" + o.Name + "$")
			if err != nil {
				return nil, fmt.Errorf("%s: invalid regex %q in package override: %v", path, o.Name, err)
			}
			o.re = re
		}
	}
	return cfg, nil
}

// headerLines are the lines of the [[name]] headers, in file order: the
// entries of an array of tables, which suppressions point at. (Entries
// written inline have no header; their count does not match and no line
// is given.)
func headerLines(data []byte, name string) []int {
	var lines []int
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(l, "[["); ok {
			if key, _, ok := strings.Cut(rest, "]]"); ok && strings.TrimSpace(key) == name {
				lines = append(lines, i+1)
			}
		}
	}
	return lines
}

// where names an entry of the file for a suppression: "osv-scanner.toml:12".
func (c *osvConfig) where(line int) string {
	if line <= 0 {
		return c.path
	}
	return fmt.Sprintf("%s:%d", c.path, line)
}

// active is osv-scanner's rule for ignoreUntil/effectiveUntil: no date
// means forever, else until that moment.
func (c *osvConfig) active(until time.Time) bool {
	return until.IsZero() || until.After(c.now)
}

// ignoredVuln returns the ignore entry that covers one of ids, if active.
func (c *osvConfig) ignoredVuln(ids []string) (osvIgnore, bool) {
	if c == nil {
		return osvIgnore{}, false
	}
	for _, id := range ids {
		for _, ig := range c.IgnoredVulns {
			if ig.ID == id {
				// osv-scanner uses the first entry for an id.
				return ig, c.active(ig.IgnoreUntil)
			}
		}
	}
	return osvIgnore{}, false
}

func (o *osvOverride) matches(p *pkgRec) bool {
	if o.Name != "" {
		if o.re != nil {
			if !o.re.MatchString(p.name) {
				return false
			}
		} else if o.Name != p.name {
			return false
		}
	}
	if o.Version != "" && o.Version != p.version {
		return false
	}
	if o.Ecosystem != "" && o.Ecosystem != p.ecosystemFull && o.Ecosystem != p.ecosystem {
		return false
	}
	if o.Group != "" {
		dg, ok := p.pkg.Metadata.(scalibrosv.DepGroups)
		if !ok || !slices.Contains(dg.DepGroups(), o.Group) {
			return false
		}
	}
	return true
}

// firstOverride is the first matching override with the condition, as
// osv-scanner picks it, and whether it is in effect.
func (c *osvConfig) firstOverride(p *pkgRec, cond func(*osvOverride) bool) (*osvOverride, bool) {
	if c == nil {
		return nil, false
	}
	for i := range c.PackageOverrides {
		o := &c.PackageOverrides[i]
		if o.matches(p) && cond(o) {
			return o, c.active(o.EffectiveUntil)
		}
	}
	return nil, false
}

func (c *osvConfig) ignorePackage(p *pkgRec) bool {
	_, ok := c.firstOverride(p, func(o *osvOverride) bool { return o.Ignore })
	return ok
}

// packageIgnore is the override that hides every advisory of the package:
// one that ignores the package (osv-scanner does not scan it), else one
// that ignores its vulnerabilities. nil when none is in effect.
func (c *osvConfig) packageIgnore(p *pkgRec) *osvOverride {
	if o, ok := c.firstOverride(p, func(o *osvOverride) bool { return o.Ignore }); ok {
		return o
	}
	if o, ok := c.firstOverride(p, func(o *osvOverride) bool { return o.Vulnerability.Ignore }); ok {
		return o
	}
	return nil
}
