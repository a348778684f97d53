// The optional LLM judge inside the real processor, against a local OpenAI-compatible server
// this test starts: verdicts fill the content dimensions with tokens and cost recorded;
// malformed and slow answers are retried, then recorded as failed; the heuristic scores and
// ingest never wait for the judge; requests in flight stay within FLYWHEEL_JUDGE_CONCURRENCY;
// an interaction awaiting its parent span is judged only once it is whole, or the wait is over.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type JudgeServer, startJudgeServer, verdictJson } from '../processor/test/score-judge-server.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, randomSpanId, randomTraceId, spanJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, msAgo, waitFor } from './score-fixtures.ts';

const SETTLE_MS = 200;
/** Longer than any test here takes, so that no partial interaction is judged by running out of wait. */
const PARENT_WAIT_MS = 600_000;
let judge: JudgeServer;
let processor: TestProcessor;
before(async () => {
  judge = await startJudgeServer();
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: String(SETTLE_MS),
      FLYWHEEL_JUDGE_PARENT_WAIT_MS: String(PARENT_WAIT_MS),
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_JUDGE_BASE_URL: judge.baseURL,
      FLYWHEEL_JUDGE_MODEL: 'judge-model',
      FLYWHEEL_JUDGE_API_KEY: 'sk-local',
      FLYWHEEL_JUDGE_TIMEOUT_MS: '2500',
      FLYWHEEL_JUDGE_MAX_RETRIES: '1',
      FLYWHEEL_JUDGE_CONCURRENCY: '2',
      FLYWHEEL_JUDGE_INPUT_USD_PER_MTOK: '0.15',
      FLYWHEEL_JUDGE_OUTPUT_USD_PER_MTOK: '0.6',
    },
  });
});
after(async () => {
  await processor.stop();
  await judge.close();
});

const send = async (spans: unknown[]) => assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(spans as never[]))).status, 200);

const judgement = (id: string, status: string) =>
  waitFor(`judgement of ${id} ${status}`, async () => {
    const [row] = await processor.query<Record<string, any>>('SELECT * FROM judgements WHERE interaction_id = $1', [id]);
    return row?.status === status ? row : undefined;
  });

const scores = (id: string, check: (row: Record<string, any>) => boolean = () => true) =>
  waitFor(`scores of ${id}`, async () => {
    const [row] = await processor.query<Record<string, any>>('SELECT * FROM interaction_scores WHERE interaction_id = $1', [id]);
    return row !== undefined && check(row) ? row : undefined;
  });

test('a verdict fills accuracy, completeness and relevance; tokens, cost and model are recorded', async () => {
  judge.respond(() => ({ content: verdictJson(0.92, 0.95, 0.9, 'Correct and complete.'), usage: { prompt_tokens: 300, completion_tokens: 50 } }));
  const turn = contentTurn();
  await send(turn.spans);
  const row = await scores(turn.id, (r) => r.judged === true);
  assert.deepEqual(
    [row.accuracy, row.completeness, row.relevance, row.dimensions.accuracy.source, row.dimensions.relevance.details.questionTermCoverage, row.eligible],
    [0.92, 0.95, 0.9, 'judge', 1, true],
  );
  const { quality } = (await (await fetch(`${processor.url}/api/interactions/${turn.id}`)).json()) as { quality: any };
  assert.deepEqual({ ...quality.judge, latencyMs: 0, requestedAt: '', judgedAt: '' }, {
    status: 'done',
    model: 'judge-model-2026',
    verdict: { accuracy: 0.92, completeness: 0.95, relevance: 0.9 },
    rationale: 'Correct and complete.',
    attempts: 1,
    tokens: { input: 300, output: 50 },
    costUsd: (300 * 0.15 + 50 * 0.6) / 1e6,
    latencyMs: 0,
    error: null,
    requestedAt: '',
    judgedAt: '',
  });
  const request = judge.requests.at(-1)!;
  assert.match(request.messages[1]!.content, /Question:\nWhere is my order A-1001\?/);
});

