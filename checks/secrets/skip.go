package secrets

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/h2non/filetype"
	"github.com/mholt/archives"
)

// headSize is how much of a file decides whether it is binary: git calls a
// file binary when a NUL byte is in its first 8,000 bytes, and magic
// numbers sit in the first few hundred.
const headSize = 8000

// binaryKind names the kind of a file the secrets check does not read, or
// is "" for a file it reads. It decides as gitleaks' own file source does
// (what `gitleaks dir` skips): an archive by its name (gitleaks opens
// archives only when asked to; see archiveName for where it differs) or a
// file whose first bytes are those of an application format (executables,
// PDF, office documents, zip, fonts);
// images and other files with NUL bytes are read as text. Every mode asks
// it, so that the hook and a history scan find what the working-tree scan
// finds: git's own test for a binary file (a NUL byte in its first 8,000
// bytes) would hide from diffs a text file with one NUL byte.
func binaryKind(path string, head []byte) string {
	if kind, err := filetype.Match(head); err == nil && kind.MIME.Type == "application" {
		return kind.MIME.Value
	}
	if archiveName(path) {
		return "archive"
	}
	return ""
}

// archiveName reports whether a file is named as an archive: its name ends
// with the extension of the format mholt/archives identifies by name.
// That library (and gitleaks with it) matches a name that merely contains
// an extension, anywhere: `.browserslistrc` (".br", brotli), an
// `address.zipcode.ts`, a `notes.tarot.md` would be skipped as archives
// while the hook, which reads their diffs as text, checks them. Archives
// whose bytes say what they are (zip, gzip, tar, 7z, xz, zstd...) are caught
// by their magic number above whatever their name.
func archiveName(path string) bool {
	name := strings.ToLower(filepath.Base(filepath.ToSlash(path)))
	ext := filepath.Ext(name)
	if ext == "" || ext == name {
		return false
	}
	// Identified from the last extension alone, the answer cannot depend on
	// which of two formats contained in the name the library tries first.
	format, _, err := archives.Identify(context.Background(), "f"+ext, nil)
	if err != nil || format == nil {
		return false
	}
	return ext == format.Extension()
}

// skipped are the files a scan did not read, by reason: nothing is skipped
// silently. It is safe for concurrent use.
type skipped struct {
	mu    sync.Mutex
	paths map[string][]string
}

// add records that path was not read, for reason.
func (s *skipped) add(reason, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paths == nil {
		s.paths = map[string][]string{}
	}
	s.paths[reason] = append(s.paths[reason], path)
}

// maxNamed is how many files a warning names before it counts the rest.
const maxNamed = 5

// What a scan skips, in the order warnings name them.
const (
	skipTooLarge   = "larger than the limit"
	skipBinary     = "binary"
	skipUnreadable = "unreadable"
)

// warnings are one line per reason, naming the files.
func (s *skipped) warnings(limit int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range []string{skipTooLarge, skipBinary, skipUnreadable} {
		paths := s.paths[r]
		if len(paths) == 0 {
			continue
		}
		sort.Strings(paths)
		paths = slices.Compact(paths)
		named := strings.Join(paths[:min(len(paths), maxNamed)], ", ")
		if len(paths) > maxNamed {
			named += fmt.Sprintf(" and %d more", len(paths)-maxNamed)
		}
		noun := "file"
		if len(paths) > 1 {
			noun = "files"
		}
		reason := r
		if r == skipTooLarge {
			reason = fmt.Sprintf("larger than the limit of %s ([secrets] max_file_size_mb in .secfirst.toml)", megabytes(limit))
		}
		out = append(out, fmt.Sprintf("secrets: %d %s NOT checked for secrets, %s: %s", len(paths), noun, reason, named))
	}
	return out
}

// megabytes is a size as people read it: "10 MB", "108.3 MB", "0.2 MB".
func megabytes(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d MB", n/1_000_000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
