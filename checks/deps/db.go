package deps

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
)

// The local database uses osv-scanner v2.5.0's own layout, so one download
// serves both tools: <dir>/osv-scalibr/<Ecosystem>/all.zip, the export of the
// OSV bucket for that ecosystem. (v2.5.0 reads neither the documented
// "osv-scanner/" folder nor OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY; its
// variable is OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY.)
const layoutDir = "osv-scalibr"

// EnvDB names the environment variable that chooses the database directory.
const EnvDB = "SECFIRST_OSV_DB"

// ZipPath is where the database of one ecosystem lives under dbDir.
func ZipPath(dbDir, ecosystem string) string {
	return filepath.Join(dbDir, layoutDir, ecosystem, "all.zip")
}

// DefaultDBDir is the database directory when --db is not given:
// $SECFIRST_OSV_DB, else <user cache>/secfirst/osv.
func DefaultDBDir() string {
	if d := os.Getenv(EnvDB); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "secfirst", "osv")
}

// ResolveDBDir applies the precedence --db > $SECFIRST_OSV_DB > user cache.
func ResolveDBDir(flag string) string {
	if flag != "" {
		return flag
	}
	return DefaultDBDir()
}

// An index maps package names to the advisories of one all.zip, so that a
// scan inflates and decodes only the advisories of the packages it has, not
// the whole archive (osv-scanner decodes all of it on every run: seconds and
// hundreds of MB for npm). It records where each advisory's compressed bytes
// sit in the zip, so a lookup needs neither the zip's central directory nor
// any JSON beyond the advisories it returns.
//
// File layout (little endian), written next to all.zip:
//
//	header   magic[8] crc u32 reserved u32 zipSize u64 zipMtime i64
//	         zipTail [32]byte nEntries u32 nKeys u32 nRefs u32 nStr u32
//	entries  nEntries x {dataOffset u64, csize u32, usize u32, crc u32, method u16, pad u16, check u32}
//	keys     nKeys x {strOff u32, strLen u32, refStart u32, refCount u32, check u32}, sorted by key
//	refs     nRefs x u32 entry numbers
//	strings  nStr bytes
//
// Keys are normalised package names (see nameKey) and advisory ids prefixed
// with idKeyPrefix. The zip's size, modification time and a digest of its
// last 64 KiB (which hold the central directory's tail, with every entry's
// CRC) tell whether the index still describes the zip; a changed zip gets a
// new index.
//
// An index garbled on disk (a bad sector, a stray write, a hand edit) must
// not hide advisories, nor make secfirst read past its end. Every part
// carries a CRC-32C that is checked where it is used: the header's (crc, of
// the header after it) when the index is opened, an entry's (check, of the
// record before it) when its advisory is read, a key's (check, of its
// record, its string and its refs) whenever a lookup's binary search visits
// it. A lookup therefore trusts nothing it did not check, and a scan pays
// for the few dozen keys it visits, not for the whole file (checking all of
// a 10 MB index on every hook run costs more than the lookups). A part that
// does not match makes the index be rebuilt, and the lookup is run again.
const (
	indexMagic    = "SFOSVIX2"
	indexFileName = "secfirst-index-v2.bin"
	oldIndexName  = "secfirst-index-v1.bin"
	headerSize    = 8 + 8 + 8 + 8 + 32 + 16
	entrySize     = 28
	keySize       = 20
	idKeyPrefix   = "\x00id:"
	tailDigestLen = 64 << 10
)

// errCorruptIndex means a part of an index does not match its checksum.
var errCorruptIndex = errors.New("the advisory index is corrupt")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type zipStamp struct {
	size  int64
	mtime int64
	tail  [32]byte
}

