import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessRelevance, questionTermCoverage } from '../src/score/relevance.ts';

test('questionTermCoverage is the share of the question\'s content terms the answer uses', () => {
  assert.equal(questionTermCoverage('Where is my order A-1001?', 'Order A-1001 shipped with DHL.'), 1);
  assert.equal(questionTermCoverage('How long does shipping take to Berlin?', 'Shipping takes 2 days.'), 0.5);
  assert.equal(questionTermCoverage('Where is my order A-1001?', 'I cannot help with that.'), 0);
  assert.equal(questionTermCoverage('Why?', 'Because.'), null);
});

test('lexical relevance is a heuristic score', () => {
  assert.deepEqual(assessRelevance('Where is my order A-1001?', 'Your order A-1002 is late.', null), {
    score: 0.5,
    source: 'heuristic',
    details: { method: 'question_term_coverage' },
  });
});

test('the judge\'s verdict wins, with the lexical coverage kept in the details', () => {
  assert.deepEqual(assessRelevance('Where is my order A-1001?', 'It is on its way.', { accuracy: 1, completeness: 1, relevance: 0.95, rationale: 'On topic.' }), {
    score: 0.95,
    source: 'judge',
    details: { rationale: 'On topic.', questionTermCoverage: 0 },
  });
});

test('without content, or with a question of stop words only, relevance is missing', () => {
  assert.deepEqual(assessRelevance(null, null, null), { score: null, missing: 'no captured question and answer to compare' });
  assert.deepEqual(assessRelevance('Why?', 'Because.', null), { score: null, missing: 'the question has no content words to compare' });
});
