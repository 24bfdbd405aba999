package deps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
)

// liveHeap is the heap that a collection leaves.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// The staged lockfiles are held once their cost fits in the scan's parse
// budget, not before: while another check holds all of it, the deps check
// learns the lockfile's size, lets its content stream past and waits,
// holding none of it (the live heap shows it), and a cancelled wait reads
// nothing more. Once the budget is given back, the check reads the
// lockfile, reports it, and gives its share back in turn.
func TestStagedLockfilesWaitForTheParseBudget(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	repo := newRepo(t, map[string]string{
		"web/package.json":      `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"web/package-lock.json": cleanLock,
	})
	const padding = 16 << 20 // blanks after the JSON: a lockfile the heap shows
	writeFiles(t, repo, map[string]string{"web/package-lock.json": vulnerableLock + strings.Repeat(" ", padding) + "\n"})
	git(t, repo, "add", "-A")

	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	held, err := src.Parsing(ctx, checks.ParseBudget) // another check parsing
	if err != nil {
		t.Fatal(err)
	}
	var waits atomic.Int32
	var atWait uint64
	waiting := make(chan struct{})
	budgetWait = func() {
		if waits.Add(1) == 1 {
			atWait = liveHeap()
			close(waiting)
		}
	}
	t.Cleanup(func() { budgetWait = nil })
	check := New(Options{DBDir: db, Offline: true})

	before := liveHeap()
	runCtx, cancel := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() {
		_, err := check.Run(runCtx, src)
		ran <- err
	}()
	<-waiting
	if grew := int64(atWait) - int64(before); grew > padding/2 {
		t.Errorf("the heap grew by %d bytes before the wait: the %d-byte lockfile was held while waiting", grew, padding)
	}
	cancel()
	if err := <-ran; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while waiting for the budget: %v, want %v", err, context.Canceled)
	}

	// The other check gives the budget back as this one starts waiting.
	budgetWait = held
	res, err := check.Run(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if k := keys(byRule(res.Findings)); len(k) != 2 {
		t.Errorf("findings %q (warnings %q)", k, res.Warnings)
	}
	// All of the budget is free again: the check gave its share back.
	done, err := src.Parsing(ctx, checks.ParseBudget)
	if err != nil {
		t.Fatal(err)
	}
	done()
}

// With the budget free, the lockfiles are read as git measures them, in
// the one request: the check never waits, and gives its share back.
func TestStagedLockfilesTakeTheBudgetWithoutWaiting(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	repo := newRepo(t, map[string]string{
		"web/package.json":      `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"web/package-lock.json": cleanLock,
		"api/package-lock.json": cleanLock,
	})
	writeFiles(t, repo, map[string]string{"web/package-lock.json": vulnerableLock, "api/package-lock.json": vulnerableLock})
	git(t, repo, "add", "-A")
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	budgetWait = func() { t.Error("waited for a free budget") }
	t.Cleanup(func() { budgetWait = nil })
	res, err := New(Options{DBDir: db, Offline: true}).Run(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 4 {
		t.Errorf("%d findings, want 4 (warnings %q)", len(res.Findings), res.Warnings)
	}
	done, err := src.Parsing(ctx, checks.ParseBudget)
	if err != nil {
		t.Fatal(err)
	}
	done()
}

// A commit of no lockfile takes no budget, and never waits for it.
func TestNoLockfileTakesNoBudget(t *testing.T) {
	repo := newRepo(t, map[string]string{"README.md": "a\n"})
	writeFiles(t, repo, map[string]string{"README.md": "b\n"})
	git(t, repo, "add", "-A")
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	held, err := src.Parsing(ctx, checks.ParseBudget)
	if err != nil {
		t.Fatal(err)
	}
	defer held()
	budgetWait = func() { t.Error("waited for the budget with no lockfile to read") }
	t.Cleanup(func() { budgetWait = nil })
	if _, err := New(Options{DBDir: t.TempDir(), Offline: true}).Run(ctx, src); err != nil {
		t.Fatal(err)
	}
}

// In a working-tree scan the sizes are the files' on disk, the files
// beside a lockfile included; the files are read once they fit.
func TestWorktreeLockfilesWaitForTheParseBudget(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	repo := newRepo(t, map[string]string{
		"web/package.json":      `{"name":"shop","version":"1.0.0","dependencies":{"lodash":"^4.17.15"}}`,
		"web/package-lock.json": vulnerableLock,
	})
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, checks.ModeWorktree)
	if err != nil {
		t.Fatal(err)
	}
	held, err := src.Parsing(ctx, checks.ParseBudget)
	if err != nil {
		t.Fatal(err)
	}
	budgetWait = held
	t.Cleanup(func() { budgetWait = nil })
	res, err := New(Options{DBDir: db, Offline: true}).Run(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if k := keys(byRule(res.Findings)); len(k) != 2 {
		t.Errorf("findings %q (warnings %q)", k, res.Warnings)
	}
	files, err := src.Files(ctx, isDependencyFile)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk []string
	for _, f := range files {
		onDisk = append(onDisk, f.Abs)
	}
	got := diskSiblings(onDisk)
	if len(got) != 1 || filepath.Base(got[0].path) != "package.json" || !got[0].sibling || got[0].size == 0 {
		t.Errorf("the files beside the lockfile: %+v", got)
	}
}

func TestReadCost(t *testing.T) {
	const kB, MB = 1 << 10, 1 << 20
	lock := func(p string, size int64) depFile { return depFile{path: p, size: size} }
	for _, tc := range []struct {
		name  string
		files []depFile
		want  int
	}{
		{"nothing", nil, 0},
		{"a lockfile", []depFile{lock("package-lock.json", 100*kB)}, costSparse * 100 * kB},
		{"in a folder", []depFile{lock("a/b/yarn.lock", 100*kB)}, costSparse * 100 * kB},
		{"YAML", []depFile{lock("pnpm-lock.yaml", 100*kB)}, costDefault * 100 * kB},
		{"a package a line", []depFile{lock("go.mod", 100*kB), lock("requirements.txt", 10*kB)}, costDense * 110 * kB},
		{"beside it", []depFile{lock("go.mod", 100*kB), {path: "go.sum", size: 300 * kB, sibling: true}}, costDense*100*kB + costSibling*300*kB},
		{"many small ones add up", func() []depFile {
			var fs []depFile
			for i := range 100 {
				fs = append(fs, lock(fmt.Sprintf("p%d/package-lock.json", i), 20*kB))
			}
			return fs
		}(), 100 * costSparse * 20 * kB},
		{"the largest lockfile takes all of it", []depFile{lock("package-lock.json", 58*MB)}, checks.ParseBudget},
		{"so do large ones together", []depFile{lock("package-lock.json", 20*MB), lock("pnpm-lock.yaml", 8*MB)}, checks.ParseBudget},
		{"one over its format's limit is never read", []depFile{lock("pnpm-lock.yaml", 8*MB+1), lock("requirements.txt", 4*MB+1)}, 0},
		{"one over the limit is never read", []depFile{lock("package-lock.json", maxDependencyFile+1), lock("yarn.lock", kB)}, costSparse * kB},
		{"nor an unreadable one", []depFile{lock("package-lock.json", 0)}, 0},
	} {
		if got := readCost(tc.files); got != tc.want {
			t.Errorf("%s: cost %d, want %d", tc.name, got, tc.want)
		}
	}
	// Small lockfiles fit together, and beside other checks.
	if c := readCost([]depFile{lock("package-lock.json", 2*MB)}); c > checks.ParseBudget/8 {
		t.Errorf("a 2 MB package-lock.json costs %d, an eighth of the budget is %d", c, checks.ParseBudget/8)
	}
}

// liveHeapPeak runs f and returns the largest live heap measured after a
// collection while it ran (GOGC=5: a collection every 5% of growth).
func liveHeapPeak(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	runtime.GC()
	var peak atomic.Uint64
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	var watch func()
	watch = func() {
		runtime.AddCleanup(new([16]byte), func(struct{}) {
			s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			if stop.Load() {
				wg.Done()
				return
			}
			watch()
		}, struct{}{})
	}
	watch()
	f()
	stop.Store(true)
	runtime.GC()
	runtime.GC()
	wg.Wait()
	return peak.Load()
}

// costSparse holds for package-lock.json, the largest lockfiles there are:
// reading, extracting and matching one of 20,000 packages keeps at most
// that many bytes per byte of it alive, on top of what the process held.
func TestNpmLockfileCostIsMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap of a 5 MB lockfile's extraction")
	}
	db := t.TempDir()
	writeDB(t, db, "npm")
	var b strings.Builder
	b.WriteString(`{"name":"big","version":"1.0.0","lockfileVersion":3,"packages":{` + "\n")
	b.WriteString(`    "": {"name": "big", "version": "1.0.0", "dependencies": {"lodash": "^4.17.0"}},` + "\n")
	for i := range 20_000 {
		// An entry as npm writes it: resolved, integrity and a dependency.
		fmt.Fprintf(&b, `    "node_modules/pkg-%d": {
      "version": "1.%d.0",
      "resolved": "https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.%d.0.tgz",
      "integrity": "sha512-%088d==",
      "dependencies": {"pkg-%d": "^1.0.0"}
    },
`, i, i%7, i, i, i%7, i, (i+1)%20_000)
	}
	b.WriteString(`    "node_modules/lodash": {"version": "4.17.15"}` + "\n  }\n}\n")
	repo := newRepo(t, map[string]string{"README.md": "big\n"})
	writeFiles(t, repo, map[string]string{"package-lock.json": b.String()})
	git(t, repo, "add", "-A")
	size := b.Len()
	b = strings.Builder{}

	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, checks.ModeStaged)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Files(ctx, nil); err != nil { // listed before the measure
		t.Fatal(err)
	}
	check := New(Options{DBDir: db, Offline: true, Now: func() time.Time { return time.Unix(0, 0) }})
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var res checks.Result
	peak := liveHeapPeak(func() { res, err = check.Run(ctx, src) })
	if err != nil || len(res.Findings) != 2 {
		t.Fatalf("err %v, findings %d, warnings %q", err, len(res.Findings), res.Warnings)
	}
	perByte := float64(peak-min(base, peak)) / float64(size)
	t.Logf("%.1f MB lockfile: live heap %.1f MB over %.1f MB, %.2f bytes a byte", float64(size)/1e6, float64(peak-min(base, peak))/1e6, float64(base)/1e6, perByte)
	if perByte > costSparse {
		t.Errorf("a package-lock.json holds %.2f bytes a byte, costSparse says %d", perByte, costSparse)
	}
}

