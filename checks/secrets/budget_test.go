package secrets_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/secrets"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// The text the secrets check detects counts in the scan's parse budget,
// which the checks that parse share: while another holds all of it, the
// check waits before detecting, and goes on once it is given back.
func TestTextWaitsForTheParseBudget(t *testing.T) {
	for _, mode := range []checks.Mode{checks.ModeStaged, checks.ModeWorktree} {
		t.Run(string(mode), func(t *testing.T) {
			r := gittest.New(t)
			r.Write("a.env", "aws_access_key_id = "+gittest.FakeAWSKey()+"\n")
			if mode == checks.ModeStaged {
				r.Git("add", "a.env")
			} else {
				r.Commit("key")
			}
			ctx := context.Background()
			src, err := checks.NewRepoSource(ctx, r.Dir, mode)
			if err != nil {
				t.Fatal(err)
			}
			src.Env = r.Env
			giveBack, err := src.Parsing(ctx, checks.ParseBudget)
			if err != nil {
				t.Fatal(err)
			}
			type result struct {
				res checks.Result
				err error
			}
			out := make(chan result, 1)
			go func() {
				res, err := secrets.New().Run(ctx, src)
				out <- result{res, err}
			}()
			for src.WaitingToParse() == 0 {
				select {
				case got := <-out:
					t.Fatalf("the check ran while the budget was held: %d findings, %v", len(got.res.Findings), got.err)
				default:
					runtime.Gosched()
				}
			}
			giveBack()
			got := <-out
			if got.err != nil || len(got.res.Findings) != 1 {
				t.Fatalf("once the budget is given back: %d findings, %v", len(got.res.Findings), got.err)
			}
		})
	}
}
