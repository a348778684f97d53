// Topic clusters from embedding vectors: inputs whose vectors are close join one cluster whatever
// their words, distant ones found their own, the threshold is the cosine asked for, and the same
// vectors in the same order give the same clusters, whether assigned at once or in two passes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosine, EmbeddingIndex, unit } from '../src/mine/embedding-topics.ts';
import { rng } from './mine-world.ts';

const DIMENSION = 96;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** `topics` random directions, and `perTopic` members of each at about `spread` noise around it. */
function world(seed: number, topics: number, perTopic: number, spread: number) {
  const random = rng(seed);
  const centres = Array.from({ length: topics }, () => Array.from({ length: DIMENSION }, () => gaussian(random)));
  const inputs: { id: string; topic: number; vector: number[] }[] = [];
  for (let i = 0; i < topics * perTopic; i++) {
    const topic = Math.floor(random() * topics);
    const centre = unit(centres[topic] as number[]) as number[];
    inputs.push({ id: `i-${i}`, topic, vector: centre.map((x) => x + spread * gaussian(random) / Math.sqrt(DIMENSION)) });
  }
  return inputs;
}

test('inputs near one direction join one cluster, whatever their words; other directions found their own', () => {
  const inputs = world(7, 6, 40, 0.25);
  const index = new EmbeddingIndex('agent', []);
  const byTopic = new Map<number, Set<string>>();
  // The texts share no words across a topic: only the vectors group them.
  for (const [n, input] of inputs.entries()) {
    const cluster = index.assign(input.id, `phrasing${n} question${n}`, input.vector);
    assert.ok(cluster !== null);
    const set = byTopic.get(input.topic) ?? new Set<string>();
    set.add(cluster);
    byTopic.set(input.topic, set);
  }
  for (const [topic, clusters] of byTopic) assert.equal(clusters.size, 1, `topic ${topic} in ${clusters.size} clusters`);
  const all = [...byTopic.values()].map((s) => [...s][0]);
  assert.equal(new Set(all).size, byTopic.size, 'each topic its own cluster');
  assert.equal(index.clusters.reduce((sum, c) => sum + c.added, 0), inputs.length);
  for (const c of index.clusters) assert.ok(c.examples.length > 0 && c.examples.length <= 5);
});

test('the join threshold is the cosine to the representative', () => {
  const base = [1, 0, 0, 0];
  const at = (cos: number) => [cos, Math.sqrt(1 - cos * cos), 0, 0];
  const index = new EmbeddingIndex('agent', [], 0.8);
  const first = index.assign('a', 'reset password', base);
  assert.equal(index.assign('b', 'reset password please', at(0.81)), first);
  assert.notEqual(index.assign('c', 'reset password now', at(0.79)), first);
  assert.ok(Math.abs(cosine(unit(at(0.81)) as number[], unit(base) as number[]) - 0.81) < 1e-9);
});

test('an empty or zero vector is not assigned; a vector of another dimension never joins', () => {
  const index = new EmbeddingIndex('agent', []);
  assert.equal(index.assign('a', 'hello', []), null);
  assert.equal(index.assign('b', 'hello', [0, 0, 0]), null);
  const three = index.assign('c', 'hello', [1, 0, 0]);
  const four = index.assign('d', 'hello', [1, 0, 0, 0]);
  assert.ok(three !== null && four !== null && three !== four);
  assert.equal(index.clusters.length, 2);
});

test('assigning in two passes (the second from stored clusters) gives the clusters of one pass; labels come from the words', () => {
  const inputs = world(11, 5, 30, 0.3);
  const once = new EmbeddingIndex('agent', []);
  const oneShot = inputs.map((i) => once.assign(i.id, `topic${i.topic} words`, i.vector));
  const half = Math.floor(inputs.length / 2);
  const first = new EmbeddingIndex('agent', []);
  const early = inputs.slice(0, half).map((i) => first.assign(i.id, `topic${i.topic} words`, i.vector));
  // What the store keeps: the vectors as single-precision numbers.
  const stored = first.clusters.map((c) => ({ id: c.id, embedding: c.embedding.map(Math.fround), terms: c.terms, examples: c.examples }));
  const second = new EmbeddingIndex('agent', stored);
  const late = inputs.slice(half).map((i) => second.assign(i.id, `topic${i.topic} words`, i.vector));
  assert.deepEqual([...early, ...late], oneShot);
  for (const c of once.clusters) {
    const top = Object.entries(c.terms).sort((a, b) => b[1] - a[1])[0]?.[0];
    assert.match(top ?? '', /^(topic\d|word)$/);
  }
});
