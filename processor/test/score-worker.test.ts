// verdictFor, the scoring worker's pure decision about the judge: reuse a verdict, ask for one,
// or (an interaction awaiting its parent span) wait, and when to look again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentHash, judgeContentOf } from '../src/score/judge.ts';
import { verdictFor } from '../src/score/worker.ts';
import type { StoredVerdict } from '../src/store/quality/scores.ts';
import { T0, turn } from './score-builder.ts';

const WAIT = 300_000;
const UPDATED = T0 + 60_000;
const partial = (awaitingParent: boolean) => ({ ...turn(), updatedAt: new Date(UPDATED), awaitingParent });
const HASH = contentHash(judgeContentOf(turn())!);
const done: StoredVerdict = { contentHash: HASH, status: 'done', accuracy: 0.9, completeness: 0.8, relevance: 0.7, rationale: 'ok' };
const judging = (now: number, parentWaitMs = WAIT) => ({ on: true, now, parentWaitMs });

test('an interaction with its parent stored (or none) is sent to the judge at once', () => {
  assert.deepEqual(verdictFor(partial(false), undefined, judging(UPDATED + 1)), { verdict: null, request: HASH, judgeAt: null });
});

test('an interaction awaiting its parent span is not sent before the trace has been quiet for the wait, and says when to look again', () => {
  assert.deepEqual(verdictFor(partial(true), undefined, judging(UPDATED + 1)), { verdict: null, request: null, judgeAt: UPDATED + WAIT });
  assert.deepEqual(verdictFor(partial(true), undefined, judging(UPDATED + WAIT - 1)), { verdict: null, request: null, judgeAt: UPDATED + WAIT });
});

test('once the wait is over, an interaction still awaiting its parent is judged as it is', () => {
  assert.deepEqual(verdictFor(partial(true), undefined, judging(UPDATED + WAIT)), { verdict: null, request: HASH, judgeAt: null });
  assert.deepEqual(verdictFor(partial(true), undefined, judging(UPDATED + 1, 0)), { verdict: null, request: HASH, judgeAt: null });
});

test('a verdict on the current content is used, awaiting or not, and nothing is asked or scheduled', () => {
  const verdict = { accuracy: 0.9, completeness: 0.8, relevance: 0.7, rationale: 'ok' };
  assert.deepEqual(verdictFor(partial(true), done, judging(UPDATED + 1)), { verdict, request: null, judgeAt: null });
  assert.deepEqual(verdictFor(partial(true), done, { on: false, now: UPDATED + 1, parentWaitMs: WAIT }), { verdict, request: null, judgeAt: null });
});

test('without a judge, or without content to judge, nothing is asked and nothing waits', () => {
  assert.deepEqual(verdictFor(partial(true), undefined, { on: false, now: UPDATED + 1, parentWaitMs: WAIT }), { verdict: null, request: null, judgeAt: null });
  const noContent = { ...partial(true), userInput: null };
  assert.deepEqual(verdictFor(noContent, undefined, judging(UPDATED + 1)), { verdict: null, request: null, judgeAt: null });
});

test('content that changed since the stored verdict waits like new content', () => {
  const stale: StoredVerdict = { ...done, contentHash: 'older' };
  assert.deepEqual(verdictFor(partial(true), stale, judging(UPDATED + 1)), { verdict: null, request: null, judgeAt: UPDATED + WAIT });
  assert.deepEqual(verdictFor(partial(false), stale, judging(UPDATED + 1)), { verdict: null, request: HASH, judgeAt: null });
});
