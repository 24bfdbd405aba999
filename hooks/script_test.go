package hooks

import (
	"os/exec"
	"strings"
	"testing"
)

func TestScriptIsValidShAndRecognised(t *testing.T) {
	for _, hook := range Names {
		for _, bin := range []string{"/usr/local/bin/secfirst", "/home/o'brien/my tools/$HOME/secfirst"} {
			s := Script(hook, bin)
			cmd := exec.Command("sh", "-n")
			cmd.Stdin = strings.NewReader(string(s))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s script does not parse: %v\n%s\n%s", hook, err, out, s)
			}
			info := ParseScript(s)
			if !info.Ours || info.Version != ScriptVersion || info.Binary != bin {
				t.Fatalf("ParseScript = %+v, want binary %q", info, bin)
			}
			if !strings.Contains(string(s), "hook "+hook+" \"$@\"") {
				t.Fatalf("script does not run `secfirst hook %s`", hook)
			}
		}
	}
	if ParseScript([]byte("#!/bin/sh\nexit 0\n")).Ours {
		t.Fatal("a foreign hook recognised as ours")
	}
	if ParseScript(HuskyBlock(PreCommit)).Ours {
		t.Fatal("the husky block is not a hook script")
	}
}

func TestHuskyBlockRoundTrip(t *testing.T) {
	for _, original := range []string{
		"",
		"npx lint-staged\n",
		"npx lint-staged",
		"#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nnpm test\n\n",
		"echo a\r\necho b\r\n",
	} {
		with := appendHusky([]byte(original), PreCommit)
		if !strings.HasPrefix(string(with), original) {
			t.Fatalf("append changed the original %q", original)
		}
		start, end, v, ok := findHuskyBlock(with)
		if !ok || v != HuskyBlockVersion {
			t.Fatalf("block not found in %q", with)
		}
		back := string(with[:start]) + string(with[end:])
		if back != original {
			t.Fatalf("round trip of %q gave %q", original, back)
		}
		// Lines the user adds after secfirst's block survive its removal.
		more := string(with) + "echo after\n"
		start, end, _, _ = findHuskyBlock([]byte(more))
		if got := more[:start] + more[end:]; got != original+"echo after\n" {
			t.Fatalf("removal with lines after the block gave %q", got)
		}
		cmd := exec.Command("sh", "-n")
		cmd.Stdin = strings.NewReader(string(with))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("husky file does not parse: %v\n%s", err, out)
		}
	}
	if _, _, _, ok := findHuskyBlock([]byte("# secfirst-hook v1 begin\nno end\n")); ok {
		t.Fatal("an unterminated block was accepted")
	}
}

func TestPreCommitConfigHas(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		hook string
		want bool
	}{
		{"repos:\n- repo: https://github.com/secfirst-dev/secfirst\n  rev: v1\n  hooks:\n  - id: secfirst\n", PreCommit, true},
		{"repos:\n- repo: https://github.com/secfirst-dev/secfirst\n  rev: v1\n  hooks:\n  - id: secfirst\n", PrePush, false},
		{"repos:\n- repo: local\n  hooks:\n  - id: secfirst-pre-push\n    entry: secfirst hook pre-push\n    stages: [pre-push]\n", PrePush, true},
		{"repos:\n- repo: local\n  hooks:\n  - id: x\n    entry: secfirst hook pre-commit\n    stages: [commit]\n", PreCommit, true},
		{"repos:\n- repo: https://github.com/gitleaks/gitleaks\n  rev: v8\n  hooks:\n  - id: gitleaks\n", PreCommit, false},
		{"not: [valid", PreCommit, false},
	} {
		if got := preCommitConfigHas([]byte(tc.yaml), tc.hook); got != tc.want {
			t.Errorf("%s in %q = %v, want %v", tc.hook, tc.yaml, got, tc.want)
		}
	}
}

func TestIsZeroID(t *testing.T) {
	if !isZeroID(strings.Repeat("0", 40)) || !isZeroID(strings.Repeat("0", 64)) || isZeroID("0000a") {
		t.Fatal("isZeroID")
	}
}

// The binary's path goes into the script as one sh word and comes back
// exactly, whatever it holds; a hand-edited line that would expand or run
// something is never evaluated.
func TestBinaryPathQuoting(t *testing.T) {
	for _, p := range []string{
		"/usr/local/bin/secfirst", "/home/o'brien/my tools/secfirst", `/opt/a"b\c/secfirst`,
		"/tmp/$HOME/`id`/$(id)/secfirst", "/tmp/ünï cödé/secfirst", "",
	} {
		q := shQuote(p)
		got, ok := shUnquote(q)
		if !ok || got != p {
			t.Errorf("shUnquote(shQuote(%q)) = %q, %v (quoted %s)", p, got, ok, q)
		}
		out, err := exec.Command("sh", "-c", "printf '%s' "+q).Output()
		if err != nil || string(out) != p {
			t.Errorf("sh reads %s as %q (%v), want %q", q, out, err, p)
		}
	}
	// No POSIX word holds a control character: the script then finds
	// secfirst on PATH.
	if q := shQuote("/tmp/new\nline/secfirst"); q != "''" {
		t.Errorf("a path with a newline quoted as %s", q)
	}
	for _, word := range []string{"$HOME/secfirst", "\"$(id)\"", "`id`", "/bin/secfirst; rm -rf /", "'unterminated"} {
		if got, ok := shUnquote(word); ok {
			t.Errorf("shUnquote(%q) = %q, want refused", word, got)
		}
	}
}
