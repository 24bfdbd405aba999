package checklist

import (
	"context"
	"testing"
	"time"
)

// TestEvaluateSkipSlowWhileProvidersRun mixes slow providers (answered by
// the caller) with fast ones (answered by goroutines) and items without a
// provider; run under -race it proves every write to the result is guarded.
func TestEvaluateSkipSlowWhileProvidersRun(t *testing.T) {
	var providers []Provider
	var items []Item
	for i := 0; i < 40; i++ {
		id := string(rune('a'+i%26)) + string(rune('a'+i/26))
		items = append(items, Item{ID: id, Kind: Auto})
		providers = append(providers, Provider{ID: id, Slow: i%2 == 0, Evaluate: func(ctx context.Context, r *Repo) Evidence {
			time.Sleep(time.Millisecond)
			return Evidence{Status: Pass, Text: "ok"}
		}})
	}
	items = append(items, Item{ID: "no-provider", Kind: Auto})
	ev := Evaluate(context.Background(), &Repo{}, items, EvalOptions{Providers: providers, SkipSlow: true})
	if len(ev) != len(items) {
		t.Fatalf("want evidence for all %d items, got %d", len(items), len(ev))
	}
	if ev["no-provider"].Status != Todo {
		t.Fatalf("an item without a provider is todo: %+v", ev["no-provider"])
	}
}
