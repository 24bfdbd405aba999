package secrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	gotoml "github.com/pelletier/go-toml/v2"
	"github.com/spf13/afero"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/safefile"
	"github.com/secfirst-dev/secfirst/internal/tomlshape"
)

const (
	// configFile is the repository's gitleaks configuration.
	configFile = ".gitleaks.toml"
	// maxConfigSize bounds every file of gitleaks configuration a
	// repository carries (.gitleaks.toml, the files it extends,
	// .gitleaksignore): real ones are a few kilobytes, and a hostile one
	// could be a huge blob.
	maxConfigSize = 1 << 20
	// maxExtendDepth is how many [extend] path levels gitleaks follows
	// (config.maxExtendDepth).
	maxExtendDepth = 2
	// devNull is what gitleaks users give [extend] path to extend nothing.
	devNull = "/dev/null"
)

func init() { checks.RegisterConfigFiles(configFile, ignoreFile) }

var (
	defaultOnce     sync.Once
	defaultCompiled atomic.Bool
	defaultCfg      config.Config
	defaultErr      error
	// viper keeps global state; gitleaks' config loading goes through it.
	viperMu sync.Mutex
)

// defaultConfig is gitleaks' default rules, compiled once per process:
// compiling its ~220 rules is the costliest part of a small scan.
func defaultConfig() (config.Config, error) {
	defaultOnce.Do(func() {
		vc, err := defaultViperConfig()
		if err != nil {
			defaultErr = err
			return
		}
		defaultCfg, defaultErr = translate(vc)
		defaultCompiled.Store(defaultErr == nil)
	})
	return defaultCfg, defaultErr
}

// configFiles are the bytes of a repository's gitleaks configuration:
// .gitleaks.toml and the files its [extend] path names, read as the source
// sees them (the index in staged mode), only as regular files inside the
// repository, bounded.
type configFiles struct {
	main []byte
	// extends are the extended files by the path written in [extend].
	extends map[string][]byte
	order   []string
}

