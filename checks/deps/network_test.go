package deps

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
)

// trapClient returns an HTTP client whose every request goes through a
// local proxy that counts it and fails it, and points the proxy variables
// of the environment at it too: a request that escapes is counted, never
// sent to the internet.
func trapClient(t *testing.T) (*http.Client, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	trap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "network access in a test", http.StatusBadGateway)
	}))
	t.Cleanup(trap.Close)
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"} {
		t.Setenv(k, trap.URL)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	u, _ := url.Parse(trap.URL)
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u)}}, &hits
}

func TestOfflineMakesNoNetworkCall(t *testing.T) {
	client, hits := trapClient(t)
	repo := newRepo(t, nil)
	noDB := filepath.Join(t.TempDir(), "none")

	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: noDB, Offline: true, HTTPClient: client})
	if n := hits.Load(); n != 0 {
		t.Fatalf("--offline made %d network requests", n)
	}
	if len(res.Warnings) != 4 || !strings.Contains(res.Warnings[0], "--offline: the OSV API was not asked") {
		t.Fatalf("warnings %q", res.Warnings)
	}

	// Control: the same scan online does try the network, so the trap above
	// would have caught a request, and a failed API still warns.
	res = scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: noDB, HTTPClient: client, APITimeout: 3 * time.Second})
	if hits.Load() == 0 {
		t.Fatal("online scan without a database did not ask the API: the trap proves nothing")
	}
	if len(res.Findings) != 0 || len(res.Warnings) != 4 || !strings.Contains(res.Warnings[0], "the OSV API did not answer") {
		t.Fatalf("online with a failing API: findings %d warnings %q", len(res.Findings), res.Warnings)
	}
}

// fakeOSVAPI serves /v1/querybatch and /v1/vulns/{id} from the advisories
// in testdata, the way api.osv.dev answers (ids first, records on demand).
func fakeOSVAPI(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	records := map[string][]byte{}
	byPkg := map[string][]string{}
	files, _ := filepath.Glob(filepath.Join("testdata", "osv", "*", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			ID        string `json:"id"`
			Withdrawn string `json:"withdrawn"`
			Affected  []struct {
				Package struct{ Ecosystem, Name string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			t.Fatal(err)
		}
		records[head.ID] = data
		for _, a := range head.Affected {
			k := a.Package.Ecosystem + "/" + a.Package.Name
			if !slices.Contains(byPkg[k], head.ID) {
				byPkg[k] = append(byPkg[k], head.ID)
			}
		}
	}
	var requests atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/querybatch", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var q struct {
			Queries []struct {
				Package struct{ Name, Ecosystem string } `json:"package"`
				Version string                           `json:"version"`
			} `json:"queries"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &q); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		type vuln struct {
			ID       string `json:"id"`
			Modified string `json:"modified"`
		}
		type result struct {
			Vulns []vuln `json:"vulns,omitempty"`
		}
		var out struct {
			Results []result `json:"results"`
		}
		for _, qq := range q.Queries {
			var res result
			for _, id := range byPkg[qq.Package.Ecosystem+"/"+qq.Package.Name] {
				res.Vulns = append(res.Vulns, vuln{ID: id, Modified: "2024-01-01T00:00:00Z"})
			}
			out.Results = append(out.Results, res)
		}
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /v1/vulns/{id}", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		data, ok := records[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &requests
}

func TestOnlineFallbackWithoutLocalDatabase(t *testing.T) {
	api, requests := fakeOSVAPI(t)
	db := t.TempDir()
	writeDB(t, db, "npm", "Go", "crates.io") // PyPI only online
	repo := newRepo(t, nil)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, apiBaseURL: api.URL, HTTPClient: api.Client()})
	if len(res.Warnings) != 0 {
		t.Fatalf("warnings %q", res.Warnings)
	}
	if requests.Load() == 0 {
		t.Fatal("the API was not asked for PyPI")
	}
	f, ok := byRule(res.Findings)["django@3.2.12 GHSA-p64x-8rxx-wf6q"]
	if !ok || !slices.Equal(f.Package.Fixed, []string{"3.2.14"}) || f.Severity != checks.Critical || !slices.Contains(f.Refs, "PYSEC-2022-213") {
		t.Fatalf("online django finding %+v in %q", f, keys(byRule(res.Findings)))
	}
	if len(res.Findings) != 6 {
		t.Errorf("findings %q, want the six of the local run", keys(byRule(res.Findings)))
	}
}

func TestLessonsResolve(t *testing.T) {
	db := t.TempDir()
	writeDB(t, db, allEcos...)
	repo := newRepo(t, nil)
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: db, Offline: true})
	for _, f := range res.Findings {
		if _, ok := lessons.Get(f.Lesson); !ok {
			t.Errorf("%s: lesson %q does not resolve", f.Rule, f.Lesson)
		}
	}
	got := byRule(res.Findings)
	if l := got["minimist@1.2.5 GHSA-xvch-5gv4-984h"].Lesson; l != lessons.IDForRule("deps/transitive", "") {
		t.Errorf("transitive minimist lesson %q", l)
	}
	if l := got["lodash@4.17.15 GHSA-35jh-r3h4-6jhm"].Lesson; l != lessons.IDForRule("deps/direct", "") {
		t.Errorf("direct lodash lesson %q", l)
	}
}

// TestOnlineAsksForEveryPackageOfALargeLockfile: the queries of a lockfile
// of more packages than one QueryBatch call asks about go a chunk at a
// time, and the package in the last chunk is still matched.
func TestOnlineAsksForEveryPackageOfALargeLockfile(t *testing.T) {
	api, requests := fakeOSVAPI(t)
	var lock strings.Builder
	lock.WriteString(`{"name": "demo", "version": "1.0.0", "lockfileVersion": 3, "packages": {"": {"name": "demo"},` + "\n")
	for i := range queryChunk + 10 {
		fmt.Fprintf(&lock, `"node_modules/pkg-%d": {"version": "1.0.0"},`+"\n", i)
	}
	lock.WriteString(`"node_modules/lodash": {"version": "4.17.15"}}}` + "\n")
	repo := newRepo(t, map[string]string{"package-lock.json": lock.String()})
	res := scanRepo(t, repo, checks.ModeWorktree, Options{DBDir: t.TempDir(), apiBaseURL: api.URL, HTTPClient: api.Client()})
	if len(res.Warnings) != 0 {
		t.Fatalf("warnings %q", res.Warnings)
	}
	if _, ok := byRule(res.Findings)["lodash@4.17.15 GHSA-35jh-r3h4-6jhm"]; !ok {
		t.Fatalf("lodash, the last package, is not found online: %q", keys(byRule(res.Findings)))
	}
	// 1,000 queries a request; then one request per advisory.
	if n, want := int(requests.Load()), (queryChunk+11+999)/1000; n < want {
		t.Errorf("%d requests, want at least %d query batches", n, want)
	}
}
