// POST /api/feedback: explicit feedback on interactions, one (an object) or many (an array).
// It lands in the same table as gen_ai.evaluation.result log records; an idempotency key (given,
// or a hash of the body) makes a retried request store nothing twice; feedback on an
// interaction that has not arrived yet is kept, answered as pending, and joined when it does.
import { createHash } from 'node:crypto';
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { type Feedback, scoreOf, USER_FEEDBACK } from '../normalize/feedback.ts';
import { type RedactionCounts, type Redactor } from '../redact/index.ts';
import { type RecordedFeedback, recordFeedback } from '../store/quality/feedback.ts';
import { inTransaction } from '../store/transaction.ts';
import { accessOf, type Auth } from './auth.ts';
import { classifyDatabaseError, HttpError } from './errors.ts';
import type { ProcessorMetrics } from './metrics.ts';
import { jsonBody } from './json-body.ts';

/** Most feedback items in one request. */
export const MAX_FEEDBACK_BATCH = 1000;

const INTERACTION_ID = /^([0-9a-f]{32})-([0-9a-f]{16})$/;

export const feedbackInput = z
  .object({
    interactionId: z.string().regex(INTERACTION_ID, 'interactionId must be <32 hex trace id>-<16 hex span id>'),
    score: z.number().min(0).max(1).optional(),
    rating: z.number().min(1).max(5).optional(),
    thumbs: z.enum(['up', 'down']).optional(),
    label: z.string().min(1).max(200).optional(),
    comment: z.string().max(10_000).optional(),
    correction: z.string().min(1).max(100_000).optional(),
    userId: z.string().min(1).max(500).optional(),
    name: z.string().min(1).max(200).optional(),
    idempotencyKey: z.string().min(1).max(500).optional(),
  })
  .strict()
  .refine((f) => [f.score, f.rating, f.thumbs].filter((v) => v !== undefined).length <= 1, {
    message: 'give at most one of score (0..1), rating (1..5) or thumbs (up|down)',
  })
  .refine((f) => [f.score, f.rating, f.thumbs, f.comment, f.correction].some((v) => v !== undefined), {
    message: 'give a score, rating, thumbs, comment or correction',
  });

export type FeedbackInput = z.infer<typeof feedbackInput>;

/** The stored record of one validated item. Without a key, the same body always gets the same one. */
export function toFeedback(input: FeedbackInput): Feedback {
  const [, traceId, spanId] = INTERACTION_ID.exec(input.interactionId) as RegExpExecArray;
  const given = { score: input.score ?? null, rating: input.rating ?? null, thumbs: input.thumbs ?? null };
  const record: Omit<Feedback, 'idempotencyKey'> = {
    traceId: traceId as string,
    spanId: spanId as string,
    source: 'api',
    name: input.name ?? USER_FEEDBACK,
    ...given,
    score: scoreOf(given),
    label: input.label ?? (input.thumbs === undefined ? null : `thumbs_${input.thumbs}`),
    comment: input.comment ?? null,
    correction: input.correction ?? null,
    userId: input.userId ?? null,
  };
  const key = input.idempotencyKey ?? `api:${createHash('sha256').update(JSON.stringify(record)).digest('hex')}`;
  return { idempotencyKey: key, ...record };
}

/**
 * The record with its free text (comment, correction, label) redacted. The idempotency key is
 * made from the body as sent, so a retry still finds its first copy.
 */
export function redactFeedback(redactor: Redactor, feedback: Feedback, counts: RedactionCounts): Feedback {
  if (!redactor.enabled) return feedback;
  const text = (value: string | null) => (value === null ? null : redactor.text(value, counts));
  return { ...feedback, comment: text(feedback.comment), correction: text(feedback.correction), label: text(feedback.label) };
}

function resultJson(given: FeedbackInput, recorded: RecordedFeedback) {
  return {
    idempotencyKey: recorded.idempotencyKey,
    status: recorded.stored ? 'stored' : 'duplicate',
    interactionId: recorded.interactionId ?? given.interactionId,
    pending: recorded.interactionId === null,
  };
}

export interface FeedbackRouteOptions {
  pool: pg.Pool;
  auth: Auth;
  writeTimeoutMs: number;
  retryAfterSeconds: number;
  redactor: Redactor;
  metrics: ProcessorMetrics;
  maxJsonDepth: number;
}

export function feedbackRoutes(options: FeedbackRouteOptions): express.Router {
  const router = express.Router();

  /** Stores feedback: an object (201, or 200 for a repeat) or an array of up to 1000 (200). */
  router.post('/feedback', options.auth.require('ingest'), ...jsonBody('5mb', options.maxJsonDepth), async (req, res) => {
    const { projectId } = accessOf(res.locals);
    const batch = Array.isArray(req.body);
    const parsed = (batch ? z.array(feedbackInput).min(1).max(MAX_FEEDBACK_BATCH) : feedbackInput).safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, `invalid feedback: ${z.prettifyError(parsed.error)}`);
    const inputs: FeedbackInput[] = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    const redactions: RedactionCounts = new Map();
    const records = inputs.map((input) => redactFeedback(options.redactor, toFeedback(input), redactions));
    for (const [type, n] of redactions) options.metrics.redactions.inc({ type }, n);
    let recorded: RecordedFeedback[];
    try {
      recorded = await inTransaction(options.pool, options.writeTimeoutMs, (client) => recordFeedback(client, projectId, records));
    } catch (error) {
      throw classifyDatabaseError(error, options.retryAfterSeconds, 'write');
    }
    const results = inputs.map((input, i) => resultJson(input, recorded[i] as RecordedFeedback));
    if (!batch) {
      const [result] = results;
      res.status(result?.status === 'stored' ? 201 : 200).json(result);
      return;
    }
    res.json({
      results,
      stored: results.filter((r) => r.status === 'stored').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      pending: results.filter((r) => r.pending).length,
    });
  });

  return router;
}