// firstOfEach keeps a package once, where it first appears, on the
// smallest known line of its copies (0 is no line), the others in order.
func TestFirstOfEach(t *testing.T) {
	rec := func(eco, name, version string, line int) *pkgRec {
		return &pkgRec{ecosystemFull: eco, name: name, version: version, line: line}
	}
	recs := []*pkgRec{
		rec("npm", "b", "1.0.0", 0),
		rec("npm", "a", "1.0.0", 9),
		rec("npm", "b", "1.0.0", 7),
		rec("PyPI", "a", "1.0.0", 3),
		rec("npm", "a", "2.0.0", 4),
		rec("npm", "a", "1.0.0", 5),
		rec("npm", "b", "1.0.0", 8),
		rec("npm", "a", "1.0.0", 0),
	}
	var got []string
	for _, r := range firstOfEach(recs) {
		got = append(got, fmt.Sprintf("%s/%s@%s:%d", r.ecosystemFull, r.name, r.version, r.line))
	}
	want := []string{"npm/b@1.0.0:7", "npm/a@1.0.0:5", "PyPI/a@1.0.0:3", "npm/a@2.0.0:4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(firstOfEach(nil)) != 0 {
		t.Error("records out of none")
	}
}

// Once its packages are read, a lockfile is let go (a 58 MB
// package-lock.json was held through matching), but by the records that
// need it: go.mod's, for its "// indirect" marks.
func TestLockfilesAreLetGoOnceRead(t *testing.T) {
	repo := newRepo(t, map[string]string{
		"web/package-lock.json": vulnerableLock,
		"go.mod":                "module example.com/x\n\ngo 1.22\n\nrequire golang.org/x/text v0.3.7 // indirect\n",
	})
	ctx := context.Background()
	src, err := checks.NewRepoSource(ctx, repo, checks.ModeWorktree)
	if err != nil {
		t.Fatal(err)
	}
	files, err := src.Files(ctx, isDependencyFile)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*pkgRec
	var trees []*blobFS
	warns, _, err := readPackages(ctx, src, files, time.Now(), func(got []*pkgRec) error {
		for _, r := range got {
			if !slices.Contains(trees, r.fsys) {
				trees = append(trees, r.fsys)
			}
		}
		recs = append(recs, got...)
		return nil
	})
	if err != nil || len(warns) != 0 || len(trees) != 1 {
		t.Fatalf("%v %q, %d trees", err, warns, len(trees))
	}
	for _, f := range files {
		if _, held := trees[0].files[f.Path]; held {
			t.Errorf("%s: still held by its tree", f.Path)
		}
	}
	byName := map[string]*pkgRec{}
	for _, r := range recs {
		byName[r.name] = r
	}
	if r := byName["lodash"]; r == nil || r.content != nil || r.line == 0 {
		t.Errorf("lodash's record: %+v, want its line and no content", r)
	}
	if r := byName["golang.org/x/text"]; r == nil || r.content == nil || directnessOf(r, nil) != transitive {
		t.Errorf("x/text's record must keep go.mod's content, to read its // indirect: %+v", r)
	}
}

