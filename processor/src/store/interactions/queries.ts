// Reads of the interactions table for the REST API, newest first, with keyset pagination.
import type pg from 'pg';
import type { LogRow, SpanRow } from '../telemetry/rows.ts';
import type { InteractionRow } from './rows.ts';

export type { InteractionRow } from './rows.ts';

export interface InteractionFilter {
  agent?: string | undefined;
  session?: string | undefined;
  user?: string | undefined;
  /** Inclusive lower bound on the start time (ISO timestamp). */
  since?: string | undefined;
  /** Exclusive upper bound on the start time (ISO timestamp). */
  until?: string | undefined;
  /** Continue after this (start_time_unix_nano, id), from the previous page's last row. */
  after?: { startTimeUnixNano: string; id: string } | undefined;
  limit: number;
}


export async function listInteractions(pool: pg.Pool, projectId: number, filter: InteractionFilter): Promise<InteractionRow[]> {
  const where: string[] = ['project_id = $1'];
  const params: unknown[] = [projectId];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.agent !== undefined) add((p) => `(agent_name = ${p} OR agent_id = ${p})`, filter.agent);
  if (filter.session !== undefined) add((p) => `session_id = ${p}`, filter.session);
  if (filter.user !== undefined) add((p) => `user_id = ${p}`, filter.user);
  if (filter.since !== undefined) add((p) => `start_time >= ${p}::timestamptz`, filter.since);
  if (filter.until !== undefined) add((p) => `start_time < ${p}::timestamptz`, filter.until);
  if (filter.after !== undefined) {
    params.push(filter.after.startTimeUnixNano, filter.after.id);
    where.push(`(start_time_unix_nano, id) < ($${params.length - 1}::bigint, $${params.length})`);
  }
  params.push(filter.limit);
  const { rows } = await pool.query<InteractionRow>(
    `SELECT * FROM interactions
     WHERE ${where.join(' AND ')}
     ORDER BY start_time_unix_nano DESC, id DESC
     LIMIT $${params.length}`,
    params,
  );
  return rows;
}

export interface InteractionDetail {
  interaction: InteractionRow;
  spans: SpanRow[];
  logRecords: LogRow[];
}

/** One interaction of a project with the spans folded into it and the log records joined to those spans. */
export async function getInteraction(pool: pg.Pool, projectId: number, id: string): Promise<InteractionDetail | null> {
  const { rows } = await pool.query<InteractionRow>('SELECT * FROM interactions WHERE project_id = $1 AND id = $2', [projectId, id]);
  const interaction = rows[0];
  if (!interaction) return null;
  const [spans, logs] = await Promise.all([
    pool.query<SpanRow>(
      `SELECT * FROM spans WHERE project_id = $1 AND trace_id = $2 AND span_id = ANY($3::text[])
       ORDER BY start_time_unix_nano, span_id`,
      [projectId, interaction.trace_id, interaction.span_ids],
    ),
    pool.query<LogRow>(
      `SELECT * FROM log_records WHERE project_id = $1 AND trace_id = $2 AND span_id = ANY($3::text[])
       ORDER BY time_unix_nano, arrival`,
      [projectId, interaction.trace_id, interaction.span_ids],
    ),
  ]);
  return { interaction, spans: spans.rows, logRecords: logs.rows };
}
