// REST reads of the score stage: GET /api/scores/summary (per agent and time bucket, for
// dashboards). The `quality` block of GET /api/interactions/:id is shown by views.ts.
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { scoreSummary } from '../store/quality/scores.ts';
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
