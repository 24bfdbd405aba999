package checks

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Whatever .secfirst.toml holds, parsing it never panics: it is a policy
// or a *ConfigError that names the file and a line inside it; and a parsed
// policy can be applied.
func FuzzPolicy(f *testing.F) {
	for _, seed := range []string{
		"",
		"fail_on = \"high\"\ndisabled_checks = [\"deps\"]\nstrict = true\n",
		"[checklist]\nstale_after_days = 30\n",
		"[[ignore]]\nrule = \"DL3008\"\npath = \"tools/**\"\nreason = \"r\"\nexpires = 2027-01-31\n",
		"[[ignore]]\nfingerprint = \"abc\"\nreason = \"r\"\nexpires = \"2027-13-45\"\n",
		"[[ignore]]\npath = \"[\"\nreason = \"r\"\n",
		"fail_on = 3\n[[ignore]\n",
		"\x00\xff[[ignore]]",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		pol, err := ParsePolicy("/repo/.secfirst.toml", []byte(text))
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if ce.Line < 0 || ce.Line > strings.Count(text, "\n")+1 {
				t.Fatalf("error names line %d of a %d-line file: %v", ce.Line, strings.Count(text, "\n")+1, err)
			}
			return
		}
		kept, _, _ := pol.Apply([]Finding{{Check: "secrets", Rule: "r", Severity: High, File: "a/b.go", Fingerprint: "abc"}}, "", time.Now())
		for _, k := range kept {
			if k.Blocking != pol.FailOn.Blocks(k.Severity) {
				t.Fatalf("blocking %v at fail_on %q", k.Blocking, pol.FailOn)
			}
		}
	})
}
