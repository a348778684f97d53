// runtime/periodic.ts through the stage runtime: two processors (two pools, two claimants)
// share one Postgres and both run a stage that declares a job due every 200 ms. Over ~2 s
// the runs never overlap and there are no more of them than due times: never one per processor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { Registry } from 'prom-client';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { runPeriodic } from '../processor/src/runtime/periodic.ts';
import { connectionsOf, type Stage, startStage } from '../processor/src/runtime/stage.ts';
import { migrate } from '../processor/src/store/migrate.ts';
import { startPostgres, type TestPostgres } from './harness.ts';

let postgres: TestPostgres;
before(async () => {
  postgres = await startPostgres();
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  await migrate(pool);
  await pool.end();
});
after(() => postgres.destroy());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  by: string;
  start: number;
  end: number;
}

/** A stage with no workers and one periodic job that records each run's interval. */
function recordingStage(runs: Run[], everyMs: number, runMs: number): Stage<readonly []> {
  return {
    name: 'recording',
    settings: [],
    connections: () => 0,
    start: () => ({ stop: async () => undefined }),
    periodic: () => [
      {
        name: 'record-runs',
        everyMs,
        async run({ claimant }) {
          const start = performance.now();
          await sleep(runMs);
          runs.push({ by: claimant, start, end: performance.now() });
        },
      },
    ],
  };
}

test('two processors sharing a database run a job due every 200 ms once per due time, never at once', async (t) => {
  const EVERY_MS = 200;
  const runs: Run[] = [];
  const stage = recordingStage(runs, EVERY_MS, 60);
  assert.equal(connectionsOf(stage, {}), 1, 'one connection for the job');
  const pools = ['a', 'b'].map(() => new pg.Pool({ connectionString: postgres.url, max: connectionsOf(stage, {}) }));
  const begun = performance.now();
  const running = ['a', 'b'].map((claimant, i) =>
    startStage(stage, { pool: pools[i]!, config: {}, registry: new Registry(), log: silentLogger, claimant }),
  );
  await sleep(2_000);
  await Promise.all(running.map((r) => r.stop()));
  const elapsed = performance.now() - begun;
  await Promise.all(pools.map((p) => p.end()));

  runs.sort((x, y) => x.start - y.start);
  t.diagnostic(`${runs.length} runs in ${Math.round(elapsed)} ms (a: ${runs.filter((r) => r.by === 'a').length}, b: ${runs.filter((r) => r.by === 'b').length})`);
  for (let i = 1; i < runs.length; i++) {
    assert.ok(runs[i]!.start >= runs[i - 1]!.end, `run ${i} (${runs[i]!.by}) started before run ${i - 1} (${runs[i - 1]!.by}) ended`);
  }
  // Due at 0, 200, 400 ... ms after the first start.
  const dueCount = Math.floor(elapsed / EVERY_MS) + 1;
  assert.ok(runs.length <= dueCount + 1, `${runs.length} runs for ${dueCount} due times`);
  assert.ok(runs.length >= 3, `${runs.length} runs in ${Math.round(elapsed)} ms: the job runs again and again`);

  const check = new pg.Client({ connectionString: postgres.url });
  await check.connect();
  const { rows } = await check.query('SELECT runs::int, claimed_by, claimed_until, last_error FROM scheduled_jobs WHERE name = $1', ['record-runs']);
  await check.end();
  assert.deepEqual(rows, [{ runs: runs.length, claimed_by: null, claimed_until: null, last_error: null }]);
});

test('a failing run is recorded with its error and the job keeps its schedule; stop() interrupts a long run', async () => {
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  let calls = 0;
  const failing = runPeriodic({
    name: 'failing',
    everyMs: 60_000,
    pool,
    claimant: 'a',
    log: silentLogger,
    async run() {
      calls++;
      throw new Error('the patterns table is missing');
    },
  });
  let stopSignal: AbortSignal | undefined;
  const long = runPeriodic({
    name: 'long',
    everyMs: 60_000,
    pool,
    claimant: 'a',
    log: silentLogger,
    run: (signal) =>
      new Promise<void>((_resolve, reject) => {
        stopSignal = signal;
        signal.addEventListener('abort', () => reject(signal.reason as Error));
      }),
  });
  for (let i = 0; i < 200 && (calls === 0 || stopSignal === undefined); i++) await sleep(25);
  await long.stop();
  await failing.stop();
  assert.equal(stopSignal?.aborted, true);
  const { rows } = await pool.query('SELECT name, runs::int, claimed_by, last_error FROM scheduled_jobs WHERE name = ANY($1) ORDER BY name', [
    ['failing', 'long'],
  ]);
  await pool.end();
  assert.equal(calls, 1);
  assert.deepEqual(rows, [
    { name: 'failing', runs: 1, claimed_by: null, last_error: 'the patterns table is missing' },
    { name: 'long', runs: 1, claimed_by: null, last_error: 'the processor is stopping' },
  ]);
});

test('a run longer than its lease keeps the job: the lease is renewed while it runs', async () => {
  const runs: Run[] = [];
  const pools = ['a', 'b'].map(() => new pg.Pool({ connectionString: postgres.url, max: 1 }));
  // Due every 100 ms with a 300 ms lease, but each run takes 1 s: without renewal the other
  // processor would take the job over mid-run.
  const loops = ['a', 'b'].map((claimant, i) =>
    runPeriodic({
      name: 'slow',
      everyMs: 100,
      leaseMs: 300,
      pool: pools[i]!,
      claimant,
      log: silentLogger,
      async run() {
        const start = performance.now();
        await sleep(1_000);
        runs.push({ by: claimant, start, end: performance.now() });
      },
    }),
  );
  await sleep(2_500);
  await Promise.all(loops.map((l) => l.stop()));
  await Promise.all(pools.map((p) => p.end()));
  runs.sort((x, y) => x.start - y.start);
  assert.ok(runs.length >= 2, `${runs.length} runs`);
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i]!.start >= runs[i - 1]!.end, `run ${i} overlapped run ${i - 1}`);
});
