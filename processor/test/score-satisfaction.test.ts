import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessSatisfaction } from '../src/score/satisfaction.ts';
import { feedback } from './score-builder.ts';

test('explicit user feedback first: the mean of its scores', () => {
  assert.deepEqual(assessSatisfaction([feedback({ rating: 5, score: 1 }), feedback({ thumbs: 'down', score: 0 })], [{ kind: 'retry', detail: '' }], true), {
    score: 0.5,
    source: 'feedback',
    details: { count: 2, signals: ['retry'] },
  });
});

test('feedback without a score (a comment only) and automated evaluations leave it implicit', () => {
  assert.deepEqual(assessSatisfaction([feedback({ score: null }), feedback({ name: 'relevance_eval', score: 0.2 })], [], true), {
    score: 0.8,
    source: 'implicit',
    details: { signals: [], conversationContinued: true },
  });
});

test('implicit satisfaction falls with each signal', () => {
  assert.deepEqual(assessSatisfaction([], [{ kind: 'agent_error', detail: '' }], false), {
    score: 0.3,
    source: 'implicit',
    details: { signals: ['agent_error'], conversationContinued: false },
  });
});
