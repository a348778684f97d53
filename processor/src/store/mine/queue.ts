// mine_queue: interactions scored since the last mining pass, with their agent. Scoring adds one
// row per interaction it scores, in its own transaction (score/worker.ts); a pass reads the
// highest id of each agent, derives the facts of the agent's queued interactions, mines the
// agent, and deletes its rows up to the id in the transaction that writes the results. Rows
// queued during the pass have higher ids and stay for the next one.
import type pg from 'pg';

/** The agent of an interaction as mining groups it, over `interactions i`. */
export const MINE_AGENT = "coalesce(i.agent_name, i.service_name, 'unknown')";

/** Queues some scored interactions of one project with their agents, in the caller's transaction. */
export async function enqueueForMining(client: pg.ClientBase, projectId: number, interactionIds: readonly string[]): Promise<void> {
  if (interactionIds.length === 0) return;
  await client.query(
    `INSERT INTO mine_queue (project_id, agent, interaction_id)
     SELECT $1::integer, ${MINE_AGENT}, i.id FROM interactions i WHERE i.project_id = $1 AND i.id = ANY ($2::text[])`,
    [projectId, interactionIds],
  );
}

export interface QueuedAgent {
  projectId: number;
  agent: string;
  /** The highest queue id seen: the pass deletes up to it (null: the agent is not queued). */
  upTo: string | null;
}

/** The agents waiting for a pass, every project, oldest first. */
export async function queuedAgents(pool: pg.Pool | pg.ClientBase): Promise<QueuedAgent[]> {
  const { rows } = await pool.query<{ project_id: number; agent: string; up_to: string }>(
    'SELECT project_id, agent, max(id)::text AS up_to FROM mine_queue GROUP BY project_id, agent ORDER BY min(id)',
  );
  return rows.map((r) => ({ projectId: r.project_id, agent: r.agent, upTo: r.up_to }));
}

/** Every agent of a project with interactions since `since` (a pass on demand over all of them). */
export async function agentsSince(pool: pg.Pool, projectId: number, since: Date): Promise<string[]> {
  const { rows } = await pool.query<{ agent: string }>(
    `SELECT DISTINCT ${MINE_AGENT} AS agent FROM interactions i WHERE i.project_id = $1 AND i.start_time >= $2 ORDER BY 1`,
    [projectId, since],
  );
  return rows.map((r) => r.agent);
}

/** Deletes an agent's queue rows up to `upTo`, in the caller's transaction. */
export async function dequeueAgent(client: pg.ClientBase, projectId: number, agent: string, upTo: string | null): Promise<void> {
  if (upTo === null) return;
  await client.query('DELETE FROM mine_queue WHERE project_id = $1 AND agent = $2 AND id <= $3', [projectId, agent, upTo]);
}

/** Agents waiting for a pass (a gauge). */
export async function mineQueueDepth(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(DISTINCT (project_id, agent))::int AS n FROM mine_queue');
  return rows[0]?.n ?? 0;
}
