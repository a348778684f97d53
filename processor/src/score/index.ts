// The score stage: config slice (config.ts), pure core (assessQuality and its heuristics),
// and startScoring(), which runs the scoring workers and, when configured, the LLM judge.
import type pg from 'pg';
import { processClaimant } from '../runtime/claimant.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ScoreConfig } from './config.ts';
import { createJudge } from './judge.ts';
import { startJudgeWorker } from './judge-worker.ts';
import type { Loop } from '../runtime/loop.ts';
import type { ScoreMetrics } from './metrics.ts';
import { startScoringWorker } from './worker.ts';

export { assessQuality } from './assess.ts';
export { registerScoreMetrics, type ScoreMetrics } from './metrics.ts';
export { SCORE_SETTINGS, type ScoreConfig } from './config.ts';

export interface ScoringDependencies {
  pool: pg.Pool;
  config: ScoreConfig;
  metrics: ScoreMetrics;
  log: Logger;
}

/** Starts this process's scoring workers (none when FLYWHEEL_SCORE_WORKERS is 0) and judge. */
export function startScoring({ pool, config, metrics, log }: ScoringDependencies): Loop {
  const claimant = processClaimant();
  const loops: Loop[] = [];
  if (config.scoreWorkers === 0) return { stop: async () => undefined };
  const judging = config.judgeBaseUrl !== undefined;
  for (let i = 0; i < config.scoreWorkers; i++) {
    loops.push(startScoringWorker({ pool, config, metrics, log, judging, claimant }));
  }
  if (config.judgeBaseUrl !== undefined) {
    const backoffMs = 500;
    const judge = createJudge({
      baseURL: config.judgeBaseUrl,
      apiKey: config.judgeApiKey,
      model: config.judgeModel,
      timeoutMs: config.judgeTimeoutMs,
      maxRetries: config.judgeMaxRetries,
      inputUsdPerMTok: config.judgeInputUsdPerMTok,
      outputUsdPerMTok: config.judgeOutputUsdPerMTok,
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
}
