// GET /api/variants: prompt versions, models or service versions compared with significance, and
// the agent's quality before and after each first appeared (mine/variants.ts).
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { compareVariants, DEFAULT_IMPACT_WINDOW_DAYS, impactOf, VARIANT_FIELDS } from '../mine/variants.ts';
import type { Outcomes } from '../mine/report.ts';
import { variantAggregates } from '../store/mine/variants.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';

const DAY_MS = 86_400_000;

const variantsQuery = z
  .object({
    agent: z.string().min(1).optional(),
    by: z.enum(VARIANT_FIELDS).default('prompt_version'),
    window: z.coerce.number().positive().max(366).default(DEFAULT_IMPACT_WINDOW_DAYS),
  })
  .strict();

export function variantRoutes(pool: pg.Pool, auth: Auth, outcomes: Outcomes): express.Router {
  const router = express.Router();

  /** Each variant's success rate, satisfaction, accuracy and latency against the reference, and its impact. */
  router.get('/variants', auth.require('read'), async (req, res) => {
    const parsed = variantsQuery.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
    const query = parsed.data;
    const windowMs = Math.round(query.window * DAY_MS);
    const reads = await variantAggregates(pool, accessOf(res.locals).projectId, query.by, query.agent, windowMs, outcomes);
    res.json({
      agent: query.agent ?? null,
      by: query.by,
      windowDays: query.window,
      unassigned: reads.unassigned,
      ...compareVariants(reads.variants),
      impact: impactOf(reads.impact, windowMs),
    });
  });

  return router;
}
