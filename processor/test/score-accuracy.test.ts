import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessAccuracy, referenceAgreement } from '../src/score/accuracy.ts';
import { feedback } from './score-builder.ts';

const verdict = { accuracy: 0.9, completeness: 0.8, relevance: 0.7, rationale: 'Right carrier and date.' };

test('referenceAgreement: 1 when the answer contains the reference, else the share of its terms stated', () => {
  assert.deepEqual(referenceAgreement('The capital of France is Paris.', 'Paris'), { score: 1, method: 'contains_reference' });
  assert.deepEqual(referenceAgreement('It shipped with DHL.', 'Shipped with UPS, arrives 2 May'), {
    score: 0.2,
    method: 'reference_term_recall',
  });
  assert.deepEqual(referenceAgreement('yes', 'No.'), { score: 0, method: 'exact_match' });
});

test('the expected output comes first', () => {
  assert.deepEqual(assessAccuracy('Paris.', 'Paris', [feedback({ correction: 'Lyon', score: 0 })], verdict), {
    score: 1,
    source: 'expected_output',
    details: { method: 'contains_reference' },
  });
});

test('then the latest correction given as feedback', () => {
  assert.deepEqual(assessAccuracy('It shipped with DHL.', null, [feedback({ correction: 'UPS' }), feedback({ correction: 'DHL tracking 123' })], verdict), {
    score: 0.3333,
    source: 'feedback',
    details: { method: 'reference_term_recall', against: 'correction' },
  });
});

test('then the judge, then the mean of users\' scores', () => {
  assert.deepEqual(assessAccuracy('It shipped.', null, [], verdict), { score: 0.9, source: 'judge', details: { rationale: 'Right carrier and date.' } });
  assert.deepEqual(assessAccuracy(null, null, [feedback({ score: 1, thumbs: 'up' }), feedback({ score: 0.5, rating: 3 })], null), {
    score: 0.75,
    source: 'feedback',
    details: { method: 'user_score', count: 2 },
  });
});

test('automated evaluations (not user feedback) are not read as users\' scores', () => {
  assert.deepEqual(assessAccuracy(null, null, [feedback({ name: 'toxicity', score: 0.1 })], null), {
    score: null,
    missing: 'no captured content, judge verdict or feedback score',
  });
});

test('without content, reference, judge or feedback, accuracy is missing and says why', () => {
  assert.deepEqual(assessAccuracy('It shipped.', null, [], null), { score: null, missing: 'no expected output, correction, judge verdict or feedback score' });
});
