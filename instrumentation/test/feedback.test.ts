// recordFeedback(): the gen_ai.evaluation.result log record, with the real SDK exporting to memory.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api';
import { recordFeedback } from '../src/feedback.ts';
import { withInteraction } from '../src/interaction.ts';
import { startTelemetry } from './telemetry.ts';

const telemetry = startTelemetry();
after(() => telemetry.shutdown());
afterEach(() => telemetry.reset());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a rating becomes a gen_ai.evaluation.result log record in the interaction span context, score (rating-1)/4', () => {
  const interaction = withInteraction({ agent: 'support' }, (handle) => handle);
  const key = recordFeedback({
    interaction,
    rating: 4,
    comment: 'Right answer, a bit slow',
    correction: 'It shipped on 2 May.',
    userId: 'user-7',
  });
  assert.match(key ?? '', UUID);
  const [log, ...others] = telemetry.logs();
  assert.equal(others.length, 0);
  const span = telemetry.span('invoke_agent support').spanContext();
  assert.equal(log?.eventName, 'gen_ai.evaluation.result');
  assert.equal(log?.severityNumber, SeverityNumber.INFO);
  assert.equal(log?.spanContext?.traceId, span.traceId);
  assert.equal(log?.spanContext?.spanId, span.spanId);
  assert.deepEqual(log?.attributes, {
    'gen_ai.evaluation.name': 'user_feedback',
    'gen_ai.evaluation.score.value': 0.75,
    'flywheel.feedback.idempotency_key': key,
    'flywheel.feedback.rating': 4,
    'gen_ai.evaluation.explanation': 'Right answer, a bit slow',
    'flywheel.feedback.correction': 'It shipped on 2 May.',
    'user.id': 'user-7',
  });
  assert.equal(log?.instrumentationScope.name, '@agent-flywheel/instrumentation');
});

test('thumbs up and down become 1 and 0, labelled, the original kept', () => {
  const { id } = withInteraction({ agent: 'support' }, (handle) => handle);
  recordFeedback({ interaction: id, thumbs: 'up' });
  recordFeedback({ interaction: id, thumbs: 'down', label: 'wrong_order' });
  const [up, down] = telemetry.logs().map((l) => l.attributes);
  assert.equal(up?.['gen_ai.evaluation.score.value'], 1);
  assert.equal(up?.['gen_ai.evaluation.score.label'], 'thumbs_up');
  assert.equal(up?.['flywheel.feedback.thumbs'], 'up');
  assert.equal(down?.['gen_ai.evaluation.score.value'], 0);
  assert.equal(down?.['gen_ai.evaluation.score.label'], 'wrong_order');
  assert.equal(down?.['flywheel.feedback.thumbs'], 'down');
});

test('feedback collected later, in another process, finds its interaction by traceparent', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const key = recordFeedback({ interaction: traceparent, score: 0.9, name: 'csat', idempotencyKey: 'fb-123' });
  assert.equal(key, 'fb-123');
  const [log] = telemetry.logs();
  assert.equal(log?.spanContext?.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(log?.spanContext?.spanId, 'b7ad6b7169203331');
  assert.equal(log?.attributes['gen_ai.evaluation.name'], 'csat');
  assert.equal(log?.attributes['gen_ai.evaluation.score.value'], 0.9);
  assert.equal(log?.attributes['flywheel.feedback.idempotency_key'], 'fb-123');
});

test('invalid feedback is not sent and never throws: it returns undefined', () => {
  const id = '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331';
  const invalid = [
    { interaction: id },
    { interaction: id, rating: 5, thumbs: 'up' as const },
    { interaction: id, rating: 6 },
    { interaction: id, score: -0.1 },
    { interaction: 'not-an-id', score: 1 },
    { interaction: '00000000000000000000000000000000-0000000000000000', score: 1 },
  ];
  for (const feedback of invalid) assert.equal(recordFeedback(feedback), undefined, JSON.stringify(feedback));
  assert.equal(recordFeedback(undefined as unknown as { interaction: string }), undefined);
  assert.equal(telemetry.logs().length, 0);
});
