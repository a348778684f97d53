// bundle/postgres-init/10-grafana-role.sh, run the way the postgres image runs its init scripts
// (sh, psql, POSTGRES_USER and POSTGRES_DB set), against real Postgres, then the processor's
// migrations over it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { GRAFANA_POSTGRES_ROLE } from './bundle-datasources.ts';
import { startPostgres, startProcessor, type TestPostgres } from './harness.ts';

const run = promisify(execFile);
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bundle/postgres-init/10-grafana-role.sh');
// Quotes, a backslash, a dollar and a semicolon: psql must pass it as one literal.
const PASSWORD = `it's "grafana" \\ $HOME; DROP ROLE postgres`;

let postgres: TestPostgres;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres.destroy();
});

const runScript = (extra: Record<string, string>) => {
  const url = new URL(postgres.url);
  return run('sh', [SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      POSTGRES_USER: decodeURIComponent(url.username),
      POSTGRES_DB: url.pathname.slice(1),
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGPASSWORD: decodeURIComponent(url.password),
      ...extra,
    },
  });
};

/** Logs in as Grafana's role with `password`; returns the session's user, or the error's SQLSTATE. */
async function loginAs(password: string): Promise<string> {
  const url = new URL(postgres.url);
  const client = new pg.Client({ host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: GRAFANA_POSTGRES_ROLE.user, password });
  try {
    await client.connect();
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
    return rows[0]!.user;
  } catch (error) {
    return (error as { code: string }).code;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function role(): Promise<{ rolcanlogin: boolean }[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [GRAFANA_POSTGRES_ROLE.user])).rows;
  } finally {
    await client.end();
  }
}

test('without FLYWHEEL_GRAFANA_PASSWORD the script fails, saying so, and creates nothing', async () => {
  await assert.rejects(runScript({}), (error: { code: number; stderr: string }) => {
    assert.notEqual(error.code, 0);
    assert.match(error.stderr, /FLYWHEEL_GRAFANA_PASSWORD must be set \(put it in \.env\)/);
    return true;
  });
  assert.deepEqual(await role(), []);
});

test('the script creates the Grafana role with LOGIN and the password exactly as given; the migrations keep it', async () => {
  await runScript({ [GRAFANA_POSTGRES_ROLE.passwordEnv]: PASSWORD });
  assert.deepEqual(await role(), [{ rolcanlogin: true }]);
  assert.equal(await loginAs(PASSWORD), GRAFANA_POSTGRES_ROLE.user);
  assert.equal(await loginAs('wrong'), '28P01'); // invalid_password

  const processor = await startProcessor({ postgres });
  await processor.stop();
  assert.deepEqual(await role(), [{ rolcanlogin: true }]);
  assert.equal(await loginAs(PASSWORD), GRAFANA_POSTGRES_ROLE.user);
});

test('run again over an existing role, the script sets the new password', async () => {
  await runScript({ [GRAFANA_POSTGRES_ROLE.passwordEnv]: 'rotated' });
  assert.equal(await loginAs('rotated'), GRAFANA_POSTGRES_ROLE.user);
  assert.equal(await loginAs(PASSWORD), '28P01');
});
