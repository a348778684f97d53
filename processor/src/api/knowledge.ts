// REST routes of the knowledge stage: what an agent should know (GET /api/knowledge, with an
// ETag so a client polls cheaply), review of the rest (?status=), full-text search, and the
// people's decisions on pending items (approve, reject), each audited with the caller's name.
import { createHash } from 'node:crypto';
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { decide, KnowledgeTransitionError, listItems, searchItems, type StoredItem } from '../store/knowledge/items.ts';
import { inTransaction } from '../store/transaction.ts';
import { accessOf, type Auth } from './auth.ts';
import { classifyDatabaseError, HttpError } from './errors.ts';
import { jsonBody } from './json-body.ts';
import { agentInsights } from './mining.ts';

const MAX_ITEMS = 1000;

const listQuery = z
  .object({
    agent: z.string().min(1).max(500).optional(),
    status: z.enum(['committed', 'pending', 'rejected', 'superseded']).default('committed'),
    limit: z.coerce.number().int().min(1).max(MAX_ITEMS).default(MAX_ITEMS),
    // Review of the items a changed source may have outdated (of the status asked, committed by default).
    stale: z.literal('true').optional(),
  })
  .strict();

const searchQuery = z
  .object({
    agent: z.string().min(1).max(500).optional(),
    q: z.string().min(1).max(10_000),
    limit: z.coerce.number().int().min(1).max(100).default(10),
  })
  .strict();

const decisionBody = z.object({ reason: z.string().min(1).max(10_000).optional() }).strict();

const ID = /^[1-9][0-9]{0,17}$/;

/** The item as GET /api/knowledge shows it (the shape the instrumentation's knowledge() client reads). */
function itemJson(item: StoredItem | (Omit<StoredItem, 'events'> & { rank: number })) {
  return {
    id: Number(item.id),
    key: item.key,
    content: item.content,
    confidence: item.confidence,
    agent: item.agent,
    // Where it came from: a source's URI, else how it was learnt (correction | interaction).
    source: item.source_uri ?? item.origin,
    committedAt: item.committed_at?.toISOString() ?? null,
    version: item.version,
  };
}

/** Review shows more: status, provenance, links, and the audit trail. */
function reviewJson(item: StoredItem) {
  return {
    ...itemJson(item),
    status: item.status,
    supporters: item.supporters.length,
    interactionIds: item.interaction_ids,
    feedbackIds: item.feedback_ids.map(Number),
    supersedes: item.supersedes === null ? null : Number(item.supersedes),
    supersededBy: item.superseded_by === null ? null : Number(item.superseded_by),
    conflictWith: item.conflict_with === null ? null : Number(item.conflict_with),
    createdAt: item.created_at.toISOString(),
    updatedAt: item.updated_at.toISOString(),
    // A source an interaction it was learnt from relied on has changed since (see README "Knowledge sources").
    stale: item.stale_at !== null,
    staleAt: item.stale_at?.toISOString() ?? null,
    events: item.events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
  };
}

/** What mining says the agent should reinforce and avoid (its open patterns in words, as strings); empty without an agent. */
async function guidanceOf(pool: pg.Pool, projectId: number, agent: string | undefined): Promise<{ reinforce: string[]; avoid: string[] }> {
  if (agent === undefined) return { reinforce: [], avoid: [] };
  const insights = await agentInsights(pool, projectId, agent);
  return {
    reinforce: insights.reinforce.map((i) => i.text),
    // Each failure pattern with its recommendation: one line an agent can put in its instructions.
    avoid: insights.avoid.map((i, n) => `${i.text} ${insights.suggested_improvements[n]?.text ?? ''}`.trim()),
  };
}

export function knowledgeRoutes(options: { pool: pg.Pool; auth: Auth; writeTimeoutMs: number; retryAfterSeconds: number; maxJsonDepth: number }): express.Router {
  const router = express.Router();
  const { pool, auth } = options;

  /** Committed knowledge for an agent (its own and shared), with an ETag; or, with ?status= or ?stale=true, items for review. */
  router.get('/knowledge', auth.require('read'), async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
    const stale = parsed.data.stale === 'true';
    const items = await listItems(pool, accessOf(res.locals).projectId, { ...parsed.data, stale });
    const body =
      parsed.data.status === 'committed' && !stale
        ? { items: items.map(itemJson), guidance: await guidanceOf(pool, accessOf(res.locals).projectId, parsed.data.agent) }
        : { items: items.map(reviewJson) };
    const json = JSON.stringify(body);
    const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
    res.set('ETag', etag);
    res.set('Cache-Control', 'no-cache');
    const given = req.get('If-None-Match');
    if (given !== undefined && given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(json);
  });

  /** Committed items for an agent ranked for a question (Postgres full-text search, ts_rank). */
  router.get('/knowledge/search', auth.require('read'), async (req, res) => {
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, `invalid query: ${z.prettifyError(parsed.error)}`);
    const items = await searchItems(pool, accessOf(res.locals).projectId, parsed.data);
    res.json({ items: items.map((item) => ({ ...itemJson(item), rank: Math.round(item.rank * 10_000) / 10_000 })) });
  });

  const decision = (to: 'committed' | 'rejected') => async (req: express.Request, res: express.Response) => {
    const id = String(req.params.id);
    if (!ID.test(id)) throw new HttpError(400, `knowledge item id must be a positive integer, got '${id}'`);
    const parsed = decisionBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new HttpError(400, `invalid body: ${z.prettifyError(parsed.error)}`);
    const access = accessOf(res.locals);
    try {
      await inTransaction(pool, options.writeTimeoutMs, (client) => decide(client, access.projectId, id, to, access.actor, parsed.data.reason ?? null));
    } catch (error) {
      if (error instanceof KnowledgeTransitionError) throw new HttpError(error.found ? 409 : 404, error.message);
      throw classifyDatabaseError(error, options.retryAfterSeconds, 'write');
    }
    const [item] = (await listItems(pool, access.projectId, { status: to, limit: MAX_ITEMS })).filter((i) => i.id === id);
    res.json(item === undefined ? { id: Number(id), status: to } : reviewJson(item));
  };

  /** A person commits a pending item (admin); optional body { "reason" }. */
  router.post('/knowledge/:id/approve', auth.require('admin'), ...jsonBody('64kb', options.maxJsonDepth), decision('committed'));
  /** A person rejects a pending item (admin); optional body { "reason" }. */
  router.post('/knowledge/:id/reject', auth.require('admin'), ...jsonBody('64kb', options.maxJsonDepth), decision('rejected'));

  return router;
}
