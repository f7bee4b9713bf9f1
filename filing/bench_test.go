package filing_test

import (
	"testing"

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
			for b.Loop() {
				if _, err := filing.Bytes(c.table, f); err != nil {
					b.Fatal(err)
				}
			}
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
	for b.Loop() {
		if _, err := workflow.LoadFiling(ctx, st, workflow.FilingOptions{Scheme: sc}, "2026"); err != nil {
			b.Fatal(err)
		}
	}
}
