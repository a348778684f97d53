// The score stage: config slice (config.ts), pure core (assessQuality and its heuristics),
// metrics (metrics.ts), and the `scoring` Stage, which runs the scoring workers and, when
// configured, the LLM judge.
import type { Loop } from '../runtime/loop.ts';
import type { Stage } from '../runtime/stage.ts';
import { queueDepth } from '../store/quality/score-queue.ts';
import { SCORE_SETTINGS } from './config.ts';
import { createJudge, judgeOptionsOf } from './judge.ts';
import { startJudgeWorker } from './judge-worker.ts';
import { registerScoreMetrics } from './metrics.ts';
import { startScoringWorker } from './worker.ts';

export { assessQuality } from './assess.ts';
export { SCORE_SETTINGS, type ScoreConfig } from './config.ts';

/** Scoring workers (none when FLYWHEEL_SCORE_WORKERS is 0) and, with FLYWHEEL_JUDGE_BASE_URL, the judge. */
export const scoring: Stage<typeof SCORE_SETTINGS> = {
  name: 'scoring',
  settings: SCORE_SETTINGS,
  connections(config) {
    // One per scoring worker and per judge loop (each holds one at a time), and one for the
    // queue-depth gauge a /metrics scrape reads.
    if (config.scoreWorkers === 0) return 1;
    return config.scoreWorkers + (config.judgeBaseUrl === undefined ? 0 : config.judgeConcurrency) + 1;
  },
  start({ pool, config, registry, log, claimant }) {
    const metrics = registerScoreMetrics(registry, () => queueDepth(pool));
    const loops: Loop[] = [];
    if (config.scoreWorkers === 0) return { stop: async () => undefined };
    const judging = config.judgeBaseUrl !== undefined;
    for (let i = 0; i < config.scoreWorkers; i++) {
      loops.push(startScoringWorker({ pool, config, metrics, log, judging, claimant }));
    }
    const judgeOptions = judgeOptionsOf(config);
    if (judgeOptions !== null) {
      const backoffMs = 500;
      const judge = createJudge({
        ...judgeOptions,
        backoffMs,
        onAttempt: (outcome, seconds) => {
          metrics.judgeRequests.inc({ outcome });
          metrics.judgeDuration.observe({ outcome }, seconds);
        },
      });
      // Every attempt may take the full timeout, plus the backoffs between them, plus a margin.
      const leaseMs = (config.judgeMaxRetries + 1) * config.judgeTimeoutMs + backoffMs * 2 ** (config.judgeMaxRetries + 1) + 10_000;
      loops.push(
        startJudgeWorker({ pool, judge, concurrency: config.judgeConcurrency, leaseMs, pollMs: config.scorePollMs, metrics, log, claimant }),
      );
      log.info(`LLM judge: ${config.judgeModel} at ${config.judgeBaseUrl} (${config.judgeConcurrency} at a time)`);
    }
    return {
      async stop() {
        await Promise.all(loops.map((l) => l.stop()));
      },
    };
  },
};
