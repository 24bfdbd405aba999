package deps

import (
	"archive/zip"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/osv-scalibr/inventory/osvecosystem"

	"github.com/secfirst-dev/secfirst/checks"
)

// BucketURL is the OSV export bucket: <BucketURL>/<Ecosystem>/all.zip.
const BucketURL = "https://osv-vulnerabilities.storage.googleapis.com"

// UpdateOptions configure `secfirst db update`.
type UpdateOptions struct {
	// DBDir is the database directory ("" means DefaultDBDir()).
	DBDir string
	// Ecosystems to download, as OSV names them (npm, PyPI, Go, crates.io...).
	Ecosystems []string
	// BaseURL replaces BucketURL (a mirror; tests use a local server).
	BaseURL string
	// HTTPClient makes the requests (nil: a client without overall timeout:
	// a large ecosystem takes minutes on a slow link).
	HTTPClient *http.Client
	// Progress receives progress reports; it may be nil.
	Progress func(Progress)
}

// Progress reports a download.
type Progress struct {
	Ecosystem string
	// Done and Total are bytes of all.zip; Total is 0 when unknown.
	Done, Total int64
	// Resumed is the byte count kept from an interrupted download.
	Resumed int64
	// Finished is set once all.zip is in place and indexed.
	Finished   bool
	Advisories int
}

// CanonicalEcosystem returns the OSV spelling of an ecosystem name given in
// any case ("pypi" -> "PyPI"), or an error for an unknown one.
func CanonicalEcosystem(name string) (string, error) {
	name = strings.TrimSpace(name)
	if p, err := osvecosystem.Parse(name); err == nil && !p.IsEmpty() && p.GetValidity() == nil && p.Suffix == "" {
		return string(p.Ecosystem), nil
	}
	for _, known := range knownEcosystems {
		if strings.EqualFold(known, name) {
			return known, nil
		}
	}
	return "", fmt.Errorf("unknown ecosystem %q (for example: npm, PyPI, Go, crates.io, Maven, RubyGems, Packagist, NuGet)", name)
}

// knownEcosystems are the databases the lockfile extractors can need.
var knownEcosystems = []string{"npm", "PyPI", "Go", "crates.io", "Maven", "RubyGems", "Packagist", "NuGet",
	"Pub", "Hex", "CRAN", "SwiftURL", "Hackage", "ConanCenter", "Debian", "Alpine", "GitHub Actions"}

