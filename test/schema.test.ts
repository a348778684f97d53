// The committed schema.sql is what the migrations produce: regenerate it with
// `npm run schema:dump` whenever a migration changes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
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
