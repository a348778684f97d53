// Real errors from a real Postgres (and from a closed port), and the HTTP answer each maps to
// (store/errors.ts decides what they mean, api/errors.ts classifyDatabaseError the answer):
// refused data 400, down or overloaded 503 + Retry-After, anything else 500; and the answers
// (OTLP, REST, /readyz) never carry the raw error, which names the host and port.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { classifyDatabaseError } from '../processor/src/api/errors.ts';
import type { Logger } from '../processor/src/runtime/logger.ts';
import { loadConfig } from '../processor/src/config/config.ts';
import { type RunningProcessor, startProcessor } from '../processor/src/service.ts';
import { freePort, startPostgres, type TestPostgres } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';
import { waitFor } from './score-fixtures.ts';

/** What a client would be told for `error`: status, message, Retry-After. */
function answerTo(error: unknown, work: 'read' | 'write' = 'write') {
  const failure = classifyDatabaseError(error, 4, work);
  return { status: failure.status, message: failure.message, retryAfterSeconds: failure.retryAfterSeconds };
}

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => assert.fail('expected the database to refuse'),
    (error: unknown) => error,
  );
}

function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

function serve(postgres: TestPostgres, log: Logger, settings: Record<string, string> = {}): Promise<RunningProcessor> {
  const config = loadConfig({ FLYWHEEL_HOST: '127.0.0.1', FLYWHEEL_PORT: '0', DATABASE_URL: postgres.url, ...settings });
  return startProcessor(config, log);
}

