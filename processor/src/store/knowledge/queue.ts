// knowledge_queue: interactions scored since the knowledge stage last looked. Scoring fills it in
// its own transaction (score/worker.ts); the knowledge stage claims rows with FOR UPDATE SKIP
// LOCKED and deletes them in the transaction that writes their candidates.
import type pg from 'pg';

/** Queues scored interactions of one project for the knowledge stage, in the caller's transaction. */
export async function enqueueForKnowledge(client: pg.ClientBase, projectId: number, interactionIds: readonly string[]): Promise<void> {
  if (interactionIds.length === 0) return;
  await client.query(
    `INSERT INTO knowledge_queue (project_id, interaction_id)
     SELECT $1, id FROM unnest($2::text[]) AS id
     ON CONFLICT (project_id, interaction_id) DO NOTHING`,
    [projectId, interactionIds],
  );
}

/** Claims up to `limit` queued interactions (any project) and deletes them; the caller's transaction keeps them until COMMIT. */
export async function claimQueued(client: pg.ClientBase, limit: number): Promise<{ projectId: number; interactionId: string }[]> {
  const { rows } = await client.query<{ project_id: number; interaction_id: string }>(
    `DELETE FROM knowledge_queue WHERE (project_id, interaction_id) IN (
       SELECT project_id, interaction_id FROM knowledge_queue ORDER BY queued_at LIMIT $1 FOR UPDATE SKIP LOCKED
     ) RETURNING project_id, interaction_id`,
    [limit],
  );
  return rows.map((r) => ({ projectId: r.project_id, interactionId: r.interaction_id }));
}
