// The optional LLM judge inside the real processor, against a local OpenAI-compatible server
// this test starts: verdicts fill the content dimensions with tokens and cost recorded;
// malformed and slow answers are retried, then recorded as failed; the heuristic scores and
// ingest never wait for the judge; requests in flight stay within FLYWHEEL_JUDGE_CONCURRENCY.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type JudgeServer, startJudgeServer, verdictJson } from '../processor/test/score-judge-server.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, waitFor } from './score-fixtures.ts';

let judge: JudgeServer;
let processor: TestProcessor;
before(async () => {
  judge = await startJudgeServer();
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '200',
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
  const turns = Array.from({ length: 6 }, (_, k) => contentTurn({ question: `Where is order A-20${k}?`, answer: `Order A-20${k} is in Berlin.` }));
  await send(turns.flatMap((t) => t.spans));
  for (const t of turns) await judgement(t.id, 'done');
  assert.equal(judge.peakConcurrency, 2);
});
