package terraform

import (
	"strconv"
	"strings"
	"testing"
)

// A file that nests without end is one warning with its line, not a fatal
// stack overflow (80,000 brackets took the process down) nor hundreds of
// megabytes; its module's other files are still checked.
func TestDeepNestingIsAWarningNotACrash(t *testing.T) {
	const n = 100_000
	openSG := "resource \"aws_security_group\" \"deep\" {\n  description = "
	cases := map[string]string{
		"brackets":     openSG + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n}\n",
		"calls":        openSG + strings.Repeat("max(", n) + "1" + strings.Repeat(")", n) + "\n}\n",
		"objects":      openSG + strings.Repeat("{a = ", n) + "1" + strings.Repeat("}", n) + "\n}\n",
		"blocks":       openSG + "1\n" + strings.Repeat("dynamic \"x\" {\n", n) + strings.Repeat("}\n", n) + "}\n",
		"unary":        openSG + strings.Repeat("!", n) + "true\n}\n",
		"negation":     openSG + strings.Repeat("-", n) + "1\n}\n",
		"conditionals": openSG + "(" + strings.Repeat("true ? 1 :\n", n) + "2)\n}\n",
		"templates":    openSG + strings.Repeat("\"${", n) + "1" + strings.Repeat("}\"", n) + "\n}\n",
		"directives":   openSG + "<<EOT\n" + strings.Repeat("%{if true}", n) + strings.Repeat("%{endif}", n) + "\nEOT\n}\n",
	}
	open := `resource "aws_security_group" "open" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			r := CheckModule(map[string][]byte{"deep.tf": []byte(src), "open.tf": []byte(open)})
			if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], "terraform: deep.tf:") ||
				!strings.Contains(r.Warnings[0], " nests deeper than 256 levels") {
				t.Errorf("warnings %q", r.Warnings)
			}
			if got := rulesAt(r.Findings); len(got) != 1 || len(got["aws-security-group-open-admin-port"]) != 1 {
				t.Errorf("findings %v, want the open security group of open.tf", got)
			}
		})
	}
}

// Real modules nest a few dozen levels at most; a long file of lists,
// negative numbers and conditionals is not mistaken for a deep one.
func TestOrdinaryNestingIsChecked(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("locals {\n  nested = " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n")
	for i := 0; i < 500; i++ {
		sb.WriteString("  n" + strconv.Itoa(i) + " = var.a ? -1 : !var.b ? -2 : max(-3, [\"${var.c}\"][0])\n")
	}
	sb.WriteString("}\n")
	if line := tooDeep([]byte(sb.String())); line != 0 {
		t.Fatalf("ordinary module flagged at line %d", line)
	}
	if w := CheckFile("main.tf", []byte(sb.String())).Warnings; len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
}
