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
// it, under a limit that stays an eighth above the live heap: a heap that
// holds most of the limit otherwise collects back to back (103 s), and
// one without a limit doubles what it holds.
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
	for range 80 { // 160 MiB, past half the 160 MiB limit
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
	if got := debug.SetMemoryLimit(-1); got < hookHeapLimit || got == math.MaxInt64 {
		t.Errorf("memory limit %d MiB with 160 MiB live, want at least %d MiB and a limit", got>>20, hookHeapLimit>>20)
	}
	// More live than the limit: the limit grows with it, an eighth above
	// it, so the collector never runs back to back.
	for range 60 { // 280 MiB
		live = append(live, make([]byte, 2<<20))
	}
	want := int64(280<<20) + 35<<20
	for i := 0; i < 1000 && debug.SetMemoryLimit(-1) < want; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if got := debug.SetMemoryLimit(-1); got < want || got > want+64<<20 {
		t.Errorf("memory limit %d MiB with 280 MiB live, want about 315 MiB", got>>20)
	}
	runtime.KeepAlive(live)
}
