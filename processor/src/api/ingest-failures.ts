// GET /api/ingest/failures: traces stored whole of which some interactions could not be built
// (the normalize stage threw on them); each is built again when more of its trace arrives.
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { listFailures } from '../store/interactions/failures.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';
import { pageLimit } from './interactions.ts';

const listQuery = z
  .object({
    limit: pageLimit,
  })
  .strict();

export function ingestFailureRoutes(pool: pg.Pool, auth: Auth): express.Router {
  const router = express.Router();

  /** The project's traces whose interactions could not all be built, the most recent failure first. */
  router.get('/ingest/failures', auth.require('read'), async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
    const failures = await listFailures(pool, accessOf(res.locals).projectId, parsed.data.limit);
    res.json({
      failures: failures.map((f) => ({
        traceId: f.traceId,
        spanIds: f.spanIds,
        reason: f.reason,
        error: f.error,
        attempts: f.attempts,
        firstFailedAt: f.firstFailedAt.toISOString(),
        lastFailedAt: f.lastFailedAt.toISOString(),
      })),
    });
  });

  return router;
}
