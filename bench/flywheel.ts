// The flywheel with and without its loop: the same seeded 12 simulated weeks twice in one
// process (loop off: the agent keeps its starting knowledge; loop on: the processor learns and
// the agent pulls), on a temporary embedded Postgres (or DATABASE_URL). Prints each metric
// without and with the loop and their ratio, the learning curve, and writes an SVG chart to
// bench/results/flywheel.svg.
//
//   npm run bench:flywheel [-- --seed N --weeks N --conversations N]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../processor/src/runtime/logger.ts';
import { register } from '@agent-flywheel/instrumentation';
import { freePort, startPostgres } from '../test/harness.ts';
import { SIM_AGENT } from './flywheel/agent.ts';
import { breakdown, chartSvg, comparison, learningCurve, weekTable } from './flywheel/report.ts';
import { simulate } from './flywheel/simulate.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' }, weeks: { type: 'string', default: '12' }, conversations: { type: 'string', default: '160' } } });
const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-bench-'));
const started = performance.now();
const postgres = process.env.DATABASE_URL ? null : await startPostgres();
const port = await freePort();
const flywheel = register({ serviceName: SIM_AGENT, endpoint: `http://127.0.0.1:${port}`, captureContent: true });
try {
  const env = { FLYWHEEL_LOG_LEVEL: 'warn', DATABASE_URL: process.env.DATABASE_URL ?? postgres?.url };
  const sim = await simulate(
    { seed: Number(values.seed), agent: SIM_AGENT, weeks: Number(values.weeks), conversationsPerWeek: Number(values.conversations) },
    { env, port, flush: () => flywheel.forceFlush(), sourcesDir: path.join(dir, 'sources'), log: (line) => console.error(line), logger: createLogger('warn') },
  );
  console.log(`\n${weekTable(sim)}\n\n${comparison(sim)}\n\nlearning curve (held-out accuracy):\n${learningCurve(sim)}\n`);
  console.log(`${breakdown(sim)}\n\nmining's open failure patterns and the planted mode or world cause most of their interactions come from:`);
  for (const p of sim.planted.patterns) console.log(`  ${p.label}  n=${p.n} lift=${p.lift.toFixed(2)}  -> ${p.cause ?? 'no known cause'}`);
  const results = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  await mkdir(results, { recursive: true });
  await writeFile(path.join(results, 'flywheel.svg'), chartSvg(sim));
  console.log(`\nchart: bench/results/flywheel.svg; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
} finally {
  await flywheel.shutdown();
  await postgres?.destroy();
  await rm(dir, { recursive: true, force: true });
}
