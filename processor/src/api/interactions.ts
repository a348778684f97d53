// REST reads of interactions: GET /api/interactions (filtered, newest first, cursor
// pagination) and GET /api/interactions/:id (with its spans and joined log records).
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { getInteraction, type InteractionRow, listInteractions } from '../store/interactions/queries.ts';
import { qualityOf } from '../store/quality/scores.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';
import { interactionToJson, logToEventJson, qualityToJson, spanToJson } from './views.ts';

/** Pages are never larger than this, whatever `limit` asks for. */
export const MAX_PAGE_SIZE = 500;

/** `limit` of a listing: 50 unless given, never more than MAX_PAGE_SIZE. */
export const pageLimit = z.coerce
  .number()
  .int()
  .min(1)
  .default(50)
  .transform((n) => Math.min(n, MAX_PAGE_SIZE));

const cursorSchema = z.object({ t: z.string().regex(/^\d+$/), id: z.string().min(1) });

const listQuery = z
  .object({
    agent: z.string().min(1).optional(),
    session: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    limit: pageLimit,
    cursor: z.string().min(1).optional(),
  })
  .strict();

const idParam = z.string().regex(/^[0-9a-f]{32}-[0-9a-f]{16}$/, 'id must be <32 hex trace id>-<16 hex span id>');

export function interactionRoutes(pool: pg.Pool, auth: Auth): express.Router {
  const router = express.Router();

  /** Lists the project's interactions, newest first; `nextCursor` fetches the following page. */
  router.get('/interactions', auth.require('read'), async (req, res) => {
    const query = parse(listQuery, req.query, 'query');
    const rows = await listInteractions(pool, accessOf(res.locals).projectId, {
      agent: query.agent,
      session: query.session,
      user: query.user,
      since: query.since,
      until: query.until,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit,
    });
    const last = rows.at(-1);
    res.json({
      interactions: rows.map(interactionToJson),
      nextCursor: last && rows.length === query.limit ? encodeCursor(last) : null,
    });
  });

  /** One interaction with its spans and the GenAI events joined to them. */
  router.get('/interactions/:id', auth.require('read'), async (req, res) => {
    const id = parse(idParam, req.params.id, 'id');
    const { projectId } = accessOf(res.locals);
    const detail = await getInteraction(pool, projectId, id);
    if (!detail) throw new HttpError(404, `no interaction with id ${id}`);
    res.json({
      ...interactionToJson(detail.interaction),
      spans: detail.spans.map(spanToJson),
      events: [
        ...detail.spans.flatMap((s) => s.events.map((e) => ({ source: 'span_event', spanId: s.span_id, ...e }))),
        ...detail.logRecords.map(logToEventJson),
      ],
      quality: qualityToJson(await qualityOf(pool, projectId, id)),
    });
  });

  return router;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function encodeCursor(row: InteractionRow): string {
  return Buffer.from(JSON.stringify({ t: row.start_time_unix_nano, id: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): { startTimeUnixNano: string; id: string } {
  try {
    const { t, id } = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { startTimeUnixNano: t, id };
  } catch {
    throw new HttpError(400, 'invalid query: cursor is not one this API returned (use nextCursor as given)');
  }
}
