import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_THRESHOLDS } from '../src/score/config.ts';
import { applyGate } from '../src/score/gate.ts';
import type { Dimension, DimensionScore } from '../src/score/quality.ts';

const h = (score: number): DimensionScore => ({ score, source: 'heuristic', details: {} });
const dims = (overrides: Partial<Record<Dimension, DimensionScore>> = {}): Record<Dimension, DimensionScore> => ({
  accuracy: h(0.9),
  completeness: h(0.95),
  relevance: h(0.85),
  timeliness: h(0.8),
  satisfaction: h(0.9),
  ...overrides,
});

test('the default thresholds are the README\'s: 0.85, 0.90, 0.80, 0.75', () => {
  assert.deepEqual(DEFAULT_THRESHOLDS, { accuracy: 0.85, completeness: 0.9, relevance: 0.8, timeliness: 0.75 });
});

test('over every threshold and satisfied: eligible, reinforce', () => {
  assert.deepEqual(applyGate(dims(), DEFAULT_THRESHOLDS), { eligible: true, reason: null, outcome: 'reinforce', improvementAreas: [] });
});

test('a threshold is met at equality', () => {
  assert.equal(applyGate(dims({ accuracy: h(0.85), completeness: h(0.9), relevance: h(0.8), timeliness: h(0.75) }), DEFAULT_THRESHOLDS).eligible, true);
});

test('below a threshold, or not assessed: not eligible, each reason stated', () => {
  assert.deepEqual(applyGate(dims({ accuracy: h(0.5), relevance: { score: null, missing: 'no captured question and answer to compare' } }), DEFAULT_THRESHOLDS), {
    eligible: false,
    reason: 'accuracy 0.5 < 0.85; relevance not assessed (no captured question and answer to compare)',
    outcome: 'reinforce',
    improvementAreas: [],
  });
});

test('satisfaction 0.7 or below: improvement areas list the failed dimensions and satisfaction', () => {
  assert.deepEqual(applyGate(dims({ completeness: h(0.3), satisfaction: h(0.7) }), DEFAULT_THRESHOLDS), {
    eligible: false,
    reason: 'completeness 0.3 < 0.9',
    outcome: 'improve',
    improvementAreas: ['completeness', 'satisfaction'],
  });
});

test('thresholds are configurable', () => {
  assert.equal(applyGate(dims({ accuracy: h(0.6) }), { ...DEFAULT_THRESHOLDS, accuracy: 0.5 }).eligible, true);
});
