// The scoring worker: claims settled interactions from score_queue (FOR UPDATE SKIP LOCKED),
// reads what the scorer needs, runs assessQuality() and writes the scores, the follow-ups
// (re-score the previous turn, re-check for abandonment, ask the judge) and the deletion of the
// claimed rows in one transaction. Two processes never claim the same row; a crash before
// COMMIT leaves the rows queued for the next claim.
import type pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import { isContention } from '../store/errors.ts';
import { enqueueForKnowledge } from '../store/knowledge/queue.ts';
import { enqueueForMining } from '../store/mine/queue.ts';
import { requestJudgements } from '../store/quality/judgements.ts';
import { claimDue, type Claim, completeClaims, type Recheck, rescorePredecessors, scheduleRechecks } from '../store/quality/score-queue.ts';
import { loadScoringInputs, type ScoreRow, type StoredVerdict, writeScores } from '../store/quality/scores.ts';
import { inTransaction } from '../store/transaction.ts';
import { assessQuality } from './assess.ts';
import type { ScoreConfig } from './config.ts';
import { contentHash, judgeContentOf } from './judge.ts';
import { type Loop, runLoop } from '../runtime/loop.ts';
import type { ScoreMetrics } from './metrics.ts';
import { type Assessment, DIMENSIONS, type ScoredInteraction, type Verdict } from './quality.ts';

/** A batch's transaction waits at most this long for a row lock, so it never holds up ingest for longer. */
const LOCK_TIMEOUT_MS = 500;
const STATEMENT_TIMEOUT_MS = 60_000;

export interface ScoringWorkerOptions {
  pool: pg.Pool;
  config: ScoreConfig;
  metrics: ScoreMetrics;
  log: Logger;
  /** Ask the judge for verdicts on interactions with content. */
  judging: boolean;
  /** Who scored (host:pid), stored with the scores. */
  claimant: string;
  /** The clock, ms since the epoch; default: the database's, as of the claim. */
  now?: () => number;
}

interface Scored {
  claim: Claim;
  assessment: Assessment;
  updatedAt: Date;
}

/** Scores one batch of settled interactions; returns how many queue rows it claimed. */
export async function scoreBatch(options: ScoringWorkerOptions): Promise<number> {
  const { config } = options;
  const started = performance.now();
  const outcome = await inTransaction(options.pool, STATEMENT_TIMEOUT_MS, async (client) => {
    const { claims, now: databaseNow } = await claimDue(client, config.scoreSettleMs, config.scoreBatchSize);
    const now = options.now?.() ?? databaseNow;
    const scored: Scored[] = [];
    // A batch may hold several projects' interactions; each project's are read and written on
    // their own, so nothing of one project is ever joined with another's.
    for (const [projectId, ofProject] of groupByProject(claims)) {
      scored.push(...(await scoreProject(client, projectId, ofProject, now, options)));
    }
    return { claimed: claims.length, scored };
  }, { lock_timeout: String(LOCK_TIMEOUT_MS) });
  if (outcome.claimed > 0) {
    observe(options.metrics, outcome.scored);
    options.metrics.batchDuration.observe((performance.now() - started) / 1000);
  }
  return outcome.claimed;
}

function groupByProject(claims: readonly Claim[]): Map<number, Claim[]> {
  const groups = new Map<number, Claim[]>();
  for (const claim of claims) {
    const group = groups.get(claim.projectId);
    if (group === undefined) groups.set(claim.projectId, [claim]);
    else group.push(claim);
  }
  return groups;
}

/** Scores the claimed interactions of one project and writes the results, in the caller's transaction. */
async function scoreProject(
  client: pg.ClientBase,
  projectId: number,
  claims: readonly Claim[],
  now: number,
  options: ScoringWorkerOptions,
): Promise<Scored[]> {
  const { config } = options;
  const ids = claims.map((c) => c.interactionId);
  const inputs = await loadScoringInputs(client, projectId, ids);
  const reasons = new Map(claims.map((c) => [c.interactionId, c]));
  const rows: ScoreRow[] = [];
  const scored: Scored[] = [];
  const predecessors: { previousId: string; nextId: string }[] = [];
  const rechecks: Recheck[] = [];
  const judgeRequests: { interactionId: string; contentHash: string }[] = [];
  const assessmentOptions = {
    now,
    retryWindowMs: config.retryWindowMs,
    abandonMs: config.abandonMs,
    freshnessHalfLifeDays: config.freshnessHalfLifeDays,
    thresholds: {
      accuracy: config.gateAccuracy,
      completeness: config.gateCompleteness,
      relevance: config.gateRelevance,
      timeliness: config.gateTimeliness,
    },
  };
  const judging = { on: options.judging, now, parentWaitMs: config.judgeParentWaitMs };
  for (const interaction of inputs.interactions) {
    const { verdict, request, judgeAt } = verdictFor(interaction, inputs.verdicts.get(interaction.id), judging);
    if (request !== null) judgeRequests.push({ interactionId: interaction.id, contentHash: request });
    const previous = inputs.previous.get(interaction.id) ?? null;
    const next = inputs.next.get(interaction.id) ?? null;
    const feedback = inputs.feedback.get(interaction.id) ?? [];
    const assessment = assessQuality(
      { interaction, feedback, previous, next, verdict, sourceUpdatedAt: inputs.sourceUpdatedAt },
      assessmentOptions,
    );
    rows.push(toScoreRow(interaction.id, assessment, next?.id ?? null, feedback.length, verdict !== null, options.claimant));
    scored.push({ claim: reasons.get(interaction.id) as Claim, assessment, updatedAt: interaction.updatedAt });
    if (previous !== null) predecessors.push({ previousId: previous.id, nextId: interaction.id });
    const recheck = earliestRecheck(interaction.id, assessment.recheckAt, judgeAt);
    if (recheck !== null) rechecks.push(recheck);
  }
  await writeScores(client, projectId, rows);
  await enqueueForKnowledge(client, projectId, rows.map((r) => r.interaction_id));
  await enqueueForMining(client, projectId, rows.map((r) => r.interaction_id));
  await completeClaims(client, projectId, ids);
  await rescorePredecessors(client, projectId, predecessors);
  await scheduleRechecks(client, projectId, rechecks, config.scoreSettleMs);
  await requestJudgements(client, projectId, judgeRequests);
  return scored;
}

