// `flywheel keys` as a user runs it: beside a running `flywheel serve` on the embedded default
// (it attaches to the server's Postgres instead of stopping it) and against DATABASE_URL; keys
// stored hashed; a revoked key stops working; local mode refuses to listen beyond loopback.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { run, serve, type Served } from './cli-process.ts';
import { freePorts, startPostgres, type TestPostgres } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';
import { waitFor } from './score-fixtures.ts';

const KEY = /^fw_[A-Za-z0-9_-]{32}$/;
const lastLine = (stdout: string) => stdout.trimEnd().split('\n').at(-1) ?? '';

describe('keys beside a running serve on the embedded default', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: Served;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'flywheel-keys-'));
    const [port, pgPort] = await freePorts(2);
    env = { FLYWHEEL_DATA_DIR: dataDir, FLYWHEEL_PORT: String(port), FLYWHEEL_PG_PORT: String(pgPort) };
    server = await serve(env);
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the server starts in local mode and says that auth is off', async () => {
    await waitFor('the auth line', async () => (/auth: off \(local mode/.test(server.stderr()) ? true : undefined));
    const open = await postJson(`${server.url}/v1/traces`, tracesRequest([agentTurn().root]));
    assert.equal(open.status, 200);
  });

  test('keys create prints the key alone on the last line; the server keeps running and then demands it', async () => {
    const created = await run(['keys', 'create', '--project', 'acme', '--role', 'ingest', '--name', 'collector'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(lastLine(created.stdout), KEY);
    assert.match(created.stdout, /^created key 1 \(role ingest, name 'collector'\) for the new project 'acme'\n/);
    const key = lastLine(created.stdout);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200, 'the server still has its Postgres');

    const turn = agentTurn();
    const body = tracesRequest([turn.root, ...turn.children]);
    // Until the server looks again (within a second) it is still in local mode: probe with other spans.
    const probe = () => postJson(`${server.url}/v1/traces`, tracesRequest([agentTurn().root]));
    await waitFor('keys to be required', async () => ((await probe()).status === 401 ? true : undefined));
    assert.equal((await postJson(`${server.url}/v1/traces`, body)).status, 401);
    assert.equal((await postJson(`${server.url}/v1/traces`, body, { authorization: `Bearer ${key}` })).status, 200);

    // Stored hashed, never in clear.
    const password = (await readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    const client = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.FLYWHEEL_PG_PORT}/postgres` });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT * FROM api_keys');
      assert.equal(rows.length, 1);
      assert.equal(rows[0].key_sha256, createHash('sha256').update(key).digest('hex'));
      assert.equal(rows[0].prefix, key.slice(0, 9));
      assert.ok(!JSON.stringify(rows).includes(key), 'the key is not stored');
      const stored = await client.query(
        `SELECT p.name FROM spans s JOIN projects p ON p.id = s.project_id WHERE s.trace_id = $1 GROUP BY p.name`,
        [turn.traceId],
      );
      assert.deepEqual(stored.rows, [{ name: 'acme' }]);
    } finally {
      await client.end();
    }

    const second = await run(['keys', 'create', '--project', 'acme', '--role', 'read'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^created key 2 \(role read\) for the project 'acme'\n/);

    const list = await run(['keys', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^ID\s+PROJECT\s+ROLE\s+NAME\s+KEY\s+CREATED\s+LAST USED\s+STATUS$/);
    assert.match(lines[1]!, new RegExp(`^1\\s+acme\\s+ingest\\s+collector\\s+${key.slice(0, 9)}\\.\\.\\.\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\d{4}-.+\\s+active$`));
    assert.match(lines[2]!, /^2\s+acme\s+read\s+-\s+fw_\S{6}\.\.\.\s+.+\s+-\s+active$/);
    assert.ok(!list.stdout.includes(key));
    const json = await run(['keys', 'list', '--project', 'acme', '--json'], env);
    assert.deepEqual((JSON.parse(json.stdout) as { id: number; role: string }[]).map((k) => [k.id, k.role]), [[1, 'ingest'], [2, 'read']]);
    const missing = await run(['keys', 'list', '--project', 'nope'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no project named 'nope'/);

    const revoked = await run(['keys', 'revoke', '1'], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /^revoked key 1 \(fw_\S{6}\.\.\., role ingest\) of project 'acme'\n$/);
    // A verified key is trusted for a few seconds; then the revocation holds.
    await waitFor(
      'the revoked key to be refused',
      async () => ((await postJson(`${server.url}/v1/traces`, tracesRequest([agentTurn().root]), { 'x-api-key': key })).status === 401 ? true : undefined),
      15_000,
    );
    const again = await run(['keys', 'revoke', '1'], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^already revoked: key 1/);
    const unknown = await run(['keys', 'revoke', '99'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no API key with ID 99/);
    assert.match((await run(['keys', 'list'], env)).stdout, /\n1\s+acme\s+ingest\s+.+\s+revoked \d{4}-/);
  });

  test('wrong arguments are usage errors (exit 2) that say what is expected', async () => {
    const cases: [string[], RegExp][] = [
      [['keys'], /say what to do: create, list or revoke/],
      [['keys', 'create', '--role', 'ingest'], /--project NAME is required/],
      [['keys', 'create', '--project', 'acme', '--role', 'root'], /--role must be one of ingest, read, admin, got 'root'/],
      [['keys', 'create', '--project', 'Acme Corp', '--role', 'read'], /--project must be 1 to 63 of a-z, 0-9/],
      [['keys', 'revoke'], /keys revoke takes one key ID/],
      [['keys', 'list', '--role', 'read'], /keys list: --role does not apply here/],
      [['keys', 'rotate'], /unknown keys action 'rotate'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, env);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: flywheel keys create --project NAME --role ingest\|read\|admin/);
    }
    const help = await run(['keys', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /flywheel keys revoke ID/);
    assert.match(help.stdout, /--role <value>\s+create: ingest/);
  });
});

describe('keys against DATABASE_URL, and where local mode may listen', () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres.destroy();
  });

  test('serve refuses a non-loopback address while no key exists, naming FLYWHEEL_AUTH; with a key or FLYWHEEL_AUTH=required it listens', async () => {
    const [port] = await freePorts(1);
    const env = { DATABASE_URL: postgres.url, FLYWHEEL_HOST: '0.0.0.0', FLYWHEEL_PORT: String(port) };
    const refused = await run(['serve'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refusing to listen on 0\.0\.0\.0 with auth off: no API key exists yet/);
    assert.match(refused.stderr, /set FLYWHEEL_AUTH=required/);

    const required = await serve({ ...env, FLYWHEEL_AUTH: 'required' });
    try {
      await waitFor('the auth line', async () => (/auth: API keys required/.test(required.stderr()) ? true : undefined));
      const url = required.url.replace('0.0.0.0', '127.0.0.1');
      assert.equal((await fetch(`${url}/api/interactions`)).status, 401);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    } finally {
      required.child.kill('SIGTERM');
      await required.exited;
    }

    const created = await run(['keys', 'create', '--project', 'ops', '--role', 'admin'], { DATABASE_URL: postgres.url });
    assert.equal(created.code, 0, created.stderr);
    const key = lastLine(created.stdout);
    assert.match(key, KEY);
    const withKey = await serve(env);
    try {
      const url = withKey.url.replace('0.0.0.0', '127.0.0.1');
      assert.equal((await fetch(`${url}/api/interactions`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    } finally {
      withKey.child.kill('SIGTERM');
      await withKey.exited;
    }
  });
});
