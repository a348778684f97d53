import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  detectAbandon,
  detectAgentError,
  detectRepeat,
  detectSignals,
  detectToolFailure,
  detectTruncation,
  implicitSatisfaction,
  unresolvedToolFailures,
} from '../src/score/implicit.ts';
import { MINUTE, T0, nextTurn, tool, turn, user } from './score-builder.ts';

// The turn starts at T0 and takes 2 s; the next one comes 10 s after its answer.
const AFTER = T0 + 12_000;
const WINDOW = 5 * MINUTE;

test('the same question asked again (case and punctuation aside) is a retry', () => {
  assert.deepEqual(detectRepeat(turn(), nextTurn('where is my order a-1001', AFTER), WINDOW), {
    kind: 'retry',
    detail: 'the next turn asked the same question 10 s later',
  });
});

test('a question sharing >= 0.8 of its content terms is a retry', () => {
  const signal = detectRepeat(turn({ userInput: user('Cancel order A-1001 shipping today') }), nextTurn('cancel shipping of order A-1001 today please', AFTER), WINDOW);
  assert.equal(signal?.kind, 'retry');
});

test('taking the answer back ("no, I meant ...") is a rephrase', () => {
  assert.deepEqual(detectRepeat(turn(), nextTurn('No, I meant the refund for it', AFTER), WINDOW), {
    kind: 'rephrase',
    detail: 'the next turn took the answer back 10 s later: "No, I meant the refund for it"',
  });
});

test('the question in other words (content-term Jaccard >= 0.5) is a rephrase', () => {
  const signal = detectRepeat(turn({ userInput: user('How do I reset my account password?') }), nextTurn('Reset the password for my work account', AFTER), WINDOW);
  assert.deepEqual(signal, { kind: 'rephrase', detail: 'the next turn asked again in other words 10 s later (term overlap 0.75)' });
});

test('a new question, one outside the window, or one without content is no repeat', () => {
  assert.equal(detectRepeat(turn(), nextTurn('Can I also buy a gift card?', AFTER), WINDOW), null);
  assert.equal(detectRepeat(turn(), nextTurn('Where is my order A-1001?', T0 + 2_000 + WINDOW + 1), WINDOW), null);
  assert.equal(detectRepeat(turn(), nextTurn(null, AFTER), WINDOW), null);
  assert.equal(detectRepeat(turn({ userInput: null }), nextTurn('Where is my order A-1001?', AFTER), WINDOW), null);
  assert.equal(detectRepeat(turn(), null, WINDOW), null);
});

test('two messages made only of stop words are no retry, not even word for word', () => {
  const stopWordsOnly: [string, string][] = [
    ['Hi', 'Thanks!'],
    ['ok', 'why?'],
    ['Hello', 'hello'],
    ['Thanks', 'thanks!'],
  ];
  for (const [question, asked] of stopWordsOnly) {
    assert.equal(detectRepeat(turn({ userInput: user(question) }), nextTurn(asked, AFTER), WINDOW), null, `${question} -> ${asked}`);
  }
  // One side with content, the other without: no overlap, so no repeat either way.
  assert.equal(detectRepeat(turn(), nextTurn('Thanks!', AFTER), WINDOW), null);
  assert.equal(detectRepeat(turn({ userInput: user('Hi') }), nextTurn('Where is my order A-1001?', AFTER), WINDOW), null);
  // Taking the answer back needs no content terms in the question.
  assert.equal(detectRepeat(turn({ userInput: user('Hi') }), nextTurn('No, I meant order A-1001', AFTER), WINDOW)?.kind, 'rephrase');
});

test('"Hi" then "Thanks!" in a conversation leaves satisfaction at the continued-conversation level', () => {
  const hi = turn({ userInput: user('Hi') });
  const { signals } = detectSignals(hi, null, nextTurn('Thanks!', AFTER), { now: AFTER + MINUTE, retryWindowMs: WINDOW, abandonMs: 30 * MINUTE });
  assert.deepEqual(signals, []);
  assert.equal(implicitSatisfaction(signals, true), 0.8);
});