// Ecosystems lists the OSV ecosystems of the packages in the source's
// lockfiles: the databases a scan of it needs.
func Ecosystems(ctx context.Context, src *checks.Source) ([]string, error) {
	files, err := src.Files(ctx, isDependencyFile)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	set := map[string]bool{}
	_, _, err = readPackages(ctx, src, files, time.Now(), func(recs []*pkgRec) error {
		for _, r := range recs {
			if !r.cfg.ignorePackage(r) {
				set[r.ecosystem] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	sort.Strings(out)
	return out, nil
}

// Update downloads each ecosystem's all.zip into the database directory and
// indexes it. A download goes to all.zip.part, resumes from there with an
// HTTP Range request after an interruption, is checked (the bucket's CRC32C
// when the server sends one, and a readable zip) and only then replaces
// all.zip with a rename: a scan never sees a half-written database.
func Update(ctx context.Context, opts UpdateOptions) error {
	if len(opts.Ecosystems) == 0 {
		return errors.New("no ecosystem to download")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = BucketURL
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	dir := ResolveDBDir(opts.DBDir)
	for _, eco := range opts.Ecosystems {
		u := base + "/" + url.PathEscape(eco) + "/all.zip"
		if err := download(ctx, client, u, ZipPath(dir, eco), eco, opts.Progress); err != nil {
			return fmt.Errorf("%s: %w", eco, err)
		}
		n, err := BuildIndex(dir, eco)
		if err != nil {
			return fmt.Errorf("%s: %w", eco, err)
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Ecosystem: eco, Finished: true, Advisories: n})
		}
	}
	return nil
}

func download(ctx context.Context, client *http.Client, u, dst, eco string, progress func(Progress)) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	part, validator := dst+".part", dst+".part.etag"
	for attempt := 0; attempt < 2; attempt++ {
		have := int64(0)
		if fi, err := os.Stat(part); err == nil {
			have = fi.Size()
		}
		etag, _ := os.ReadFile(validator)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", "secfirst")
		if have > 0 && len(etag) > 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
			// A changed file comes back whole (200) instead of mixing versions.
			req.Header.Set("If-Range", string(etag))
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		flags := os.O_CREATE | os.O_WRONLY
		switch resp.StatusCode {
		case http.StatusOK:
			flags |= os.O_TRUNC
			have = 0
			if e := resp.Header.Get("ETag"); e != "" {
				if err := os.WriteFile(validator, []byte(e), 0o644); err != nil {
					resp.Body.Close()
					return err
				}
			} else {
				os.Remove(validator)
			}
		case http.StatusPartialContent:
			if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != have {
				resp.Body.Close()
				os.Remove(part)
				continue
			}
			flags |= os.O_APPEND
		case http.StatusRequestedRangeNotSatisfiable:
			// The part file is complete or longer than the object: start over.
			resp.Body.Close()
			os.Remove(part)
			continue
		default:
			resp.Body.Close()
			return fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		total := int64(0)
		if resp.ContentLength >= 0 {
			total = have + resp.ContentLength
		}
		err = appendBody(part, flags, resp.Body, have, total, eco, progress)
		wantCRC, hasCRC := crc32cHeader(resp.Header)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("download interrupted (run again to resume): %w", err)
		}
		if hasCRC {
			got, err := fileCRC32C(part)
			if err != nil {
				return err
			}
			if got != wantCRC {
				os.Remove(part)
				os.Remove(validator)
				return errors.New("downloaded file does not match the server's checksum; run again")
			}
		}
		if zr, err := zip.OpenReader(part); err != nil {
			os.Remove(part)
			os.Remove(validator)
			return fmt.Errorf("downloaded file is not a zip archive: %w", err)
		} else {
			zr.Close()
		}
		if err := os.Rename(part, dst); err != nil {
			return err
		}
		os.Remove(validator)
		return nil
	}
	return errors.New("the server did not honour the resume request; run again")
}

func appendBody(part string, flags int, body io.Reader, have, total int64, eco string, progress func(Progress)) error {
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return err
	}
	done := have
	buf := make([]byte, 256<<10)
	last := time.Time{}
	report := func(force bool) {
		if progress != nil && (force || time.Since(last) > 200*time.Millisecond) {
			progress(Progress{Ecosystem: eco, Done: done, Total: total, Resumed: have})
			last = time.Now()
		}
	}
	report(true)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				f.Close()
				return err
			}
			done += int64(n)
			report(false)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			f.Close()
			return rerr
		}
	}
	report(true)
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if total > 0 && done != total {
		return fmt.Errorf("got %d of %d bytes", done, total)
	}
	return nil
}

// rangeStart reads the first byte position of "bytes a-b/n".
func rangeStart(h string) (int64, bool) {
	h, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, false
	}
	a, _, ok := strings.Cut(h, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	return n, err == nil
}

// crc32cHeader reads the object checksum Google Cloud Storage sends in
// X-Goog-Hash ("crc32c=<base64 big-endian>").
func crc32cHeader(h http.Header) (uint32, bool) {
	for _, v := range h.Values("X-Goog-Hash") {
		for _, part := range strings.Split(v, ",") {
			if b64, ok := strings.CutPrefix(strings.TrimSpace(part), "crc32c="); ok {
				raw, err := base64.StdEncoding.DecodeString(b64)
				if err == nil && len(raw) == 4 {
					return binary.BigEndian.Uint32(raw), true
				}
			}
		}
	}
	return 0, false
}

func fileCRC32C(p string) (uint32, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	if _, err := io.Copy(h, f); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}
