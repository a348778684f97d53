// REST reads of the score stage: GET /api/scores/summary (per agent and time bucket, for
// dashboards), and the `quality` block that GET /api/interactions/:id shows.
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { StoredFeedback } from '../store/feedback.ts';
import { type QualityDetail, scoreSummary } from '../store/scores.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';

const summaryQuery = z
  .object({
    bucket: z.enum(['minute', 'hour', 'day', 'week']).default('hour'),
    agent: z.string().min(1).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const average = (value: unknown): number | null => (value === null || value === undefined ? null : Math.round(Number(value) * 10_000) / 10_000);

export function scoreRoutes(pool: pg.Pool, auth: Auth): express.Router {
  const router = express.Router();

  /** Scored interactions per agent and time bucket: counts, eligible rate, outcomes, mean scores. */
  router.get('/scores/summary', auth.require('read'), async (req, res) => {
    const parsed = summaryQuery.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
    const query = parsed.data;
    const rows = await scoreSummary(pool, accessOf(res.locals).projectId, query);
    res.json({
      bucket: query.bucket,
      buckets: rows.map((r) => ({
        agent: r.agent,
        start: r.bucket_start.toISOString(),
        scored: r.scored,
        eligible: r.eligible,
        eligibleRate: r.scored === 0 ? null : Math.round((r.eligible / r.scored) * 10_000) / 10_000,
        reinforce: r.reinforce,
        improve: r.scored - r.reinforce,
        judged: r.judged,
        averages: {
          accuracy: average(r.accuracy),
          completeness: average(r.completeness),
          relevance: average(r.relevance),
          timeliness: average(r.timeliness),
          satisfaction: average(r.satisfaction),
        },
      })),
    });
  });

  return router;
}

function feedbackToJson(f: StoredFeedback) {
  return {
    idempotencyKey: f.idempotencyKey,
    source: f.source,
    spanId: f.spanId,
    name: f.name,
    score: f.score,
    rating: f.rating,
    thumbs: f.thumbs,
    label: f.label,
    comment: f.comment,
    correction: f.correction,
    userId: f.userId,
    createdAt: f.createdAt.toISOString(),
  };
}

/**
 * An interaction's quality: `status` is scored, or pending (queued, not scored yet); the five
 * dimensions with source and details (or why missing); the implicit signals; the gate; the
 * feedback joined to it; the judge's verdict and what it cost; a queued re-score, if any.
 */
export function qualityToJson(detail: QualityDetail) {
  const s = detail.scores;
  const j = detail.judgement;
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
  return {
    status: s === null ? 'pending' : 'scored',
    scores: s?.dimensions ?? null,
    missing: s?.missing ?? null,
    signals: s?.signals ?? null,
    gate:
      s === null
        ? null
        : { eligible: s.eligible, reason: s.ineligible_reason, outcome: s.outcome, improvementAreas: s.improvement_areas },
    feedback: detail.feedback.map(feedbackToJson),
    judge:
      j === null
        ? null
        : {
            status: j.status,
            model: j.model,
            verdict: j.status === 'done' ? { accuracy: j.accuracy, completeness: j.completeness, relevance: j.relevance } : null,
            rationale: j.rationale,
            attempts: j.attempts,
            tokens: { input: j.input_tokens, output: j.output_tokens },
            costUsd: j.cost_usd,
            latencyMs: j.latency_ms,
            error: j.error,
            requestedAt: iso(j.requested_at),
            judgedAt: iso(j.judged_at),
          },
    scorings: s?.scorings ?? 0,
    scoredBy: s?.scored_by ?? null,
    scoredAt: iso(s?.scored_at),
    rescore: detail.queued === null ? null : { reason: detail.queued.reason },
  };
}
