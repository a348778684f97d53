import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakdown, breakdownByAgent, categoryOf, coveredMs, decompose, type InteractionTiming, type TimedSpan, unionOf } from '../src/mine/latency.ts';

const span = (startMs: number, endMs: number, o: Partial<TimedSpan> = {}): TimedSpan => ({
  startMs, endMs, operation: null, spanKind: null, toolType: null, toolName: null, model: null, ...o,
});
const chat = (a: number, b: number, model = 'gpt-4o-mini') => span(a, b, { operation: 'chat', model });
const tool = (a: number, b: number, toolName = 'lookup_order') => span(a, b, { operation: 'execute_tool', toolName });
const timing = (spans: TimedSpan[], o: Partial<InteractionTiming> = {}): InteractionTiming => ({ id: 'i', agent: 'a', startMs: 0, endMs: 1000, spans, ...o });

test('unionOf merges overlapping and touching intervals and drops empty ones', () => {
  assert.deepEqual(unionOf([[5, 8], [0, 2], [1, 3], [3, 4], [9, 9], [7, 10]]), [[0, 4], [5, 10]]);
  assert.equal(coveredMs([[0, 100], [50, 150], [200, 250]]), 200);
  assert.equal(coveredMs([]), 0);
});

test('categoryOf: operation names, OpenInference span kinds, datastore tools are retrieval, the rest none', () => {
  assert.equal(categoryOf({ operation: 'chat', spanKind: null, toolType: null }), 'llm');
  assert.equal(categoryOf({ operation: 'generate_content', spanKind: null, toolType: null }), 'llm');
  assert.equal(categoryOf({ operation: 'text_completion', spanKind: null, toolType: null }), 'llm');
  assert.equal(categoryOf({ operation: 'execute_tool', spanKind: null, toolType: 'function' }), 'tool');
  assert.equal(categoryOf({ operation: 'execute_tool', spanKind: null, toolType: 'datastore' }), 'retrieval');
  assert.equal(categoryOf({ operation: 'embeddings', spanKind: null, toolType: null }), 'retrieval');
  assert.equal(categoryOf({ operation: 'retrieval', spanKind: null, toolType: null }), 'retrieval');
  assert.equal(categoryOf({ operation: null, spanKind: 'RETRIEVER', toolType: null }), 'retrieval');
  assert.equal(categoryOf({ operation: null, spanKind: 'llm', toolType: null }), 'llm');
  assert.equal(categoryOf({ operation: 'invoke_agent', spanKind: null, toolType: null }), null);
  assert.equal(categoryOf({ operation: null, spanKind: 'CHAIN', toolType: null }), null);
});

test('decompose: sequential calls add up, and other is the rest of the interaction span', () => {
  const d = decompose(timing([chat(10, 400), tool(450, 700), span(700, 800, { operation: 'embeddings' })]));
  assert.equal(d.totalMs, 1000);
  assert.deepEqual(d.byCategory, { llm: 390, tool: 250, retrieval: 100, other: 260 });
});

test('decompose: parallel calls of one category count once (the union), not twice', () => {
  const d = decompose(timing([tool(100, 500, 'a'), tool(100, 500, 'b'), tool(300, 600, 'a'), chat(0, 100), chat(50, 100)]));
  assert.deepEqual(d.byCategory, { llm: 100, tool: 500, retrieval: 0, other: 400 });
  assert.deepEqual(d.byTool.get('a'), { calls: 2, ms: 500, callMs: [400, 300] });
  assert.deepEqual(d.byTool.get('b'), { calls: 1, ms: 400, callMs: [400] });
  assert.deepEqual(d.byModel.get('gpt-4o-mini'), { calls: 2, ms: 100, callMs: [100, 50] });
});

test('decompose: overlap across categories counts for llm first, then retrieval, then tool; the parts sum to the duration', () => {
  // A tool from 100 to 600 that calls a model from 200 to 400 and an embedding from 350 to 500.
  const d = decompose(timing([tool(100, 600), chat(200, 400), span(350, 500, { operation: 'embeddings' })]));
  assert.deepEqual(d.byCategory, { llm: 200, retrieval: 100, tool: 200, other: 500 });
  assert.equal(Object.values(d.byCategory).reduce((a, b) => a + b, 0), d.totalMs);
});

test('decompose: spans reaching outside the interaction span are clipped to it', () => {
  const d = decompose(timing([chat(-100, 300), tool(900, 2000)]));
  assert.deepEqual(d.byCategory, { llm: 300, tool: 100, retrieval: 0, other: 600 });
});

test('breakdown: shares of the total, per-interaction p50/p95, bottlenecks ordered, tools and models by time', () => {
  // Ten interactions of 1000 ms: LLM 600 ms each, tool 100 ms in each, and a slow tool in one.
  const timings = Array.from({ length: 10 }, (_, i) =>
    timing([chat(0, 600, i < 5 ? 'm1' : 'm2'), tool(600, 700, 'fast'), ...(i === 9 ? [tool(700, 1000, 'slow')] : [])], { id: `i${i}` }),
  );
  const b = breakdown('a', timings.map(decompose));
  assert.equal(b.interactions, 10);
  assert.equal(b.totalMs, 10_000);
  assert.deepEqual(b.categories.llm, { totalMs: 6000, share: 0.6, p50Ms: 600, p95Ms: 600, meanMs: 600 });
  assert.deepEqual(b.categories.tool, { totalMs: 1300, share: 0.13, p50Ms: 100, p95Ms: 265, meanMs: 130 });
  assert.deepEqual(b.categories.other, { totalMs: 2700, share: 0.27, p50Ms: 300, p95Ms: 300, meanMs: 270 });
  assert.deepEqual(b.categories.retrieval, { totalMs: 0, share: 0, p50Ms: 0, p95Ms: 0, meanMs: 0 });
  assert.deepEqual(b.bottlenecks, ['llm', 'other', 'tool', 'retrieval']);
  assert.deepEqual(b.tools, [
    { name: 'fast', calls: 10, interactions: 10, totalMs: 1000, share: 0.1, p50Ms: 100, p95Ms: 100 },
    { name: 'slow', calls: 1, interactions: 1, totalMs: 300, share: 0.03, p50Ms: 300, p95Ms: 300 },
  ]);
  assert.deepEqual(b.models.map((m) => [m.name, m.totalMs, m.share]), [['m1', 3000, 0.3], ['m2', 3000, 0.3]]);
});

test('breakdown of nothing has no shares and no percentiles', () => {
  const b = breakdown(null, []);
  assert.deepEqual(b.categories.llm, { totalMs: 0, share: null, p50Ms: null, p95Ms: null, meanMs: null });
  assert.deepEqual(b.tools, []);
});

test('breakdownByAgent groups by agent, in name order with no agent last', () => {
  const result = breakdownByAgent([timing([], { agent: 'b' }), timing([], { agent: null }), timing([], { agent: 'a' }), timing([], { agent: 'b' })]);
  assert.deepEqual(result.map((r) => [r.agent, r.interactions]), [['a', 1], ['b', 2], [null, 1]]);
});
