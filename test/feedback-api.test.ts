// POST /api/feedback: single and batch, idempotent on the key (across both doors: the API and
// gen_ai.evaluation.result log records), pending for interactions not stored yet, and a 400
// with the zod message for bad input. Scoring is off here: score-worker.test.ts covers it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, randomSpanId, randomTraceId, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, evaluationLogs } from './score-fixtures.ts';

let processor: TestProcessor;
before(async () => {
  processor = await startProcessor({ settings: { FLYWHEEL_SCORE_WORKERS: '0' } });
});
after(async () => {
  await processor.stop();
});

const feedback = (body: unknown) => postJson(`${processor.url}/api/feedback`, body);
const count = async (key: string) =>
  (await processor.query<{ n: number }>('SELECT count(*)::int AS n FROM feedback WHERE idempotency_key = $1', [key]))[0]!.n;

test('one feedback is stored (201) and a retry with the same key stores nothing (200, duplicate)', async () => {
  const turn = contentTurn();
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turn.spans as never[]))).status, 200);
  const body = { interactionId: turn.id, score: 0.9, comment: 'Helpful', correction: 'Also mention tracking', userId: 'u-1', idempotencyKey: `k-${turn.id}` };
  const first = await feedback(body);
  assert.deepEqual([first.status, first.json], [201, { idempotencyKey: `k-${turn.id}`, status: 'stored', interactionId: turn.id, pending: false }]);
  const again = await feedback(body);
  assert.deepEqual([again.status, again.json], [200, { idempotencyKey: `k-${turn.id}`, status: 'duplicate', interactionId: turn.id, pending: false }]);
  assert.equal(await count(`k-${turn.id}`), 1);
  const [row] = await processor.query('SELECT trace_id, span_id, source, name, score, rating, thumbs, label, comment, correction, user_id FROM feedback WHERE idempotency_key = $1', [`k-${turn.id}`]);
  assert.deepEqual(row, {
    trace_id: turn.traceId,
    span_id: turn.rootId,
    source: 'api',
    name: 'user_feedback',
    score: 0.9,
    rating: null,
    thumbs: null,
    label: null,
    comment: 'Helpful',
    correction: 'Also mention tracking',
    user_id: 'u-1',
  });
});

test('without a key, the same body sent twice is stored once', async () => {
  const id = `${randomTraceId()}-${randomSpanId()}`;
  const first = await feedback({ interactionId: id, thumbs: 'down' });
  const second = await feedback({ interactionId: id, thumbs: 'down' });
  assert.deepEqual([first.status, second.status], [201, 200]);
  const key = (first.json as { idempotencyKey: string }).idempotencyKey;
  assert.equal((second.json as { idempotencyKey: string }).idempotencyKey, key);
  assert.equal(await count(key), 1);
});

test('a batch reports each item: stored, duplicate, pending or joined; a key repeated inside it is stored once', async () => {
  const turn = contentTurn();
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turn.spans as never[]))).status, 200);
  const unknown = `${randomTraceId()}-${randomSpanId()}`;
  const childSpan = (turn.spans[1] as { spanId: string }).spanId;
  const r = await feedback([
    { interactionId: turn.id, rating: 5, idempotencyKey: `b1-${turn.id}` },
    { interactionId: unknown, thumbs: 'up', idempotencyKey: `b2-${turn.id}` },
    { interactionId: `${turn.traceId}-${childSpan}`, comment: 'the chat call was slow', idempotencyKey: `b3-${turn.id}` },
    { interactionId: turn.id, rating: 5, idempotencyKey: `b1-${turn.id}` },
  ]);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, {
    results: [
      { idempotencyKey: `b1-${turn.id}`, status: 'stored', interactionId: turn.id, pending: false },
      { idempotencyKey: `b2-${turn.id}`, status: 'stored', interactionId: unknown, pending: true },
      // Feedback on a span inside an interaction joins that interaction.
      { idempotencyKey: `b3-${turn.id}`, status: 'stored', interactionId: turn.id, pending: false },
      { idempotencyKey: `b1-${turn.id}`, status: 'duplicate', interactionId: turn.id, pending: false },
    ],
    stored: 3,
    duplicates: 1,
    pending: 1,
  });
});

test('the OTLP door and the API share the feedback table and its idempotency keys', async () => {
  const turn = contentTurn();
  const key = `shared-${turn.id}`;
  const logs = evaluationLogs(turn.traceId, turn.rootId, {
    'gen_ai.evaluation.name': 'user_feedback',
    'gen_ai.evaluation.score.value': 1,
    'flywheel.feedback.thumbs': 'up',
    'flywheel.feedback.idempotency_key': key,
  });
  assert.equal((await postJson(`${processor.url}/v1/logs`, logs)).status, 200);
  const r = await feedback({ interactionId: turn.id, thumbs: 'up', idempotencyKey: key });
  assert.deepEqual([r.status, (r.json as { status: string }).status, (r.json as { pending: boolean }).pending], [200, 'duplicate', true]);
  const rows = await processor.query('SELECT source, score, thumbs FROM feedback WHERE idempotency_key = $1', [key]);
  assert.deepEqual(rows, [{ source: 'otlp', score: 1, thumbs: 'up' }]);
});

test('bad input is a 400 with the zod message naming the field; nothing is stored', async () => {
  const id = `${randomTraceId()}-${randomSpanId()}`;
  const cases: [unknown, RegExp][] = [
    [{ interactionId: 'abc', rating: 3 }, /invalid feedback: .*interactionId must be <32 hex trace id>-<16 hex span id>/s],
    [{ interactionId: id, rating: 7 }, /invalid feedback: .*rating/s],
    [{ interactionId: id, score: 0.5, thumbs: 'up' }, /give at most one of score \(0\.\.1\), rating \(1\.\.5\) or thumbs \(up\|down\)/],
    [{ interactionId: id }, /give a score, rating, thumbs, comment or correction/],
    [{ interactionId: id, thumbs: 'sideways' }, /thumbs/],
    [[], /invalid feedback: ✖ Too small: expected array to have >=1 items/],
    [[{ interactionId: id, rating: 3 }, { interactionId: id, rating: 0 }], /→ at \[1\]\.rating/],
  ];
  for (const [body, message] of cases) {
    const r = await feedback(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match((r.json as { error: string }).error, message);
  }
  const malformed = await feedback('{"interactionId": ');
  assert.equal(malformed.status, 400);
  const [n] = await processor.query<{ n: number }>('SELECT count(*)::int AS n FROM feedback WHERE trace_id = $1', [id.slice(0, 32)]);
  assert.equal(n!.n, 0);
});
