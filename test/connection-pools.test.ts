// Each user of Postgres has a pool of its own (service.ts): however many REST reads are stuck,
// the OTLP writers still get their connections. The reads are made slow for real: a client
// holds an ACCESS EXCLUSIVE lock on interaction_scores, which GET /api/scores/summary and GET
// /api/interactions/:id read and trace ingest does not touch, so every read holding an API
// connection waits on that lock. Keys are required, and the batches' key is first used while
// the reads are stuck, so its check must get a connection too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createApiKey } from '../processor/src/store/access/api-keys.ts';
import { DEFAULT_PROJECT } from '../processor/src/store/access/projects.ts';
import { startProcessor, type TestProcessor } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';

const API_CONNECTIONS = 3;

let processor: TestProcessor;
let blocker: pg.Client;
const keys = { earlier: '', ingest: '', read: '' };
before(async () => {
  processor = await startProcessor({
    settings: { FLYWHEEL_API_CONNECTIONS: String(API_CONNECTIONS), FLYWHEEL_MAX_CONCURRENT_WRITES: '2', FLYWHEEL_AUTH: 'required' },
  });
  blocker = new pg.Client({ connectionString: processor.postgres.url });
  await blocker.connect();
  for (const [name, role] of [['earlier', 'ingest'], ['ingest', 'ingest'], ['read', 'read']] as const) {
    keys[name] = (await createApiKey(blocker, { projectId: DEFAULT_PROJECT.id, role, name })).key;
  }
});
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
after(async () => {
  await blocker.end();
  await processor.stop();
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** API connections waiting for a lock (pg_stat_activity, read outside the blocker's transaction, which would see a snapshot). */
async function readsWaiting(): Promise<number> {
  const rows = await processor.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'flywheel api' AND wait_event_type = 'Lock'`,
  );
  return rows[0]!.n;
}

test('many slow REST reads hold every API connection, and every OTLP batch posted meanwhile is still stored and answered 200', async () => {
  const earlier = agentTurn();
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest([earlier.root, ...earlier.children]), bearer(keys.earlier))).status, 200);

  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE interaction_scores IN ACCESS EXCLUSIVE MODE');
  const reads = Array.from({ length: 8 * API_CONNECTIONS }, (_, i) =>
    fetch(`${processor.url}${i % 2 === 0 ? '/api/scores/summary' : `/api/interactions/${earlier.id}`}`, { headers: bearer(keys.read) }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as unknown,
    })),
  );
  await until(async () => (await readsWaiting()) === API_CONNECTIONS, 'the reads hold every API connection');

  // More batches than writers, so they also queue for one.
  const turns = Array.from({ length: 12 }, () => agentTurn());
  const posted = await Promise.all(
    turns.map((t) => postJson(`${processor.url}/v1/traces`, tracesRequest([t.root, ...t.children]), bearer(keys.ingest))),
  );
  assert.deepEqual(
    posted.map((r) => r.status),
    turns.map(() => 200),
  );
  const rows = await processor.query<{ trace_id: string; spans: number }>(
    'SELECT trace_id, count(*)::int AS spans FROM spans WHERE trace_id = ANY($1) GROUP BY trace_id ORDER BY trace_id',
    [turns.map((t) => t.traceId)],
  );
  assert.deepEqual(
    rows,
    turns.map((t) => ({ trace_id: t.traceId, spans: 4 })).sort((x, y) => (x.trace_id < y.trace_id ? -1 : 1)),
  );
  // The reads were still stuck all along.
  assert.equal(await readsWaiting(), API_CONNECTIONS);

  await blocker.query('COMMIT');
  const answered = await Promise.all(reads);
  assert.deepEqual(
    answered.map((r) => r.status),
    reads.map(() => 200),
  );
});