func stampOf(f *os.File) (zipStamp, error) {
	fi, err := f.Stat()
	if err != nil {
		return zipStamp{}, err
	}
	st := zipStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	n := int64(tailDigestLen)
	if n > st.size {
		n = st.size
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, st.size-n); err != nil && !errors.Is(err, io.EOF) {
		return zipStamp{}, err
	}
	st.tail = sha256.Sum256(buf)
	return st, nil
}

type zipEntry struct {
	offset int64
	csize  uint32
	usize  uint32
	crc    uint32
	method uint16
}

type zipIndex struct {
	data                                       []byte
	nEntries, nKeys, nRefs                     int
	entriesOff, keysOff, refsOff, strOff, nStr int
}

// parseIndex checks an index's header against the zip it must describe and
// against its checksum, and the parts' sizes against the file's; false
// means it must be rebuilt.
func parseIndex(data []byte, want zipStamp) (*zipIndex, bool) {
	if len(data) < headerSize || string(data[:8]) != indexMagic {
		return nil, false
	}
	le := binary.LittleEndian
	if crc32.Checksum(data[16:headerSize], castagnoli) != le.Uint32(data[8:]) {
		return nil, false
	}
	if int64(le.Uint64(data[16:])) != want.size || int64(le.Uint64(data[24:])) != want.mtime || !bytes.Equal(data[32:64], want.tail[:]) {
		return nil, false
	}
	ix := &zipIndex{data: data}
	ix.nEntries = int(le.Uint32(data[64:]))
	ix.nKeys = int(le.Uint32(data[68:]))
	ix.nRefs = int(le.Uint32(data[72:]))
	ix.nStr = int(le.Uint32(data[76:]))
	ix.entriesOff = headerSize
	ix.keysOff = ix.entriesOff + ix.nEntries*entrySize
	ix.refsOff = ix.keysOff + ix.nKeys*keySize
	ix.strOff = ix.refsOff + ix.nRefs*4
	if ix.strOff+ix.nStr != len(data) {
		return nil, false
	}
	return ix, true
}

// keyCheck is the checksum of a key: its record, its string, its refs.
func keyCheck(rec, key, refs []byte) uint32 {
	c := crc32.Update(0, castagnoli, rec)
	c = crc32.Update(c, castagnoli, key)
	return crc32.Update(c, castagnoli, refs)
}

// key returns key i and the bytes of its refs, after checking them.
func (ix *zipIndex) key(i int) (string, []byte, error) {
	le := binary.LittleEndian
	p := ix.keysOff + i*keySize
	rec := ix.data[p : p+keySize]
	off, n := int(le.Uint32(rec)), int(le.Uint32(rec[4:]))
	start, count := int(le.Uint32(rec[8:])), int(le.Uint32(rec[12:]))
	if off > ix.nStr || n > ix.nStr-off || start > ix.nRefs || count > ix.nRefs-start {
		return "", nil, errCorruptIndex
	}
	key := ix.data[ix.strOff+off : ix.strOff+off+n]
	refs := ix.data[ix.refsOff+start*4 : ix.refsOff+(start+count)*4]
	if keyCheck(rec[:16], key, refs) != le.Uint32(rec[16:]) {
		return "", nil, errCorruptIndex
	}
	return string(key), refs, nil
}

func (ix *zipIndex) entry(n uint32) (zipEntry, error) {
	if int64(n) >= int64(ix.nEntries) {
		return zipEntry{}, errCorruptIndex
	}
	p := ix.entriesOff + int(n)*entrySize
	rec := ix.data[p : p+entrySize]
	le := binary.LittleEndian
	if crc32.Checksum(rec[:24], castagnoli) != le.Uint32(rec[24:]) {
		return zipEntry{}, errCorruptIndex
	}
	return zipEntry{
		offset: int64(le.Uint64(rec)),
		csize:  le.Uint32(rec[8:]),
		usize:  le.Uint32(rec[12:]),
		crc:    le.Uint32(rec[16:]),
		method: le.Uint16(rec[20:]),
	}, nil
}

