// GET /api/latency: where the agents' time goes, LLM calls, tools, retrieval and the rest, and
// which tools and models take it (mine/latency.ts).
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { breakdownByAgent } from '../mine/latency.ts';
import { type Period, ReportPeriodError, reportPeriods } from '../mine/report.ts';
import { interactionTimings, LATENCY_SCAN_LIMIT } from '../store/mine/latency.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';

const latencyQuery = z
  .object({
    agent: z.string().min(1).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/** The period asked for (the report's default: the last 7 days); since >= until is a 400. */
function periodOf(since: string | undefined, until: string | undefined): Period {
  try {
    return reportPeriods(since === undefined ? undefined : new Date(since), until === undefined ? undefined : new Date(until), new Date());
  } catch (error) {
    if (error instanceof ReportPeriodError) throw new HttpError(400, error.message);
    throw error;
  }
}

export function latencyRoutes(pool: pg.Pool, auth: Auth): express.Router {
  const router = express.Router();

  /** Per agent, the latency of the period's most recent interactions by category, tool and model. */
  router.get('/latency', auth.require('read'), async (req, res) => {
    const parsed = latencyQuery.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
    const query = parsed.data;
    const period = periodOf(query.since, query.until);
    const timings = await interactionTimings(pool, accessOf(res.locals).projectId, period, query.agent);
    res.json({
      agent: query.agent ?? null,
      since: period.since.toISOString(),
      until: period.until.toISOString(),
      scanLimit: LATENCY_SCAN_LIMIT,
      scanned: timings.length,
      agents: breakdownByAgent(timings),
    });
  });

  return router;
}
