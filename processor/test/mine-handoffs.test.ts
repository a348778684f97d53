import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handoffGraph } from '../src/mine/handoffs.ts';

test('hand-off graph: edges count each interaction once per hand-off, paths keep the start order', () => {
  const graph = handoffGraph('supervisor', [
    { hops: [[null, 'research'], ['research', 'summariser']], n: 10, success: 9, failure: 0 },
    { hops: [['supervisor', 'research'], ['supervisor', 'research']], n: 4, success: 1, failure: 3 },
    { hops: [], n: 6, success: 3, failure: 1 },
  ]);
  assert.deepEqual([graph.interactions, graph.withHandoffs], [20, 14]);
  assert.deepEqual(graph.edges.map((e) => [e.from, e.to, e.n, e.successRate]), [['supervisor', 'research', 14, 0.7143], ['research', 'summariser', 10, 0.9]]);
  assert.deepEqual(graph.paths.map((p) => [p.path.join(' > '), p.n]), [
    ['supervisor > research > summariser', 10], ['supervisor', 6], ['supervisor > research > research', 4],
  ]);
  const [lo, hi] = graph.paths[0]?.successCi ?? [0, 0];
  assert.ok(lo < 0.9 && hi > 0.9);
});
