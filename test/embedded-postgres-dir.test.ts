// The embedded Postgres under a folder others may not enter. As root the processor runs Postgres
// as the `postgres` user, who cannot pass through a mode-0700 folder above the data directory:
// the start stops at once with a message that names the folder and what to do, before initdb
// runs; with the folder made traversable, as the message says, it starts. As any other user
// Postgres runs as that user, so the same folder is no obstacle.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { startEmbeddedPostgres } from '../processor/src/store/database.ts';
import { freePort } from './harness.ts';

async function answers(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one ?? 0;
  } finally {
    await client.end();
  }
}

test('a data directory below a folder others may not enter: a clear refusal as root, a start once it is traversable', async () => {
  const closed = await mkdtemp(path.join(tmpdir(), 'flywheel-closed-'));
  const dataDir = path.join(closed, 'data');
  try {
    await chmod(closed, 0o700);
    const port = await freePort();
    if (process.getuid?.() === 0) {
      await assert.rejects(startEmbeddedPostgres(dataDir, port, silentLogger), (error: Error) => {
        assert.match(error.message, new RegExp(`cannot enter ${closed.replaceAll('/', '\\/')} \\(mode 0700\\)`));
        assert.match(error.message, /chmod o\+x .*FLYWHEEL_DATA_DIR.*DATABASE_URL/);
        return true;
      });
      assert.equal(existsSync(path.join(dataDir, 'pg', 'PG_VERSION')), false, 'initdb did not run');
      await chmod(closed, 0o711);
    }
    const postgres = await startEmbeddedPostgres(dataDir, port, silentLogger);
    try {
      assert.equal(await answers(postgres.url), 1);
    } finally {
      await postgres.stop();
    }
  } finally {
    await rm(closed, { recursive: true, force: true });
  }
});
