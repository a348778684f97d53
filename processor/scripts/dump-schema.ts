// Writes processor/src/store/schema.sql: the schema the migrations produce, on a fresh
// embedded Postgres.   npm run schema:dump
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { silentLogger } from '../src/runtime/logger.ts';
import { startEmbeddedPostgres } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';
import { dumpSchema } from '../src/store/schema-dump.ts';
import { freePort } from '../../test/harness.ts';

const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'store', 'schema.sql');
const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-schema-'));
const postgres = await startEmbeddedPostgres(dir, await freePort(), silentLogger);
const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
try {
  await migrate(pool);
  await writeFile(target, await dumpSchema(pool));
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
} finally {
  await pool.end();
  await postgres.stop();
  await rm(dir, { recursive: true, force: true });
}
