package main

import "fmt"

const tableSlots = 1_000_000

type item struct{ value uint64 }

// oldTable: stores of new items into pseudo-random slots of one long-lived table.
func oldTable(stores int) {
	table := make([]*item, tableSlots)
	rng := xorShift{seed}
	for i := 0; i < stores; i++ {
		table[rng.below(tableSlots)] = &item{uint64(i)}
	}
	var filled, sum uint64
	for _, it := range table {
		if it != nil {
			filled++
			sum += it.value
		}
	}
	fmt.Printf("%d slots, %d stores: %d slots filled, values sum to %d\n", tableSlots, stores, filled, sum)
}