// groupsOf runs the check on src and returns, group by group, the
// lockfiles whose packages were matched together.
// It also holds that a lockfile is let go by its tree once read (an
// npm-shrinkwrap.json, that others ask about, kept as present), and that
// the check holds none of the budget while it waits for its share.
func groupsOf(t *testing.T, check checks.Check, src *checks.Source) (checks.Result, [][]string) {
	t.Helper()
	var groups [][]string
	var shrinkwraps []*pkgRec
	groupUsed = func(recs []*pkgRec) {
		var files []string
		for _, r := range recs {
			if path.Base(r.rel) == "npm-shrinkwrap.json" {
				shrinkwraps = append(shrinkwraps, r)
			}
			if !slices.Contains(files, r.file) {
				files = append(files, r.file)
			}
			if data, held := r.fsys.files[r.rel]; len(data) > 0 || (held && path.Base(r.rel) != "npm-shrinkwrap.json") {
				t.Errorf("%s: still held by its tree (%d bytes) as its packages are matched", r.rel, len(data))
			}
		}
		groups = append(groups, files)
	}
	budgetWait = func() {
		done, ok := src.TryParsing(checks.ParseBudget)
		if !ok {
			t.Error("the check waits for the budget holding some of it")
			return
		}
		done()
	}
	t.Cleanup(func() { groupUsed, budgetWait = nil, nil })
	res, err := check.Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range shrinkwraps {
		if data, ok := r.fsys.files[r.rel]; !ok || data == nil || len(data) != 0 {
			t.Errorf("%s: its tree must keep it as present, without its content (%v, %d bytes)", r.rel, ok, len(data))
		}
	}
	return res, groups
}

