// REST reads of interactions: GET /api/interactions (filtered, newest first, cursor
// pagination) and GET /api/interactions/:id (with its spans and joined log records).
import express from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { getInteraction, type InteractionRow, listInteractions } from '../store/interaction-queries.ts';
import { qualityOf } from '../store/scores.ts';
import type { LogRow, SpanRow } from '../store/telemetry-rows.ts';
import { accessOf, type Auth } from './auth.ts';
import { HttpError } from './errors.ts';
import { qualityToJson } from './scores.ts';

/** Pages are never larger than this, whatever `limit` asks for. */
export const MAX_PAGE_SIZE = 500;

const cursorSchema = z.object({ t: z.string().regex(/^\d+$/), id: z.string().min(1) });

const listQuery = z
  .object({
    agent: z.string().min(1).optional(),
    session: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .default(50)
      .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
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

const count = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** The interaction as the API shows it: the fields of DESIGN.md's table, camelCase. */
export function interactionToJson(row: InteractionRow) {
  return {
    id: row.id,
    traceId: row.trace_id,
    spanId: row.span_id,
    operation: row.operation,
    name: row.name,
    timestamp: (row.start_time as Date).toISOString(),
    responseTimeMs: row.response_time_ms,
    timeToFirstTokenMs: row.time_to_first_token_ms,
    sessionId: row.session_id,
    userId: row.user_id,
    agent: {
      name: row.agent_name,
      id: row.agent_id,
      serviceName: row.service_name,
      serviceVersion: row.service_version,
    },
    systemInstructions: row.system_instructions,
    userInput: row.user_input,
    response: row.response,
    model: { request: row.request_model, response: row.response_model },
    provider: row.provider,
    tokens: {
      input: count(row.input_tokens),
      output: count(row.output_tokens),
      cacheReadInput: count(row.cache_read_input_tokens),
      cacheCreationInput: count(row.cache_creation_input_tokens),
      reasoningOutput: count(row.reasoning_output_tokens),
    },
    finishReasons: row.finish_reasons,
    tools: row.tools,
    intent: row.intent,
    confidence: row.confidence,
    knowledgeSources: row.knowledge_sources,
    promptVersion: row.prompt_version,
    expectedOutput: row.expected_output,
    status: row.status,
    error: row.error_type === null && row.error_message === null ? null : { type: row.error_type, message: row.error_message },
    spanIds: row.span_ids,
    conventions: row.conventions,
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

function spanToJson(row: SpanRow) {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind,
    startTimeUnixNano: row.start_time_unix_nano,
    endTimeUnixNano: row.end_time_unix_nano,
    status: { code: row.status_code, message: row.status_message },
    attributes: row.attributes,
    links: row.links,
    resource: row.resource.attributes,
    scope: { name: row.scope.name, version: row.scope.version },
  };
}

function logToEventJson(row: LogRow) {
  return {
    source: 'log_record',
    spanId: row.span_id,
    name: row.event_name || (typeof row.attributes['event.name'] === 'string' ? row.attributes['event.name'] : ''),
    timeUnixNano: row.time_unix_nano,
    severityNumber: row.severity_number,
    attributes: row.attributes,
    body: row.body,
  };
}
