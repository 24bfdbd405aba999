package kubernetes

import (
	"strings"
	"testing"
)

// A finding's line is the file's line as git and editors count it, "\n"
// by "\n", whatever else YAML takes for a line break: a lone carriage
// return, NEL, LS or PS. Windows line ends ("\r\n") are one line each.
func TestFindingLinesAreTheFilesLines(t *testing.T) {
	want := strings.Count(privilegedPod[:strings.Index(privilegedPod, "privileged: true")], "\n") + 1
	for _, tc := range []struct{ name, from, to string }{
		{"unix", "\n", "\n"},
		{"windows", "\n", "\r\n"},
		{"a lone carriage return", "name: debug\n", "name: debug\r \n"},
		{"a line separator", "name: debug\n", "name: debug #\u2028\n"},
		{"a next line", "name: debug\n", "name: debug #\u0085\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.ReplaceAll(privilegedPod, tc.from, tc.to)
			var got []int
			for _, f := range CheckFile("pod.yaml", []byte(text)).Findings {
				if f.Rule == CheckName+"/privileged" {
					got = append(got, f.Line)
				}
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("kubernetes/privileged on lines %v, want [%d]", got, want)
			}
		})
	}
}
