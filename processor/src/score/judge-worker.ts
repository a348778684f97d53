// The judge worker: `concurrency` loops, each claiming one pending judgement at a time (with a
// lease), asking the judge outside any transaction, and recording the verdict (which queues the
// interaction for a re-score) or the failure. Ingest and heuristic scoring never wait for it.
import type pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import { claimJudgement, type JudgeClaim, type JudgementRecord, recordJudgement, releaseClaims } from '../store/quality/judgements.ts';
import { inTransaction } from '../store/transaction.ts';
import { contentHash, type Judge, judgeContentOf, JudgeError } from './judge.ts';
import { type Loop, runLoop } from '../runtime/loop.ts';
import type { ScoreMetrics } from './metrics.ts';

export interface JudgeWorkerOptions {
  pool: pg.Pool;
  judge: Judge;
  concurrency: number;
  /** How long a claim is ours; past it another process may take the request over. */
  leaseMs: number;
  pollMs: number;
  metrics: ScoreMetrics;
  log: Logger;
  claimant: string;
}

export function startJudgeWorker(options: JudgeWorkerOptions): Loop {
  const abort = new AbortController();
  const record = (claim: JudgeClaim, outcome: JudgementRecord) =>
    inTransaction(options.pool, 10_000, (client) => recordJudgement(client, claim, options.claimant, outcome));

  async function judgeOne(): Promise<boolean> {
    const claim = await claimJudgement(options.pool, options.claimant, options.leaseMs);
    if (claim === null) return false;
    const row = claim.interaction;
    const content = judgeContentOf({
      userInput: row.user_input,
      response: row.response,
      expectedOutput: row.expected_output,
      tools: row.tools,
    });
    const usage = { model: options.judge.model, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0 };
    if (content === null || contentHash(content) !== claim.contentHash) {
      // Re-scoring the changed interaction asks again for its new content.
      await record(claim, { status: 'failed', error: 'the content changed before it was judged', ...usage });
      return true;
    }
    try {
      const judgement = await options.judge.judge(content, abort.signal);
      countUsage(judgement);
      const { verdict, ...spent } = judgement;
      await record(claim, { status: 'done', ...verdict, ...spent });
    } catch (error) {
      if (!(error instanceof JudgeError)) throw error;
      countUsage(error.usage);
      if (abort.signal.aborted) return false; // shutting down: the claim is released below
      options.log.warn(`judging interaction ${claim.interactionId} failed: ${error.message}`);
      await record(claim, { status: 'failed', error: error.message, ...usage, ...error.usage });
    }
    return true;
  }

  function countUsage(usage: { inputTokens: number; outputTokens: number; costUsd: number }): void {
    options.metrics.judgeTokens.inc({ type: 'input' }, usage.inputTokens);
    options.metrics.judgeTokens.inc({ type: 'output' }, usage.outputTokens);
    options.metrics.judgeCost.inc(usage.costUsd);
  }

  const loops = Array.from({ length: options.concurrency }, () =>
    runLoop(judgeOne, options.pollMs, (error) => options.log.warn(`judge worker: ${(error as Error).message}`)),
  );
  return {
    async stop() {
      abort.abort();
      await Promise.all(loops.map((l) => l.stop()));
      await releaseClaims(options.pool, options.claimant).catch(() => undefined);
    },
  };
}
