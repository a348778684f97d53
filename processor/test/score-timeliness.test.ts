import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessTimeliness, freshness } from '../src/score/timeliness.ts';
import { DAY, T0 } from './score-builder.ts';

test('freshness halves with every half-life of age and is 1 for no (or negative) age', () => {
  assert.equal(freshness(0, 90), 1);
  assert.equal(freshness(90 * DAY, 90), 0.5);
  assert.equal(freshness(180 * DAY, 90), 0.25);
  assert.equal(freshness(-DAY, 90), 1);
});

test('with known sources: the freshness of the stalest one when the answer was given', () => {
  const updated = new Map([
    ['kb://shipping', T0 - 90 * DAY],
    ['orders://A-1001', T0 - DAY],
  ]);
  assert.deepEqual(assessTimeliness(['orders://A-1001', 'kb://shipping', 'kb://unknown'], updated, T0, T0 + 400 * DAY, 90), {
    score: 0.5,
    source: 'heuristic',
    details: {
      method: 'source_freshness',
      halfLifeDays: 90,
      sources: [
        { id: 'orders://A-1001', ageDays: 1 },
        { id: 'kb://shipping', ageDays: 90 },
      ],
      unknownSources: ['kb://unknown'],
    },
  });
});

test('otherwise the age of the answer at scoring time; needs no content', () => {
  assert.deepEqual(assessTimeliness([], new Map(), T0, T0 + 45 * DAY, 90), {
    score: 0.7071,
    source: 'heuristic',
    details: { method: 'response_age', ageDays: 45, halfLifeDays: 90 },
  });
  assert.deepEqual(assessTimeliness(['kb://x'], new Map(), T0, T0, 90), {
    score: 1,
    source: 'heuristic',
    details: { method: 'response_age', ageDays: 0, halfLifeDays: 90, unknownSources: ['kb://x'] },
  });
});
