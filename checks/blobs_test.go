package checks_test

import (
	"context"
	"fmt"
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
	blobs, err := src.ReadBlobs(context.Background(), []string{bigID, smallID}, checks.MaxBlobRead)
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

// StagedBlobs reads a walk's blobs a few at a time (here two: 8 MiB each
// of a 16 MiB window), in the walk's order, and again when the walk goes
// back; each comes back whole and as itself.
func TestStagedBlobsReadsAWindowAtATime(t *testing.T) {
	r := gittest.New(t)
	var files []checks.File
	want := map[string]string{}
	for i := range 5 {
		name := fmt.Sprintf("f%d.yaml", i)
		r.Write(name, strings.Repeat(name+"\n", i+1))
		r.Git("add", name)
		id := strings.TrimSpace(r.Git("rev-parse", ":"+name))
		files = append(files, checks.File{Path: name, Blob: id})
		want[id] = strings.Repeat(name+"\n", i+1)
	}
	r.Write("other.txt", "not in the walk\n")
	r.Git("add", "other.txt")
	other := strings.TrimSpace(r.Git("rev-parse", ":other.txt"))
	src := stagedSource(r)
	blobs := src.StagedBlobs(files, 8<<20)
	ctx := context.Background()
	// In order: [0 1] [2 3] [4]; back: [1 2], [4], [0 1].
	for i, f := range append(append(files, files[1], files[4]), files[0]) {
		data, ok, err := blobs.Get(ctx, f.Blob)
		if err != nil || !ok || string(data) != want[f.Blob] {
			t.Fatalf("%s: %q %v %v, want %q", f.Path, data, ok, err, want[f.Blob])
		}
		if i == 4 && blobs.Reads() != 3 {
			t.Errorf("the walk in order took %d reads, want 3 (two blobs a read)", blobs.Reads())
		}
	}
	if blobs.Reads() != 6 {
		t.Errorf("%d reads in all, want 6", blobs.Reads())
	}
	if data, ok, err := blobs.Get(ctx, other); err != nil || !ok || string(data) != "not in the walk\n" {
		t.Errorf("a blob outside the walk: %q %v %v", data, ok, err)
	}
	if _, ok, err := blobs.Get(ctx, strings.Repeat("0", len(other))); ok || err != nil || blobs.Err() != nil {
		t.Errorf("a missing blob: ok %v, err %v, Err %v; want not ok and no error", ok, err, blobs.Err())
	}
}

// ReadBlobsIf asks each blob's size before its content: a refused blob,
// even one past MaxBlobRead, streams past and is absent, and the blobs
// after it are read whole.
func TestReadBlobsIfMeasuresBeforeReading(t *testing.T) {
	r := gittest.New(t)
	big := filepath.Join(r.Dir, "dump.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(checks.MaxBlobRead + 4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r.Write("small.json", "{}\n")
	r.Git("add", "-A")
	bigID := strings.TrimSpace(r.Git("rev-parse", ":dump.json"))
	smallID := strings.TrimSpace(r.Git("rev-parse", ":small.json"))
	sizes := map[string]int64{}
	blobs, err := stagedSource(r).ReadBlobsIf(context.Background(), []string{bigID, smallID}, checks.MaxBlobRead, func(id string, size int64) bool {
		sizes[id] = size
		return size < 1<<20
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{bigID: checks.MaxBlobRead + 4096, smallID: 3}; fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Errorf("sizes asked %v, want %v", sizes, want)
	}
	if _, ok := blobs[bigID]; ok || string(blobs[smallID]) != "{}\n" || len(blobs) != 1 {
		t.Errorf("read %d blobs, small %q", len(blobs), blobs[smallID])
	}
}

// TryParsing takes what fits now and never waits.
func TestTryParsing(t *testing.T) {
	src := &checks.Source{}
	done, err := src.Parsing(context.Background(), checks.ParseBudget-10)
	if err != nil {
		t.Fatal(err)
	}
	small, ok := src.TryParsing(10)
	if !ok {
		t.Fatal("10 bytes did not fit in the 10 left")
	}
	if _, ok := src.TryParsing(1); ok {
		t.Error("took a byte of a budget all taken")
	}
	small()
	small() // once only
	done()
	all, ok := src.TryParsing(checks.ParseBudget + 1) // more than all of it: all of it
	if !ok {
		t.Fatal("the whole budget was not free")
	}
	all()
}
