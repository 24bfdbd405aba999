package kubernetes

import (
	"strings"
	"testing"
	"unicode/utf16"
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
		{"UTF-16 with Windows line ends", "\n", "\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.ReplaceAll(privilegedPod, tc.from, tc.to)
			data := []byte(text)
			if tc.name == "UTF-16 with Windows line ends" {
				data = []byte{0xff, 0xfe} // little-endian, as Windows editors write it
				for _, u := range utf16.Encode([]rune(text)) {
					data = append(data, byte(u), byte(u>>8))
				}
			}
			var got []int
			for _, f := range CheckFile("pod.yaml", data).Findings {
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
