package checks_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// A staged blob larger than any check reads costs a read, not its size in
// memory: ReadBlobs keeps its first MaxBlobRead+1 bytes, so that each
// caller's own limit refuses it, and the blobs after it are read whole.
func TestReadBlobsKeepsAtMostMaxBlobRead(t *testing.T) {
	r := gittest.New(t)
	big := filepath.Join(r.Dir, "dump.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(checks.MaxBlobRead + 4096); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	r.Write("small.json", "{}\n")
	r.Git("add", "-A")
	bigID := strings.TrimSpace(r.Git("rev-parse", ":dump.json"))
	smallID := strings.TrimSpace(r.Git("rev-parse", ":small.json"))
	src := stagedSource(r)
	blobs, err := src.ReadBlobs(context.Background(), []string{bigID, smallID})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(blobs[bigID]); n != checks.MaxBlobRead+1 {
		t.Errorf("kept %d bytes of the large blob, want %d", n, checks.MaxBlobRead+1)
	}
	if got := string(blobs[smallID]); got != "{}\n" {
		t.Errorf("the blob after it: %q", got)
	}
}
