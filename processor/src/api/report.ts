// GET /api/report: the flywheel report of a period beside the period before it (mine/report.ts).
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { flywheelReport, reportRequest } from '../mine/flywheel-report.ts';
import { type Outcomes, ReportPeriodError } from '../mine/report.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';

export function reportRoutes(pool: pg.Pool, auth: Auth, outcomes: Outcomes): express.Router {
  const router = express.Router();

  /** Accuracy, satisfaction and its trend, knowledge age, velocity, latency: this period and the one before. */
  router.get('/report', auth.require('read'), async (req, res) => {
    const parsed = reportRequest.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
    try {
      res.json(await flywheelReport(pool, accessOf(res.locals).projectId, parsed.data, new Date(), outcomes));
    } catch (error) {
      if (error instanceof ReportPeriodError) throw new HttpError(400, error.message);
      throw error;
    }
  });

  return router;
}
