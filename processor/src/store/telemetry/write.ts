// Writes one decoded OTLP batch in one transaction and brings the interactions of every trace it
// touches up to date (../interactions/refresh.ts). Each statement carries the whole batch as one
// jsonb parameter (jsonb_populate_recordset), so a batch costs a handful of round trips whatever
// its size.
// Measured on a 2-core machine, 512 GenAI spans per batch: jsonb_populate_recordset 19.8 ms,
// json_populate_recordset 22.1 ms, COPY into a temp table + INSERT ... ON CONFLICT 23.5 ms,
// raw COPY into the table (no idempotency) 22.9 ms.
import type pg from 'pg';
import type { LogRecord, MetricPointRecord, SpanRecord } from '../../otlp/records.ts';
import { insertFeedback } from '../quality/feedback.ts';
import { type Changes, type NewSpan, type Normalizer, probeTraces, refreshInteractions } from '../interactions/refresh.ts';
import { LOG_COLUMNS, logToRow, METRIC_COLUMNS, metricPointToRow, SPAN_COLUMNS, spanToRow, toPostgresJson } from './rows.ts';
import { lockTraces } from '../trace-locks.ts';
import { addSpan } from '../interactions/subtrees.ts';

/**
 * Settings for ingest transactions. Every ingest query is an index lookup by trace id, but
 * a table that grew since its last ANALYZE gets seq-scan plans (68 ms instead of < 1 ms at
 * 120k spans, growing with the table): rule them out.
 */
export const INGEST_SETTINGS = { enable_seqscan: 'off' };

export interface WriteResult {
  /** Items newly stored. */
  stored: number;
  /** Items already stored by an earlier export (a retry): skipped. */
  duplicates: number;
  /** Interactions inserted or recomputed. */
  interactions: number;
  /** Traces some of whose interactions could not be built (recorded in interaction_failures). */
  buildFailures: number;
}


const NOTHING: WriteResult = { stored: 0, duplicates: 0, interactions: 0, buildFailures: 0 };

/** Stores spans of one project (idempotent on trace_id, span_id) and updates the interactions they change. */
export async function writeSpans(
  client: pg.ClientBase,
  projectId: number,
  spans: SpanRecord[],
  normalizer: Normalizer,
): Promise<WriteResult> {
  if (spans.length === 0) return NOTHING;
  const traceIds = unique(spans.map((s) => s.traceId));
  await lockTraces(client, projectId, traceIds);
  // Probed before the insert: a trace none of whose spans was stored before is walked in memory.
  const states = await probeTraces(client, projectId, traceIds);
  const batch = dedupe(spans, (s) => `${s.traceId}${s.spanId}`).map((span) => ({ span, role: normalizer.spanRoleOf(span) }));
  const inserted = await client.query<{ trace_id: string; span_id: string }>(
    `INSERT INTO spans (project_id, ${SPAN_COLUMNS}, genai_role)
     SELECT $2, ${SPAN_COLUMNS}, genai_role FROM jsonb_populate_recordset(null::spans, $1::jsonb)
     ON CONFLICT (project_id, trace_id, span_id) DO NOTHING
     RETURNING trace_id, span_id`,
    [toPostgresJson(batch.map(({ span, role }) => ({ ...spanToRow(span), genai_role: role }))), projectId],
  );
  const byKey = new Map(batch.map((b) => [`${b.span.traceId}/${b.span.spanId}`, b]));
  const changes: Changes = { spans: new Map(), spansWithNewLogs: new Map() };
  for (const row of inserted.rows) {
    let trace = changes.spans.get(row.trace_id);
    if (trace === undefined) changes.spans.set(row.trace_id, (trace = new Map()));
    trace.set(row.span_id, byKey.get(`${row.trace_id}/${row.span_id}`) as NewSpan);
  }
  // A batch of retries only (nothing new of a trace) changes nothing of it.
  const changed = new Map([...states].filter(([traceId]) => changes.spans.has(traceId)));
  const refreshed = await refreshInteractions(client, projectId, changed, changes, normalizer);
  const stored = inserted.rowCount ?? 0;
  return { stored, duplicates: spans.length - stored, interactions: refreshed.interactions, buildFailures: refreshed.failures.length };
}

/** Stores log records of one project (idempotent on a content hash); GenAI events among them update their interactions. */
export async function writeLogs(
  client: pg.ClientBase,
  projectId: number,
  records: LogRecord[],
  normalizer: Normalizer,
): Promise<WriteResult> {
  if (records.length === 0) return NOTHING;
  const keyed = dedupe(records.map((record) => ({ record, row: logToRow(record) })), (r) => r.row.content_hash);
  const rows = keyed.map((k) => k.row);
  await lockTraces(client, projectId, unique(rows.flatMap((r) => (r.trace_id ? [r.trace_id] : []))));
  const inserted = await client.query<{ trace_id: string | null; span_id: string | null }>(
    `INSERT INTO log_records (project_id, ${LOG_COLUMNS})
     SELECT $2, ${LOG_COLUMNS} FROM jsonb_populate_recordset(null::log_records, $1::jsonb)
     ON CONFLICT (project_id, content_hash) DO NOTHING
     RETURNING trace_id, span_id`,
    [toPostgresJson(rows), projectId],
  );
  // User feedback (gen_ai.evaluation.result) also goes to the feedback table, as from POST /api/feedback.
  await insertFeedback(client, projectId, normalizer.feedbackFromLogs(keyed.map((k) => ({ record: k.record, contentHash: k.row.content_hash }))));
  // A record naming no span (or a span not stored) changes no interaction: it joins a span by
  // its span id only (an evaluation's fallback join by response id only feeds Interaction.events,
  // which is not stored).
  const changes: Changes = { spans: new Map(), spansWithNewLogs: new Map() };
  for (const row of inserted.rows) if (row.trace_id !== null && row.span_id !== null) addSpan(changes.spansWithNewLogs, row.trace_id, row.span_id);
  const states = changes.spansWithNewLogs.size === 0 ? new Map() : await probeTraces(client, projectId, [...changes.spansWithNewLogs.keys()]);
  const refreshed = await refreshInteractions(client, projectId, states, changes, normalizer);
  const stored = inserted.rowCount ?? 0;
  return { stored, duplicates: records.length - stored, interactions: refreshed.interactions, buildFailures: refreshed.failures.length };
}

/** Stores metric data points of one project (idempotent on a content hash). */
export async function writeMetricPoints(client: pg.ClientBase, projectId: number, points: MetricPointRecord[]): Promise<WriteResult> {
  if (points.length === 0) return NOTHING;
  const rows = dedupe(points.map(metricPointToRow), (r) => r.content_hash);
  const inserted = await client.query(
    `INSERT INTO metric_points (project_id, ${METRIC_COLUMNS})
     SELECT $2, ${METRIC_COLUMNS} FROM jsonb_populate_recordset(null::metric_points, $1::jsonb)
     ON CONFLICT (project_id, content_hash) DO NOTHING`,
    [toPostgresJson(rows), projectId],
  );
  return { ...NOTHING, stored: inserted.rowCount ?? 0, duplicates: points.length - (inserted.rowCount ?? 0) };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(key(item), item);
  return seen.size === items.length ? items : [...seen.values()];
}
