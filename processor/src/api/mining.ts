// REST reads of the mining stage: patterns (GET /api/patterns), insights (GET /api/insights),
// degradation forecasts (GET /api/forecasts), topic clusters (GET /api/clusters) and hand-off
// graphs (GET /api/handoffs), each of the caller's project.
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { handoffGraph } from '../mine/handoffs.ts';
import { insightsOf } from '../mine/insights.ts';
import type { Outcomes } from '../mine/report.ts';
import { clusterLabels, listClusters } from '../store/mine/clusters.ts';
import { hopGroups } from '../store/mine/handoffs.ts';
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
const handoffQuery = z
  .object({
    agent: z.string().min(1).max(500),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const DAY_MS = 86_400_000;
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

export function miningRoutes(pool: pg.Pool, auth: Auth, outcomes: Outcomes): express.Router {
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

  /** The hand-off graph of a root agent: edges and paths with their success rates (default: the last 30 days). */
  router.get('/handoffs', auth.require('read'), async (req, res) => {
    const query = parse(handoffQuery, req.query);
    const until = query.until === undefined ? new Date() : new Date(query.until);
    const since = query.since === undefined ? new Date(until.getTime() - 30 * DAY_MS) : new Date(query.since);
    if (!(since < until)) throw new HttpError(400, 'since must be before until');
    const groups = await hopGroups(pool, accessOf(res.locals).projectId, query.agent, since, until, outcomes.successAbove, outcomes.failureBelow);
    res.json({ since: since.toISOString(), until: until.toISOString(), ...handoffGraph(query.agent, groups) });
  });

  router.get('/clusters', auth.require('read'), async (req, res) => {
    const { agent } = parse(optionalAgentQuery, req.query);
    res.json({ clusters: await listClusters(pool, accessOf(res.locals).projectId, agent) });
  });

  return router;
}
