package deps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"osv.dev/bindings/go/api"
	"osv.dev/bindings/go/osvdev"
)

// queryChunk is how many packages one QueryBatch call asks about (the
// client sends them 1,000 a request, several at once).
const queryChunk = 10_000

// queryAPI asks the OSV API (osv.dev's own client, as osv-scanner online
// uses it) for packages whose ecosystem has no local database. The whole
// exchange is bounded by the API timeout: a commit hook must not hang on a
// slow network. The full advisories are fetched so that severity and the
// fixed version are computed exactly as for local data.
func (c *Check) queryAPI(ctx context.Context, recs []*pkgRec) (map[*pkgRec][]*osvschema.Vulnerability, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	timeout := c.opts.APITimeout
	if timeout <= 0 {
		timeout = DefaultAPITimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := c.opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	cfg := osvdev.DefaultConfig()
	cfg.UserAgent = "secfirst"
	cfg.MaxRetryAttempts = 1
	client := &osvdev.OSVClient{HTTPClient: hc, Config: cfg, BaseHostURL: osvdev.DefaultBaseURL}
	if c.opts.apiBaseURL != "" {
		client.BaseHostURL = c.opts.apiBaseURL
	}

	// Asked a chunk at a time: the queries of a lockfile of 220,000
	// packages, built at once, took the hook past its 300 MB.
	var results []*api.VulnerabilityList
	for chunk := range slices.Chunk(recs, queryChunk) {
		queries := make([]*api.Query, len(chunk))
		for i, r := range chunk {
			queries[i] = &api.Query{
				Package: &osvschema.Package{Name: r.name, Ecosystem: r.ecosystemFull},
				Param:   &api.Query_Version{Version: r.version},
			}
		}
		batch, err := client.QueryBatch(ctx, queries)
		if err != nil {
			return nil, err
		}
		if len(batch.GetResults()) != len(chunk) {
			return nil, fmt.Errorf("the OSV API answered %d results for %d queries", len(batch.GetResults()), len(chunk))
		}
		results = append(results, batch.GetResults()...)
	}
	var idList []string
	seen := map[string]bool{}
	for _, res := range results {
		for _, v := range res.GetVulns() {
			if !seen[v.GetId()] {
				seen[v.GetId()] = true
				idList = append(idList, v.GetId())
			}
		}
	}
	ids := make(map[string]*osvschema.Vulnerability, len(idList))
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, id := range idList {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			v, err := client.GetVulnByID(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", id, err)
				}
				return
			}
			ids[id] = v
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := make(map[*pkgRec][]*osvschema.Vulnerability, len(recs))
	for i, res := range results {
		var full []*osvschema.Vulnerability
		for _, v := range res.GetVulns() {
			if fv := ids[v.GetId()]; fv != nil {
				full = append(full, fv)
			}
		}
		// The API has matched already; the matcher re-checks so that local
		// and online answers follow the same rules (withdrawn excluded).
		out[recs[i]] = affecting(full, recs[i].pkg)
	}
	return out, nil
}
