// Two real processor processes (`flywheel serve`) on one database score every interaction
// exactly once: work is claimed with FOR UPDATE SKIP LOCKED and deleted in the transaction that
// writes the scores. One of them is then killed with SIGKILL mid-way: nothing it had claimed
// but not committed is lost, the other scores it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, startPostgres, type TestPostgres } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';
import { waitFor } from './score-fixtures.ts';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'processor', 'bin', 'flywheel.js');

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function serve(databaseUrl: string): Promise<Served> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLYWHEEL_') && k !== 'DATABASE_URL'));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...env,
      DATABASE_URL: databaseUrl,
      FLYWHEEL_PORT: String(await freePort()),
      FLYWHEEL_LOG_LEVEL: 'info',
      FLYWHEEL_SCORE_SETTLE_MS: '300',
      FLYWHEEL_SCORE_POLL_MS: '20',
      FLYWHEEL_SCORE_BATCH_SIZE: '20',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
  return { child, url, exited };
}

let postgres: TestPostgres;
let pool: pg.Pool;
let a: Served;
let b: Served;
before(async () => {
  postgres = await startPostgres();
  pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  [a, b] = await Promise.all([serve(postgres.url), serve(postgres.url)]);
});
after(async () => {
  for (const p of [a, b]) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all([a.exited, b.exited]);
  await pool.end();
  await postgres.destroy();
});

async function ingest(count: number, processes: Served[]): Promise<string[]> {
  const turns = Array.from({ length: count }, () => agentTurn());
  for (let i = 0; i < count; i += 100) {
    const slice = turns.slice(i, i + 100);
    const target = processes[(i / 100) % processes.length]!;
    const r = await postJson(`${target.url}/v1/traces`, tracesRequest(slice.flatMap((t) => [t.root, ...t.children])));
    assert.equal(r.status, 200);
  }
  return turns.map((t) => t.id);
}

async function scoredState(ids: string[]) {
  const { rows } = await pool.query<{ scored: number; rescored: number; by: string[] }>(
    `SELECT count(*)::int AS scored, count(*) FILTER (WHERE scorings > 1)::int AS rescored, array_agg(DISTINCT scored_by) AS by
     FROM interaction_scores WHERE interaction_id = ANY ($1::text[])`,
    [ids],
  );
  return rows[0]!;
}

test('two processes score each of 1000 interactions exactly once, sharing the work', async () => {
  const ids = await ingest(1000, [a, b]);
  const state = await waitFor('every interaction scored', async () => {
    const s = await scoredState(ids);
    return s.scored === ids.length ? s : undefined;
  }, 60_000);
  assert.equal(state.rescored, 0, 'no interaction was scored twice');
  assert.equal(state.by.length, 2, `both processes scored some: ${state.by.join(', ')}`);
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM score_queue WHERE interaction_id = ANY ($1::text[])', [ids]);
  assert.equal(rows[0]!.n, 0);
});

test('a process killed with SIGKILL while scoring loses nothing: the other scores the rest, each once', async () => {
  const ids = await ingest(1000, [b]);
  await waitFor('the first scores', async () => ((await scoredState(ids)).scored > 0 ? true : undefined), 30_000);
  a.child.kill('SIGKILL');
  await a.exited;
  const state = await waitFor('every interaction scored', async () => {
    const s = await scoredState(ids);
    return s.scored === ids.length ? s : undefined;
  }, 60_000);
  assert.equal(state.rescored, 0);
});
