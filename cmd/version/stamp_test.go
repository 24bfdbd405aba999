package version

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// goreleaserConfig is the part of .goreleaser.yml these tests read.
type goreleaserConfig struct {
	Builds []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ldflags ldflags  `yaml:"ldflags"`
	} `yaml:"builds"`
	Archives []struct {
		ID  string   `yaml:"id"`
		IDs []string `yaml:"ids"`
	} `yaml:"archives"`
	Casks []struct {
		IDs      []string `yaml:"ids"`
		Binaries []string `yaml:"binaries"`
	} `yaml:"homebrew_casks"`
}

// programs are the two programs a release ships, by build id and main
// package: secfirst and its terminal interface, side by side.
var programs = map[string]string{"secfirst": "./cmd/secfirst", "secfirst-tui": "./cmd/secfirst-tui"}

// ldflags accepts both forms goreleaser does: one string or a list of strings.
type ldflags []string

func (l *ldflags) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = ldflags{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*l = list
	return nil
}

const repoRoot = "../.."

func readGoreleaserConfig(t *testing.T) goreleaserConfig {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yml"))
	if err != nil {
		t.Fatalf("read .goreleaser.yml: %v", err)
	}
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("parse .goreleaser.yml: %v", err)
	}
	if len(cfg.Builds) != len(programs) {
		t.Fatalf(".goreleaser.yml has %d builds, want %d (secfirst, secfirst-tui)", len(cfg.Builds), len(programs))
	}
	for _, b := range cfg.Builds {
		if programs[b.ID] != b.Main || b.Binary != b.ID {
			t.Fatalf("build %q: main %q, binary %q; want one build per program of %v", b.ID, b.Main, b.Binary, programs)
		}
	}
	return cfg
}

// TestGoreleaserLdflagsStampTheBinary builds secfirst with exactly the ldflags
// of .goreleaser.yml and runs `secfirst version`. The linker silently ignores
// -X for a symbol path that does not exist, so only running the binary proves
// that the release stamps version, commit and date.
func TestGoreleaserLdflagsStampTheBinary(t *testing.T) {
	for _, build := range readGoreleaserConfig(t).Builds {
		t.Run(build.ID, func(t *testing.T) { stampTest(t, build.Main, build.Ldflags) })
	}
}

func stampTest(t *testing.T, main string, ldflags []string) {
	if len(ldflags) == 0 {
		t.Fatalf(".goreleaser.yml: the build of %s has no ldflags", main)
	}

	// goreleaser renders ldflags as Go templates; render them the same way
	// with the fields a release provides. A template that uses a field this
	// test does not know fails here rather than going unchecked.
	stamp := struct{ Version, Commit, Date string }{
		Version: "9.8.7-stamptest",
		Commit:  "0123456789abcdef0123456789abcdef01234567",
		Date:    "2026-01-02T03:04:05Z",
	}
	var rendered []string
	for _, f := range ldflags {
		tmpl, err := template.New("ldflags").Option("missingkey=error").Parse(f)
		if err != nil {
			t.Fatalf("ldflags %q: %v", f, err)
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, stamp); err != nil {
			t.Fatalf("ldflags %q: %v", f, err)
		}
		rendered = append(rendered, b.String())
	}

	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build secfirst: %v", err)
	}
	out := filepath.Join(t.TempDir(), "secfirst")
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	// Same ldflags as the release; the build's env and -trimpath are left out
	// on purpose so this one build reuses the normal build cache.
	buildCmd := exec.Command(goBin, "build", "-o", out, "-ldflags="+strings.Join(rendered, " "), main)
	buildCmd.Dir = repoRoot
	if msg, err := buildCmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", main, err, msg)
	}

	got, err := exec.Command(out, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", main, err)
	}
	line := strings.TrimSpace(string(got))
	want := "secfirst " + stamp.Version + " (" + stamp.Commit[:12] + ", " + stamp.Date + ")"
	if line != want {
		t.Errorf("secfirst version printed %q, want %q: an -X path in .goreleaser.yml does not match cmd/version", line, want)
	}
}

// TestGoreleaserBuildMatrix guards the promises of the release: static
// binaries for linux, darwin and windows on amd64 and arm64, built from the
// command's main package.
func TestGoreleaserBuildMatrix(t *testing.T) {
	for _, build := range readGoreleaserConfig(t).Builds {
		if _, err := os.Stat(filepath.Join(repoRoot, build.Main, "main.go")); err != nil {
			t.Errorf("%s: main %q does not hold main.go: %v", build.ID, build.Main, err)
		}
		if !slices.Contains(build.Env, "CGO_ENABLED=0") {
			t.Errorf("%s: env = %q, want CGO_ENABLED=0 for static cross-compiled binaries", build.ID, build.Env)
		}
		for _, goos := range []string{"linux", "darwin", "windows"} {
			if !slices.Contains(build.Goos, goos) {
				t.Errorf("%s: goos = %q, missing %s", build.ID, build.Goos, goos)
			}
		}
		for _, goarch := range []string{"amd64", "arm64"} {
			if !slices.Contains(build.Goarch, goarch) {
				t.Errorf("%s: goarch = %q, missing %s", build.ID, build.Goarch, goarch)
			}
		}
	}
}

// The two programs ship side by side: in every archive, and both linked by
// the Homebrew cask (secfirst looks for secfirst-tui beside itself).
func TestGoreleaserShipsBothPrograms(t *testing.T) {
	cfg := readGoreleaserConfig(t)
	if len(cfg.Archives) == 0 || len(cfg.Casks) == 0 {
		t.Fatalf("archives %d, casks %d", len(cfg.Archives), len(cfg.Casks))
	}
	for id := range programs {
		for _, a := range cfg.Archives {
			if !slices.Contains(a.IDs, id) {
				t.Errorf("archive %q lacks the build %s (ids %q)", a.ID, id, a.IDs)
			}
		}
		for _, c := range cfg.Casks {
			if !slices.Contains(c.Binaries, id) {
				t.Errorf("the cask does not link %s (binaries %q)", id, c.Binaries)
			}
		}
	}
}
