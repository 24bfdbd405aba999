package dockerfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/pragma"
)

// maxConfigSize bounds the configuration files read from a repository.
const maxConfigSize = 256 << 10

// config is what a repository's .hadolint.yaml and .trivyignore say about
// Dockerfile findings. They act through a finding's refs, so a team that
// tuned hadolint or Trivy keeps its decisions. The zero value changes
// nothing.
type config struct {
	// hadolintFile is the file the hadolint settings came from.
	hadolintFile string
	// ignored maps a hadolint rule id to the line of .hadolint.yaml that
	// ignores it.
	ignored map[string]int
	// trusted are the registries FROM, COPY --from and RUN --mount may
	// use (trustedRegistries, DL3026); empty allows every registry.
	trusted []string
	// override maps a hadolint rule id to the severity .hadolint.yaml gives
	// it (error, warning, info, style).
	override map[string]checks.Severity
	// noHadolintPragmas is disable-ignore-pragma: `# hadolint ignore=`
	// comments are not honoured.
	noHadolintPragmas bool
	// trivyIgnores are the ids of .trivyignore.
	trivyIgnores pragma.TrivyIgnores
	// now is the clock for .trivyignore expiry dates.
	now time.Time
}

// hadolintSeverity maps hadolint's levels to secfirst's.
var hadolintSeverity = map[string]checks.Severity{
	"error": checks.High, "warning": checks.Medium, "info": checks.Low, "style": checks.Info,
}

// configFiles are hadolint's configuration files, in the order hadolint
// looks for its own in the current directory.
var configFiles = []string{".hadolint.yaml", ".hadolint.yml"}

func init() { checks.RegisterConfigFiles(configFiles...) }

// loadConfig reads the repository's .hadolint.yaml (or .yml) and
// .trivyignore as the source sees them: staged from the index, which is
// the commit, otherwise from the disk, as regular files inside the
// repository only. A file that cannot be used is a warning and its
// settings are not applied; nothing else is lost.
func loadConfig(ctx context.Context, src *checks.Source) (*config, []string) {
	cfg := &config{now: time.Now()}
	contents, warns := readConfigFiles(ctx, src)
	for _, name := range configFiles {
		if data, ok := contents[name]; ok {
			if err := cfg.parseHadolint(name, data); err != nil {
				warns = append(warns, fmt.Sprintf("dockerfile: %s is not applied: %v", name, err))
			}
			break // hadolint uses the first one it finds
		}
	}
	ignores, w := pragma.ReadTrivyIgnore(ctx, src, CheckName)
	cfg.trivyIgnores = ignores
	return cfg, append(warns, w...)
}

// readConfigFiles returns the content of the configuration files present.
// In staged mode they are among the files the source looks up in the index
// at once (checks.RegisterConfigFiles).
func readConfigFiles(ctx context.Context, src *checks.Source) (map[string][]byte, []string) {
	out := map[string][]byte{}
	var warns []string
	for _, name := range configFiles {
		data, err := src.ReadRegular(ctx, name, maxConfigSize)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			warns = append(warns, fmt.Sprintf("dockerfile: skipped %s: %s; its settings are not applied", name, readProblem(err)))
		default:
			out[name] = data
		}
	}
	return out, warns
}

// parseHadolint reads the settings of a hadolint configuration file that
// concern secfirst: ignored, trustedRegistries, override and
// disable-ignore-pragma. Other keys (format, failure-threshold, labels)
// are hadolint's own business.
func (c *config) parseHadolint(name string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if len(doc.Content) == 0 {
		return nil // empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping of settings", root.Line)
	}
	c.hadolintFile = name
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "ignored":
			list, err := stringList(val, key.Value)
			if err != nil {
				return err
			}
			if c.ignored == nil {
				c.ignored = map[string]int{}
			}
			for _, n := range list {
				c.ignored[strings.ToUpper(n.Value)] = n.Line
			}
		case "trustedRegistries":
			list, err := stringList(val, key.Value)
			if err != nil {
				return err
			}
			for _, n := range list {
				c.trusted = append(c.trusted, n.Value)
			}
		case "override":
			if val.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: override wants error:, warning:, info: or style: lists", val.Line)
			}
			for j := 0; j+1 < len(val.Content); j += 2 {
				level, ids := val.Content[j], val.Content[j+1]
				sev, ok := hadolintSeverity[level.Value]
				if !ok {
					return fmt.Errorf("line %d: override level %q is not error, warning, info or style", level.Line, level.Value)
				}
				list, err := stringList(ids, "override."+level.Value)
				if err != nil {
					return err
				}
				if c.override == nil {
					c.override = map[string]checks.Severity{}
				}
				for _, n := range list {
					c.override[strings.ToUpper(n.Value)] = sev
				}
			}
		case "disable-ignore-pragma":
			var b bool
			if err := val.Decode(&b); err != nil {
				return fmt.Errorf("line %d: disable-ignore-pragma wants true or false", val.Line)
			}
			c.noHadolintPragmas = b
		}
	}
	return nil
}

// stringList reads a YAML list of strings (an empty value is an empty list).
func stringList(n *yaml.Node, key string) ([]*yaml.Node, error) {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "") {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: %s wants a list, e.g. [DL3008]", n.Line, key)
	}
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s wants a list of names", item.Line, key)
		}
	}
	return n.Content, nil
}

// severity is the finding's severity after .hadolint.yaml's override: the
// most severe level given to any of its hadolint refs.
func (c *config) severity(sev checks.Severity, refs []string) checks.Severity {
	if c == nil || len(c.override) == 0 {
		return sev
	}
	out, found := checks.Severity(""), false
	for _, r := range refs {
		if s, ok := c.override[strings.ToUpper(r)]; ok && (!found || s.Rank() > out.Rank()) {
			out, found = s, true
		}
	}
	if !found {
		return sev
	}
	return out
}

// suppressedBy returns the suppression a configuration file makes of a
// finding with refs, or nil.
func (c *config) suppressedBy(refs []string) *checks.Suppression {
	if c == nil {
		return nil
	}
	for _, r := range refs {
		if line, ok := c.ignored[strings.ToUpper(r)]; ok {
			return &checks.Suppression{By: checks.SuppressedByHadolintConfig, Where: fmt.Sprintf("%s:%d", c.hadolintFile, line), Reason: "ignored: " + strings.ToUpper(r)}
		}
	}
	if ig, ok := dialect.MatchTrivyIgnore(c.trivyIgnores, refs, c.now); ok {
		s := ig.Suppression(checks.Finding{})
		return &s
	}
	return nil
}
