// Which subtrees a batch makes ingest rebuild (subtreeRoots), on hand-made span trees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SpanLink, subtreeRoots } from '../src/store/interactions/subtrees.ts';

/** Links from [span id, parent id, role]; role a = agent, g = other GenAI, n = none. */
function links(...specs: [string, string | null, 'a' | 'g' | 'n'][]): Map<string, SpanLink> {
  const roles = { a: 'agent', g: 'genai', n: 'none' } as const;
  return new Map(specs.map(([spanId, parentSpanId, role]) => [spanId, { spanId, parentSpanId, role: roles[role] }]));
}

const roots = (tree: Map<string, SpanLink>, seeds: string[], fresh: string[] = seeds) =>
  subtreeRoots(tree, seeds, (id) => fresh.includes(id)).roots.sort();

void test('a span beneath an agent stored earlier rebuilds that agent, not the session above it', () => {
  const tree = links(['chat', 'agent', 'g'], ['agent', 'session', 'a'], ['session', null, 'n']);
  assert.deepEqual(roots(tree, ['chat']), ['agent']);
});

void test('the top-most of nested agents is rebuilt (a hand-off folds into its caller)', () => {
  const tree = links(['chat', 'inner', 'g'], ['inner', 'tool', 'a'], ['tool', 'outer', 'g'], ['outer', null, 'a']);
  assert.deepEqual(roots(tree, ['chat']), ['outer']);
});

void test('an agent arriving after its calls rebuilds its subtree, which takes in the calls', () => {
  const tree = links(['agent', 'session', 'a'], ['session', null, 'n']);
  assert.deepEqual(roots(tree, ['agent']), ['agent']);
});

void test('a new agent above the top-most agent: the top-most GenAI span above is rebuilt', () => {
  const tree = links(['old-agent', 'new-agent', 'a'], ['new-agent', 'workflow', 'a'], ['workflow', null, 'g']);
  assert.deepEqual(roots(tree, ['old-agent', 'new-agent'], ['new-agent']), ['workflow']);
});

void test('a span beneath an old agent under a new span is rebuilt from the top-most GenAI span', () => {
  const tree = links(['chat', 'agent', 'g'], ['agent', 'workflow', 'a'], ['workflow', null, 'g']);
  assert.deepEqual(roots(tree, ['chat', 'workflow']), ['workflow']);
});

void test('a non-GenAI span with no GenAI span above it changes nothing (a session root arriving last); it is named as unowned', () => {
  assert.deepEqual(subtreeRoots(links(['session', null, 'n']), ['session'], () => true), { roots: [], unowned: ['session'] });
  const tree = links(['http', 'session', 'n'], ['session', null, 'n'], ['chat', 'http', 'g']);
  assert.deepEqual(subtreeRoots(tree, ['http', 'chat'], () => true), { roots: ['chat'], unowned: ['http'] });
});

void test('a non-GenAI span beneath an agent rebuilds the agent (its children join the agent)', () => {
  const tree = links(['http', 'agent', 'n'], ['agent', null, 'a']);
  assert.deepEqual(roots(tree, ['http']), ['agent']);
});

void test('a call under a workflow (GenAI, not an agent) rebuilds the workflow', () => {
  const tree = links(['chat', 'workflow', 'g'], ['workflow', null, 'g']);
  assert.deepEqual(roots(tree, ['chat']), ['workflow']);
});

void test('a root beneath another root is dropped', () => {
  const tree = links(['chat', 'agent-1', 'g'], ['agent-1', 'workflow', 'a'], ['agent-2', 'workflow', 'a'], ['workflow', null, 'g']);
  assert.deepEqual(roots(tree, ['chat', 'agent-2']), ['workflow']);
});

void test('a parent cycle is rebuilt whole, from its smallest span id, also from a span beneath it', () => {
  const tree = links(['c', 'b', 'g'], ['b', 'a', 'n'], ['a', 'c', 'a'], ['x', 'b', 'g']);
  assert.deepEqual(roots(tree, ['x']), ['a']);
  assert.deepEqual(roots(tree, ['b']), ['a']);
  assert.deepEqual(roots(tree, ['x', 'c']), ['a']);
});

void test('a span that is its own parent is a top', () => {
  assert.deepEqual(roots(links(['chat', 'chat', 'g']), ['chat']), ['chat']);
});

void test('seeds of several branches share the walk and give one root each', () => {
  const tree = links(
    ['c1', 'a1', 'g'], ['t1', 'a1', 'g'], ['a1', 's', 'a'],
    ['c2', 'a2', 'g'], ['a2', 's', 'a'], ['s', null, 'n'], ['orphan', 'missing', 'g'],
  );
  assert.deepEqual(roots(tree, ['c1', 't1', 'c2', 'orphan', 's'], ['c1', 't1', 'c2', 'orphan', 's']), ['a1', 'a2', 'orphan']);
});

void test('a seed that names no stored span gives nothing', () => {
  assert.deepEqual(roots(links(['agent', null, 'a']), ['not-stored']), []);
});
