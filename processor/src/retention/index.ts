// The retention stage: one periodic job that deletes raw telemetry (spans, log records, metric
// points) past each project's retention, in bounded batches, one replica at a time.
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../runtime/logger.ts';
import type { Stage } from '../runtime/stage.ts';
import { deleteReceivedBefore, projectRetentions, RAW_TABLES, type RawTable } from '../store/telemetry/retention.ts';
import { RETENTION_SETTINGS } from './config.ts';
import { retentionTargets } from './plan.ts';
import type pg from 'pg';

export { RETENTION_SETTINGS, type RetentionConfig } from './config.ts';
export { retentionTargets } from './plan.ts';

const COUNTERS = new WeakMap<Registry, Counter<'table'>>();

function deletedCounter(registry: Registry): Counter<'table'> {
  let counter = COUNTERS.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'flywheel_retention_deleted_total',
      help: 'Raw telemetry rows deleted by retention, by table',
      labelNames: ['table'],
      registers: [registry],
    });
    for (const table of RAW_TABLES) counter.inc({ table }, 0);
    COUNTERS.set(registry, counter);
  }
  return counter;
}

/**
 * Deletes what has expired, batch by batch, until nothing is left or `signal` aborts; returns
 * the rows deleted per table.
 */
export async function applyRetention(
  pool: pg.Pool,
  globalDays: number | undefined,
  signal: AbortSignal,
  onDeleted: (table: RawTable, rows: number) => void = () => undefined,
): Promise<Record<RawTable, number>> {
  const deleted: Record<RawTable, number> = { spans: 0, log_records: 0, metric_points: 0 };
  for (const { projectId, days } of retentionTargets(await projectRetentions(pool), globalDays)) {
    for (const table of RAW_TABLES) {
      for (;;) {
        signal.throwIfAborted();
        const rows = await deleteReceivedBefore(pool, table, projectId, days);
        deleted[table] += rows;
        if (rows > 0) onDeleted(table, rows);
        if (rows === 0) break;
      }
    }
  }
  return deleted;
}

function logDeleted(log: Logger, deleted: Record<RawTable, number>): void {
  const parts = RAW_TABLES.filter((t) => deleted[t] > 0).map((t) => `${deleted[t]} ${t}`);
  if (parts.length > 0) log.info(`retention: deleted ${parts.join(', ')}`);
}

export const retention: Stage<typeof RETENTION_SETTINGS> = {
  name: 'retention',
  settings: RETENTION_SETTINGS,
  // The job's deletes, one statement at a time.
  connections: () => 1,
  start({ registry }) {
    deletedCounter(registry);
    return { stop: async () => undefined };
  },
  periodic(config) {
    return [
      {
        name: 'retention',
        everyMs: config.retentionIntervalMs,
        run: async ({ pool, config: c, registry, log }, signal) => {
          const counter = deletedCounter(registry);
          logDeleted(log, await applyRetention(pool, c.retentionDays, signal, (table, rows) => counter.inc({ table }, rows)));
        },
      },
    ];
  },
};
