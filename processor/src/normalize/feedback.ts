// Explicit feedback, the record both doors produce: POST /api/feedback (api/feedback.ts) and
// gen_ai.evaluation.result log records (feedbackFromLogs, below; event and attributes per
// semantic-conventions docs/gen-ai/gen-ai-events.md, plus the flywheel.feedback.* names that
// @agent-flywheel/instrumentation's recordFeedback() adds). Pure: no I/O.
import type { LogRecord } from '../otlp/records.ts';
import { numberOf, stringOf } from './attribute-values.ts';
import {
  ATTR_EVENT_NAME,
  ATTR_FLYWHEEL_FEEDBACK_CORRECTION,
  ATTR_FLYWHEEL_FEEDBACK_IDEMPOTENCY_KEY,
  ATTR_FLYWHEEL_FEEDBACK_RATING,
  ATTR_FLYWHEEL_FEEDBACK_THUMBS,
  ATTR_GEN_AI_EVALUATION_EXPLANATION,
  ATTR_GEN_AI_EVALUATION_NAME,
  ATTR_GEN_AI_EVALUATION_SCORE_LABEL,
  ATTR_GEN_AI_EVALUATION_SCORE_VALUE,
  ATTR_USER_ID,
  EVENT_GEN_AI_EVALUATION_RESULT,
} from './semconv.ts';

export { USER_FEEDBACK } from './semconv.ts';

export interface Feedback {
  idempotencyKey: string;
  traceId: string;
  spanId: string;
  source: 'api' | 'otlp';
  name: string;
  /** In [0, 1]; from the rating ((rating - 1) / 4) or thumbs (up 1, down 0) when not given. */
  score: number | null;
  rating: number | null;
  thumbs: 'up' | 'down' | null;
  label: string | null;
  comment: string | null;
  correction: string | null;
  userId: string | null;
}

export interface StoredFeedback extends Feedback {
  id: number;
  createdAt: Date;
}

/** The 0..1 score of feedback given as a rating or thumbs (the instrumentation's mapping). */
export function scoreOf(f: Pick<Feedback, 'score' | 'rating' | 'thumbs'>): number | null {
  if (f.score !== null) return f.score;
  if (f.rating !== null) return (f.rating - 1) / 4;
  if (f.thumbs !== null) return f.thumbs === 'up' ? 1 : 0;
  return null;
}

/** A decoded log record and the content hash the store keys it by (its idempotency key when it names none). */
export interface KeyedLogRecord {
  record: LogRecord;
  contentHash: string;
}

/**
 * Feedback in a batch of log records: every gen_ai.evaluation.result record with a trace and
 * span id. Out-of-range values are dropped (not the record): a bad rating never fails the batch.
 * Without an idempotency key attribute the record's content hash is its key.
 */
export function feedbackFromLogs(logs: readonly KeyedLogRecord[]): Feedback[] {
  const feedback: Feedback[] = [];
  for (const { record, contentHash } of logs) {
    const name = record.eventName !== '' ? record.eventName : stringOf(record.attributes[ATTR_EVENT_NAME]);
    if (name !== EVENT_GEN_AI_EVALUATION_RESULT || record.traceId === null || record.spanId === null) continue;
    const a = record.attributes;
    const inRange = (value: number | null, min: number, max: number) => (value !== null && value >= min && value <= max ? value : null);
    const thumbs = stringOf(a[ATTR_FLYWHEEL_FEEDBACK_THUMBS]);
    const given: Pick<Feedback, 'score' | 'rating' | 'thumbs'> = {
      score: inRange(numberOf(a[ATTR_GEN_AI_EVALUATION_SCORE_VALUE]), 0, 1),
      rating: inRange(numberOf(a[ATTR_FLYWHEEL_FEEDBACK_RATING]), 1, 5),
      thumbs: thumbs === 'up' || thumbs === 'down' ? thumbs : null,
    };
    feedback.push({
      idempotencyKey: stringOf(a[ATTR_FLYWHEEL_FEEDBACK_IDEMPOTENCY_KEY]) ?? `otlp:${contentHash}`,
      traceId: record.traceId,
      spanId: record.spanId,
      source: 'otlp',
      name: stringOf(a[ATTR_GEN_AI_EVALUATION_NAME]) ?? 'unnamed',
      ...given,
      score: scoreOf(given),
      label: stringOf(a[ATTR_GEN_AI_EVALUATION_SCORE_LABEL]),
      comment: stringOf(a[ATTR_GEN_AI_EVALUATION_EXPLANATION]),
      correction: stringOf(a[ATTR_FLYWHEEL_FEEDBACK_CORRECTION]),
      userId: stringOf(a[ATTR_USER_ID]),
    });
  }
  return feedback;
}
