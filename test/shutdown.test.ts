// `flywheel serve` as a process, with API keys required and every log line on (debug): SIGTERM
// stops accepting, lets the request in flight finish with 200 and its data stored, then exits 0;
// and nothing it logged, at any level, contains a key it was sent, valid or not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { run } from './cli-process.ts';
import { startPostgres, type TestPostgres } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';
import { type ChildProcessor, spawnProcessor, stopChild } from './processor-child.ts';
import { waitFor } from './score-fixtures.ts';

let postgres: TestPostgres;
let blocker: pg.Client;
let served: ChildProcessor | undefined;
before(async () => {
  postgres = await startPostgres();
  blocker = new pg.Client({ connectionString: postgres.url });
  await blocker.connect();
});
after(async () => {
  await stopChild(served);
  await blocker.end();
  await postgres.destroy();
});

async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
}

test('SIGTERM drains the request in flight, then exits; no key appears in the logs', async () => {
  served = await spawnProcessor(postgres.url, { FLYWHEEL_LOG_LEVEL: 'debug', FLYWHEEL_AUTH: 'required', FLYWHEEL_SHUTDOWN_TIMEOUT_MS: '20000' });
  const created = await run(['keys', 'create', '--project', 'acme', '--role', 'admin', '--name', 'ops'], { DATABASE_URL: postgres.url });
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trimEnd().split('\n').at(-1)!;
  assert.match(key, /^fw_[A-Za-z0-9_-]{32}$/);
  const wrong = `${key.slice(0, -4)}XXXX`;
  const url = served.url;

  // The key in every place a client might put it: valid and wrong, on both doors, and in a path.
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const ok = agentTurn();
  assert.equal((await postJson(`${url}/v1/traces`, tracesRequest([ok.root]), bearer(key))).status, 200);
  assert.equal((await postJson(`${url}/v1/traces`, tracesRequest([agentTurn().root]), bearer(wrong))).status, 401);
  assert.equal((await postJson(`${url}/v1/traces`, tracesRequest([agentTurn().root]), { authorization: wrong })).status, 401);
  assert.equal((await fetch(`${url}/api/interactions`, { headers: bearer(key) })).status, 200);
  assert.equal((await fetch(`${url}/api/interactions`, { headers: bearer(wrong) })).status, 401);
  assert.equal((await fetch(`${url}/api/interactions?key=${wrong}`)).status, 401);
  assert.equal((await fetch(`${url}/api/${key}`, { headers: bearer(key) })).status, 404);

  // A batch held in its write (its trace's lock is taken from outside) when SIGTERM arrives.
  const turn = agentTurn();
  await blocker.query("SELECT pg_advisory_lock(hashtextextended((SELECT id FROM projects WHERE name = 'acme')::text || ':' || $1, 0))", [turn.traceId]);
  const inFlight = postJson(`${url}/v1/traces`, tracesRequest([turn.root, ...turn.children]), bearer(key));
  await waitFor('the write to start', async () => ((await gauge(url, 'flywheel_otlp_writes_in_flight')) === 1 ? true : undefined));
  served.child.kill('SIGTERM');
  await waitFor('the shutdown to begin', async () => (/shutting down/.test(served!.output()) ? true : undefined));
  await assert.rejects(fetch(`${url}/healthz`), 'no new connection is accepted');
  assert.equal(served.child.exitCode, null, 'the process waits for the request in flight');
  await blocker.query("SELECT pg_advisory_unlock(hashtextextended((SELECT id FROM projects WHERE name = 'acme')::text || ':' || $1, 0))", [turn.traceId]);
  assert.equal((await inFlight).status, 200);
  assert.equal(await served.exited, 0);
  const { rows } = await blocker.query('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [turn.traceId]);
  assert.equal(rows[0].n, 4);

  const output = served.output();
  assert.match(output, /stopped/);
  assert.ok(output.split('\n').length > 5, output);
  assert.ok(!output.includes(key), 'the valid key is not logged');
  assert.ok(!output.includes(wrong), 'the wrong key is not logged');
  assert.ok(!output.includes(key.slice(3, 20)), 'no part of the key beyond its prefix is logged');
});
