// Reads a heap snapshot that tenured-gc wrote with Chrome DevTools' own snapshot parser
// (heap-snapshot-toolkit repackages the DevTools frontend's HeapSnapshot code) and checks it
// against what the heap reported itself, in `expected.json` beside it: the node and edge
// counts, the bytes, and the retainer path to one object.
//
//   node check.js DIR    (DIR holds snapshot.heapsnapshot and expected.json)

import { createReadStream, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'heap-snapshot-toolkit'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node check.js DIR')
  process.exit(2)
}
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf-8'))
const snapshot = await parse(createReadStream(join(dir, 'snapshot.heapsnapshot'), 'utf-8'))

let passed = 0
let failed = 0
function check (what, actual, wanted) {
  const ok = JSON.stringify(actual) === JSON.stringify(wanted)
  if (ok) {
    passed++
    console.log(`ok: ${what}: ${JSON.stringify(actual)}`)
  } else {
    failed++
    console.log(`FAILED: ${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`)
  }
}

const nodeFields = snapshot.nodeFieldCount
const nodes = []
for (let i = 0; i < snapshot.nodeCount; i++) {
  nodes.push(snapshot.createNode(i * nodeFields))
}

check('node count', snapshot.nodeCount, expected.nodes)
check('edge count', snapshot.containmentEdges.length / snapshot.edgeFieldsCount, expected.edges)
check('self sizes', nodes.reduce((sum, node) => sum + node.selfSize(), 0), expected.bytes)
check('retained size of the root', snapshot.rootNode().retainedSize(), expected.bytes)

const targets = nodes.filter(node => node.type() === 'string' && node.name() === expected.target_string)
check('target nodes', targets.length, 1)
const target = targets[0]

// A breadth-first walk from the root, weak edges left out, as DevTools computes distances.
const edgeName = edge => edge.type() === 'element' ? `[${edge.name()}]` : edge.name()
const parent = new Map([[snapshot.rootNode().nodeIndex, null]])
const queue = [snapshot.rootNode()]
while (queue.length > 0 && !parent.has(target.nodeIndex)) {
  const node = queue.shift()
  for (let it = node.edges(); it.hasNext(); it.next()) {
    const edge = it.item()
    if (edge.isWeak() || parent.has(edge.nodeIndex())) continue
    parent.set(edge.nodeIndex(), { from: node.nodeIndex, name: edgeName(edge) })
    queue.push(edge.node())
  }
}
const path = []
for (let at = parent.get(target.nodeIndex); at; at = parent.get(at.from)) {
  path.unshift(at.name)
}
check('retainer path', path, expected.path)
check("DevTools' distance of the target", target.distance(), expected.path.length)
const retainers = []
for (let it = target.retainers(); it.hasNext(); it.next()) {
  retainers.push(edgeName(it.item()))
}
check('the last step is among the retainers DevTools lists', retainers.includes(expected.path.at(-1)), true)

console.log(`path: ${expected.path_text}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
