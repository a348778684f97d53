import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { feedbackInput, toFeedback } from '../src/api/feedback.ts';
import { feedbackFromLogs, scoreOf } from '../src/normalize/feedback.ts';
import { type LogRow, rowToLog } from '../src/store/telemetry/rows.ts';

const TRACE = 'a'.repeat(32);
const SPAN = '1'.repeat(16);

function logRow(attributes: LogRow['attributes'], overrides: Partial<LogRow> = {}): LogRow {
  return {
    content_hash: 'h1',
    trace_id: TRACE,
    span_id: SPAN,
    time_unix_nano: '1',
    observed_time_unix_nano: '1',
    severity_number: 9,
    severity_text: 'INFO',
    event_name: 'gen_ai.evaluation.result',
    body: null,
    attributes,
    dropped_attributes_count: 0,
    flags: 0,
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 's', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    ...overrides,
  };
}

/** feedbackFromLogs over records as the store keys them: decoded record and content hash. */
const fromRows = (rows: LogRow[]) => feedbackFromLogs(rows.map((row) => ({ record: rowToLog(row), contentHash: row.content_hash })));

test('an instrumentation feedback record becomes one feedback row, every field read', () => {
  assert.deepEqual(
    fromRows([
      logRow({
        'gen_ai.evaluation.name': 'user_feedback',
        'gen_ai.evaluation.score.value': 0.75,
        'flywheel.feedback.idempotency_key': 'k-1',
        'flywheel.feedback.rating': 4,
        'gen_ai.evaluation.explanation': 'Right, but no tracking link',
        'flywheel.feedback.correction': 'Tracking: DHL 123',
        'user.id': 'user-42',
      }),
    ]),
    [
      {
        idempotencyKey: 'k-1',
        traceId: TRACE,
        spanId: SPAN,
        source: 'otlp',
        name: 'user_feedback',
        score: 0.75,
        rating: 4,
        thumbs: null,
        label: null,
        comment: 'Right, but no tracking link',
        correction: 'Tracking: DHL 123',
        userId: 'user-42',
      },
    ],
  );
});

test('without a key the content hash is the key; thumbs give the score; out-of-range values are dropped, not the record', () => {
  const [f] = fromRows([
    logRow({ 'gen_ai.evaluation.name': 'user_feedback', 'flywheel.feedback.thumbs': 'down', 'flywheel.feedback.rating': 9, 'gen_ai.evaluation.score.value': 3 }),
  ]);
  assert.deepEqual([f?.idempotencyKey, f?.score, f?.rating, f?.thumbs], ['otlp:h1', 0, null, 'down']);
});

test('only evaluation results with a trace and span id are feedback (event.name attribute also read)', () => {
  assert.equal(fromRows([logRow({}, { event_name: 'gen_ai.user.message' })]).length, 0);
  assert.equal(fromRows([logRow({}, { span_id: null })]).length, 0);
  assert.equal(fromRows([logRow({ 'event.name': 'gen_ai.evaluation.result' }, { event_name: '' })]).length, 1);
});

test('scoreOf maps rating (r - 1) / 4 and thumbs up 1 / down 0, a given score first', () => {
  assert.deepEqual(
    [
      scoreOf({ score: 0.3, rating: 5, thumbs: null }),
      scoreOf({ score: null, rating: 4, thumbs: null }),
      scoreOf({ score: null, rating: null, thumbs: 'up' }),
      scoreOf({ score: null, rating: null, thumbs: null }),
    ],
    [0.3, 0.75, 1, null],
  );
});

test('API input: the same body gets the same key; a given key is kept; thumbs get a label', () => {
  const body = { interactionId: `${TRACE}-${SPAN}`, thumbs: 'up' as const, comment: 'great' };
  const a = toFeedback(feedbackInput.parse(body));
  assert.equal(a.idempotencyKey, toFeedback(feedbackInput.parse({ ...body })).idempotencyKey);
  assert.match(a.idempotencyKey, /^api:[0-9a-f]{64}$/);
  assert.deepEqual({ ...a, idempotencyKey: '' }, {
    idempotencyKey: '',
    traceId: TRACE,
    spanId: SPAN,
    source: 'api',
    name: 'user_feedback',
    score: 1,
    rating: null,
    thumbs: 'up',
    label: 'thumbs_up',
    comment: 'great',
    correction: null,
    userId: null,
  });
  assert.equal(toFeedback(feedbackInput.parse({ ...body, idempotencyKey: 'mine' })).idempotencyKey, 'mine');
});

test('API input errors name the field and the rule', () => {
  const message = (body: unknown) => {
    const r = feedbackInput.safeParse(body);
    return r.success ? 'ok' : z.prettifyError(r.error);
  };
  assert.match(message({ interactionId: 'x', rating: 3 }), /interactionId must be <32 hex trace id>-<16 hex span id>/);
  assert.match(message({ interactionId: `${TRACE}-${SPAN}`, rating: 6 }), /rating/);
  assert.match(message({ interactionId: `${TRACE}-${SPAN}`, rating: 3, thumbs: 'up' }), /give at most one of score \(0\.\.1\), rating \(1\.\.5\) or thumbs \(up\|down\)/);
  assert.match(message({ interactionId: `${TRACE}-${SPAN}` }), /give a score, rating, thumbs, comment or correction/);
  assert.match(message({ interactionId: `${TRACE}-${SPAN}`, stars: 3 }), /stars/);
});
