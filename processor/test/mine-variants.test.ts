import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Moments } from '../src/mine/stats.ts';
import { compareGroups, compareVariants, type GroupAggregates, groupFigures, impactOf, referenceOf, type VariantAggregates } from '../src/mine/variants.ts';
import { rng as random } from './mine-world.ts';

const moments = (xs: number[]): Moments => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0) });

/**
 * `n` interactions: satisfaction uniform in [centre - 0.3, centre + 0.3] clipped to 0..1, accuracy
 * likewise around `accuracy`, latency uniform in [0.5, 1.5] x `latencyMs`. Aggregated as SQL would.
 */
function group(seed: number, n: number, o: { satisfaction: number; accuracy: number; latencyMs: number }): GroupAggregates {
  const next = random(seed);
  const clip = (x: number) => Math.min(1, Math.max(0, x));
  const satisfaction = Array.from({ length: n }, () => clip(o.satisfaction + (next() - 0.5) * 0.6));
  const accuracy = Array.from({ length: n }, () => clip(o.accuracy + (next() - 0.5) * 0.6));
  const latency = Array.from({ length: n }, () => o.latencyMs * (0.5 + next()));
  const sorted = [...latency].sort((a, b) => a - b);
  return {
    interactions: n,
    scored: n,
    successes: satisfaction.filter((s) => s > 0.8).length,
    satisfaction: moments(satisfaction),
    accuracy: moments(accuracy),
    latency: moments(latency),
    latencyP50Ms: sorted[Math.floor(n / 2)] ?? null,
    latencyP95Ms: sorted[Math.floor(n * 0.95)] ?? null,
  };
}

const variant = (value: string, firstSeen: string, g: GroupAggregates): VariantAggregates => ({
  value, firstSeen: new Date(firstSeen), lastSeen: new Date('2026-11-30T00:00:00Z'), ...g,
});

test('a clearly better variant is called better on every metric with high confidence, latency lower being better', () => {
  const v1 = group(1, 400, { satisfaction: 0.6, accuracy: 0.7, latencyMs: 1200 });
  const v2 = group(2, 400, { satisfaction: 0.85, accuracy: 0.9, latencyMs: 800 });
  const c = compareGroups(v2, v1, 'v2', 'v1');
  for (const metric of ['successRate', 'satisfaction', 'accuracy', 'latencyMs'] as const) {
    assert.equal(c[metric].better, 'v2', metric);
    assert.ok(c[metric].confidence > 0.999, `${metric}: ${c[metric].confidence}`);
    assert.equal(c[metric].verdict, `v2 is better (confidence ${c[metric].confidence})`);
  }
  assert.ok((c.latencyMs.difference as number) < -300);
  assert.ok((c.successRate.difference as number) > 0.2);
  // And the other way round, the reference is named as the better one.
  assert.equal(compareGroups(v1, v2, 'v1', 'v2').satisfaction.better, 'v2');
});

test('two variants from the same distribution are rarely called different: at most 10% of 200 pairs per metric, at a 5% level', () => {
  const called = { successRate: 0, satisfaction: 0, accuracy: 0, latencyMs: 0 };
  for (let pair = 0; pair < 200; pair++) {
    const a = group(1000 + 2 * pair, 300, { satisfaction: 0.7, accuracy: 0.8, latencyMs: 1000 });
    const b = group(1001 + 2 * pair, 300, { satisfaction: 0.7, accuracy: 0.8, latencyMs: 1000 });
    const c = compareGroups(a, b, 'a', 'b');
    for (const metric of ['successRate', 'satisfaction', 'accuracy', 'latencyMs'] as const) {
      if (c[metric].better !== null) called[metric] += 1;
      else assert.equal(c[metric].verdict, `not significant (p = ${c[metric].p})`);
    }
  }
  for (const [metric, n] of Object.entries(called)) assert.ok(n <= 20, `${metric}: ${n} of 200 called significant`);
});

