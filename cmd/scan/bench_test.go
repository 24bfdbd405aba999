package scan_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/scan"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// BenchmarkStagedScan measures `secfirst scan --staged --check secrets` in
// process on a 5,000-file repository with 10 staged files, one of them
// holding a fake secret. Repository set-up is outside the timer.
func BenchmarkStagedScan(b *testing.B) {
	r := gittest.New(b)
	var sb strings.Builder
	for i := 0; i < 5000; i++ {
		sb.Reset()
		for j := 0; j < 8; j++ {
			fmt.Fprintf(&sb, "def f%d(x):\n    return x * %d\n", j, i*j)
		}
		r.Write(fmt.Sprintf("src/m%03d/f%d.py", i%100, i), sb.String())
	}
	r.Commit("base")
	for i := 0; i < 10; i++ {
		r.Write(fmt.Sprintf("src/m%03d/f%d.py", i, i), fmt.Sprintf("def added_%d():\n    return %d\n", i, i))
	}
	r.Write("src/m000/f0.py", "token = \""+gittest.FakeGitHubToken()+"\"\n")
	r.Git("add", "-A")
	ios, _, _, _ := iostreams.Test()
	ios.Out, ios.ErrOut = io.Discard, io.Discard
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		opts := &scan.Options{IO: ios, Dir: r.Dir, Staged: true, Checks: []string{"secrets"}, Format: "json"}
		if err := scan.Run(context.Background(), opts); err == nil {
			b.Fatal("the staged secret must block")
		}
	}
}