test('malformed output is retried, then recorded as failed; the heuristic scores stand and nothing loops', async () => {
  judge.respond(() => ({ content: 'Sure! The answer looks good to me.' }));
  const turn = contentTurn({ question: 'Can I return shoes?', answer: 'Yes, shoes can be returned within 30 days.' });
  await send(turn.spans);
  const failed = await judgement(turn.id, 'failed');
  assert.equal(failed.attempts, 2);
  assert.match(failed.error, /the judge's answer is not JSON: "Sure! The answer looks good to me\." \(after 2 attempt\(s\)\)/);
  assert.deepEqual([failed.input_tokens, failed.output_tokens], [400, 80]);
  const row = await scores(turn.id);
  assert.deepEqual([row.judged, row.relevance, row.dimensions.relevance.source, row.scorings], [false, 1, 'heuristic', 1]);
  const text = await (await fetch(`${processor.url}/metrics`)).text();
  assert.match(text, /^flywheel_judge_requests_total\{outcome="malformed"\} [2-9]/m);
  assert.match(text, /^flywheel_judge_tokens_total\{type="input"\} \d+/m);
  assert.match(text, /^flywheel_judge_cost_usd_total [0-9.e-]+/m);
});

test('a slow judge holds up neither ingest nor the heuristic scores of other interactions', async () => {
  judge.respond(() => ({ content: verdictJson(0.9, 0.9, 0.9), delayMs: 1_800 }));
  const slow = contentTurn();
  await send(slow.spans);
  await waitFor('the judge call in flight', async () => (judge.inFlight > 0 ? true : undefined));
  const other = contentTurn({ question: 'Do you ship to Berlin?', answer: 'Yes, we ship to Berlin.' });
  await send(other.spans);
  const row = await scores(other.id);
  assert.equal(row.relevance, 1);
  assert.ok(judge.inFlight > 0, 'the judge is still answering');
  assert.equal((await scores(slow.id)).judged, false, 'the slow one has its heuristic scores meanwhile');
  await scores(slow.id, (r) => r.judged === true);
});

test('an answer slower than FLYWHEEL_JUDGE_TIMEOUT_MS times out and is retried', async () => {
  let calls = 0;
  judge.respond(() => ({ content: verdictJson(0.8, 0.8, 0.8), delayMs: calls++ === 0 ? 6_000 : 0 }));
  const turn = contentTurn({ question: 'Is A-1002 delayed?', answer: 'A-1002 is delayed by a day.' });
  await send(turn.spans);
  const done = await judgement(turn.id, 'done');
  assert.equal(done.attempts, 2);
  const text = await (await fetch(`${processor.url}/metrics`)).text();
  assert.match(text, /^flywheel_judge_requests_total\{outcome="timeout"\} [1-9]/m);
});

test('no more than FLYWHEEL_JUDGE_CONCURRENCY judge requests are in flight at once', async () => {
  judge.respond(() => ({ content: verdictJson(0.9, 0.9, 0.9), delayMs: 300 }));
  // Measured over this test's requests only: earlier tests' have all been answered or abandoned.
  await waitFor('no judge request in flight', async () => (judge.inFlight === 0 ? true : undefined));
  judge.resetPeak();
  const turns = Array.from({ length: 6 }, (_, k) => contentTurn({ question: `Where is order A-20${k}?`, answer: `Order A-20${k} is in Berlin.` }));
  await send(turns.flatMap((t) => t.spans));
  for (const t of turns) await judgement(t.id, 'done');
  assert.equal(judge.peakConcurrency, 2);
});

/**
 * An agent turn whose chat call carries the question and answer too, as instrumented LLM calls
 * do, beneath a non-GenAI step span: sent child first, the chat span alone is an interaction with
 * content to judge.
 */
function turnWithContentInChildren(question: string, answer: string) {
  const traceId = randomTraceId();
  const rootId = randomSpanId();
  const stepId = randomSpanId();
  const chatId = randomSpanId();
  const at = msAgo(60_000);
  const content = {
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: answer }] }]),
  };
  const root = spanJson({
    traceId, spanId: rootId, name: 'invoke_agent support-agent', startMs: at, endMs: at + 1500,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support-agent', ...content },
  });
  const step = spanJson({ traceId, spanId: stepId, parentSpanId: rootId, name: 'plan step', startMs: at + 5, endMs: at + 950 });
  const chat = spanJson({
    traceId, spanId: chatId, parentSpanId: stepId, name: 'chat gpt-4o-mini', startMs: at + 10, endMs: at + 900,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', ...content },
  });
  return { traceId, root, step, chat, id: `${traceId}-${rootId}`, chatInteractionId: `${traceId}-${chatId}` };
}

const judgeCallsAbout = (question: string) => judge.requests.filter((r) => r.messages[1]!.content.startsWith(`Question:\n${question}\n`)).length;

