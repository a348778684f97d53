// The `flywheel` command as a user runs it: help, configuration errors, `serve` on an
// embedded Postgres whose data survives a restart, clean shutdown, and `migrate`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { BIN, run, serve } from './cli-process.ts';
import { freePorts, startPostgres, type TestPostgres } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';

test('--help lists the commands, and each command has its own --help', async () => {
  const top = await run(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Usage: flywheel <command>/);
  assert.match(top.stdout, /serve\s+Start the OTLP\/HTTP receiver/);
  assert.match(top.stdout, /migrate\s+Apply pending database migrations/);
  const serveHelp = await run(['serve', '--help']);
  assert.equal(serveHelp.code, 0);
  assert.match(serveHelp.stdout, /--port <value>\s+FLYWHEEL_PORT/);
  assert.match(serveHelp.stdout, /\(default: 4318\)/);
  assert.match(serveHelp.stdout, /DATABASE_URL/);
  const migrateHelp = await run(['migrate', '--help']);
  assert.equal(migrateHelp.code, 0);
  assert.match(migrateHelp.stdout, /--database-url <value>\s+DATABASE_URL/);
  assert.doesNotMatch(migrateHelp.stdout, /--port/);
});

test('an unknown command or flag is a usage error (exit 2)', async () => {
  const unknown = await run(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badFlag = await run(['serve', '--prot', '1']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /Unknown option '--prot'/);
});

test('a bad setting names the env var or flag and the expected form (exit 2)', async () => {
  const r = await run(['serve'], { FLYWHEEL_PORT: 'abc', FLYWHEEL_LOG_LEVEL: 'loud' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /FLYWHEEL_PORT must be an integer from 0 to 65535, got 'abc'/);
  assert.match(r.stderr, /FLYWHEEL_LOG_LEVEL must be one of error, warn, info, debug, got 'loud'/);
  const flag = await run(['serve', '--max-body-bytes=-1']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--max-body-bytes must be a positive integer \(bytes\), got '-1'/);
  const url = await run(['migrate'], { DATABASE_URL: 'mysql://x' });
  assert.equal(url.code, 2);
  assert.match(url.stderr, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, got 'mysql:\/\/x'/);
});

describe('serve on the embedded Postgres', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'flywheel-cli-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('stores data that survives a restart and shuts down cleanly on SIGTERM and SIGINT', async () => {
    const [port, pgPort] = await freePorts(2);
    const env = { FLYWHEEL_DATA_DIR: dataDir, FLYWHEEL_PORT: String(port), FLYWHEEL_PG_PORT: String(pgPort) };
    const first = await serve(env);
    assert.match(first.stderr(), /initialising embedded Postgres/);
    assert.match(first.stderr(), /applied migrations: 0001_telemetry, 0002_interactions, 0003_quality, 0004_log_record_arrival, 0005_projects/);
    const turn = agentTurn();
    assert.equal((await postJson(`${first.url}/v1/traces`, tracesRequest([turn.root, ...turn.children]))).status, 200);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.match(first.stderr(), /received SIGTERM/);
    assert.match(first.stderr(), /stopped/);

    const second = await serve(env);
    assert.doesNotMatch(second.stderr(), /initialising|applied migrations/);
    const list = (await (await fetch(`${second.url}/api/interactions`)).json()) as { interactions: { id: string }[] };
    assert.deepEqual(
      list.interactions.map((i: { id: string }) => i.id),
      [turn.id],
    );
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });

  test('after a processor is killed with SIGKILL, the next start takes over the Postgres it left running', async () => {
    const [port, pgPort] = await freePorts(2);
    const env = { FLYWHEEL_DATA_DIR: dataDir, FLYWHEEL_PORT: String(port), FLYWHEEL_PG_PORT: String(pgPort) };
    const killed = await serve(env);
    killed.child.kill('SIGKILL');
    await killed.exited;
    // Its Postgres is still running and holds the data directory.
    const pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    assert.doesNotThrow(() => process.kill(pid, 0));

    const next = await serve(env);
    assert.match(next.stderr(), new RegExp(`stopping Postgres left running by an earlier processor \\(pid ${pid}\\)`));
    assert.equal((await fetch(`${next.url}/readyz`)).status, 200);
    next.child.kill('SIGTERM');
    assert.equal(await next.exited, 0);
  });
});

