// The score_queue table: interactions waiting to be (re-)scored, one row each (migration 0003
// explains changed_at). Ingest enqueues in the statement that upserts the interactions; a worker
// claims due rows with FOR UPDATE SKIP LOCKED, so processes sharing the database never claim
// the same row, and deletes them in the transaction that writes their scores, so a crash
// before COMMIT leaves them queued.
import type pg from 'pg';

export type ScoreTrigger = 'ingest' | 'feedback' | 'next_turn' | 'judge' | 'abandon_check' | 'parent_check';

/**
 * Wraps ingest's interaction upsert (an INSERT ... ON CONFLICT without RETURNING) so the same
 * statement queues every upserted interaction, due once it has settled: no extra round trip.
 */
export function upsertAndEnqueue(upsertInteractions: string): string {
  return `WITH upserted AS (${upsertInteractions}
  RETURNING project_id, id)
  INSERT INTO score_queue (project_id, interaction_id, changed_at, reason)
  SELECT project_id, id, now(), 'ingest' FROM upserted
  ON CONFLICT (project_id, interaction_id) DO UPDATE SET changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason`;
}

/** Queues interactions to be re-scored at once (no settle wait): late feedback, a verdict, a next turn. */
export async function requestRescore(
  client: pg.ClientBase,
  projectId: number,
  interactionIds: readonly string[],
  reason: ScoreTrigger,
): Promise<void> {
  if (interactionIds.length === 0) return;
  await client.query(
    `INSERT INTO score_queue (project_id, interaction_id, changed_at, reason)
     SELECT $3, id, '-infinity', $2 FROM unnest($1::text[]) AS id
     ON CONFLICT (project_id, interaction_id) DO UPDATE SET changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason`,
    [interactionIds, reason, projectId],
  );
}

export interface Claim {
  projectId: number;
  interactionId: string;
  reason: ScoreTrigger;
}

/**
 * Claims up to `limit` settled interactions (changed_at older than the settle delay), oldest
 * first, locking their rows until the caller's transaction ends; rows other transactions hold
 * are skipped, not waited for. `now` is the database's clock (ms since the epoch), the one that
 * decided what is due: scoring against it keeps a scheduled re-check from coming due again at
 * once when the processor's clock lags the database's.
 */
export async function claimDue(client: pg.ClientBase, settleMs: number, limit: number): Promise<{ claims: Claim[]; now: number }> {
  const { rows } = await client.query<{ project_id: number; interaction_id: string; reason: ScoreTrigger; now_ms: number }>(
    `SELECT project_id, interaction_id, reason, (extract(epoch FROM now()) * 1000)::float8 AS now_ms FROM score_queue
     WHERE changed_at <= now() - $1 * interval '1 millisecond'
     ORDER BY changed_at
     LIMIT $2
     FOR UPDATE SKIP LOCKED`,
    [settleMs, limit],
  );
  return {
    claims: rows.map((r) => ({ projectId: r.project_id, interactionId: r.interaction_id, reason: r.reason })),
    now: rows[0]?.now_ms ?? Date.now(),
  };
}

/** Removes claimed rows of one project: their scores are written in the same transaction. */
export async function completeClaims(client: pg.ClientBase, projectId: number, interactionIds: readonly string[]): Promise<void> {
  await client.query('DELETE FROM score_queue WHERE project_id = $1 AND interaction_id = ANY ($2::text[])', [projectId, interactionIds]);
}

/**
 * Queues the previous turn of each conversation again when its stored score was computed
 * without knowing the turn that follows it (its retry/rephrase signals depend on that turn).
 * Run after the scores of the batch are written, so a predecessor scored in the same batch is
 * seen with its new next turn and left alone.
 */
export async function rescorePredecessors(
  client: pg.ClientBase,
  projectId: number,
  pairs: readonly { previousId: string; nextId: string }[],
): Promise<void> {
  if (pairs.length === 0) return;
  await client.query(
    `INSERT INTO score_queue (project_id, interaction_id, changed_at, reason)
     SELECT s.project_id, s.interaction_id, '-infinity', 'next_turn'
     FROM unnest($1::text[], $2::text[]) AS p (previous_id, next_id)
     JOIN interaction_scores s ON s.project_id = $3 AND s.interaction_id = p.previous_id
       AND s.next_interaction_id IS DISTINCT FROM p.next_id
     ON CONFLICT (project_id, interaction_id) DO UPDATE SET changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason`,
    [pairs.map((p) => p.previousId), pairs.map((p) => p.nextId), projectId],
  );
}

/** A look again at `at` (ms since the epoch): for abandonment, or to judge once the parent span had its time. */
export interface Recheck {
  interactionId: string;
  at: number;
  reason: 'abandon_check' | 'parent_check';
}

/** Queues interactions to be looked at again at a given time. */
export async function scheduleRechecks(
  client: pg.ClientBase,
  projectId: number,
  rechecks: readonly Recheck[],
  settleMs: number,
): Promise<void> {
  if (rechecks.length === 0) return;
  await client.query(
    `INSERT INTO score_queue (project_id, interaction_id, changed_at, reason)
     SELECT $4, id, at - $3 * interval '1 millisecond', reason
     FROM unnest($1::text[], $2::timestamptz[], $5::text[]) AS r (id, at, reason)
     ON CONFLICT (project_id, interaction_id) DO UPDATE SET changed_at = least(score_queue.changed_at, EXCLUDED.changed_at)`,
    [rechecks.map((r) => r.interactionId), rechecks.map((r) => new Date(r.at).toISOString()), settleMs, projectId, rechecks.map((r) => r.reason)],
  );
}

/** Rows waiting, for the queue-depth gauge. */
export async function queueDepth(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM score_queue');
  return rows[0]?.n ?? 0;
}
