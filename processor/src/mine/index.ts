// The mining stage: config slice (config.ts), pure core (stats.ts, patterns.ts: segments and
// patterns; forecast.ts: degradation forecasts; insights.ts: what to reinforce, avoid and
// improve), metrics (metrics.ts), and the `mining` Stage, whose one periodic job (worker.ts)
// mines the agents with new scores every FLYWHEEL_MINE_INTERVAL_MS, one replica at a time.
import type { Registry } from 'prom-client';
import type { Stage } from '../runtime/stage.ts';
import { MINE_SETTINGS } from './config.ts';
import { type MineMetrics, registerMineMetrics } from './metrics.ts';
import { minePass } from './worker.ts';

export { MINE_SETTINGS, type MineConfig } from './config.ts';
export { minePass } from './worker.ts';

/** Each processor's metrics, by its registry (a process may run several processors in tests). */
const METRICS = new WeakMap<Registry, MineMetrics>();

/** Patterns, forecasts and their alerts, recomputed for the agents with new scores. */
export const mining: Stage<typeof MINE_SETTINGS> = {
  name: 'mining',
  settings: MINE_SETTINGS,
  // A pass holds the cursor's connection, then the write transaction's, never both; one more for the gauges.
  connections: () => 2,
  start({ pool, registry }) {
    METRICS.set(registry, registerMineMetrics(registry, pool));
    return { stop: async () => undefined };
  },
  periodic(config) {
    return [
      {
        name: 'mine.pass',
        everyMs: config.mineIntervalMs,
        run: async ({ pool, config: c, log, registry }, signal) => {
          const started = performance.now();
          const results = await minePass(pool, c, log, signal);
          const metrics = METRICS.get(registry);
          metrics?.agentsMined.inc(results.length);
          if (results.length > 0) metrics?.passDuration.observe((performance.now() - started) / 1000);
        },
      },
    ];
  },
};
