// REST routes of knowledge sources: register one (admin), list them with how their refreshes
// went (read), remove one (admin; its items are retired, kept as history). The caller's project.
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { parseUpdateFrequency } from '../knowledge/sources.ts';
import { lockSourceItems, retireItem } from '../store/knowledge/source-items.ts';
import { deleteSource, listSources, registerSource, type SourceRow } from '../store/knowledge/sources.ts';
import { inTransaction } from '../store/transaction.ts';
import { accessOf, type Auth } from './auth.ts';
import { classifyDatabaseError, HttpError } from './errors.ts';
import { jsonBody } from './json-body.ts';

const SCHEMES = ['http:', 'https:', 'file:'];

const uri = z
  .string()
  .min(1)
  .max(2048)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `uri must be an absolute http://, https:// or file:// URL, got '${value}'` });
      return;
    }
    if (!SCHEMES.includes(url.protocol)) {
      ctx.addIssue({ code: 'custom', message: `uri must use http://, https:// or file://, got ${url.protocol}//` });
    } else if (url.protocol === 'file:' && url.host !== '' && url.host !== 'localhost') {
      ctx.addIssue({ code: 'custom', message: `a file:// uri names a file of this machine (file:///path), got host '${url.host}'` });
    }
  });

const registration = z
  .object({
    uri,
    updateFrequency: z.union([z.number(), z.string().max(100)]).transform((value, ctx) => {
      try {
        return parseUpdateFrequency(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
    agent: z.string().min(1).max(500).nullable().default(null),
    trusted: z.boolean().default(false),
  })
  .strict();

const ID = /^[1-9][0-9]{0,17}$/;

/** A source as the routes show it. */
function sourceJson(source: SourceRow & { items: number }) {
  return {
    id: Number(source.id),
    uri: source.uri,
    agent: source.agent,
    updateFrequency: source.update_frequency_s,
    trusted: source.trusted,
    lastFetchedAt: source.last_fetched_at?.toISOString() ?? null,
    lastChangedAt: source.last_changed_at?.toISOString() ?? null,
    nextFetchAt: source.next_fetch_at.toISOString(),
    status: source.status,
    error: source.error,
    items: source.items,
  };
}

export function sourceRoutes(options: { pool: pg.Pool; auth: Auth; writeTimeoutMs: number; retryAfterSeconds: number; maxJsonDepth: number }): express.Router {
  const router = express.Router();
  const { pool, auth } = options;

  /** Registers a knowledge source (admin): { uri, updateFrequency, agent?, trusted? }; 201, or 409 with the one already registered. */
  router.post('/sources', auth.require('admin'), ...jsonBody('64kb', options.maxJsonDepth), async (req, res) => {
    const parsed = registration.safeParse(req.body ?? {});
    if (!parsed.success) throw new HttpError(400, `invalid body: ${z.prettifyError(parsed.error)}`);
    const { uri: given, updateFrequency, agent, trusted } = parsed.data;
    const { created, source } = await registerSource(pool, accessOf(res.locals).projectId, { uri: given, agent, frequencyS: updateFrequency, trusted });
    if (!created) {
      const scope = agent === null ? 'shared by all agents' : `for agent '${agent}'`;
      res.status(409).json({ error: `${given} is already registered ${scope} as source ${source.id}; DELETE it first to change it`, source: sourceJson(source) });
      return;
    }
    res.status(201).json(sourceJson(source));
  });

  /** The project's knowledge sources and how their last refreshes went (read). */
  router.get('/sources', auth.require('read'), async (_req, res) => {
    res.json({ sources: (await listSources(pool, accessOf(res.locals).projectId)).map(sourceJson) });
  });

  /** Removes a knowledge source (admin); its live items are retired (superseded by nothing), kept as history. */
  router.delete('/sources/:id', auth.require('admin'), async (req, res) => {
    const id = String(req.params.id);
    if (!ID.test(id)) throw new HttpError(400, `source id must be a positive integer, got '${id}'`);
    const access = accessOf(res.locals);
    let retired: number;
    try {
      retired = await inTransaction(pool, options.writeTimeoutMs, async (client) => {
        const source = await deleteSource(client, access.projectId, id);
        if (source === null) return -1;
        const live = (await lockSourceItems(client, access.projectId, source.uri, source.agent)).filter((i) => i.status === 'pending' || i.status === 'committed');
        for (const item of live) await retireItem(client, access.projectId, item.id, `source ${id} (${source.uri}) was deleted by ${access.actor}`);
        return live.length;
      });
    } catch (error) {
      throw classifyDatabaseError(error, options.retryAfterSeconds, 'write');
    }
    if (retired < 0) throw new HttpError(404, `no source ${id}`);
    res.json({ id: Number(id), deleted: true, retiredItems: retired });
  });

  return router;
}
