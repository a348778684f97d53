// The flywheel, measured on a short seeded simulation (bench/flywheel): the same weeks with the
// loop off and on, against the real processor on embedded Postgres, the instrumented agent and a
// context-only model. The loop must beat its absence on accuracy and freshness, and the same seed
// must give the same numbers on a fresh database.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { SIM_AGENT } from '../bench/flywheel/agent.ts';
import type { RunResult } from '../bench/flywheel/run.ts';
import { type Simulation, simulate } from '../bench/flywheel/simulate.ts';
import { register } from '../instrumentation/src/index.ts';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { freePort, startPostgres } from './harness.ts';

const SETTINGS = { seed: 11, agent: SIM_AGENT, weeks: 4, conversationsPerWeek: 45 };

// One SDK per process: both simulations export to processors started on this port in turn.
const port = await freePort();
const flywheel = register({ serviceName: SIM_AGENT, endpoint: `http://127.0.0.1:${port}`, captureContent: true });
after(() => flywheel.shutdown());

async function run(): Promise<Simulation> {
  const postgres = await startPostgres();
  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-sim-'));
  try {
    return await simulate(SETTINGS, { env: { DATABASE_URL: postgres.url, FLYWHEEL_LOG_LEVEL: 'error' }, port, flush: () => flywheel.forceFlush(), sourcesDir: dir, logger: silentLogger });
  } finally {
    await postgres.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

/** What a run measured, without the wall-clock figure (which depends on the machine). */
function measured(r: RunResult) {
  return { weeks: r.weeks.map(({ wallMedianMs: _, ...rest }) => rest), daysToCorrect: r.daysToCorrect, verdicts: r.turns.map((t) => `${t.question.id}:${t.verdict}`) };
}

test('with the loop on, the agent is more accurate and fresher than with it off, and the same seed gives the same numbers', async () => {
  const first = await run();
  const last = (r: RunResult) => r.weeks.at(-1) as RunResult['weeks'][number];
  assert.equal(first.on.weeks.length, SETTINGS.weeks);
  assert.ok(last(first.on).accuracy > last(first.off).accuracy, `accuracy on ${last(first.on).accuracy} vs off ${last(first.off).accuracy}`);
  assert.ok(last(first.on).superseded < last(first.off).superseded, `superseded on ${last(first.on).superseded} vs off ${last(first.off).superseded}`);
  const fixedOn = first.on.daysToCorrect.filter((d) => d.days !== null).length;
  const fixedOff = first.off.daysToCorrect.filter((d) => d.days !== null).length;
  assert.ok(fixedOn > fixedOff, `changes answered correctly: on ${fixedOn} vs off ${fixedOff}`);
  // The first week starts from the same knowledge; only the loop makes them differ afterwards.
  assert.deepEqual(first.off.weeks.map((w) => w.turns).slice(0, 1), first.on.weeks.map((w) => w.turns).slice(0, 1));

  const second = await run();
  assert.deepEqual(measured(second.off), measured(first.off));
  assert.deepEqual(measured(second.on), measured(first.on));
  assert.deepEqual(second.planted.found, first.planted.found);
});
