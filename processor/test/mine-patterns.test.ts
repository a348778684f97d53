import assert from 'node:assert/strict';
import { test } from 'node:test';
import { factsOf, minePatterns, outcomeOf, patternId, Tally } from '../src/mine/patterns.ts';
import { PLANTED, scorePlanted, world } from './mine-world.ts';

const OPTIONS = { minSupport: 20, fdr: 0.05, minLift: 1.25 };

function mine(seed: number, n: number, planted: boolean) {
  const tally = new Tally();
  for (const i of world({ seed, n, planted })) tally.add(i.id, outcomeOf(i.satisfaction, 0.8, 0.4), factsOf(i.fields));
  return minePatterns('support', tally, OPTIONS);
}

test('facts: one per field value, nulls and empty strings left out', () => {
  const facts = factsOf({
    intent: 'refund', topic: null, model: 'm', promptVersion: null, serviceVersion: '', tools: ['a', 'b', 'a'], failedTools: ['b'],
    knowledgeSources: [], errorType: 'timeout', finishReasons: ['stop'], signals: ['retry'], subAgents: [],
  });
  assert.deepEqual(facts.map((f) => f.replace('\u001f', '=')).sort(), [
    'error.type=timeout', 'finish_reason=stop', 'intent=refund', 'model=m', 'signal=retry', 'tool=a', 'tool=b', 'tool_failed=b',
  ]);
});

test('outcome: above the success threshold, below the failure threshold, else neither', () => {
  assert.equal(outcomeOf(0.81, 0.8, 0.4), 'success');
  assert.equal(outcomeOf(0.8, 0.8, 0.4), 'neither');
  assert.equal(outcomeOf(0.39, 0.8, 0.4), 'failure');
});

test('every planted mode is found with its segment, and nothing else is reported', () => {
  const patterns = mine(7, 20_000, true);
  const score = scorePlanted(patterns, PLANTED);
  assert.equal(score.recall, 1, `found ${score.found} of ${PLANTED.length}: ${patterns.map((p) => `${p.kind} ${p.label}`).join('; ')}`);
  assert.ok(score.precision >= 0.9, `precision ${score.precision}: ${patterns.map((p) => `${p.kind} ${p.label} q=${p.q.toExponential(1)}`).join('; ')}`);
  const search = patterns.find((p) => p.label === 'tool_failed=search');
  assert.ok(search !== undefined);
  assert.equal(search.kind, 'failure');
  assert.ok(search.rate > 0.5 && search.baseline < 0.3, `rate ${search.rate}, baseline ${search.baseline}`);
  assert.ok(search.ci[0] < search.rate && search.rate < search.ci[1]);
  assert.ok(search.examples.length > 0 && search.examples.length <= 5);
  assert.equal(search.id, patternId('support', 'failure', 'tool_failed=search'));
  const pair = patterns.find((p) => p.kind === 'failure' && p.segment.intent === 'refund');
  assert.deepEqual(pair?.segment, { intent: 'refund', model: 'small-model' });
});

test('pure noise: no pattern, over several seeds', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const patterns = mine(seed, 10_000, false);
    assert.deepEqual(patterns.map((p) => p.label), [], `seed ${seed}`);
  }
});

test('too little support: a planted mode seen a few times is not reported', () => {
  const patterns = mine(7, 150, true);
  assert.ok(patterns.every((p) => p.n >= OPTIONS.minSupport));
});

test('the same data gives the same patterns and ids', () => {
  assert.deepEqual(mine(11, 5_000, true), mine(11, 5_000, true));
});
