package main

import "fmt"

const (
	lruCapacity = 100_000
	lruKeyBits  = 22
)

type entry struct {
	key          uint64
	value        uint64
	newer, older *entry
}

// lru is a map from keys to entries plus a doubly linked list of the entries in order of use.
type lru struct {
	entries        map[uint64]*entry
	newest, oldest *entry
}

func (c *lru) get(key uint64) (uint64, bool) {
	e, ok := c.entries[key]
	if !ok {
		return 0, false
	}
	c.makeNewest(e)
	return e.value, true
}

func (c *lru) put(key, value uint64) {
	if e, ok := c.entries[key]; ok {
		e.value = value
		c.makeNewest(e)
		return
	}
	if len(c.entries) == lruCapacity {
		oldest := c.oldest
		c.join(nil, oldest.newer)
		delete(c.entries, oldest.key)
	}
	e := &entry{key: key, value: value}
	c.entries[key] = e
	c.join(c.newest, e)
	c.join(e, nil)
}

func (c *lru) makeNewest(e *entry) {
	c.join(e.older, e.newer)
	c.join(c.newest, e)
	c.join(e, nil)
}

// join makes older and newer neighbours; nil stands for an end of the list.
func (c *lru) join(older, newer *entry) {
	if older != nil {
		older.newer = newer
	} else {
		c.oldest = newer
	}
	if newer != nil {
		newer.older = older
	} else {
		c.newest = older
	}
}

// lruCache: a least-recently-used cache under a skewed load of gets and puts.
func lruCache(requests int) {
	cache := lru{entries: make(map[uint64]*entry)}
	rng := xorShift{seed}
	var hits, misses, puts, sum uint64
	for i := 0; i < requests; i++ {
		bits := rng.below(lruKeyBits + 1)
		key := rng.below(1 << bits)
		if rng.below(10) == 0 {
			puts++
			cache.put(key, uint64(i))
		} else if value, ok := cache.get(key); ok {
			hits++
			sum += value
		} else {
			misses++
			cache.put(key, key*7+1)
		}
	}
	fmt.Printf("%d hits, %d misses, %d puts; values read sum to %d\n", hits, misses, puts, sum)
	var n, checksum uint64
	for e := cache.newest; e != nil; e = e.older {
		n++
		checksum = checksum*31 + e.key
	}
	fmt.Printf("%d entries at the end (capacity %d); newest-first key checksum %d\n", n, lruCapacity, checksum)
}
