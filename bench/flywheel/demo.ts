// `npm run demo`: a short simulation (4 simulated weeks) on the processor's default store, the
// embedded Postgres under ./.flywheel (or DATABASE_URL), as `npm start` uses it. The data stays:
// afterwards `node processor/bin/flywheel.js report --agent <name>` and the dashboards show the
// loop-on run's interactions, scores, patterns and knowledge.
//
//   npm run demo [-- --seed N --weeks N --conversations N]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { register } from '@agent-flywheel/instrumentation';
import { createLogger } from '../../processor/src/runtime/logger.ts';
import { freePort } from '../../test/harness.ts';
import { comparison, weekTable } from './report.ts';
import { simulate } from './simulate.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' }, weeks: { type: 'string', default: '4' }, conversations: { type: 'string', default: '120' } } });
// Each demo is its own agent, so a second demo on the same database starts from what the sources say, not from the first one's learning.
const agent = `shop-demo-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
const dataDir = process.env.FLYWHEEL_DATA_DIR ?? './.flywheel';
const started = performance.now();
const port = await freePort();
const flywheel = register({ serviceName: agent, endpoint: `http://127.0.0.1:${port}`, captureContent: true });
const sim = await simulate(
  { seed: Number(values.seed), agent, weeks: Number(values.weeks), conversationsPerWeek: Number(values.conversations) },
  {
    env: { ...process.env, FLYWHEEL_LOG_LEVEL: process.env.FLYWHEEL_LOG_LEVEL ?? 'warn' },
    port,
    flush: () => flywheel.forceFlush(),
    sourcesDir: path.resolve(dataDir, 'simulation', agent),
    log: (line) => console.log(line),
    logger: createLogger('error'),
  },
);
await flywheel.shutdown();
console.log(`\n${weekTable(sim)}\n\n${comparison(sim)}\n`);
console.log(`${((performance.now() - started) / 1000).toFixed(0)} s; data kept in ${sim.processor.database}.`);
console.log(`See it: node processor/bin/flywheel.js report --agent ${agent}   (or npm start, then GET /api/patterns?agent=${agent})`);
