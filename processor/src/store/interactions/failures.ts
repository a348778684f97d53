// The interaction_failures table: traces whose spans and log records are stored but some of
// whose interactions could not be built (the normalize stage threw on them). One row per trace;
// the subtrees that failed are built again whenever more of the trace arrives, and the row goes
// once they build.
import type pg from 'pg';
import { toPostgresJson } from '../telemetry/rows.ts';

/** Why building failed; bounded (it is a metric label). */
export type BuildFailureReason = 'build_error';

export interface BuildFailure {
  traceId: string;
  /** Roots of the subtrees that could not be built (subtrees.ts). */
  spanIds: string[];
  reason: BuildFailureReason;
  /** What was thrown: name, message and stack. */
  error: string;
}

export interface StoredBuildFailure extends BuildFailure {
  /** Batches that failed to build this trace, the first one included. */
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

/** The text kept of a thrown value (the stack starts with name and message). */
const MAX_ERROR_CHARS = 4000;

export function errorText(thrown: unknown): string {
  const text = thrown instanceof Error ? (thrown.stack ?? `${thrown.name}: ${thrown.message}`) : String(thrown);
  return text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) : text;
}

/**
 * After a rebuild of `traceIds`: records the failures (a trace seen failing before counts one
 * more attempt) and clears the traces that built.
 */
export async function settleFailures(
  client: pg.ClientBase,
  projectId: number,
  traceIds: string[],
  failures: readonly BuildFailure[],
): Promise<void> {
  const failed = new Set(failures.map((f) => f.traceId));
  const built = traceIds.filter((t) => !failed.has(t));
  if (built.length > 0) {
    await client.query('DELETE FROM interaction_failures WHERE project_id = $1 AND trace_id = ANY($2::text[])', [projectId, built]);
  }
  if (failures.length === 0) return;
  await client.query(
    `INSERT INTO interaction_failures (project_id, trace_id, span_ids, reason, error)
     SELECT $1, f.trace_id, f.span_ids, f.reason, f.error
     FROM jsonb_to_recordset($2::jsonb) AS f (trace_id text, span_ids text[], reason text, error text)
     ON CONFLICT (project_id, trace_id) DO UPDATE SET
       span_ids = EXCLUDED.span_ids, reason = EXCLUDED.reason, error = EXCLUDED.error,
       attempts = interaction_failures.attempts + 1, last_failed_at = now()`,
    [projectId, toPostgresJson(failures.map((f) => ({ trace_id: f.traceId, span_ids: f.spanIds, reason: f.reason, error: f.error })))],
  );
}

/** The project's recorded failures, the most recent first. */
export async function listFailures(client: pg.ClientBase | pg.Pool, projectId: number, limit: number): Promise<StoredBuildFailure[]> {
  const { rows } = await client.query<{
    trace_id: string;
    span_ids: string[];
    reason: BuildFailureReason;
    error: string;
    attempts: number;
    first_failed_at: Date;
    last_failed_at: Date;
  }>(
    `SELECT trace_id, span_ids, reason, error, attempts, first_failed_at, last_failed_at
     FROM interaction_failures WHERE project_id = $1
     ORDER BY last_failed_at DESC, trace_id
     LIMIT $2`,
    [projectId, limit],
  );
  return rows.map((r) => ({
    traceId: r.trace_id,
    spanIds: r.span_ids,
    reason: r.reason,
    error: r.error,
    attempts: r.attempts,
    firstFailedAt: r.first_failed_at,
    lastFailedAt: r.last_failed_at,
  }));
}
