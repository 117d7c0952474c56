package main

import "fmt"

const (
	graphEdges = 4 // edge slots per node
	graphLinks = 3 // slots a new node fills
)

type node struct {
	id    uint64
	edges [graphEdges]*node
}

// growingGraph: a graph that grows node by node, an earlier node rewired to each new one.
func growingGraph(size int) {
	var nodes []*node
	rng := xorShift{seed}
	for i := 0; i < size; i++ {
		n := &node{id: uint64(i)}
		if i > 0 {
			for k := 0; k < graphLinks; k++ {
				n.edges[k] = nodes[rng.below(uint64(i))]
			}
			old := nodes[rng.below(uint64(i))]
			old.edges[rng.below(graphEdges)] = n
		}
		nodes = append(nodes, n)
	}

	var edges, checksum uint64
	for _, n := range nodes {
		for k, target := range n.edges {
			if target != nil {
				edges++
				checksum = checksum*31 + target.id*graphEdges + uint64(k)
			}
		}
	}
	fmt.Printf("%d nodes, %d edges, edge checksum %d\n", len(nodes), edges, checksum)
	n, sum := nodes[0], uint64(0)
	for step := 0; step < size; step++ {
		sum += n.id
		var next *node
		for k := 0; k < graphEdges && next == nil; k++ {
			next = n.edges[(step+k)%graphEdges]
		}
		if next == nil {
			next = nodes[len(nodes)-1]
		}
		n = next
	}
	fmt.Printf("walk of %d steps from node 0: ids sum to %d\n", size, sum)
}
