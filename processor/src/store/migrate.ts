// Schema migrations: numbered .sql files in ./migrations, applied in order in one
// transaction under a Postgres advisory lock, so processes starting at once never race:
// the second waits for the lock, then finds nothing left to do.
//
// Rolling upgrades follow graphile-worker's rule (its sql/*.sql files and src/migrate.ts): a
// migration is safe for older processors unless the comment block at the top of its file has
// the line `--! breaking-change`. The flag is recorded in flywheel_migrations.breaking. A
// processor that knows migrations up to N, started against a database at M > N, refuses to
// start only when one of N+1..M is breaking; otherwise it runs, since a safe migration only
// adds what the older code neither reads nor writes (a table, a nullable or defaulted column,
// an index). Mark a migration breaking when older code would fail or write wrong data
// against it: a dropped or renamed table or column, a NOT NULL column without a default, a
// changed key or constraint that older INSERTs or ON CONFLICT clauses do not satisfy.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { type Logger, silentLogger } from '../runtime/logger.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Arbitrary constant naming our lock (pg_advisory_xact_lock takes a bigint). */
const MIGRATION_LOCK_KEY = 7_318_211_042;

/** The one directive a migration's leading comment block may hold. */
const BREAKING_CHANGE = '--! breaking-change';

export interface Migration {
  id: number;
  name: string;
  sql: string;
  /** Older processors cannot run against the schema once this is applied (`--! breaking-change`). */
  breaking: boolean;
}

/** A row of flywheel_migrations. */
export interface AppliedMigration {
  id: number;
  name: string;
  breaking: boolean;
}

/** Thrown when the database has a breaking migration this processor does not know (it is older). */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const migrations = await Promise.all(
    files.map(async (file) => {
      const name = file.replace(/\.sql$/, '');
      const sql = await readFile(path.join(dir, file), 'utf8');
      return { id: Number.parseInt(file.slice(0, 4), 10), name, sql, breaking: isBreaking(name, sql) };
    }),
  );
  migrations.forEach((m, index) => {
    if (m.id !== index + 1) throw new Error(`migration ${m.name} is out of sequence: expected number ${index + 1}`);
  });
  return migrations;
}

/**
 * True when the leading comment block (the `--` and blank lines before the first statement)
 * has the line `--! breaking-change`. Any other `--!` line, or one further down, is refused:
 * a misspelt or misplaced marker would otherwise pass a breaking migration off as safe.
 */
export function isBreaking(name: string, sql: string): boolean {
  const lines = sql.split(/\r?\n/).map((line) => line.trim());
  const firstStatement = lines.findIndex((line) => line !== '' && !line.startsWith('--'));
  let breaking = false;
  lines.forEach((line, index) => {
    if (!line.startsWith('--!')) return;
    const where = `migration ${name}, line ${index + 1}: '${line}'`;
    if (line !== BREAKING_CHANGE) throw new Error(`${where} is not a known directive; the only one is '${BREAKING_CHANGE}'`);
    if (firstStatement !== -1 && index > firstStatement) {
      throw new Error(`${where} must be in the comment block at the top of the file, before the first statement`);
    }
    breaking = true;
  });
  return breaking;
}

/**
 * The applied migrations this processor does not know (it is older than the schema). Throws
 * SchemaTooNewError naming them when one is breaking; an empty list means the processor is current.
 */
export function unknownMigrations(known: readonly Migration[], applied: readonly AppliedMigration[]): AppliedMigration[] {
  const latestKnown = known.at(-1);
  const unknown = applied.filter((m) => m.id > (latestKnown?.id ?? 0));
  const breaking = unknown.filter((m) => m.breaking).map((m) => m.name);
  if (breaking.length > 0) {
    throw new SchemaTooNewError(
      `${newerThanKnown(unknown, latestKnown)}, and ${breaking.join(', ')} ${breaking.length === 1 ? 'is' : 'are'} ` +
        `marked breaking-change: older processors cannot run against it; ` +
        `upgrade the processor or point it at another database`,
    );
  }
  return unknown;
}

function newerThanKnown(unknown: readonly AppliedMigration[], latestKnown: Migration | undefined): string {
  return (
    `the database schema is at migration ${unknown.at(-1)?.name}, newer than this processor knows ` +
    `(up to ${latestKnown?.name ?? 'none'})`
  );
}

export interface MigrateOptions {
  /** Defaults to the files in ./migrations. */
  migrations?: Migration[];
  /** Gets the warning when the schema is newer than this processor but safe for it. */
  log?: Logger;
}

/** Applies every pending migration; returns the names applied (empty when up to date). */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<string[]> {
  const all = options.migrations ?? (await loadMigrations());
  const log = options.log ?? silentLogger;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS flywheel_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    await addBreakingColumn(client);
    const { rows } = await client.query<AppliedMigration>('SELECT id, name, breaking FROM flywheel_migrations ORDER BY id');
    const unknown = unknownMigrations(all, rows);
    if (unknown.length > 0) {
      log.warn(
        `${newerThanKnown(unknown, all.at(-1))}; this processor can run against it, since none of ` +
          `${unknown.map((m) => m.name).join(', ')} is marked breaking-change (they only add what it does not use)`,
      );
    }
    const applied = new Set(rows.map((r) => r.id));
    const pending = all.filter((m) => !applied.has(m.id));
    for (const migration of pending) {
      // The row goes in first: a replica that somehow got past the lock clashes on the key.
      await client.query('INSERT INTO flywheel_migrations (id, name, breaking) VALUES ($1, $2, $3)', [
        migration.id,
        migration.name,
        migration.breaking,
      ]);
      await client.query(migration.sql);
    }
    await client.query('COMMIT');
    return pending.map((m) => m.name);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Adds flywheel_migrations.breaking to a table created before the column existed (its rows,
 * 0001-0004, are not breaking). Looked up first because ALTER TABLE takes an ACCESS EXCLUSIVE
 * lock even when IF NOT EXISTS finds the column, and would hold it until this transaction
 * commits, stalling every other replica's readiness check for the length of the migrations.
 */
async function addBreakingColumn(client: pg.PoolClient): Promise<void> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'flywheel_migrations' AND column_name = 'breaking'`,
  );
  if (rowCount === 0) {
    await client.query('ALTER TABLE flywheel_migrations ADD COLUMN IF NOT EXISTS breaking boolean NOT NULL DEFAULT false');
  }
}

/** What readiness makes of the schema: see schemaState(). */
export type SchemaState = 'current' | 'pending' | 'incompatible';

/**
 * 'pending' until every migration this processor knows is applied; 'incompatible' once a
 * breaking migration newer than it is (a newer replica migrated the database under it);
 * 'current' otherwise, including under newer migrations that are not breaking.
 */
export async function schemaState(pool: pg.Pool, latestId: number): Promise<SchemaState> {
  const { rows } = await pool.query<{ latest: number; breaking: boolean }>(
    `SELECT coalesce(max(id), 0) AS latest, coalesce(bool_or(breaking AND id > $1), false) AS breaking
     FROM flywheel_migrations`,
    [latestId],
  );
  const { latest, breaking } = rows[0] ?? { latest: 0, breaking: false };
  if (latest < latestId) return 'pending';
  return breaking ? 'incompatible' : 'current';
}
