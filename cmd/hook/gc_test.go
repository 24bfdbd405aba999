package hook

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func gcPercent() int64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// The hook collects no garbage until its heap reaches the limit, and gives
// the collector its usual pacing back once the live heap outgrows half of
// it: a commit of 180,000 findings otherwise spent 103 s collecting.
func TestHookCollectorPacingComesBackWithALargeHeap(t *testing.T) {
	t.Cleanup(func() {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
	fewerCollections()
	if got := gcPercent(); got != -1 {
		t.Fatalf("GOGC = %d after fewerCollections, want off (-1)", got)
	}
	// A small live heap: collections leave the collector off.
	for range 3 {
		runtime.GC()
	}
	if got := gcPercent(); got != -1 {
		t.Fatalf("GOGC = %d with a small heap, want off", got)
	}
	live := make([][]byte, 0, 80)
	for range 80 { // 160 MiB, past half the 256 MiB limit
		live = append(live, make([]byte, 2<<20))
	}
	// The watch runs after a collection, on the runtime's cleanup
	// goroutine: collect until it has.
	for i := 0; i < 1000 && gcPercent() != 100; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if got := gcPercent(); got != 100 {
		t.Fatalf("GOGC = %d with %d MiB live, want 100", got, len(live)*2)
	}
	runtime.KeepAlive(live)
}