test('a small difference on few interactions is not significant', () => {
  const c = compareGroups(group(21, 8, { satisfaction: 0.75, accuracy: 0.8, latencyMs: 1000 }), group(22, 8, { satisfaction: 0.7, accuracy: 0.8, latencyMs: 1000 }), 'a', 'b');
  assert.equal(c.satisfaction.better, null);
  assert.equal(c.successRate.better, null);
});

test('groupFigures: rate with its Wilson interval, means, latency; nulls for an empty group', () => {
  const g: GroupAggregates = {
    interactions: 12, scored: 10, successes: 8,
    satisfaction: { n: 10, sum: 7.5, sumSq: 6 }, accuracy: { n: 4, sum: 3.6, sumSq: 3.3 }, latency: { n: 12, sum: 12_000, sumSq: 13e6 },
    latencyP50Ms: 950, latencyP95Ms: 1800,
  };
  assert.deepEqual(groupFigures(g), {
    interactions: 12, scored: 10, successRate: 0.8, successRateCi: [0.4902, 0.9433], satisfaction: 0.75, accuracy: 0.9,
    latency: { p50Ms: 950, p95Ms: 1800, meanMs: 1000 },
  });
  const none = { n: 0, sum: 0, sumSq: 0 };
  assert.deepEqual(groupFigures({ interactions: 0, scored: 0, successes: 0, satisfaction: none, accuracy: none, latency: none, latencyP50Ms: null, latencyP95Ms: null }), {
    interactions: 0, scored: 0, successRate: null, successRateCi: null, satisfaction: null, accuracy: null, latency: { p50Ms: null, p95Ms: null, meanMs: null },
  });
});

test('the reference is the best supported variant, ties to the most recent; it has no comparison of its own', () => {
  const g = (n: number) => group(n, n, { satisfaction: 0.7, accuracy: 0.8, latencyMs: 1000 });
  const old = variant('v1', '2026-11-01T00:00:00Z', g(50));
  const big = variant('v2', '2026-11-05T00:00:00Z', g(200));
  const recent = variant('v3', '2026-11-10T00:00:00Z', g(50));
  assert.equal(referenceOf([old, big, recent])?.value, 'v2');
  assert.equal(referenceOf([old, recent])?.value, 'v3');
  assert.equal(referenceOf([]), null);
  const c = compareVariants([recent, big, old]);
  assert.equal(c.reference, 'v2');
  assert.deepEqual(c.variants.map((v) => [v.value, v.firstSeen, v.vsReference === null]), [
    ['v1', '2026-11-01T00:00:00.000Z', false],
    ['v2', '2026-11-05T00:00:00.000Z', true],
    ['v3', '2026-11-10T00:00:00.000Z', false],
  ]);
  assert.equal(c.variants[0]?.vsReference?.satisfaction.against, c.variants[1]?.satisfaction);
});

test('impact: windows of the given length around the first appearance, after compared with before', () => {
  const before = group(31, 300, { satisfaction: 0.6, accuracy: 0.7, latencyMs: 1000 });
  const after = group(32, 300, { satisfaction: 0.85, accuracy: 0.9, latencyMs: 1000 });
  const [impact, ...rest] = impactOf([{ value: 'v2', firstSeen: new Date('2026-11-10T00:00:00Z'), before, after }], 7 * 86_400_000);
  assert.equal(rest.length, 0);
  assert.equal(impact?.before.since, '2026-11-03T00:00:00.000Z');
  assert.equal(impact?.before.until, '2026-11-10T00:00:00.000Z');
  assert.equal(impact?.after.since, '2026-11-10T00:00:00.000Z');
  assert.equal(impact?.after.until, '2026-11-17T00:00:00.000Z');
  assert.equal(impact?.after.interactions, 300);
  assert.equal(impact?.change.satisfaction.better, 'after');
  assert.equal(impact?.change.successRate.better, 'after');
  assert.equal(impact?.change.latencyMs.against, impact?.before.latency.meanMs);
});