// lookup returns the entry numbers stored under key.
func (ix *zipIndex) lookup(key string) ([]uint32, error) {
	var bad error
	i := sort.Search(ix.nKeys, func(i int) bool {
		k, _, err := ix.key(i)
		if err != nil {
			bad = err
			return true
		}
		return k >= key
	})
	if bad != nil {
		return nil, bad
	}
	if i >= ix.nKeys {
		return nil, nil
	}
	k, refs, err := ix.key(i)
	if err != nil || k != key {
		return nil, err
	}
	out := make([]uint32, len(refs)/4)
	for j := range out {
		out[j] = binary.LittleEndian.Uint32(refs[j*4:])
	}
	return out, nil
}

// nameKey normalises a package name for the index: lower case, runs of
// "-", "_" and "." folded to one "-" (PEP 503 for PyPI, harmless elsewhere).
// It may only widen the set of advisories a lookup returns; whether one
// applies is decided by osv-scanner's matcher on the exact names.
func nameKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		b.WriteRune(r)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

// advisoryHead is the part of an advisory the index needs.
type advisoryHead struct {
	ID       string `json:"id"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

// buildIndex reads every advisory of the zip once and returns the index bytes.
func buildIndex(zipPath string, st zipStamp) ([]byte, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable OSV database: %w", zipPath, err)
	}
	defer zr.Close()

	type result struct {
		entry zipEntry
		keys  []string
		ok    bool
	}
	files := zr.File
	results := make([]result, len(files))
	var wg sync.WaitGroup
	var next sync.Mutex
	cursor := 0
	workers := runtime.GOMAXPROCS(0)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				i := cursor
				cursor++
				next.Unlock()
				if i >= len(files) {
					return
				}
				f := files[i]
				if !strings.HasSuffix(f.Name, ".json") || (f.Method != zip.Store && f.Method != zip.Deflate) || f.CompressedSize64 > 1<<31 || f.UncompressedSize64 > 1<<31 {
					continue
				}
				off, err := f.DataOffset()
				if err != nil {
					continue
				}
				rc, err := f.Open()
				if err != nil {
					continue
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					continue
				}
				var head advisoryHead
				if json.Unmarshal(data, &head) != nil || head.ID == "" {
					continue
				}
				keys := []string{idKeyPrefix + head.ID}
				for _, a := range head.Affected {
					if a.Package.Name != "" {
						keys = append(keys, nameKey(a.Package.Name))
					}
				}
				results[i] = result{
					entry: zipEntry{offset: off, csize: uint32(f.CompressedSize64), usize: uint32(f.UncompressedSize64), crc: f.CRC32, method: f.Method},
					keys:  keys,
					ok:    true,
				}
			}
		}()
	}
	wg.Wait()

	var entries []zipEntry
	refs := map[string][]uint32{}
	for _, r := range results {
		if !r.ok {
			continue
		}
		n := uint32(len(entries))
		entries = append(entries, r.entry)
		for _, k := range r.keys {
			if l := refs[k]; len(l) == 0 || l[len(l)-1] != n {
				refs[k] = append(l, n)
			}
		}
	}
	keys := make([]string, 0, len(refs))
	nRefs := 0
	for k, l := range refs {
		keys = append(keys, k)
		nRefs += len(l)
	}
	sort.Strings(keys)

	var strs bytes.Buffer
	out := make([]byte, headerSize, headerSize+len(entries)*entrySize+len(keys)*keySize+nRefs*4)
	le := binary.LittleEndian
	copy(out, indexMagic)
	le.PutUint64(out[16:], uint64(st.size))
	le.PutUint64(out[24:], uint64(st.mtime))
	copy(out[32:64], st.tail[:])
	le.PutUint32(out[64:], uint32(len(entries)))
	le.PutUint32(out[68:], uint32(len(keys)))
	le.PutUint32(out[72:], uint32(nRefs))
	var rec [entrySize]byte
	for _, e := range entries {
		le.PutUint64(rec[0:], uint64(e.offset))
		le.PutUint32(rec[8:], e.csize)
		le.PutUint32(rec[12:], e.usize)
		le.PutUint32(rec[16:], e.crc)
		le.PutUint16(rec[20:], e.method)
		le.PutUint16(rec[22:], 0)
		le.PutUint32(rec[24:], crc32.Checksum(rec[:24], castagnoli))
		out = append(out, rec[:]...)
	}
	refBytes := make([]byte, 0, nRefs*4)
	for _, k := range keys {
		for _, n := range refs[k] {
			refBytes = le.AppendUint32(refBytes, n)
		}
	}
	refStart := 0
	var kr [keySize]byte
	for _, k := range keys {
		n := len(refs[k])
		le.PutUint32(kr[0:], uint32(strs.Len()))
		le.PutUint32(kr[4:], uint32(len(k)))
		le.PutUint32(kr[8:], uint32(refStart))
		le.PutUint32(kr[12:], uint32(n))
		le.PutUint32(kr[16:], keyCheck(kr[:16], []byte(k), refBytes[refStart*4:(refStart+n)*4]))
		out = append(out, kr[:]...)
		strs.WriteString(k)
		refStart += n
	}
	out = append(out, refBytes...)
	le.PutUint32(out[76:], uint32(strs.Len()))
	out = append(out, strs.Bytes()...)
	le.PutUint32(out[8:], crc32.Checksum(out[16:headerSize], castagnoli))
	return out, nil
}

// indexPaths are where an index may live: beside the zip, else (a read-only
// database) in the user cache, named after the zip's absolute path.
func indexPaths(zipPath string) []string {
	paths := []string{filepath.Join(filepath.Dir(zipPath), indexFileName)}
	if cache, err := os.UserCacheDir(); err == nil {
		abs, _ := filepath.Abs(zipPath)
		sum := sha256.Sum256([]byte(abs))
		paths = append(paths, filepath.Join(cache, "secfirst", "osv-index", fmt.Sprintf("%x-%s", sum[:8], indexFileName)))
	}
	return paths
}

// writeAtomic writes an index file atomically, readable by all like the
// database beside it.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

// database is one ecosystem's opened all.zip with its index.
type database struct {
	ecosystem string
	zipPath   string
	file      *os.File
	index     *zipIndex
	// IndexBuilt is true when this open had to (re)build the index.
	indexBuilt bool
	// release unmaps the index file (see mapIndexFile); nil for an index
	// built in memory.
	release func()
	cache   map[uint32]*osvpb.Vulnerability
}

// errNoDatabase means the ecosystem has no all.zip under the directory.
var errNoDatabase = errors.New("no local OSV database")

// openDatabase opens <dbDir>/osv-scalibr/<eco>/all.zip and its index,
// building the index when it is missing or stale.
func openDatabase(dbDir, eco string) (*database, error) {
	zp := ZipPath(dbDir, eco)
	f, err := os.Open(zp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoDatabase
	}
	if err != nil {
		return nil, err
	}
	db := &database{ecosystem: eco, zipPath: zp, file: f, cache: map[uint32]*osvpb.Vulnerability{}}
	if err := db.loadIndex(); err != nil {
		f.Close()
		return nil, err
	}
	return db, nil
}

func (db *database) loadIndex() error {
	st, err := stampOf(db.file)
	if err != nil {
		return err
	}
	for _, p := range indexPaths(db.zipPath) {
		if data, release, err := mapIndexFile(p); err == nil {
			if ix, ok := parseIndex(data, st); ok {
				db.index, db.release = ix, release
				return nil
			}
			release()
		}
	}
	return db.buildIndex(st)
}

// buildIndex indexes the zip and stores the index for the next scans.
func (db *database) buildIndex(st zipStamp) error {
	data, err := buildIndex(db.zipPath, st)
	if err != nil {
		return err
	}
	ix, ok := parseIndex(data, st)
	if !ok {
		return fmt.Errorf("internal error: index of %s does not parse", db.zipPath)
	}
	db.index, db.indexBuilt = ix, true
	for _, p := range indexPaths(db.zipPath) {
		if writeAtomic(p, data) == nil {
			// The index of secfirst before the checksums, if any, is dead weight.
			os.Remove(strings.TrimSuffix(p, indexFileName) + oldIndexName)
			break
		}
	}
	return nil
}

// withIndex runs a lookup; when it meets a corrupt part of an index read
// from disk, the index is rebuilt (and replaced on disk) and the lookup run
// again on the new one.
func (db *database) withIndex(lookup func() error) error {
	err := lookup()
	if !errors.Is(err, errCorruptIndex) || db.indexBuilt {
		return err
	}
	st, err := stampOf(db.file)
	if err != nil {
		return err
	}
	if db.release != nil {
		db.release()
		db.release = nil
	}
	db.index = nil
	clear(db.cache) // entry numbers of the old index
	if err := db.buildIndex(st); err != nil {
		return err
	}
	return lookup()
}

func (db *database) Close() error {
	if db.release != nil {
		db.release()
		db.release = nil
	}
	db.index = nil
	return db.file.Close()
}

// read inflates and decodes one advisory.
func (db *database) read(n uint32) (*osvpb.Vulnerability, error) {
	if v, ok := db.cache[n]; ok {
		return v, nil
	}
	e, err := db.index.entry(n)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, e.csize)
	if _, err := db.file.ReadAt(buf, e.offset); err != nil {
		return nil, fmt.Errorf("%s: %w", db.zipPath, err)
	}
	data := buf
	if e.method == zip.Deflate {
		fr := flate.NewReader(bytes.NewReader(buf))
		data = make([]byte, e.usize)
		if _, err := io.ReadFull(fr, data); err != nil {
			return nil, fmt.Errorf("%s: corrupt advisory: %w", db.zipPath, err)
		}
	}
	if crc32.ChecksumIEEE(data) != e.crc {
		return nil, fmt.Errorf("%s changed while it was read; run the scan again", db.zipPath)
	}
	v := &osvpb.Vulnerability{}
	// Unknown fields are skipped rather than failing the advisory: a newer
	// schema field must not make an advisory vanish (osv-scanner drops it).
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, v); err != nil {
		v = nil
	}
	db.cache[n] = v
	return v, nil
}

// advisoriesFor returns the advisories that name one of the package names.
func (db *database) advisoriesFor(names []string) ([]*osvpb.Vulnerability, error) {
	var out []*osvpb.Vulnerability
	err := db.withIndex(func() error {
		out = nil
		seen := map[uint32]bool{}
		for _, name := range names {
			found, err := db.index.lookup(nameKey(name))
			if err != nil {
				return err
			}
			for _, n := range found {
				if seen[n] {
					continue
				}
				seen[n] = true
				v, err := db.read(n)
				if err != nil {
					return err
				}
				if v != nil {
					out = append(out, v)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// byID returns the advisory with this id, or nil.
func (db *database) byID(id string) *osvpb.Vulnerability {
	var found *osvpb.Vulnerability
	_ = db.withIndex(func() error {
		ns, err := db.index.lookup(idKeyPrefix + id)
		if err != nil {
			return err
		}
		for _, n := range ns {
			v, err := db.read(n)
			if err != nil {
				return err
			}
			if v != nil && v.GetId() == id {
				found = v
				return nil
			}
		}
		return nil
	})
	return found
}

// BuildIndex (re)builds the index of one ecosystem's database; `db update`
// calls it after a download so the first scan is fast. It returns the number
// of advisories indexed.
func BuildIndex(dbDir, eco string) (int, error) {
	db, err := openDatabase(dbDir, eco)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.index.nEntries, nil
}