test('serves as an unprivileged user too (as root, the test runs it as nobody)', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'flywheel-user-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chown(dataDir, 65534, 65534);
  const [port, pgPort] = await freePorts(2);
  const env = { FLYWHEEL_DATA_DIR: dataDir, FLYWHEEL_PORT: String(port), FLYWHEEL_PG_PORT: String(pgPort) };
  const command = asRoot ? ['runuser', '-u', 'nobody', '--', process.execPath, BIN, 'serve'] : [process.execPath, BIN, 'serve'];
  const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env, HOME: dataDir } });
  // Set up before anything can fail, so the finally below never waits for an exit already past.
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', () => {
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on('error', reject);
      void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
    });
    const turn = agentTurn();
    assert.equal((await postJson(`${url}/v1/traces`, tracesRequest([turn.root]))).status, 200);
    const owner = (await stat(path.join(dataDir, 'pg'))).uid;
    assert.equal(owner, asRoot ? 65534 : process.getuid?.());
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('npm start runs flywheel serve and honours the FLYWHEEL_* env vars', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'flywheel-npm-start-'));
  const [port, pgPort] = await freePorts(2);
  const root = path.join(path.dirname(BIN), '..', '..');
  // Its own process group, signalled as a whole like a terminal's Ctrl-C: npm does not pass
  // signals on to the script it runs.
  const child = spawn('npm', ['start', '--', '--log-level', 'info'], {
    cwd: root,
    detached: true,
    env: { ...process.env, FLYWHEEL_DATA_DIR: dataDir, FLYWHEEL_PORT: String(port), FLYWHEEL_PG_PORT: String(pgPort) },
  });
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('listening on')) resolve();
      });
      void exited.then((code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`)));
    });
    assert.match(stderr, new RegExp(`initialising embedded Postgres in ${dataDir}/pg`));
    assert.match(stderr, new RegExp(`listening on http://127\\.0\\.0\\.1:${port} `));
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
  assert.match(stderr, /received SIGINT/);
  assert.match(stderr, /stopped/);
});

describe('migrate against DATABASE_URL', () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres.destroy();
  });

  test('two processes migrating at once both succeed and apply each migration once', async () => {
    const [a, b] = await Promise.all([
      run(['migrate'], { DATABASE_URL: postgres.url }),
      run(['migrate'], { DATABASE_URL: postgres.url }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const outputs = [a.stdout, b.stdout].sort();
    assert.deepEqual(outputs, ['applied: 0001_telemetry, 0002_interactions, 0003_quality, 0004_log_record_arrival, 0005_projects, 0006_scheduled_jobs, 0007_open_enum_columns, 0008_interaction_subtrees, 0009_knowledge, 0010_mining, 0011_knowledge_sources, 0012_dashboard_views, 0013_cluster_embeddings, 0014_retention\n', 'the schema is up to date\n']);
    const again = await run(['migrate'], { DATABASE_URL: postgres.url });
    assert.equal(again.stdout, 'the schema is up to date\n');
  });

  // A newer processor recorded a migration this one does not know. Since rolling upgrades,
  // only a breaking one is refused (the expectation changed: any newer one used to be).
  test('a database migrated by a newer processor with a breaking migration is refused with what to do', async () => {
    const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
    try {
      await pool.query(`INSERT INTO flywheel_migrations (id, name, breaking) VALUES (999, '0999_from_the_future', true)`);
      const r = await run(['migrate'], { DATABASE_URL: postgres.url });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the database schema is at migration 0999_from_the_future, newer than this processor knows/);
      assert.match(r.stderr, /and 0999_from_the_future is marked breaking-change: older processors cannot run against it/);
      assert.match(r.stderr, /upgrade the processor/);
    } finally {
      await pool.query('DELETE FROM flywheel_migrations WHERE id = 999');
      await pool.end();
    }
  });

  test('a database migrated by a newer processor without a breaking migration is served, with a warning', async () => {
    const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
    try {
      await pool.query(`INSERT INTO flywheel_migrations (id, name) VALUES (999, '0999_from_the_future')`);
      const r = await run(['migrate'], { DATABASE_URL: postgres.url });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'the schema is up to date\n');
      const warning = /warn {2}the database schema is at migration 0999_from_the_future, newer than this processor knows \(up to \d{4}_\w+\); this processor can run against it, since none of 0999_from_the_future is marked breaking-change/;
      assert.match(r.stderr, warning);

      const [port] = await freePorts(1);
      const served = await serve({ DATABASE_URL: postgres.url, FLYWHEEL_PORT: String(port) });
      try {
        assert.match(served.stderr(), warning);
        const ready = await fetch(`${served.url}/readyz`);
        assert.equal(ready.status, 200);
        assert.deepEqual(await ready.json(), { status: 'ok' });
      } finally {
        served.child.kill('SIGTERM');
        assert.equal(await served.exited, 0);
      }
    } finally {
      await pool.query('DELETE FROM flywheel_migrations WHERE id = 999');
      await pool.end();
    }
  });
});
