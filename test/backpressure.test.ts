// Backpressure: bounded in-flight work, 503 + Retry-After when Postgres is down or slow,
// recovery without a restart, and nothing acknowledged ever lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgres, startProcessor, type TestPostgres, type TestProcessor } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';

async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('when Postgres goes down', () => {
  let postgres: TestPostgres;
  let processor: TestProcessor;
  before(async () => {
    postgres = await startPostgres();
    processor = await startProcessor({ postgres, settings: { FLYWHEEL_RETRY_AFTER_SECONDS: '2' } });
  });
  after(async () => {
    await processor.stop();
    await postgres.destroy();
  });

  test('the receiver answers 503 with Retry-After, recovers when it is back, and loses nothing acknowledged', async () => {
    const acknowledged: string[] = [];
    const send = async () => {
      const turn = agentTurn();
      const r = await postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root, ...turn.children]));
      if (r.status === 200) acknowledged.push(turn.traceId);
      return r;
    };
    for (let i = 0; i < 5; i++) assert.equal((await send()).status, 200);

    // Requests in flight while Postgres stops must each get 200 (committed) or 503.
    const during = Array.from({ length: 10 }, () => send());
    await postgres.stop();
    for (const r of await Promise.all(during)) assert.ok(r.status === 200 || r.status === 503, `got ${r.status}`);

    const down = await send();
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('retry-after'), '2');
    assert.match((down.json as { message: string }).message, /database is unavailable, retry later/);
    const ready = await fetch(`${processor.url}/readyz`);
    assert.equal(ready.status, 503);
    const read = await fetch(`${processor.url}/api/interactions`);
    assert.equal(read.status, 503);
    assert.equal(read.headers.get('retry-after'), '2');
    assert.match(((await read.json()) as { error: string }).error, /database is unavailable, retry later/);
    assert.equal((await fetch(`${processor.url}/healthz`)).status, 200);

    await postgres.start();
    await until(async () => (await fetch(`${processor.url}/readyz`)).status === 200, 'ready again');
    for (let i = 0; i < 5; i++) assert.equal((await send()).status, 200);

    const stored = await processor.query<{ trace_id: string }>(
      'SELECT DISTINCT trace_id FROM interactions WHERE trace_id = ANY($1)',
      [acknowledged],
    );
    assert.equal(stored.length, acknowledged.length);
    assert.ok(acknowledged.length >= 10);
  });
});

describe('when Postgres is too slow', () => {
  let processor: TestProcessor;
  let blocker: pg.Client;
  before(async () => {
    processor = await startProcessor({
      settings: {
        FLYWHEEL_MAX_CONCURRENT_WRITES: '1',
        FLYWHEEL_MAX_QUEUED_WRITES: '0',
        FLYWHEEL_WRITE_TIMEOUT_MS: '1500',
        FLYWHEEL_RETRY_AFTER_SECONDS: '3',
      },
    });
    blocker = new pg.Client({ connectionString: processor.postgres.url });
    await blocker.connect();
  });
  after(async () => {
    await blocker.end();
    await processor.stop();
  });

  // The writer locks each (project, trace) it writes (store/trace-locks.ts; project 1 is
  // local mode's default); holding that lock from outside stalls it.
  const hold = (traceId: string) => blocker.query("SELECT pg_advisory_lock(hashtextextended('1:' || $1, 0))", [traceId]);
  const release = (traceId: string) => blocker.query("SELECT pg_advisory_unlock(hashtextextended('1:' || $1, 0))", [traceId]);

  test('a full queue is answered 503 at once, and the stalled batch still commits', async () => {
    const stalled = agentTurn();
    await hold(stalled.traceId);
    const first = postJson(`${processor.url}/v1/traces`, tracesRequest([stalled.root]));
    await until(async () => (await gauge(processor.url, 'flywheel_otlp_writes_in_flight')) === 1, 'the writer is busy');

    const other = agentTurn();
    const refused = await postJson(`${processor.url}/v1/traces`, tracesRequest([other.root]));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '3');
    assert.match((refused.json as { message: string }).message, /overloaded/);

    await release(stalled.traceId);
    assert.equal((await first).status, 200);
    const rows = await processor.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [stalled.traceId]);
    assert.equal(rows[0]!.n, 1);
  });

  test('a write slower than the write timeout is abandoned with 503 and can be retried', async () => {
    const slow = agentTurn();
    await hold(slow.traceId);
    const r = await postJson(`${processor.url}/v1/traces`, tracesRequest([slow.root]));
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '3');
    const none = await processor.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [slow.traceId]);
    assert.equal(none[0]!.n, 0);
    await release(slow.traceId);
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest([slow.root]))).status, 200);
  });
});

describe('when the processor is stopped with a request in flight', () => {
  test('the request finishes with 200 before the processor stops, and its data is stored', async () => {
    const postgres = await startPostgres();
    const processor = await startProcessor({ postgres });
    const blocker = new pg.Client({ connectionString: postgres.url });
    await blocker.connect();
    try {
      const turn = agentTurn();
      await blocker.query("SELECT pg_advisory_lock(hashtextextended('1:' || $1, 0))", [turn.traceId]);
      const inFlight = postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root, ...turn.children]));
      await until(async () => (await gauge(processor.url, 'flywheel_otlp_writes_in_flight')) === 1, 'the write started');
      let stopped = false;
      const stopping = processor.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(stopped, false, 'stop() waits for the request in flight');
      await blocker.query("SELECT pg_advisory_unlock(hashtextextended('1:' || $1, 0))", [turn.traceId]);
      assert.equal((await inFlight).status, 200);
      await stopping;
      const rows = await blocker.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [turn.traceId]);
      assert.equal(rows.rows[0].n, 4);
    } finally {
      await blocker.end();
      await postgres.destroy();
    }
  });
});
