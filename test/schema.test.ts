// The committed schema.sql is what the migrations produce: regenerate it with
// `npm run schema:dump` whenever a migration changes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { INTERACTION_ROW_COLUMNS } from '../processor/src/store/interactions/rows.ts';
import { migrate } from '../processor/src/store/migrate.ts';
import { dumpSchema } from '../processor/src/store/schema-dump.ts';
import { startPostgres } from './harness.ts';

test('processor/src/store/schema.sql matches the schema the migrations produce', async () => {
  const postgres = await startPostgres();
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  try {
    await migrate(pool);
    const committed = await readFile(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'processor', 'src', 'store', 'schema.sql'),
      'utf8',
    );
    assert.equal(await dumpSchema(pool), committed, 'schema.sql is stale: run `npm run schema:dump` and commit it');
  } finally {
    await pool.end();
    await postgres.destroy();
  }
});

test("the interactions row type names every column of the table, (the one list ingest writes, plus project and timestamps)", async () => {
  const postgres = await startPostgres();
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  try {
    await migrate(pool);
    const { rows } = await pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'interactions' ORDER BY ordinal_position`,
    );
    const table = rows.map((r) => r.column_name);
    assert.deepEqual([...INTERACTION_ROW_COLUMNS].sort(), [...table].sort());
  } finally {
    await pool.end();
    await postgres.destroy();
  }
});
