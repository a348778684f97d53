// The judge client against a local OpenAI-compatible server, through the real `openai` client:
// structured output validated by zod, retries with backoff on malformed, slow and failing
// answers, tokens and cost counted over every attempt.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AttemptOutcome, contentHash, createJudge, type JudgeContent, judgeContentOf, JudgeError, judgeMessages } from '../src/score/judge.ts';
import { assistant, tool, user } from './score-builder.ts';
import { type JudgeServer, startJudgeServer, verdictJson } from './score-judge-server.ts';

let server: JudgeServer;
before(async () => {
  server = await startJudgeServer();
});
after(async () => {
  await server.close();
});

const content: JudgeContent = { question: 'Where is my order A-1001?', answer: 'It shipped with DHL.', reference: null, tools: [] };

function judgeWith(extra: { timeoutMs?: number; maxRetries?: number } = {}) {
  const attempts: AttemptOutcome[] = [];
  const judge = createJudge({
    baseURL: server.baseURL,
    model: 'judge-model',
    timeoutMs: extra.timeoutMs ?? 2_000,
    maxRetries: extra.maxRetries ?? 2,
    inputUsdPerMTok: 0.15,
    outputUsdPerMTok: 0.6,
    backoffMs: 10,
    onAttempt: (outcome) => attempts.push(outcome),
  });
  return { judge, attempts };
}

test('a verdict is parsed, with tokens, cost, model and the json_schema response format sent', async () => {
  server.respond(() => ({ content: verdictJson(0.9, 0.8, 1, 'Correct carrier.'), usage: { prompt_tokens: 1000, completion_tokens: 100 } }));
  const before = server.requests.length;
  const { judge, attempts } = judgeWith();
  const judgement = await judge.judge(content);
  assert.deepEqual({ ...judgement, latencyMs: 0 }, {
    verdict: { accuracy: 0.9, completeness: 0.8, relevance: 1, rationale: 'Correct carrier.' },
    model: 'judge-model-2026',
    attempts: 1,
    inputTokens: 1000,
    outputTokens: 100,
    costUsd: (1000 * 0.15 + 100 * 0.6) / 1e6,
    latencyMs: 0,
  });
  assert.deepEqual(attempts, ['ok']);
  const request = server.requests[before]!;
  assert.equal(request.model, 'judge-model');
  assert.deepEqual(request.messages.map((m) => m.role), ['system', 'user']);
  assert.equal((request.response_format as { type: string }).type, 'json_schema');
  assert.deepEqual(
    Object.keys((request.response_format as { json_schema: { schema: { properties: object } } }).json_schema.schema.properties),
    ['accuracy', 'completeness', 'relevance', 'rationale'],
  );
});

test('malformed output (not JSON, or outside the schema) is retried, and its tokens still counted', async () => {
  server.respond((i) => ({ content: [`I think it's fine`, verdictJson(1.5, 1, 1), verdictJson(0.7, 0.7, 0.7)][i % 3] }));
  server.requests.length = 0;
  const { judge, attempts } = judgeWith();
  const judgement = await judge.judge(content);
  assert.deepEqual(attempts, ['malformed', 'malformed', 'ok']);
  assert.deepEqual([judgement.verdict.accuracy, judgement.attempts, judgement.inputTokens], [0.7, 3, 600]);
});

test('when every attempt is malformed, a JudgeError says why and carries the usage', async () => {
  server.respond(() => ({ content: '{"accuracy": "high"}' }));
  const { judge, attempts } = judgeWith({ maxRetries: 1 });
  await assert.rejects(judge.judge(content), (error: unknown) => {
    assert.ok(error instanceof JudgeError);
    assert.equal(error.outcome, 'malformed');
    assert.match(error.message, /does not fit the verdict schema.*accuracy.*\(after 2 attempt\(s\)\)/s);
    assert.deepEqual([error.usage.attempts, error.usage.inputTokens, error.usage.outputTokens], [2, 400, 80]);
    return true;
  });
  assert.deepEqual(attempts, ['malformed', 'malformed']);
});

test('a slow answer times out and is retried', async () => {
  server.respond((i) => (i === 0 ? { content: verdictJson(0.1, 0.1, 0.1), delayMs: 1_000 } : { content: verdictJson(0.8, 0.8, 0.8) }));
  server.requests.length = 0;
  const { judge, attempts } = judgeWith({ timeoutMs: 200 });
  const judgement = await judge.judge(content);
  assert.deepEqual(attempts, ['timeout', 'ok']);
  assert.equal(judgement.verdict.accuracy, 0.8);
});

test('server errors are retried; a 4xx other than 408/409/429 is not', async () => {
  server.respond((i) => (i === 0 ? { status: 503 } : { content: verdictJson(0.6, 0.6, 0.6) }));
  server.requests.length = 0;
  const retried = judgeWith();
  assert.equal((await retried.judge.judge(content)).verdict.accuracy, 0.6);
  assert.deepEqual(retried.attempts, ['error', 'ok']);
  server.respond(() => ({ status: 404 }));
  const notRetried = judgeWith();
  await assert.rejects(notRetried.judge.judge(content), { name: 'JudgeError', outcome: 'error' });
  assert.deepEqual(notRetried.attempts, ['error']);
});

test('an aborted judge stops retrying at once', async () => {
  server.respond(() => ({ content: verdictJson(0.9, 0.9, 0.9), delayMs: 2_000 }));
  const { judge } = judgeWith({ timeoutMs: 5_000 });
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 50);
  await assert.rejects(judge.judge(content, abort.signal), { name: 'JudgeError' });
});

test('judgeContentOf takes the last question, the answer, the reference and the tools; null without content', () => {
  const judged = judgeContentOf({ userInput: user('Where?'), response: assistant('Here.'), expectedOutput: 'Berlin', tools: [tool('lookup', 'E')] });
  assert.deepEqual(judged, { question: 'Where?', answer: 'Here.', reference: 'Berlin', tools: [{ name: 'lookup', failed: true }] });
  assert.equal(judgeContentOf({ userInput: null, response: assistant('x'), expectedOutput: null, tools: [] }), null);
  assert.equal(contentHash(judged!), contentHash({ ...judged! }));
  assert.notEqual(contentHash(judged!), contentHash({ ...judged!, answer: 'There.' }));
  assert.match(judgeMessages(judged!)[1]!.content as string, /Question:\nWhere\?\n\nAnswer:\nHere\.\n\nTools the assistant called: lookup \(failed\)\n\nReference answer:\nBerlin/);
});
