// REST reads of the mining stage: patterns (GET /api/patterns), insights (GET /api/insights),
// degradation forecasts (GET /api/forecasts) and topic clusters (GET /api/clusters), each of the
// caller's project.
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { insightsOf } from '../mine/insights.ts';
import { clusterLabels, listClusters } from '../store/mine/clusters.ts';
import { listForecasts, listPatterns, type StoredPattern } from '../store/mine/patterns.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';

const MAX = 1000;

const patternQuery = z
  .object({
    agent: z.string().min(1).max(500).optional(),
    kind: z.enum(['failure', 'success']).optional(),
    status: z.enum(['open', 'resolved']).optional(),
    limit: z.coerce.number().int().min(1).max(MAX).default(100),
  })
  .strict();

const agentQuery = z.object({ agent: z.string().min(1).max(500) }).strict();
const optionalAgentQuery = z.object({ agent: z.string().min(1).max(500).optional() }).strict();

function parse<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A pattern as GET /api/patterns shows it. */
export function patternJson(p: StoredPattern) {
  return {
    id: p.id, agent: p.agent, kind: p.kind, segment: p.segment, label: p.label, n: p.n, rate: p.rate, baseline: p.baseline, lift: p.lift,
    ci: p.ci, q: p.q, examples: p.examples, firstSeen: p.firstSeen, lastSeen: p.lastSeen, status: p.status, resolvedAt: p.resolvedAt,
    reopened: p.reopened, summary: p.summary, recommendation: p.recommendation,
  };
}

/** The insights of an agent: its open patterns in words. Also what GET /api/knowledge's guidance is made of. */
export async function agentInsights(pool: pg.Pool, projectId: number, agent: string) {
  const patterns = await listPatterns(pool, projectId, { agent, status: 'open', limit: MAX });
  return insightsOf(patterns, await clusterLabels(pool, projectId, agent));
}

export function miningRoutes(pool: pg.Pool, auth: Auth): express.Router {
  const router = express.Router();

  router.get('/patterns', auth.require('read'), async (req, res) => {
    const query = parse(patternQuery, req.query);
    const patterns = await listPatterns(pool, accessOf(res.locals).projectId, query);
    res.json({ patterns: patterns.map(patternJson) });
  });

  router.get('/insights', auth.require('read'), async (req, res) => {
    const { agent } = parse(agentQuery, req.query);
    res.json({ agent, ...(await agentInsights(pool, accessOf(res.locals).projectId, agent)) });
  });

  router.get('/forecasts', auth.require('read'), async (req, res) => {
    const { agent } = parse(optionalAgentQuery, req.query);
    res.json({ forecasts: await listForecasts(pool, accessOf(res.locals).projectId, agent) });
  });

  router.get('/clusters', auth.require('read'), async (req, res) => {
    const { agent } = parse(optionalAgentQuery, req.query);
    res.json({ clusters: await listClusters(pool, accessOf(res.locals).projectId, agent) });
  });

  return router;
}
