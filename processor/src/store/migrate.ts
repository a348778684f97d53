// Schema migrations: numbered .sql files in ./migrations, applied in order in one
// transaction under a Postgres advisory lock, so processes starting at once never race:
// the second waits for the lock, then finds nothing left to do.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Arbitrary constant naming our lock (pg_advisory_xact_lock takes a bigint). */
const MIGRATION_LOCK_KEY = 7_318_211_042;

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Thrown when the database has migrations this processor does not know (it is older). */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const migrations = await Promise.all(
    files.map(async (file) => ({
      id: Number.parseInt(file.slice(0, 4), 10),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(path.join(dir, file), 'utf8'),
    })),
  );
  migrations.forEach((m, index) => {
    if (m.id !== index + 1) throw new Error(`migration ${m.name} is out of sequence: expected number ${index + 1}`);
  });
  return migrations;
}

/** Applies every pending migration; returns the names applied (empty when up to date). */
export async function migrate(pool: pg.Pool, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS flywheel_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ id: number; name: string }>(
      'SELECT id, name FROM flywheel_migrations ORDER BY id',
    );
    const latestKnown = all.at(-1)?.id ?? 0;
    const newest = rows.at(-1);
    if (newest && newest.id > latestKnown) {
      throw new SchemaTooNewError(
        `the database schema is at migration ${newest.name}, newer than this processor knows ` +
          `(up to ${all.at(-1)?.name ?? 'none'}); upgrade the processor or point it at another database`,
      );
    }
    const applied = new Set(rows.map((r) => r.id));
    const pending = all.filter((m) => !applied.has(m.id));
    for (const migration of pending) {
      // The row goes in first: a replica that somehow got past the lock clashes on the key.
      await client.query('INSERT INTO flywheel_migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]);
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

/** True when every known migration is recorded in the database (readiness check). */
export async function isMigrated(pool: pg.Pool, latestId: number): Promise<boolean> {
  const { rows } = await pool.query<{ max: number | null }>(
    `SELECT max(id) AS max FROM flywheel_migrations`,
  );
  return (rows[0]?.max ?? 0) >= latestId;
}
