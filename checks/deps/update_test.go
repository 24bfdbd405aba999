package deps

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

// bucket is a local stand-in for the OSV bucket: it serves all.zip files
// with Range and If-Range support (net/http's ServeContent), an ETag and
// GCS's X-Goog-Hash checksum header.
type bucket struct {
	mu        sync.Mutex
	objects   map[string][]byte // "npm" -> zip bytes
	ranges    []string          // Range headers received
	abortOnce int               // bytes to send before dropping the first response (0: never)
	badHash   bool
}

func (b *bucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
	data := b.objects[eco]
	b.ranges = append(b.ranges, r.Header.Get("Range"))
	abort := b.abortOnce
	b.abortOnce = 0
	bad := b.badHash
	b.mu.Unlock()
	if !ok || data == nil {
		http.NotFound(w, r)
		return
	}
	sum := crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))
	if bad {
		sum++
	}
	var raw [4]byte
	binary.BigEndian.PutUint32(raw[:], sum)
	w.Header().Set("X-Goog-Hash", "crc32c="+base64.StdEncoding.EncodeToString(raw[:])+",md5=AAAA")
	w.Header().Set("ETag", `"v1"`)
	if abort > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:abort])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-download
	}
	http.ServeContent(w, r, "all.zip", time.Unix(1700000000, 0), bytes.NewReader(data))
}

func npmZip(t *testing.T) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "all.zip")
	files, _ := filepath.Glob(filepath.Join("testdata", "osv", "npm", "*.json"))
	writeZip(t, p, files, nil)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestUpdateDownloadsIndexesAndReplaces(t *testing.T) {
	b := &bucket{objects: map[string][]byte{"npm": npmZip(t)}}
	srv := httptest.NewServer(b)
	defer srv.Close()
	db := t.TempDir()
	var last Progress
	err := Update(context.Background(), UpdateOptions{DBDir: db, Ecosystems: []string{"npm"}, BaseURL: srv.URL,
		Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(ZipPath(db, "npm"))
	if !bytes.Equal(got, b.objects["npm"]) {
		t.Fatal("all.zip differs from the served file")
	}
	if !last.Finished || last.Advisories != 5 || last.Ecosystem != "npm" {
		t.Errorf("last progress %+v", last)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(ZipPath(db, "npm")), indexFileName)); err != nil {
		t.Errorf("no index after update: %v", err)
	}
	for _, leftover := range []string{".part", ".part.etag"} {
		if _, err := os.Stat(ZipPath(db, "npm") + leftover); err == nil {
			t.Errorf("%s left behind", leftover)
		}
	}
	// The downloaded database serves a scan.
	repo := newRepo(t, nil)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	if _, ok := byRule(res.Findings)["lodash@4.17.15 GHSA-35jh-r3h4-6jhm"]; !ok {
		t.Errorf("scan after update: %q", keys(byRule(res.Findings)))
	}
}

func TestUpdateResumesAnInterruptedDownload(t *testing.T) {
	data := npmZip(t)
	half := len(data) / 2
	b := &bucket{objects: map[string][]byte{"npm": data}, abortOnce: half}
	srv := httptest.NewServer(b)
	defer srv.Close()
	db := t.TempDir()
	// An older database is in place and must survive the failed download.
	old := []byte("PK\x05\x06" + strings.Repeat("\x00", 18))
	writeFiles(t, db, map[string]string{filepath.ToSlash(filepath.Join("osv-scalibr", "npm", "all.zip")): string(old)})

	err := Update(context.Background(), UpdateOptions{DBDir: db, Ecosystems: []string{"npm"}, BaseURL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("interrupted download: %v", err)
	}
	if got, _ := os.ReadFile(ZipPath(db, "npm")); !bytes.Equal(got, old) {
		t.Fatal("a failed download touched all.zip")
	}
	if fi, err := os.Stat(ZipPath(db, "npm") + ".part"); err != nil || fi.Size() != int64(half) {
		t.Fatalf("partial file: %v %v", fi, err)
	}

	if err := Update(context.Background(), UpdateOptions{DBDir: db, Ecosystems: []string{"npm"}, BaseURL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(ZipPath(db, "npm")); !bytes.Equal(got, data) {
		t.Fatal("resumed file differs from the source")
	}
	if want := "bytes=" + strconv.Itoa(half) + "-"; len(b.ranges) != 2 || b.ranges[1] != want {
		t.Errorf("Range headers %q, want a second request with %q", b.ranges, want)
	}
}

func TestUpdateRejectsACorruptDownload(t *testing.T) {
	b := &bucket{objects: map[string][]byte{"npm": npmZip(t)}, badHash: true}
	srv := httptest.NewServer(b)
	defer srv.Close()
	db := t.TempDir()
	err := Update(context.Background(), UpdateOptions{DBDir: db, Ecosystems: []string{"npm"}, BaseURL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("corrupt download: %v", err)
	}
	for _, p := range []string{ZipPath(db, "npm"), ZipPath(db, "npm") + ".part"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists after a corrupt download", p)
		}
	}
	// An unknown ecosystem is a clear error, not an empty database.
	err = Update(context.Background(), UpdateOptions{DBDir: db, Ecosystems: []string{"PyPI"}, BaseURL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing object: %v", err)
	}
}

func TestCanonicalEcosystem(t *testing.T) {
	for in, want := range map[string]string{"npm": "npm", "pypi": "PyPI", "GO": "Go", "Crates.io": "crates.io", "maven": "Maven"} {
		if got, err := CanonicalEcosystem(in); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := CanonicalEcosystem("nmp"); err == nil {
		t.Error("typo accepted")
	}
}

func TestEcosystemsOfARepository(t *testing.T) {
	repo := newRepo(t, nil)
	src, err := checks.NewRepoSource(context.Background(), repo, checks.ModeWorktree)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Ecosystems(context.Background(), src)
	if err != nil || strings.Join(got, ",") != "Go,PyPI,crates.io,npm" {
		t.Fatalf("ecosystems %q %v", got, err)
	}
}
