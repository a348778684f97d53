// The mining stage: config slice (config.ts), pure core (stats.ts, patterns.ts: segments and
// patterns; topics.ts: topic clusters; forecast.ts: degradation forecasts; insights.ts: what to
// reinforce, avoid and improve; summaries.ts: what the judge model is asked about a pattern),
// metrics (metrics.ts), and the `mining` Stage, whose one periodic job (worker.ts) mines the
// agents with new scores every FLYWHEEL_MINE_INTERVAL_MS, one replica at a time.
import type { Registry } from 'prom-client';
import type { Stage } from '../runtime/stage.ts';
import { SCORE_SETTINGS, type ScoreConfig } from '../score/config.ts';
import { createStructuredCaller, judgeOptionsOf, type StructuredCaller } from '../score/judge.ts';
import { MINE_SETTINGS } from './config.ts';
import { type Embedder, embedderOf } from './embedder.ts';
import { type MineMetrics, registerMineMetrics } from './metrics.ts';
import { minePass } from './worker.ts';

export { MINE_SETTINGS, type MineConfig } from './config.ts';
export { minePass } from './worker.ts';
export { embedderOf } from './embedder.ts';

/** Each processor's metrics and summariser, by its registry (a process may run several processors in tests). */
const STATE = new WeakMap<Registry, { metrics: MineMetrics; summarizer: StructuredCaller | undefined; embedder: Embedder | undefined }>();

/** The judge model as the summariser of patterns, when FLYWHEEL_JUDGE_BASE_URL is set. */
export function patternSummarizer(config: ScoreConfig): StructuredCaller | undefined {
  const options = judgeOptionsOf(config);
  return options === null ? undefined : createStructuredCaller(options);
}

const SETTINGS = [...MINE_SETTINGS, ...SCORE_SETTINGS] as const;

/**
 * Patterns, forecasts and their alerts, recomputed for the agents with new scores. Reads its own
 * slice and the score slice's judge settings (the judge model writes the pattern summaries).
 */
export const mining: Stage<typeof SETTINGS> = {
  name: 'mining',
  settings: SETTINGS,
  // A pass holds the cursor's connection, then the write transaction's, never both; one more for the gauges.
  connections: () => 2,
  start({ pool, registry, config }) {
    STATE.set(registry, { metrics: registerMineMetrics(registry, pool), summarizer: patternSummarizer(config), embedder: embedderOf(config) });
    return { stop: async () => undefined };
  },
  periodic(config) {
    return [
      {
        name: 'mine.pass',
        everyMs: config.mineIntervalMs,
        run: async ({ pool, config: c, log, registry }, signal) => {
          const started = performance.now();
          const state = STATE.get(registry);
          const results = await minePass(pool, c, log, signal, undefined, { summarizer: state?.summarizer, embedder: state?.embedder });
          const metrics = state?.metrics;
          metrics?.agentsMined.inc(results.length);
          if (results.length > 0) metrics?.passDuration.observe((performance.now() - started) / 1000);
        },
      },
    ];
  },
};
