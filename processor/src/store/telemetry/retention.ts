// Retention deletes of the raw telemetry tables (migration 0014): in bounded batches, each its
// own statement and transaction, so a delete never holds locks or bloats WAL for long.
import type pg from 'pg';

/** The raw telemetry tables, the only ones retention deletes from. */
export const RAW_TABLES = ['spans', 'log_records', 'metric_points'] as const;
export type RawTable = (typeof RAW_TABLES)[number];

/** Rows deleted per statement. */
export const RETENTION_BATCH = 5000;

export interface ProjectRetention {
  projectId: number;
  /** The project's own setting; null follows the processor's. */
  retentionDays: number | null;
}

export async function projectRetentions(db: pg.Pool | pg.ClientBase): Promise<ProjectRetention[]> {
  const { rows } = await db.query<ProjectRetention>('SELECT id AS "projectId", retention_days AS "retentionDays" FROM projects ORDER BY id');
  return rows;
}

/**
 * Deletes up to `limit` rows of `table` of the project received more than `days` days ago;
 * returns how many. The rows are picked by the (project_id, received_at) index, deleted by ctid.
 */
export async function deleteReceivedBefore(db: pg.Pool, table: RawTable, projectId: number, days: number, limit = RETENTION_BATCH): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
       SELECT ctid FROM ${table} WHERE project_id = $1 AND received_at < now() - make_interval(days => $2) LIMIT $3))`,
    [projectId, days, limit],
  );
  return rowCount ?? 0;
}
