// GET /api/datasets/openai-chat and /api/datasets/preference: training datasets as NDJSON,
// streamed. The next line is produced only once the response has drained, so a slow client
// slows the reads instead of filling memory, and a client that hangs up stops them. An error before the first line is an
// ordinary JSON error; after it, the connection is cut (the status is already sent), which a
// client sees as a truncated download rather than a complete-looking one.
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { datasetLines } from '../dataset/lines.ts';
import { datasetRequest, type DatasetFormat, formatProblem } from '../dataset/request.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';

export function datasetRoutes(pool: pg.Pool, auth: Auth): express.Router {
  const router = express.Router();
  /** One line per example of the caller's project: `openai-chat` (gate-eligible interactions) or `preference` (corrections). */
  for (const format of ['openai-chat', 'preference'] as const satisfies readonly DatasetFormat[]) {
    router.get(`/datasets/${format}`, auth.require('read'), async (req, res) => {
      const { 'min-quality': dashed, ...rest } = req.query as Record<string, unknown>;
      const parsed = datasetRequest.safeParse(dashed === undefined ? rest : { minQuality: dashed, ...rest });
      if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
      const problem = formatProblem(format, parsed.data);
      if (problem !== null) throw new HttpError(400, problem);
      res.type('application/x-ndjson');
      try {
        for await (const line of datasetLines(pool, accessOf(res.locals).projectId, format, parsed.data)) {
          if (!res.write(line)) await drained(res);
          if (res.destroyed) return;
        }
      } catch (error) {
        if (res.headersSent) res.destroy(error as Error);
        throw error;
      }
      res.end();
    });
  }
  return router;
}

/** Resolves when the response can take more, or has closed. */
function drained(res: express.Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
