// The judgements table: LLM-judge verdicts and the judge's work queue. The scoring worker
// requests a verdict (status 'pending') when an interaction's judged content has none; a judge
// worker claims one row at a time with a lease (claimed_until), so a process that dies mid-call
// hands its row to another once the lease runs out, calls the judge outside any transaction,
// and records the verdict only if the row is still its claim for the same content.
import type pg from 'pg';
import type { InteractionRow } from '../interactions/rows.ts';
import { requestRescore } from './score-queue.ts';

/** Asks for verdicts; a row already judged (or pending) for the same content is left as it is. */
export async function requestJudgements(
  client: pg.ClientBase,
  projectId: number,
  requests: readonly { interactionId: string; contentHash: string }[],
): Promise<void> {
  if (requests.length === 0) return;
  await client.query(
    `INSERT INTO judgements (project_id, interaction_id, content_hash, status)
     SELECT $3, id, hash, 'pending' FROM unnest($1::text[], $2::text[]) AS r (id, hash)
     ON CONFLICT (project_id, interaction_id) DO UPDATE SET
       content_hash = EXCLUDED.content_hash, status = 'pending', requested_at = now(), claimed_by = NULL,
       claimed_until = NULL, attempts = 0, error = NULL
     WHERE judgements.content_hash <> EXCLUDED.content_hash`,
    [requests.map((r) => r.interactionId), requests.map((r) => r.contentHash), projectId],
  );
}

export interface JudgeClaim {
  projectId: number;
  interactionId: string;
  contentHash: string;
  /** The interaction's content columns, as stored. */
  interaction: Pick<InteractionRow, 'id' | 'user_input' | 'response' | 'expected_output' | 'tools'>;
}

/** Claims the oldest pending request nobody holds a live lease on; null when there is none. */
export async function claimJudgement(pool: pg.Pool, claimant: string, leaseMs: number): Promise<JudgeClaim | null> {
  const { rows } = await pool.query<{ project_id: number; interaction_id: string; content_hash: string }>(
    `UPDATE judgements SET claimed_by = $1, claimed_until = now() + $2 * interval '1 millisecond'
     WHERE (project_id, interaction_id) = (
       SELECT project_id, interaction_id FROM judgements
       WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
       ORDER BY requested_at
       LIMIT 1
       FOR UPDATE SKIP LOCKED)
     RETURNING project_id, interaction_id, content_hash`,
    [claimant, leaseMs],
  );
  const claim = rows[0];
  if (claim === undefined) return null;
  const interaction = await pool.query<JudgeClaim['interaction']>(
    'SELECT id, user_input, response, expected_output, tools FROM interactions WHERE project_id = $1 AND id = $2',
    [claim.project_id, claim.interaction_id],
  );
  const row = interaction.rows[0];
  if (row === undefined) return null; // deleted since: the cascade removed the request too
  return { projectId: claim.project_id, interactionId: claim.interaction_id, contentHash: claim.content_hash, interaction: row };
}

export interface JudgementRecord {
  status: 'done' | 'failed';
  accuracy?: number;
  completeness?: number;
  relevance?: number;
  rationale?: string;
  model: string;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  error?: string;
}

/**
 * Records the outcome of a claim and, for a verdict, queues the interaction to be re-scored
 * with it. Returns false when the claim was lost (content changed, or the lease ran out and
 * another process took it): nothing is written.
 */
export async function recordJudgement(
  client: pg.ClientBase,
  claim: Pick<JudgeClaim, 'projectId' | 'interactionId' | 'contentHash'>,
  claimant: string,
  record: JudgementRecord,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE judgements SET status = $4, accuracy = $5, completeness = $6, relevance = $7, rationale = $8, model = $9,
       attempts = $10, input_tokens = $11, output_tokens = $12, cost_usd = $13, latency_ms = $14, error = $15,
       judged_at = now(), claimed_by = NULL, claimed_until = NULL
     WHERE project_id = $16 AND interaction_id = $1 AND content_hash = $2 AND claimed_by = $3 AND status = 'pending'`,
    [
      claim.interactionId, claim.contentHash, claimant, record.status, record.accuracy ?? null, record.completeness ?? null,
      record.relevance ?? null, record.rationale ?? null, record.model, record.attempts, record.inputTokens, record.outputTokens,
      record.costUsd, record.latencyMs, record.error ?? null, claim.projectId,
    ],
  );
  if (rowCount !== 1) return false;
  if (record.status === 'done') await requestRescore(client, claim.projectId, [claim.interactionId], 'judge');
  return true;
}

/** Gives claims back (on shutdown), so another process need not wait for their leases. */
export async function releaseClaims(pool: pg.Pool, claimant: string): Promise<void> {
  await pool.query(`UPDATE judgements SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND status = 'pending'`, [claimant]);
}
