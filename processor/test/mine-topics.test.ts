import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insightsOf } from '../src/mine/insights.ts';
import { contentTerms } from '../src/score/text.ts';
import { labelOf, signatureOf, similarity, TopicIndex } from '../src/mine/topics.ts';
import { rng } from './mine-world.ts';

const jaccard = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length / new Set([...a, ...b]).size;

test('MinHash similarity estimates the Jaccard similarity of the term sets', () => {
  const a = contentTerms('refund my damaged blue kettle ordered last week from the online store please');
  const b = contentTerms('refund my damaged red kettle ordered last month from the online store');
  const estimate = similarity(signatureOf(a) as number[], signatureOf(b) as number[]);
  assert.ok(Math.abs(estimate - jaccard(a, b)) < 0.2, `estimate ${estimate}, jaccard ${jaccard(a, b)}`);
  assert.equal(similarity(signatureOf(a) as number[], signatureOf(a) as number[]), 1);
  assert.equal(signatureOf(new Set()), null);
});

const TOPICS = [
  ['order', 'parcel', 'shipped', 'tracking', 'delivery', 'arrive', 'courier'],
  ['password', 'reset', 'login', 'account', 'locked', 'email', 'sign'],
  ['invoice', 'charge', 'billing', 'card', 'refund', 'payment', 'subscription'],
];

/** Questions of three topics, each of four or five of its topic's words in a random order, plus a number. */
function questions(seed: number, n: number): { id: string; text: string; topic: number }[] {
  const random = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const topic = i % 3;
    const words = (TOPICS[topic] as string[]).filter(() => random() < 0.7);
    return { id: `q${i}`, text: `${words.join(' ')} ${Math.floor(random() * 10_000)}`, topic };
  });
}

test('inputs of three topics fall into clusters that never mix topics', () => {
  const index = new TopicIndex('agent', []);
  const assigned = questions(3, 600).map((q) => ({ ...q, cluster: index.assign(q.id, q.text) }));
  const topicsOf = new Map<string, Set<number>>();
  for (const a of assigned) if (a.cluster !== null) topicsOf.set(a.cluster, (topicsOf.get(a.cluster) ?? new Set()).add(a.topic));
  assert.ok([...topicsOf.values()].every((s) => s.size === 1), 'a cluster mixes topics');
  // Most inputs are in a few big clusters, each labelled by its topic's words.
  const big = index.clusters.filter((c) => c.added >= 50);
  assert.ok(big.length >= 3, `clusters: ${index.clusters.map((c) => `${labelOf(c.terms)}:${c.added}`).join(', ')}`);
  for (const c of big) {
    const topic = TOPICS.findIndex((words) => labelOf(c.terms).split(' ').every((t) => words.some((w) => contentTerms(w).has(t))));
    assert.ok(topic >= 0, `label '${labelOf(c.terms)}' is not one topic's words`);
  }
});

test('assignment is incremental and deterministic: the same history gives the same clusters, resumed or not', () => {
  const qs = questions(5, 300);
  const whole = new TopicIndex('agent', []);
  const once = qs.map((q) => whole.assign(q.id, q.text));
  const first = new TopicIndex('agent', []);
  const head = qs.slice(0, 150).map((q) => first.assign(q.id, q.text));
  // Resume from what the first pass stored (signature, terms, examples), as the next pass does.
  const second = new TopicIndex('agent', first.clusters.map(({ added: _added, ...c }) => c));
  const tail = qs.slice(150).map((q) => second.assign(q.id, q.text));
  assert.deepEqual([...head, ...tail], once);
  assert.equal(whole.assign('x', 'the of and'), null);
});

test('insights: failures to avoid with a recommendation each, successes to reinforce, evidence kept', () => {
  const insights = insightsOf([
    { id: 'p1', kind: 'failure', segment: { tool_failed: 'search' }, n: 40, rate: 0.6, baseline: 0.15, examples: ['a', 'b'] },
    { id: 'p2', kind: 'failure', segment: { intent: 'refund', model: 'small' }, n: 30, rate: 0.5, baseline: 0.15, examples: ['c'] },
    { id: 'p3', kind: 'success', segment: { topic: 't1' }, n: 100, rate: 0.9, baseline: 0.5, examples: ['d'] },
    { id: 'p4', kind: 'failure', segment: { prompt_version: 'v2' }, n: 50, rate: 0.4, baseline: 0.15, examples: [], recommendation: 'Roll back v2.' },
  ], new Map([['t1', 'order parcel shipped']]));
  assert.deepEqual(insights.avoid.map((i) => i.patternId), ['p1', 'p2', 'p4']);
  assert.equal(insights.avoid[0]?.text, "When the tool 'search' fails, 60% of interactions fail (the agent's baseline is 15%, n = 40).");
  assert.equal(insights.avoid[1]?.text, "When the intent is 'refund' and the model is 'small', 50% of interactions fail (the agent's baseline is 15%, n = 30).");
  assert.deepEqual(insights.avoid[0]?.evidence, { n: 40, rate: 0.6, baseline: 0.15, examples: ['a', 'b'] });
  assert.match(insights.suggested_improvements[0]?.text ?? '', /^Make the tool 'search' more reliable/);
  assert.match(insights.suggested_improvements[1]?.text ?? '', /Compare another model/);
  assert.equal(insights.suggested_improvements[2]?.text, 'Roll back v2.');
  assert.equal(insights.reinforce[0]?.text, "When the question is about 'order parcel shipped', 90% of interactions succeed (the agent's baseline is 50%, n = 100): keep doing it.");
});