/**
 * The stored verdict, when it judged the interaction's current content; and the content hash to
 * request a verdict for, when judging is on and there is content no verdict (or request) covers.
 * An interaction awaiting its parent span is not sent yet: children are exported before their
 * parent ends, so until the parent arrives each top-most child is an interaction of its own,
 * replaced (and its verdict thrown away) when the parent comes. It keeps its heuristic scores
 * meanwhile, and `judgeAt` says when to look again: once it has been unchanged for `parentWaitMs`
 * (ingest rewrites it only when a span or event of it arrives), it is judged as it is (the parent
 * may never be exported to us).
 */
export function verdictFor(
  interaction: ScoredInteraction & { updatedAt: Date; awaitingParent: boolean },
  stored: StoredVerdict | undefined,
  judging: { on: boolean; now: number; parentWaitMs: number },
): { verdict: Verdict | null; request: string | null; judgeAt: number | null } {
  if (!judging.on && stored === undefined) return { verdict: null, request: null, judgeAt: null };
  const content = judgeContentOf(interaction);
  const hash = content === null ? null : contentHash(content);
  const current = stored !== undefined && stored.contentHash === hash;
  const verdict: Verdict | null =
    current && stored.status === 'done'
      ? { accuracy: stored.accuracy ?? 0, completeness: stored.completeness ?? 0, relevance: stored.relevance ?? 0, rationale: stored.rationale ?? '' }
      : null;
  if (!judging.on || hash === null || current) return { verdict, request: null, judgeAt: null };
  const judgeAt = interaction.awaitingParent ? interaction.updatedAt.getTime() + judging.parentWaitMs : judging.now;
  if (judgeAt > judging.now) return { verdict, request: null, judgeAt };
  return { verdict, request: hash, judgeAt: null };
}

/** One re-check per interaction (the queue holds one row each): the earlier of the two, with its reason. */
function earliestRecheck(interactionId: string, abandonAt: number | null, judgeAt: number | null): Recheck | null {
  if (judgeAt !== null && (abandonAt === null || judgeAt < abandonAt)) return { interactionId, at: judgeAt, reason: 'parent_check' };
  return abandonAt === null ? null : { interactionId, at: abandonAt, reason: 'abandon_check' };
}

export function toScoreRow(
  interactionId: string,
  assessment: Assessment,
  nextInteractionId: string | null,
  feedbackCount: number,
  judged: boolean,
  scoredBy: string,
): ScoreRow {
  const { dimensions, gate } = assessment;
  return {
    interaction_id: interactionId,
    accuracy: dimensions.accuracy.score,
    completeness: dimensions.completeness.score,
    relevance: dimensions.relevance.score,
    timeliness: dimensions.timeliness.score,
    satisfaction: dimensions.satisfaction.score as number,
    dimensions,
    missing: assessment.missing,
    signals: assessment.signals,
    eligible: gate.eligible,
    ineligible_reason: gate.reason,
    outcome: gate.outcome,
    improvement_areas: gate.improvementAreas,
    next_interaction_id: nextInteractionId,
    feedback_count: feedbackCount,
    judged,
    scored_by: scoredBy,
  };
}

function observe(metrics: ScoreMetrics, scored: readonly Scored[]): void {
  const now = Date.now();
  for (const { claim, assessment, updatedAt } of scored) {
    metrics.scored.inc({ trigger: claim.reason });
    for (const dimension of DIMENSIONS) {
      const result = assessment.dimensions[dimension];
      if (result.score === null) metrics.missing.inc({ dimension });
      else metrics.scores.observe({ dimension, source: result.source }, result.score);
    }
    metrics.gate.inc({ result: assessment.gate.eligible ? 'eligible' : 'ineligible' });
    metrics.outcomes.inc({ outcome: assessment.gate.outcome });
    if (claim.reason === 'ingest') metrics.lag.observe(Math.max(0, now - updatedAt.getTime()) / 1000);
  }
}

export function startScoringWorker(options: ScoringWorkerOptions): Loop {
  return runLoop(
    async () => (await scoreBatch(options)) >= options.config.scoreBatchSize,
    options.config.scorePollMs,
    (error) => {
      const message = `scoring a batch failed (retrying in ${options.config.scorePollMs} ms): ${(error as Error).message}`;
      // Lock waits cut short by LOCK_TIMEOUT_MS, and deadlocks, are expected now and then.
      if (isContention(error)) options.log.debug(message);
      else options.log.warn(message);
    },
  );
}