// Lockfiles are read, extracted and matched a group at a time, a group
// being what fits in the parse budget at once: small ones together (one
// look at the database, one request to the API), two that each cost over
// half of it one after the other, the first's packages matched and let go
// before the second is read. Read together, two 58 MB package-lock.json
// took the hook to 373 MB.
func TestLockfilesAreMatchedAGroupAtATime(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, "npm")
	// Blanks after the JSON: each lockfile costs over half the budget.
	large := vulnerableLock + strings.Repeat(" ", checks.ParseBudget/2/costSparse+1024) + "\n"
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		for _, tc := range []struct {
			name    string
			content string
			want    [][]string
		}{
			{"small ones together", vulnerableLock, [][]string{{"api/package-lock.json", "web/package-lock.json"}}},
			{"large ones alone", large, [][]string{{"api/package-lock.json"}, {"web/package-lock.json"}}},
			{"a shrinkwrap first, kept as present", large, [][]string{{"web/npm-shrinkwrap.json"}, {"api/package-lock.json"}}},
		} {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				repo := newRepo(t, map[string]string{"README.md": "shop\n"})
				web := "web/package-lock.json"
				if strings.Contains(tc.name, "shrinkwrap") {
					web = "web/npm-shrinkwrap.json"
				}
				writeFiles(t, repo, map[string]string{web: tc.content, "api/package-lock.json": tc.content})
				git(t, repo, "add", "-A")
				src, err := checks.NewRepoSource(context.Background(), repo, mode)
				if err != nil {
					t.Fatal(err)
				}
				res, groups := groupsOf(t, New(Options{DBDir: db, Offline: true}), src)
				if fmt.Sprint(groups) != fmt.Sprint(tc.want) {
					t.Errorf("groups %q, want %q", groups, tc.want)
				}
				if len(res.Findings) != 4 || len(res.Warnings) != 0 {
					t.Errorf("%d findings, want 4 (2 in each); warnings %q", len(res.Findings), res.Warnings)
				}
				// Every share was given back.
				done, err := src.Parsing(context.Background(), checks.ParseBudget)
				if err != nil {
					t.Fatal(err)
				}
				done()
			})
		}
	}
}

