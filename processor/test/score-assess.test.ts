import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessQuality } from '../src/score/assess.ts';
import { DEFAULT_THRESHOLDS } from '../src/score/config.ts';
import type { AssessmentInput } from '../src/score/quality.ts';
import { MINUTE, T0, feedback, nextTurn, tool, turn } from './score-builder.ts';

const options = { now: T0 + MINUTE, retryWindowMs: 5 * MINUTE, abandonMs: 30 * MINUTE, freshnessHalfLifeDays: 90, thresholds: DEFAULT_THRESHOLDS };
const input = (overrides: Partial<AssessmentInput> = {}): AssessmentInput => ({
  interaction: turn({ expectedOutput: 'A-1001 shipped with DHL' }),
  feedback: [],
  previous: null,
  next: null,
  verdict: null,
  sourceUpdatedAt: new Map(),
  ...overrides,
});

test('a good answer matching its expected output is eligible and reinforced', () => {
  const a = assessQuality(input({ next: nextTurn('Thanks, and can I change the address?', T0 + 20_000) }), options);
  assert.deepEqual(
    Object.fromEntries(Object.entries(a.dimensions).map(([d, r]) => [d, r.score === null ? null : [r.score, r.source]])),
    {
      accuracy: [1, 'expected_output'],
      completeness: [1, 'heuristic'],
      relevance: [1, 'heuristic'],
      timeliness: [1, 'heuristic'],
      satisfaction: [0.8, 'implicit'],
    },
  );
  assert.deepEqual(a.missing, []);
  assert.deepEqual(a.signals, []);
  assert.deepEqual(a.gate, { eligible: true, reason: null, outcome: 'reinforce', improvementAreas: [] });
  assert.equal(a.recheckAt, null);
});

test('without captured content: accuracy from feedback, structural completeness, timeliness and satisfaction; relevance missing', () => {
  const a = assessQuality(
    input({ interaction: turn({ userInput: null, response: null, expectedOutput: null }), feedback: [feedback({ rating: 2, score: 0.25 })] }),
    options,
  );
  assert.deepEqual(a.missing, ['relevance']);
  assert.deepEqual(a.dimensions.accuracy, { score: 0.25, source: 'feedback', details: { method: 'user_score', count: 1 } });
  assert.deepEqual(a.dimensions.relevance, { score: null, missing: 'no captured question and answer to compare' });
  assert.equal(a.dimensions.completeness.score, 1);
  assert.deepEqual(a.dimensions.satisfaction, { score: 0.25, source: 'feedback', details: { count: 1, signals: [] } });
  assert.deepEqual(a.gate, {
    eligible: false,
    reason: 'accuracy 0.25 < 0.85; relevance not assessed (no captured question and answer to compare)',
    outcome: 'improve',
    improvementAreas: ['accuracy', 'satisfaction'],
  });
});

test('a failed tool in a last turn: lower completeness and satisfaction, and a re-check for abandonment', () => {
  const a = assessQuality(input({ interaction: turn({ tools: [tool('lookup_order', 'TimeoutError')], status: 'error', errorType: 'TimeoutError' }) }), options);
  assert.deepEqual(a.signals, [{ kind: 'tool_failure', detail: 'failed: lookup_order (TimeoutError)' }]);
  assert.equal(a.dimensions.completeness.score, 0.6);
  assert.equal(a.dimensions.satisfaction.score, 0.525);
  assert.equal(a.recheckAt, T0 + 2_000 + 30 * MINUTE);
  assert.deepEqual(a.gate.improvementAreas, ['completeness', 'satisfaction']);
});

test('the judge verdict fills accuracy (with no reference), completeness and relevance', () => {
  const a = assessQuality(
    input({ interaction: turn(), verdict: { accuracy: 0.95, completeness: 0.92, relevance: 0.9, rationale: 'Correct.' } }),
    options,
  );
  assert.deepEqual([a.dimensions.accuracy.score, a.dimensions.completeness.score, a.dimensions.relevance.score], [0.95, 0.92, 0.9]);
  assert.deepEqual(
    [a.dimensions.accuracy, a.dimensions.completeness, a.dimensions.relevance].map((d) => (d.score === null ? null : d.source)),
    ['judge', 'judge', 'judge'],
  );
});
