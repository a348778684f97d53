import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessCompleteness, structuralChecks, subQuestionCoverage, subQuestions } from '../src/score/completeness.ts';
import { assistant, tool, turn } from './score-builder.ts';

test('subQuestions splits on question marks and list items', () => {
  assert.deepEqual(subQuestions('Where is order A-1001? And when does it arrive?'), ['Where is order A-1001?', 'And when does it arrive?']);
  assert.deepEqual(subQuestions('Please check:\n- the refund status\n- the delivery date'), ['Please check:', 'the refund status', 'the delivery date']);
  assert.deepEqual(subQuestions('Where is my order?'), ['Where is my order?']);
});

test('subQuestionCoverage counts sub-questions the answer touches; null for a single question', () => {
  assert.deepEqual(subQuestionCoverage('Where is order A-1001? Can I get a refund?', 'Order A-1001 is in Berlin.'), { addressed: 1, total: 2 });
  assert.equal(subQuestionCoverage('Where is order A-1001?', 'Berlin.'), null);
});

test('a clean turn answering every question is complete', () => {
  assert.deepEqual(assessCompleteness(turn(), 'Where is my order A-1001?', 'Order A-1001 shipped.', null), {
    score: 1,
    source: 'heuristic',
    details: { failedChecks: [], questionCoverage: 'single question' },
  });
});

test('each failed structural check multiplies completeness down', () => {
  const t = turn({ finishReasons: ['length'], tools: [tool('lookup_order', 'TimeoutError')], status: 'error', errorType: 'TimeoutError' });
  assert.deepEqual(structuralChecks(t, 'Partial'), [
    { check: 'truncated', factor: 0.3, detail: 'finish reason length' },
    { check: 'unresolvedTool', factor: 0.6, detail: 'lookup_order failed (TimeoutError)' },
  ]);
  assert.equal(assessCompleteness(t, 'Where is my order?', 'Partial', null).score, 0.18);
});

test('ending on a tool request, an agent error and an empty answer are incomplete', () => {
  const askingForTools = turn({ finishReasons: ['tool_call'], response: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f' }] }] });
  assert.deepEqual(structuralChecks(askingForTools, ''), [{ check: 'endedOnToolCall', factor: 0.5, detail: 'the turn ended asking for tools' }]);
  assert.deepEqual(structuralChecks(turn({ status: 'error', errorType: 'APIError' }), 'x'), [{ check: 'agentError', factor: 0.5, detail: 'failed with APIError' }]);
  assert.equal(assessCompleteness(turn({ response: assistant('') }), 'Where is it?', '', null).score, 0);
});

test('without content the structural checks still score it, and say the coverage was not checked', () => {
  assert.deepEqual(assessCompleteness(turn({ userInput: null, response: null, finishReasons: ['length'] }), null, null, null), {
    score: 0.3,
    source: 'heuristic',
    details: { failedChecks: [{ check: 'truncated', detail: 'finish reason length' }], questionCoverage: 'not checked: no captured content' },
  });
});

test('a two-part question half answered scores half', () => {
  assert.equal(assessCompleteness(turn(), 'Where is order A-1001? Can I get a refund?', 'Order A-1001 is in Berlin.', null).score, 0.5);
});

test('the judge\'s completeness replaces the coverage check and keeps the structural ones', () => {
  assert.deepEqual(assessCompleteness(turn({ finishReasons: ['length'] }), 'Q?', 'A', { accuracy: 1, completeness: 0.8, relevance: 1, rationale: 'r' }), {
    score: 0.24,
    source: 'judge',
    details: { failedChecks: [{ check: 'truncated', detail: 'finish reason length' }], judged: 0.8, rationale: 'r' },
  });
});
