package root

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
)

// execute runs the command line args on a fresh tree and returns the exit
// code and what was printed.
func execute(args ...string) (code int, stdout, stderr string) {
	ios, _, out, errOut := iostreams.Test()
	cmd := NewCmd(ios)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return cmdutil.Code(err), out.String(), errOut.String()
}

// groups lists every command of the tree that has subcommands, by its
// arguments from the root ("" is the root itself).
func groups(c *cobra.Command, path []string, out *[][]string) {
	if c.HasSubCommands() {
		*out = append(*out, path)
	}
	for _, sub := range c.Commands() {
		groups(sub, append(append([]string(nil), path...), sub.Name()), out)
	}
}

// Every command group, whoever adds it: an unknown subcommand is an error
// (exit 2, one line) that suggests the command meant, never the help and
// exit 0 that let `secfirst hook pre-comit` in a hook script pass every
// commit.
func TestEveryGroupRejectsUnknownSubcommands(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var all [][]string
	groups(NewCmd(ios), nil, &all)
	if len(all) < 5 {
		t.Fatalf("found only %d command groups: %v", len(all), all)
	}
	for _, g := range all {
		name := strings.Join(append([]string{"secfirst"}, g...), " ")
		code, stdout, stderr := execute(append(g, "no-such-command")...)
		if code != cmdutil.ExitFailure || !strings.Contains(stderr, `unknown command "no-such-command" for "`+name+`"`) || stdout != "" {
			t.Errorf("%s no-such-command: exit %d, stdout %q, stderr %q", name, code, stdout, stderr)
		}
		if strings.Contains(stderr, "\n") {
			t.Errorf("%s no-such-command: more than one line: %q", name, stderr)
		}
		// A typo of each subcommand (its last two letters swapped, or its
		// last letter dropped) names it.
		ios, _, _, _ := iostreams.Test()
		root := NewCmd(ios)
		grp, _, err := root.Find(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range grp.Commands() {
			if !sub.IsAvailableCommand() || len(sub.Name()) < 4 {
				continue
			}
			typo := sub.Name()[:len(sub.Name())-1]
			if hasCommand(grp, typo) {
				continue
			}
			code, _, stderr := execute(append(g, typo)...)
			if code != cmdutil.ExitFailure || !strings.Contains(stderr, `did you mean "`+sub.Name()+`"?`) {
				t.Errorf("%s %s: exit %d, stderr %q: no suggestion of %q", name, typo, code, stderr, sub.Name())
			}
		}
	}
}

func hasCommand(c *cobra.Command, name string) bool {
	for _, sub := range c.Commands() {
		if sub.Name() == name || sub.HasAlias(name) {
			return true
		}
	}
	return false
}

// The typos of the issue, as typed.
func TestTyposOfTheIssue(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"checklist stauts", `unknown command "stauts" for "secfirst checklist"; did you mean "status"?`},
		{"hooks instal", `unknown command "instal" for "secfirst hooks"; did you mean "install"?`},
		{"hook pre-comit", `unknown command "pre-comit" for "secfirst hook"; did you mean "pre-commit"?`},
		{"scna", `unknown command "scna" for "secfirst"; did you mean "scan"?`},
	} {
		code, stdout, stderr := execute(strings.Fields(tc.args)...)
		if code != 2 || stderr != tc.want || stdout != "" {
			t.Errorf("secfirst %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// A group alone still shows its help and succeeds.
func TestGroupAloneShowsHelp(t *testing.T) {
	code, stdout, _ := execute("hooks")
	if code != 0 || !strings.Contains(stdout, "Available Commands:") || !strings.Contains(stdout, "install") {
		t.Fatalf("secfirst hooks: exit %d\n%s", code, stdout)
	}
}

// docs/usage.md shows a typo and what secfirst answers: the answer is the
// one it gives.
func TestUsageDocShowsTheTypoAnswer(t *testing.T) {
	data, err := os.ReadFile("../../docs/usage.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	const prompt = "$ secfirst checklist stauts\n"
	i := strings.Index(doc, prompt)
	if i < 0 {
		t.Fatal("docs/usage.md no longer shows the typo example")
	}
	shown, _, _ := strings.Cut(doc[i+len(prompt):], "\n")
	_, _, stderr := execute("checklist", "stauts")
	if "secfirst: "+stderr != shown {
		t.Fatalf("docs/usage.md shows %q, secfirst says %q", shown, "secfirst: "+stderr)
	}
}
