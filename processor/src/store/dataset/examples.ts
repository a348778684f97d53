// The rows training datasets are made of, read in keyset-ordered batches so an export of any
// size holds one batch at a time: gate-eligible interactions (by id), and corrections joined to
// the interaction they correct (by feedback id). Rows committed behind the cursor while an export
// runs are not in it; nothing is read twice.
import type pg from 'pg';
import type { InteractionRow } from '../interactions/rows.ts';

export interface ExampleFilter {
  /** agent_name or agent_id. */
  agent: string;
  /** On the interaction's start time: since inclusive, until exclusive (ISO 8601). */
  since?: string;
  until?: string;
  /** Every scored dimension (accuracy, completeness, relevance, timeliness) at least this. */
  minQuality?: number;
}

type ExampleColumns = Pick<InteractionRow, 'id' | 'system_instructions' | 'user_input' | 'response' | 'tools'>;

export type CorrectionRow = ExampleColumns & { feedback_id: string; correction: string };

const COLUMNS = 'i.id, i.system_instructions, i.user_input, i.response, i.tools';

function whereOf(filter: ExampleFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  add((p) => `(i.agent_name = ${p} OR i.agent_id = ${p})`, filter.agent);
  if (filter.since !== undefined) add((p) => `i.start_time >= ${p}::timestamptz`, filter.since);
  if (filter.until !== undefined) add((p) => `i.start_time < ${p}::timestamptz`, filter.until);
  return where;
}

/**
 * The project's gate-eligible interactions (interaction_scores.eligible) of one agent, by id.
 * With statistics, a batch is a merge join of the two primary keys from the cursor on: 8 ms for
 * 500 rows of 100k (EXPLAIN ANALYZE, embedded Postgres); without them (a bulk load before
 * autovacuum's ANALYZE) the planner sorts all rows past the cursor for each batch, 670 ms.
 */
export async function* eligibleInteractions(pool: pg.Pool, projectId: number, filter: ExampleFilter, batchSize: number): AsyncGenerator<ExampleColumns> {
  let after = '';
  for (;;) {
    const params: unknown[] = [projectId, after];
    const where = whereOf(filter, params);
    if (filter.minQuality !== undefined) {
      params.push(filter.minQuality);
      // LEAST skips nulls: a dimension without evidence does not count against the interaction.
      where.push(`LEAST(s.accuracy, s.completeness, s.relevance, s.timeliness) >= $${params.length}`);
    }
    params.push(batchSize);
    const { rows } = await pool.query<ExampleColumns>(
      `SELECT ${COLUMNS} FROM interactions i
       JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
       WHERE i.project_id = $1 AND i.id > $2 AND s.eligible AND ${where.join(' AND ')}
       ORDER BY i.id LIMIT $${params.length}`,
      params,
    );
    yield* rows;
    if (rows.length < batchSize) return;
    after = (rows.at(-1) as ExampleColumns).id;
  }
}

/** The project's feedback corrections on interactions of one agent, each with that interaction, by feedback id. */
export async function* corrections(pool: pg.Pool, projectId: number, filter: ExampleFilter, batchSize: number): AsyncGenerator<CorrectionRow> {
  let after = '0';
  for (;;) {
    const params: unknown[] = [projectId, after];
    const where = whereOf(filter, params);
    params.push(batchSize);
    const { rows } = await pool.query<CorrectionRow>(
      `SELECT f.id AS feedback_id, f.correction, ${COLUMNS} FROM feedback f
       JOIN interactions i ON i.project_id = f.project_id AND i.trace_id = f.trace_id AND i.span_id = f.span_id
       WHERE f.project_id = $1 AND f.id > $2::bigint AND f.correction IS NOT NULL AND ${where.join(' AND ')}
       ORDER BY f.id LIMIT $${params.length}`,
      params,
    );
    yield* rows;
    if (rows.length < batchSize) return;
    after = (rows.at(-1) as CorrectionRow).feedback_id;
  }
}
