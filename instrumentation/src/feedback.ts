// recordFeedback(): a user's verdict on an interaction, sent as the semconv
// `gen_ai.evaluation.result` event: an OTel log record carrying the interaction span's trace
// and span ids, so it travels the same OTLP path as the spans and is joined to them by the
// processor, whether it arrives before or long after them, from this process or another.
import { ROOT_CONTEXT, SeverityNumber, TraceFlags, diag, logs, trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
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
import type { FeedbackOptions } from './types.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

export const DEFAULT_EVALUATION_NAME = 'user_feedback';

const logger = logs.getLogger(PACKAGE_NAME, PACKAGE_VERSION);

const INTERACTION_ID = /^([0-9a-f]{32})-([0-9a-f]{16})$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

const feedbackSchema = z
  .object({
    interaction: z.union([z.string(), z.object({ id: z.string() })]),
    score: z.number().min(0).max(1).optional(),
    rating: z.number().min(1).max(5).optional(),
    thumbs: z.enum(['up', 'down']).optional(),
    label: z.string().min(1).optional(),
    comment: z.string().optional(),
    correction: z.string().optional(),
    userId: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    idempotencyKey: z.string().min(1).optional(),
  })
  .refine((f) => [f.score, f.rating, f.thumbs].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of score (0..1), rating (1..5) or thumbs (up|down)',
  });

/**
 * Sends feedback on an interaction. Returns its idempotency key, or undefined when the feedback
 * is invalid (the reason goes to `diag`): feedback never throws into the app.
 */
export function recordFeedback(feedback: FeedbackOptions): string | undefined {
  try {
    const parsed = feedbackSchema.safeParse(feedback);
    if (!parsed.success) {
      diag.error(`@agent-flywheel/instrumentation: feedback not recorded: ${z.prettifyError(parsed.error)}`);
      return undefined;
    }
    const f = parsed.data;
    const target = typeof f.interaction === 'string' ? f.interaction : f.interaction.id;
    const ids = INTERACTION_ID.exec(target) ?? TRACEPARENT.exec(target);
    const spanContext = ids && { traceId: ids[1]!, spanId: ids[2]!, traceFlags: TraceFlags.SAMPLED, isRemote: true };
    if (!spanContext || !trace.isSpanContextValid(spanContext)) {
      diag.error(
        `@agent-flywheel/instrumentation: feedback not recorded: interaction must be an interaction handle, ` +
          `its id (<32 hex>-<16 hex>) or its traceparent, got '${target}'`,
      );
      return undefined;
    }
    const idempotencyKey = f.idempotencyKey ?? randomUUID();
    const attributes: Record<string, string | number> = {
      [ATTR_GEN_AI_EVALUATION_NAME]: f.name ?? DEFAULT_EVALUATION_NAME,
      [ATTR_GEN_AI_EVALUATION_SCORE_VALUE]: scoreOf(f),
      [ATTR_FLYWHEEL_FEEDBACK_IDEMPOTENCY_KEY]: idempotencyKey,
    };
    if (f.rating !== undefined) attributes[ATTR_FLYWHEEL_FEEDBACK_RATING] = f.rating;
    if (f.thumbs !== undefined) attributes[ATTR_FLYWHEEL_FEEDBACK_THUMBS] = f.thumbs;
    const label = f.label ?? (f.thumbs === undefined ? undefined : `thumbs_${f.thumbs}`);
    if (label !== undefined) attributes[ATTR_GEN_AI_EVALUATION_SCORE_LABEL] = label;
    if (f.comment !== undefined) attributes[ATTR_GEN_AI_EVALUATION_EXPLANATION] = f.comment;
    if (f.correction !== undefined) attributes[ATTR_FLYWHEEL_FEEDBACK_CORRECTION] = f.correction;
    if (f.userId !== undefined) attributes[ATTR_USER_ID] = f.userId;
    logger.emit({
      eventName: EVENT_GEN_AI_EVALUATION_RESULT,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      attributes,
      context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
    });
    return idempotencyKey;
  } catch (err) {
    diag.error('@agent-flywheel/instrumentation: feedback not recorded', err);
    return undefined;
  }
}

/** Every form of feedback as a score in [0, 1]: rating 1..5 -> (rating - 1) / 4, thumbs up 1, down 0. */
function scoreOf(f: { score?: number; rating?: number; thumbs?: 'up' | 'down' }): number {
  if (f.score !== undefined) return f.score;
  if (f.rating !== undefined) return (f.rating - 1) / 4;
  return f.thumbs === 'up' ? 1 : 0;
}