test('children sent before their parent are not judged; the whole interaction is, once', async () => {
  judge.respond(() => ({ content: verdictJson(0.9, 0.9, 0.9) }));
  const question = 'Has order A-3001 left the warehouse?';
  const turn = turnWithContentInChildren(question, 'Yes, A-3001 left the warehouse this morning.');
  // Scored on its own (heuristics), with the judge decision taken in the same transaction: no
  // request, and a re-check queued for when the parent would have had FLYWHEEL_JUDGE_PARENT_WAIT_MS.
  const assertAwaiting = async (scorings: number) => {
    const partial = await scores(turn.chatInteractionId, (r) => r.scorings >= scorings);
    assert.deepEqual([partial.judged, partial.dimensions.relevance.source, partial.scorings], [false, 'heuristic', scorings]);
    assert.deepEqual(await processor.query('SELECT * FROM judgements WHERE interaction_id = $1', [turn.chatInteractionId]), []);
    const [recheck] = await processor.query<{ reason: string; wait_ms: number }>(
      // The processor reads updated_at as a Date: to the millisecond.
      `SELECT q.reason, (extract(epoch FROM q.changed_at - date_trunc('milliseconds', i.updated_at)) * 1000)::int AS wait_ms
       FROM score_queue q JOIN interactions i ON i.id = q.interaction_id WHERE q.interaction_id = $1`,
      [turn.chatInteractionId],
    );
    assert.deepEqual(recheck, { reason: 'parent_check', wait_ms: PARENT_WAIT_MS - SETTLE_MS });
  };
  await send([turn.chat]); // its parent, the step, is missing
  await assertAwaiting(1);
  await send([turn.step]); // the step is stored, but the step's parent, the agent span, is missing
  await assertAwaiting(2);

  await send([turn.root]);
  const whole = await scores(turn.id, (r) => r.judged === true);
  assert.equal(whole.accuracy, 0.9);
  assert.deepEqual(await processor.query('SELECT interaction_id FROM judgements j JOIN interactions i ON i.id = j.interaction_id WHERE i.trace_id = $1', [turn.traceId]), [
    { interaction_id: turn.id },
  ]);
  assert.deepEqual(await processor.query('SELECT id FROM interactions WHERE trace_id = $1', [turn.traceId]), [{ id: turn.id }]);
  assert.equal(judgeCallsAbout(question), 1);
});

describe('with a short FLYWHEEL_JUDGE_PARENT_WAIT_MS', () => {
  const WAIT_MS = 1_000;
  let quick: TestProcessor;
  before(async () => {
    quick = await startProcessor({
      settings: {
        FLYWHEEL_SCORE_SETTLE_MS: String(SETTLE_MS),
        FLYWHEEL_SCORE_POLL_MS: '50',
        FLYWHEEL_JUDGE_BASE_URL: judge.baseURL,
        FLYWHEEL_JUDGE_PARENT_WAIT_MS: String(WAIT_MS),
      },
    });
  });
  after(async () => {
    await quick.stop();
  });

  test('an interaction whose parent never arrives is judged as it is once the wait is over', async () => {
    judge.respond(() => ({ content: verdictJson(0.8, 0.8, 0.8) }));
    const question = 'Can order A-4001 be sent to Hamburg?';
    const turn = turnWithContentInChildren(question, 'Yes, A-4001 can be sent to Hamburg.');
    assert.equal((await postJson(`${quick.url}/v1/traces`, tracesRequest([turn.chat]))).status, 200);
    const judged = await waitFor('the orphan judged', async () => {
      const [row] = await quick.query<Record<string, any>>(
        `SELECT s.judged, s.scorings, s.accuracy, j.status, j.requested_at - date_trunc('milliseconds', i.updated_at) >= $2 * interval '1 millisecond' AS after_wait
         FROM interaction_scores s JOIN interactions i ON i.id = s.interaction_id JOIN judgements j ON j.interaction_id = s.interaction_id
         WHERE s.interaction_id = $1`,
        [turn.chatInteractionId, WAIT_MS],
      );
      return row?.judged === true ? row : undefined;
    });
    // Scored with heuristics first, then at the re-check (requesting the verdict), then with it.
    assert.deepEqual(judged, { judged: true, scorings: 3, accuracy: 0.8, status: 'done', after_wait: true });
    assert.equal(judgeCallsAbout(question), 1);
  });
});