// What no group could check is named once, for all of them: the packages
// of every lockfile of an ecosystem with no database, counted together,
// offline or when the OSV API fails, which is not asked again.
func TestUncheckedPackagesOfEveryGroupAreNamedOnce(t *testing.T) {
	large := vulnerableLock + strings.Repeat(" ", checks.ParseBudget/2/costSparse+1024) + "\n"
	repo := newRepo(t, map[string]string{"README.md": "shop\n"})
	writeFiles(t, repo, map[string]string{"web/package-lock.json": large, "api/package-lock.json": large})
	git(t, repo, "add", "-A")
	var asked atomic.Int32
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	for _, tc := range []struct {
		name string
		opts Options
		why  string
	}{
		{"offline", Options{Offline: true}, "--offline"},
		{"the API down", Options{apiBaseURL: down.URL, HTTPClient: down.Client()}, "the OSV API did not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := checks.NewRepoSource(context.Background(), repo, checks.ModeStaged)
			if err != nil {
				t.Fatal(err)
			}
			tc.opts.DBDir = t.TempDir()
			res, groups := groupsOf(t, New(tc.opts), src)
			if len(groups) != 2 {
				t.Fatalf("groups %q, want two", groups)
			}
			if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "deps: 2 npm packages in api/package-lock.json, web/package-lock.json were NOT checked: no OSV database for npm") ||
				!strings.Contains(res.Warnings[0], tc.why) {
				t.Errorf("warnings %q, want one naming both lockfiles (%s)", res.Warnings, tc.why)
			}
		})
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the API was asked %d times, want once: not again once it failed", n)
	}
}

// A lockfile over its limit that another's include reads first (a
// requirements file's -r) is named once, by its own warning, and never
// read, in whichever order they come.
func TestALockfileOverItsLimitIncludedByAnotherIsNamedOnce(t *testing.T) {
	big := strings.Repeat("# padding\n", int(maxFileOf("requirements.txt"))/10+1)
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		t.Run(string(mode), func(t *testing.T) {
			repo := newRepo(t, map[string]string{"README.md": "shop\n"})
			writeFiles(t, repo, map[string]string{"a-requirements.txt": "-r requirements.txt\nflask==2.0.0\n", "requirements.txt": big})
			git(t, repo, "add", "-A")
			res := scanRepo(t, repo, mode, Options{DBDir: t.TempDir(), Offline: true})
			var about []string
			for _, w := range res.Warnings {
				if strings.Contains(w, " requirements.txt ") {
					about = append(about, w)
				}
			}
			if len(about) != 1 || !strings.Contains(about[0], "requirements.txt was NOT checked: it is larger than 4 MiB") {
				t.Errorf("warnings about requirements.txt: %q, want its own, once", about)
			}
		})
	}
}