describe('errors provoked in a real Postgres', () => {
  let postgres: TestPostgres;
  let client: pg.Client;
  before(async () => {
    postgres = await startPostgres();
    client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query('CREATE TABLE keyed (id integer PRIMARY KEY)');
    await client.query('INSERT INTO keyed VALUES (1)');
  });
  after(async () => {
    await client.end();
    await postgres.destroy();
  });

  test('a unique violation (23505) and a bad value (22P02) are 400 with what the database said', async () => {
    const unique = await failureOf(() => client.query('INSERT INTO keyed VALUES (1)'));
    assert.equal((unique as pg.DatabaseError).code, '23505');
    assert.deepEqual(answerTo(unique), {
      status: 400,
      message: 'the database rejected the batch: duplicate key value violates unique constraint "keyed_pkey"',
      retryAfterSeconds: undefined,
    });
    const bad = await failureOf(() => client.query("SELECT 'soon'::integer"));
    assert.equal((bad as pg.DatabaseError).code, '22P02');
    assert.deepEqual(answerTo(bad, 'read'), {
      status: 400,
      message: 'the database rejected the request: invalid input syntax for type integer: "soon"',
      retryAfterSeconds: undefined,
    });
  });

  test('a statement timeout (57014) and a lock timeout (55P03) are 503 "overloaded"', async () => {
    const slow = await failureOf(() => client.query("SET statement_timeout = '50ms'; SELECT pg_sleep(2)"));
    await client.query('RESET statement_timeout');
    assert.equal((slow as pg.DatabaseError).code, '57014');
    assert.deepEqual(answerTo(slow), { status: 503, message: 'the database is overloaded, retry later', retryAfterSeconds: 4 });

    const holder = new pg.Client({ connectionString: postgres.url });
    await holder.connect();
    try {
      await holder.query('BEGIN; SELECT * FROM keyed WHERE id = 1 FOR UPDATE');
      const waited = await failureOf(() => client.query("BEGIN; SET LOCAL lock_timeout = '50ms'; SELECT * FROM keyed WHERE id = 1 FOR UPDATE"));
      await client.query('ROLLBACK');
      assert.equal((waited as pg.DatabaseError).code, '55P03');
      assert.deepEqual(answerTo(waited), { status: 503, message: 'the database is overloaded, retry later', retryAfterSeconds: 4 });
    } finally {
      await holder.end();
    }
  });

  test('too many connections (53300) is 503 "overloaded"', async () => {
    await client.query("CREATE ROLE limited LOGIN PASSWORD 'limited' CONNECTION LIMIT 0");
    const url = new URL(postgres.url);
    url.username = 'limited';
    url.password = 'limited';
    const refused = new pg.Client({ connectionString: url.toString() });
    const error = await failureOf(() => refused.connect());
    assert.equal((error as pg.DatabaseError).code, '53300');
    assert.deepEqual(answerTo(error), { status: 503, message: 'the database is overloaded, retry later', retryAfterSeconds: 4 });
  });

  test('a session ended by the administrator (57P01), and the same client afterwards, are 503 "unavailable"', async () => {
    const victim = new pg.Client({ connectionString: postgres.url });
    victim.on('error', () => undefined);
    await victim.connect();
    const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const running = failureOf(() => victim.query('SELECT pg_sleep(10)'));
    const ended = new Promise((resolve) => victim.once('end', resolve));
    await client.query('SELECT pg_terminate_backend($1)', [pid]);
    const terminated = await running;
    // Once the socket has closed (before it, a query would fail with 'Connection terminated unexpectedly').
    await ended;
    assert.equal((terminated as pg.DatabaseError).code, '57P01');
    assert.deepEqual(answerTo(terminated), { status: 503, message: 'the database is unavailable, retry later', retryAfterSeconds: 4 });
    const afterwards = await failureOf(() => victim.query('SELECT 1'));
    assert.equal((afterwards as Error).message, 'Client has encountered a connection error and is not queryable');
    assert.deepEqual(answerTo(afterwards), { status: 503, message: 'the database is unavailable, retry later', retryAfterSeconds: 4 });
  });

  test('a refused connection (a closed port) is 503 "unavailable" without the host and port', async () => {
    const closed = new pg.Client({ host: '127.0.0.1', port: await freePort(), user: 'postgres', password: 'secret' });
    const error = await failureOf(() => closed.connect());
    assert.equal((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.deepEqual(answerTo(error), { status: 503, message: 'the database is unavailable, retry later', retryAfterSeconds: 4 });
  });

  test('an undefined table (42P01), a bug in the processor, is a 500', async () => {
    const error = await failureOf(() => client.query('SELECT * FROM no_such_table'));
    assert.equal((error as pg.DatabaseError).code, '42P01');
    assert.deepEqual(answerTo(error), { status: 500, message: 'internal error while writing the batch; it was not stored', retryAfterSeconds: undefined });
    assert.deepEqual(answerTo(error, 'read'), { status: 500, message: 'internal error', retryAfterSeconds: undefined });
  });
});

describe('the answers of a running processor', () => {
  let postgres: TestPostgres;
  let processor: RunningProcessor;
  const log = recordingLogger();
  before(async () => {
    postgres = await startPostgres();
    processor = await serve(postgres, log, { FLYWHEEL_RETRY_AFTER_SECONDS: '2' });
  });
  after(async () => {
    await processor.stop();
    await postgres.destroy();
  });

  test('a metric whose name is too large for its index (54000) is a 400: the batch can never be stored', async () => {
    const name = randomBytes(6000).toString('base64');
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [] },
          scopeMetrics: [{ scope: { name: 'test' }, metrics: [{ name, gauge: { dataPoints: [{ timeUnixNano: '1767225600000000000', asDouble: 1 }] } }] }],
        },
      ],
    };
    const posted = await postJson(`${processor.url}/v1/metrics`, request);
    assert.equal(posted.status, 400);
    assert.equal(posted.headers.get('retry-after'), null);
    const status = posted.json as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /^the database rejected the batch: index row size \d+ exceeds btree version 4 maximum 2704 for index "metric_points_name_time_idx"$/);
  });

  test('with Postgres down, OTLP, REST and /readyz say only the reason; the log has the error', async () => {
    await postgres.stop();
    try {
      const turn = agentTurn();
      const posted = await postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root]));
      assert.equal(posted.status, 503);
      assert.equal(posted.headers.get('retry-after'), '2');
      assert.deepEqual(posted.json, { code: 14, message: 'the database is unavailable, retry later' });

      const read = await fetch(`${processor.url}/api/interactions`);
      assert.equal(read.status, 503);
      assert.equal(read.headers.get('retry-after'), '2');
      assert.deepEqual(await read.json(), { error: 'the database is unavailable, retry later' });

      const ready = await fetch(`${processor.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'unavailable', reason: 'database unreachable' });

      const port = new URL(postgres.url).port;
      const detail = (prefix: string) => log.lines.filter((l) => l.message.startsWith(prefix) && l.message.includes(`ECONNREFUSED 127.0.0.1:${port}`));
      assert.equal(detail('/v1/traces: 503 the database is unavailable, retry later (connect ECONNREFUSED').length, 1);
      assert.equal(detail('GET /api/interactions: the database is unavailable, retry later: Error: connect ECONNREFUSED').length, 1);
      assert.equal(detail('/readyz: database unreachable: connect ECONNREFUSED').length, 1);
      // Probed again while down: still one line, not one per probe.
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${processor.url}/readyz`)).status, 503);
      assert.equal(detail('/readyz: database unreachable').length, 1);
    } finally {
      await postgres.start();
    }
    const again = await waitFor('/readyz to answer 200', async () => ((await fetch(`${processor.url}/readyz`)).status === 200 ? true : undefined));
    assert.equal(again, true);
    assert.equal(log.lines.filter((l) => l.message === '/readyz: the database answers again').length, 1);
  });
});
