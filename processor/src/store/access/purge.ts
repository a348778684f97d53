// Deleting everything of one project: every table with a project_id column (found in the
// catalog, so a table added later is covered without a change here), in bounded batches, in
// an order that satisfies the foreign keys between them; then the project itself.
import type pg from 'pg';
import { DEFAULT_PROJECT } from './projects.ts';

/** Rows deleted per statement. */
export const PURGE_BATCH = 5000;

/** A foreign key between two tables of the schema: `from` references `to`. */
export interface TableReference {
  from: string;
  to: string;
}

/**
 * The order to empty `tables` in: a table before every table it references, so no delete
 * breaks a foreign key; api_keys first, so the project's keys stop working before its data
 * goes. Ties keep alphabetical order. Throws on a reference cycle (none exists; a future one
 * needs a deliberate order).
 */
export function purgeOrder(tables: readonly string[], references: readonly TableReference[]): string[] {
  const pending = new Set(tables);
  const order: string[] = [];
  const referencedBy = (table: string) => references.filter((r) => r.to === table && r.from !== table && pending.has(r.from));
  if (pending.has('api_keys') && referencedBy('api_keys').length === 0) {
    order.push('api_keys');
    pending.delete('api_keys');
  }
  while (pending.size > 0) {
    const ready = [...pending].sort().find((t) => referencedBy(t).length === 0);
    if (ready === undefined) throw new Error(`cannot order the purge: the foreign keys among ${[...pending].join(', ')} form a cycle`);
    order.push(ready);
    pending.delete(ready);
  }
  return order;
}

/** The tables of the current schema with a project_id column, and the foreign keys among them. */
export async function projectTables(db: pg.Pool | pg.ClientBase): Promise<{ tables: string[]; references: TableReference[] }> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND c.column_name = 'project_id' AND t.table_type = 'BASE TABLE'
     ORDER BY c.table_name`,
  );
  const references = await db.query<TableReference>(
    `SELECT DISTINCT cl.relname AS "from", ref.relname AS "to"
     FROM pg_constraint con
     JOIN pg_class cl ON cl.oid = con.conrelid
     JOIN pg_class ref ON ref.oid = con.confrelid
     WHERE con.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace`,
  );
  return { tables: tables.rows.map((r) => r.table_name), references: references.rows };
}

/** Deletes up to `limit` rows of the project from `table`; returns how many. */
export async function deleteProjectRows(db: pg.Pool, table: string, projectId: number, limit = PURGE_BATCH): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM "${table}" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "${table}" WHERE project_id = $1 LIMIT $2))`,
    [projectId, limit],
  );
  return rowCount ?? 0;
}

export interface PurgeProgress {
  table: string;
  /** Rows of this table deleted so far. */
  deleted: number;
  /** True on the table's last report. */
  done: boolean;
}

/** Passes over every table at most; a running processor's stages may derive rows from ones a pass already deleted. */
const MAX_PASSES = 5;

/**
 * Deletes every row of the project, table by table in purgeOrder, batch by batch, reporting
 * progress; passes again while the last pass found rows (work a running processor derived in
 * the meantime); then deletes the project's row, except for the default project (local mode
 * writes to it). Returns the rows deleted per table.
 */
export async function purgeProject(pool: pg.Pool, projectId: number, onProgress: (p: PurgeProgress) => void = () => undefined): Promise<Map<string, number>> {
  const { tables, references } = await projectTables(pool);
  const order = purgeOrder(tables, references);
  const deleted = new Map<string, number>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let found = 0;
    for (const table of order) {
      let total = deleted.get(table) ?? 0;
      for (;;) {
        const rows = await deleteProjectRows(pool, table, projectId);
        total += rows;
        found += rows;
        if (rows < PURGE_BATCH) break;
        onProgress({ table, deleted: total, done: false });
      }
      if (pass === 0 || total !== deleted.get(table)) onProgress({ table, deleted: total, done: true });
      deleted.set(table, total);
    }
    if (found === 0) break;
  }
  if (projectId !== DEFAULT_PROJECT.id) {
    const { rowCount } = await pool.query('DELETE FROM projects WHERE id = $1', [projectId]);
    deleted.set('projects', rowCount ?? 0);
  }
  return deleted;
}
