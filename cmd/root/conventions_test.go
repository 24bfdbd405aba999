package root

import (
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/secfirst-dev/secfirst/cmd/iostreams"
)

// every calls fn for each command of the tree and each of its own flags.
func every(t *testing.T, fn func(c *cobra.Command, f *pflag.Flag)) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { fn(c, f) })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewCmd(ios))
}

// --help renders every flag as meant: pflag takes a back-quoted word of a
// usage as the name of the flag's value ("--staged git commit"), so only
// a placeholder in capitals (FILE, DIR) may be back-quoted.
func TestHelpRendersEveryFlag(t *testing.T) {
	every(t, func(c *cobra.Command, f *pflag.Flag) {
		name, _ := pflag.UnquoteUsage(f)
		if strings.Contains(f.Usage, "`") && strings.IndexFunc(name, unicode.IsLower) >= 0 {
			t.Errorf("%s --%s shows its value as %q: %q", c.CommandPath(), f.Name, name, f.Usage)
		}
	})
}

// The conventions users of gitleaks, trivy and osv-scanner reach for: -f
// for --format, -o for --output, and the values of --format, --check,
// --fail-on and --hook completed by the shell.
func TestFlagConventions(t *testing.T) {
	formats := 0
	every(t, func(c *cobra.Command, f *pflag.Flag) {
		want := map[string]string{"format": "f", "output": "o"}[f.Name]
		if want != "" && f.Shorthand != want {
			t.Errorf("%s --%s has shorthand %q, want -%s", c.CommandPath(), f.Name, f.Shorthand, want)
		}
		switch f.Name {
		case "format", "check", "fail-on", "hook":
			if f.Name == "format" {
				formats++
			}
			complete, ok := c.GetFlagCompletionFunc(f.Name)
			if !ok {
				t.Errorf("%s --%s: its values are not completed", c.CommandPath(), f.Name)
				return
			}
			values, _ := complete(c, nil, "")
			if len(values) < 2 {
				t.Errorf("%s --%s completes %q", c.CommandPath(), f.Name, values)
			}
			for _, v := range values {
				// Each value completed is one the usage names.
				if f.Name == "format" && !strings.Contains(f.Usage, strings.SplitN(v, "\t", 2)[0]) {
					t.Errorf("%s --format completes %q, which its usage %q does not name", c.CommandPath(), v, f.Usage)
				}
			}
		}
	})
	if formats < 5 {
		t.Fatalf("only %d --format flags found", formats)
	}
}

// `completion` is listed in the help; learn completes lesson ids; the
// shell's own protocol answers.
func TestCompletion(t *testing.T) {
	code, stdout, _ := execute("--help")
	if code != 0 || !strings.Contains(stdout, "completion") || !strings.Contains(stdout, "--no-color") {
		t.Fatalf("help does not list completion or --no-color:\n%s", stdout)
	}
	code, stdout, _ = execute("__complete", "learn", "containers-")
	if code != 0 || !strings.Contains(stdout, "containers-non-root") {
		t.Fatalf("learn does not complete lesson ids: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = execute("__complete", "scan", "--fail-on", "")
	if code != 0 || !strings.Contains(stdout, "critical") || !strings.Contains(stdout, "never") {
		t.Fatalf("scan --fail-on is not completed: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = execute("completion", "bash")
	if code != 0 || !strings.Contains(stdout, "bash completion") {
		t.Fatalf("completion bash: exit %d", code)
	}
}

// A comma-separated list is split by pflag itself: every name is read.
func TestListFlagsSplitOnCommas(t *testing.T) {
	code, _, stderr := execute("scan", "--check", "secrets,no-such-check", t.TempDir())
	if code != 2 || !strings.Contains(stderr, `unknown check "no-such-check"`) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
