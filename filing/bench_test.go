package filing_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/kaohe/kaohe/filing"
	"github.com/kaohe/kaohe/workflow"
)

// BenchmarkBuild lays out each table for an organisation of 1,000 people
// (the fixture's seven and 993 more, each with a quarter of records, a
// three-step chain and a result): what kaohe export and the 备案表 button
// cost for a large unit. BENCHMARKS.md keeps the numbers.
func BenchmarkBuild(b *testing.B) {
	for _, c := range cases {
		b.Run(string(c.table), func(b *testing.B) {
			f := fixture(b, c.scheme, 993, c.id)
			if len(f.People) < 999 {
				b.Fatalf("%d people", len(f.People))
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := filing.Bytes(c.table, f); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkLoad reads a year's filing data of 1,000 people from the
// in-memory store (the reading half of an export; PostgreSQL adds its
// round trips, a handful per period).
func BenchmarkLoad(b *testing.B) {
	st, sc := fixtureStore(b, "s4", 993)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := workflow.LoadFiling(ctx, st, workflow.FilingOptions{Scheme: sc}, "2026"); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// cpuTime is the process's CPU time so far (user and system, every
// thread). The development machine is shared, so wall time per run
// depends on what else runs; CPU time per run does not, and is what
// BENCHMARKS.md compares.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU milliseconds per run since start as cpu-ms/op.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
