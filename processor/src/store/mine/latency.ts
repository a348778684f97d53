// The SQL of latency decomposition: the most recent interactions of a period with, for each, the
// few facts of its spans that mine/latency.ts needs (times relative to the interaction's start).
import type pg from 'pg';
import type { InteractionTiming, TimedSpan } from '../../mine/latency.ts';
import type { Period } from '../../mine/report.ts';
import { agentCondition, unixNanoOf } from './report.ts';

/**
 * At most this many interactions (the most recent of the period) are decomposed per request:
 * 5000 with their spans read in 0.4 s (measured with the report's figures, store/mine/report.ts).
 */
export const LATENCY_SCAN_LIMIT = 5000;

type SpanTuple = [number, number, string | null, string | null, string | null, string | null, string | null];

/**
 * The timings of the period's most recent `limit` interactions of the agent (or the project),
 * newest first. A span's times are milliseconds from its interaction's start; only the span
 * attributes the categories read are taken from the spans table, never message content.
 */
export async function interactionTimings(
  pool: pg.Pool,
  projectId: number,
  period: Period,
  agent: string | undefined,
  limit = LATENCY_SCAN_LIMIT,
): Promise<InteractionTiming[]> {
  const params: unknown[] = [projectId, unixNanoOf(period.since), unixNanoOf(period.until), limit];
  const byAgent = agentCondition(params, agent);
  const { rows } = await pool.query<{ id: string; agent: string | null; response_time_ms: number; spans: SpanTuple[] | null }>(
    `SELECT i.id, coalesce(i.agent_name, i.agent_id, i.service_name) AS agent, i.response_time_ms, c.spans
     FROM (
       SELECT * FROM interactions i
       WHERE i.project_id = $1 AND i.start_time_unix_nano >= $2::bigint AND i.start_time_unix_nano < $3::bigint AND ${byAgent}
       ORDER BY i.start_time_unix_nano DESC, i.id DESC
       LIMIT $4
     ) i
     CROSS JOIN LATERAL (
       SELECT json_agg(json_build_array(
                ((s.start_time_unix_nano - i.start_time_unix_nano) / 1e6)::float8,
                ((s.end_time_unix_nano - i.start_time_unix_nano) / 1e6)::float8,
                s.attributes ->> 'gen_ai.operation.name',
                s.attributes ->> 'openinference.span.kind',
                s.attributes ->> 'gen_ai.tool.type',
                coalesce(s.attributes ->> 'gen_ai.tool.name', s.attributes ->> 'tool.name'),
                coalesce(s.attributes ->> 'gen_ai.response.model', s.attributes ->> 'gen_ai.request.model', s.attributes ->> 'llm.model_name')
              )) AS spans
       FROM spans s
       WHERE s.project_id = i.project_id AND s.trace_id = i.trace_id AND s.span_id = ANY (i.span_ids) AND s.span_id <> i.span_id
     ) c
     ORDER BY i.start_time_unix_nano DESC, i.id DESC`,
    params,
  );
  return rows.map((row) => ({
    id: row.id,
    agent: row.agent,
    startMs: 0,
    endMs: row.response_time_ms,
    spans: (row.spans ?? []).map(
      ([startMs, endMs, operation, spanKind, toolType, toolName, model]): TimedSpan => ({ startMs, endMs, operation, spanKind, toolType, toolName, model }),
    ),
  }));
}