// key identifies the configuration: the same bytes compile to the same rules.
func (f *configFiles) key() [32]byte {
	h := sha256.New()
	h.Write(f.main)
	for _, p := range f.order {
		fmt.Fprintf(h, "\x00%s\x00%d\x00", p, len(f.extends[p]))
		h.Write(f.extends[p])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// readConfigFiles reads the repository's gitleaks configuration; nil when
// it has none.
func readConfigFiles(ctx context.Context, src *checks.Source) (*configFiles, error) {
	if src == nil || src.Root == "" {
		return nil, nil
	}
	data, err := src.ReadRegular(ctx, configFile, maxConfigSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(src, configFile, err)
	}
	if err := checkShape(src, configFile, data); err != nil {
		return nil, err
	}
	files := &configFiles{main: data, extends: map[string][]byte{}}
	for depth, next := 0, data; depth < maxExtendDepth; depth++ {
		// Read with go-toml, as gitleaks (through viper) reads it.
		var ext struct{ Extend struct{ Path string } }
		if err := gotoml.Unmarshal(next, &ext); err != nil || ext.Extend.Path == "" {
			break // a file that does not decode is reported when it is compiled
		}
		path := ext.Extend.Path
		if _, seen := files.extends[path]; seen {
			break
		}
		if next, err = readExtended(ctx, src, path); err != nil {
			return nil, err
		}
		if err := checkShape(src, path, next); err != nil {
			return nil, err
		}
		files.extends[path] = next
		files.order = append(files.order, path)
	}
	return files, nil
}

// ConfigKey identifies the gitleaks configuration a scan of the working
// tree at root compiles: .gitleaks.toml and the files its [extend] path
// names ("" without .gitleaks.toml). A configuration that cannot be read
// gives the error the scan would report.
func ConfigKey(ctx context.Context, root string) (string, error) {
	files, err := readConfigFiles(ctx, &checks.Source{Mode: checks.ModeWorktree, Root: root, InRepo: true})
	if err != nil || files == nil {
		return "", err
	}
	k := files.key()
	return hex.EncodeToString(k[:]), nil
}

// checkShape refuses a configuration file nested deeper than TOML files
// are (internal/tomlshape): viper, which gitleaks compiles the file with,
// takes minutes of CPU over a key of thousands of dotted parts.
func checkShape(src *checks.Source, name string, data []byte) error {
	if err := tomlshape.Check(data); err != nil {
		return fmt.Errorf("%s: %v", shownName(src, name), err)
	}
	return nil
}

// shownName is rel as errors name it: "(as staged)" when the hook read it
// from the index.
func shownName(src *checks.Source, rel string) string {
	if src.Mode == checks.ModeStaged {
		return rel + " (as staged)"
	}
	return rel
}

// readExtended reads a file named by [extend] path. gitleaks opens that
// path from its working directory, which for a repository's configuration
// is the repository's root; secfirst reads it there, and only as a regular
// file inside the repository, as it reads .gitleaks.toml itself.
// "/dev/null" is the idiom for extending nothing.
func readExtended(ctx context.Context, src *checks.Source, path string) ([]byte, error) {
	if path == devNull {
		return nil, nil
	}
	rel := filepath.Clean(filepath.FromSlash(path))
	if filepath.IsAbs(rel) {
		if r, err := filepath.Rel(src.Root, rel); err == nil {
			rel = r
		}
	}
	if filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s: [extend] path %q is outside the repository; secfirst reads configuration only from regular files inside it", configFile, path)
	}
	data, err := src.ReadRegular(ctx, filepath.ToSlash(rel), maxConfigSize)
	if err != nil {
		return nil, fmt.Errorf("%s: [extend] path: %w", configFile, readError(src, filepath.ToSlash(rel), err))
	}
	return data, nil
}

// readError says in one line why a configuration file was not read.
func readError(src *checks.Source, rel string, err error) error {
	name := shownName(src, rel)
	var tl *safefile.TooLargeError
	switch {
	case errors.Is(err, safefile.ErrNotRegular):
		return fmt.Errorf("%s is not a regular file (a symlink?); secfirst reads configuration only from regular files inside the repository", name)
	case errors.Is(err, safefile.ErrOutside):
		return fmt.Errorf("%s is outside the repository or reached through a symlink; secfirst reads configuration only from regular files inside it", name)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist", name)
	case errors.As(err, &tl):
		return fmt.Errorf("%s is larger than %s; secfirst does not read configuration that large", name, safefile.Size(tl.Limit))
	}
	return fmt.Errorf("%s: %w", name, err)
}

var (
	compiledMu sync.Mutex
	compiled   = map[[32]byte]*compiledConfig{}
)

// compiledConfig is a repository's configuration compiled, and the
// detector that redacts with its rules, built when first asked for.
type compiledConfig struct {
	cfg      config.Config
	redactor func() *redactionDetectors
}

func newCompiledConfig(cfg config.Config) *compiledConfig {
	return &compiledConfig{cfg: cfg, redactor: sync.OnceValue(func() *redactionDetectors { return redactionDetector(cfg) })}
}

// LoadConfig returns the rules a scan of src applies: gitleaks' default
// rules, extended by the repository's .gitleaks.toml as the source sees it
// (staged in staged mode). repo reports whether the repository has one. A
// configuration is compiled once per process for the same bytes: the TUI
// scans again and again, and the redactor needs the same rules as the check.
func LoadConfig(ctx context.Context, src *checks.Source) (cfg config.Config, repo bool, err error) {
	files, err := readConfigFiles(ctx, src)
	if err != nil {
		return config.Config{}, false, err
	}
	return configOf(files)
}

// configOf compiles files, or gives the default rules when there are none.
func configOf(files *configFiles) (cfg config.Config, repo bool, err error) {
	if files == nil {
		cfg, err := defaultConfig()
		return cfg, false, err
	}
	c, err := compileConfig(files)
	if err != nil {
		return config.Config{}, true, err
	}
	return c.cfg, true, nil
}

func compileConfig(files *configFiles) (*compiledConfig, error) {
	key := files.key()
	compiledMu.Lock()
	c, ok := compiled[key]
	compiledMu.Unlock()
	if ok {
		return c, nil
	}
	cfg, err := translateRepoConfig(files)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", configFile, err)
	}
	c = newCompiledConfig(cfg)
	compiledMu.Lock()
	if len(compiled) >= 8 { // a long-lived process whose configuration keeps changing
		clear(compiled)
	}
	compiled[key] = c
	compiledMu.Unlock()
	return c, nil
}

// translateRepoConfig compiles a repository's configuration with gitleaks'
// own code, extension included. secfirst always starts from gitleaks'
// default rules: a file without [extend] adds to them instead of replacing
// them (use [extend] disabledRules to switch defaults off). gitleaks reads
// an extended file through viper's file system: it is given one in memory
// that holds only the files already read safely.
func translateRepoConfig(files *configFiles) (cfg config.Config, err error) {
	viperMu.Lock()
	defer viperMu.Unlock()
	defer func() {
		// gitleaks panics (regexp.MustCompile) on a bad pattern in a user's file.
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	viper.Reset()
	defer viper.Reset()
	mem := afero.NewMemMapFs()
	for _, p := range files.order {
		if err := afero.WriteFile(mem, p, files.extends[p], 0o600); err != nil {
			return config.Config{}, err
		}
	}
	viper.SetFs(mem)
	viper.SetConfigType("toml")
	if err := viper.ReadConfig(bytes.NewReader(files.main)); err != nil {
		return config.Config{}, err
	}
	var vc config.ViperConfig
	if err := viper.Unmarshal(&vc); err != nil {
		return config.Config{}, err
	}
	if vc.Extend.Path == "" && vc.Extend.URL == "" {
		vc.Extend.UseDefault = true
	}
	gitleaksExtendDepth = 0
	cfg, err = vc.Translate()
	if err != nil {
		return config.Config{}, err
	}
	fastLineAllowlists(&cfg)
	cfg.Path = configFile
	return cfg, nil
}

// noRulesWarning is the warning for a configuration that leaves no rule:
// every scan would come back clean whatever the files hold.
func noRulesWarning(src *checks.Source) string {
	name := configFile
	if src.Mode == checks.ModeStaged {
		name += " (as staged)"
	}
	return "secrets: " + name + " leaves no rule to apply (see its [extend] and [[rules]]): NOTHING was checked for secrets"
}
