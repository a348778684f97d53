// The knowledge stage's one job: drain knowledge_queue (filled by scoring) into candidates,
// validate each against the live items of its key, then apply the batch commit rule per project.
// One transaction per claimed batch: a crash before COMMIT leaves the queue rows in place.
import type pg from 'pg';
import { answerText, lastUserText } from '../score/text.ts';
import { claimQueued } from '../store/knowledge/queue.ts';
import {
  commitPendingUpdates, insertCandidate, lockLiveItems, loadQueuedInteractions, mergeCandidate, projectsWithPending, setConfidences, supersede,
} from '../store/knowledge/items.ts';
import { inTransaction } from '../store/transaction.ts';
import { extractCandidates, type KnowledgeCandidate } from './candidates.ts';
import type { KnowledgeConfig } from './config.ts';
import { confidenceOf, confidences, integrate } from './validation.ts';

const STATEMENT_TIMEOUT_MS = 60_000;
const BATCH = 200;

/** Drains the queue batch by batch, then commits per project; returns the interactions read. */
export async function updateKnowledge(pool: pg.Pool, config: KnowledgeConfig, signal: AbortSignal): Promise<number> {
  let read = 0;
  while (!signal.aborted) {
    const claimed = await inTransaction(pool, STATEMENT_TIMEOUT_MS, async (client) => {
      const claims = await claimQueued(client, BATCH);
      const byProject = new Map<number, string[]>();
      for (const c of claims) byProject.set(c.projectId, [...(byProject.get(c.projectId) ?? []), c.interactionId]);
      for (const [projectId, ids] of byProject) await learnFrom(client, projectId, ids);
      return claims.length;
    });
    read += claimed;
    if (claimed < BATCH) break;
  }
  await inTransaction(pool, STATEMENT_TIMEOUT_MS, async (client) => {
    for (const projectId of await projectsWithPending(client)) {
      await commitPendingUpdates(client, projectId, config.knowledgeCommitBatch, config.knowledgeCommitConfidence);
    }
  });
  return read;
}

/** Extracts and validates the candidates of some interactions of one project, in the caller's transaction. */
async function learnFrom(client: pg.ClientBase, projectId: number, ids: readonly string[]): Promise<void> {
  for (const queued of await loadQueuedInteractions(client, projectId, ids)) {
    const candidates = extractCandidates({
      interactionId: queued.interactionId,
      agent: queued.agent,
      userId: queued.userId,
      question: lastUserText(queued.input),
      answer: answerText(queued.output),
      eligible: queued.eligible,
      feedback: queued.feedback,
      at: queued.at,
    });
    for (const candidate of candidates) await validateCandidate(client, projectId, candidate);
  }
}

/** Merges, inserts or supersedes by integrate()'s decision, then re-derives the key's confidences. */
async function validateCandidate(client: pg.ClientBase, projectId: number, candidate: KnowledgeCandidate): Promise<void> {
  const live = await lockLiveItems(client, projectId, candidate.agent, candidate.key);
  const decision = integrate(candidate, live);
  if (decision.kind === 'merge') {
    await mergeCandidate(client, projectId, decision.id, candidate);
  } else {
    const id = await insertCandidate(client, projectId, candidate, {
      version: decision.version,
      supersedes: null,
      conflictWith: decision.conflictWith?.id ?? null,
      confidence: confidenceOf(candidate.supporters, live.map((i) => i.supporters)),
    });
    if (decision.supersedes !== null) await supersede(client, projectId, decision.supersedes.id, id, 'auto');
  }
  await setConfidences(client, projectId, confidences(await lockLiveItems(client, projectId, candidate.agent, candidate.key)));
}