test('an agent error is a failure the tools do not explain', () => {
  assert.deepEqual(detectAgentError(turn({ status: 'error', errorType: 'RateLimitError' })), {
    kind: 'agent_error',
    detail: 'the interaction failed with RateLimitError',
  });
  assert.equal(detectAgentError(turn({ status: 'error', errorType: 'TimeoutError', tools: [tool('lookup_order', 'TimeoutError')] })), null);
  assert.equal(detectAgentError(turn({ status: 'ok' })), null);
});

test('a tool failure counts unless a later call of the same tool succeeded', () => {
  assert.deepEqual(detectToolFailure(turn({ tools: [tool('lookup_order', 'TimeoutError'), tool('search')] })), {
    kind: 'tool_failure',
    detail: 'failed: lookup_order (TimeoutError)',
  });
  assert.equal(detectToolFailure(turn({ tools: [tool('lookup_order', 'TimeoutError'), tool('lookup_order')] })), null);
  assert.deepEqual(unresolvedToolFailures([tool('a', 'E1'), tool('b', 'E2'), tool('a')]).map((t) => t.name), ['b']);
});

test('finish reason length (or max_tokens) means the answer was cut off', () => {
  assert.deepEqual(detectTruncation(turn({ finishReasons: ['length'] })), { kind: 'truncated', detail: 'finish reason length' });
  assert.equal(detectTruncation(turn({ finishReasons: ['max_tokens'] }))?.kind, 'truncated');
  assert.equal(detectTruncation(turn({ finishReasons: ['stop'] })), null);
});

test('abandon: a troubled last turn followed by nothing for the abandon time', () => {
  const trouble = [{ kind: 'tool_failure' as const, detail: 'x' }];
  const end = T0 + 2_000;
  assert.deepEqual(detectAbandon(turn(), null, trouble, end + 30 * MINUTE, 30 * MINUTE), {
    signal: { kind: 'abandon', detail: 'the conversation ended after this troubled turn (tool_failure); idle 30 min' },
    recheckAt: null,
  });
  assert.deepEqual(detectAbandon(turn(), null, trouble, end + MINUTE, 30 * MINUTE), { signal: null, recheckAt: end + 30 * MINUTE });
  assert.deepEqual(detectAbandon(turn(), null, [], end + 60 * MINUTE, 30 * MINUTE), { signal: null, recheckAt: null });
  assert.deepEqual(detectAbandon(turn(), nextTurn('x', AFTER), trouble, end + 60 * MINUTE, 30 * MINUTE), { signal: null, recheckAt: null });
  assert.deepEqual(detectAbandon(turn({ sessionId: null }), null, trouble, end + 60 * MINUTE, 30 * MINUTE), { signal: null, recheckAt: null });
});

test('detectSignals: a retry of the previous turn, then silence, is abandonment', () => {
  const previous = nextTurn('Where is my order A-1001?', T0 - MINUTE, 'c'.repeat(32) + '-' + '4'.repeat(16));
  const { signals, recheckAt } = detectSignals(turn(), previous, null, { now: T0 + 31 * MINUTE, retryWindowMs: WINDOW, abandonMs: 30 * MINUTE });
  assert.deepEqual(signals.map((s) => s.kind), ['abandon']);
  assert.match(signals[0]!.detail, /\(retry\)/);
  assert.equal(recheckAt, null);
});

test('detectSignals lists own failures, then the repeat by the next turn', () => {
  const { signals } = detectSignals(
    turn({ status: 'error', errorType: 'TimeoutError', tools: [tool('lookup_order', 'TimeoutError')], finishReasons: ['length'] }),
    null,
    nextTurn('Where is my order A-1001?', AFTER),
    { now: AFTER, retryWindowMs: WINDOW, abandonMs: 30 * MINUTE },
  );
  assert.deepEqual(signals.map((s) => s.kind), ['tool_failure', 'truncated', 'retry']);
});

test('implicit satisfaction: 0.75 without signals, 0.8 when the conversation went on, times (1 - penalty) per signal', () => {
  assert.equal(implicitSatisfaction([], false), 0.75);
  assert.equal(implicitSatisfaction([], true), 0.8);
  assert.equal(implicitSatisfaction([{ kind: 'retry', detail: '' }], true), 0.75 * 0.4);
  assert.ok(Math.abs(implicitSatisfaction([{ kind: 'tool_failure', detail: '' }, { kind: 'truncated', detail: '' }], false) - 0.75 * 0.7 * 0.6) < 1e-12);
});
