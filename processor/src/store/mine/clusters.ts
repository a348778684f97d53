// mine_clusters and interaction_topics: the topic clusters of an agent's user inputs. A pass
// assigns its queued interactions that have no topic yet (or, on demand, all of the window's),
// ASSIGN_BATCH at a time, oldest first, then recounts each cluster's size, successes and failures.
import type pg from 'pg';
import type { EmbeddingCluster } from '../../mine/embedding-topics.ts';
import type { Cluster } from '../../mine/topics.ts';
import { labelOf } from '../../mine/topics.ts';
import type { Message } from '../../normalize/index.ts';
import { MINE_AGENT } from './queue.ts';
import { type FactScope, scopeClause } from './rows.ts';

export const ASSIGN_BATCH = 20_000;

/** An agent's clusters of both methods, as the topic indexes start from. */
export interface StoredClusters {
  minhash: Omit<Cluster, 'added'>[];
  /** Only those made with the embedding model asked for. */
  embedding: Omit<EmbeddingCluster, 'added'>[];
}

export async function loadClusters(
  client: pg.ClientBase | pg.Pool, projectId: number, agent: string, embeddingModel: string | undefined,
): Promise<StoredClusters> {
  const { rows } = await client.query<{
    id: string; method: string; signature: number[] | null; embedding: number[] | null; embedding_model: string | null;
    terms: Record<string, number>; examples: string[];
  }>(
    `SELECT id, method, signature, embedding, embedding_model, terms, examples FROM mine_clusters
     WHERE project_id = $1 AND agent = $2 ORDER BY created_at, id`,
    [projectId, agent],
  );
  const stored: StoredClusters = { minhash: [], embedding: [] };
  for (const r of rows) {
    if (r.method === 'minhash' && r.signature !== null) stored.minhash.push({ id: r.id, signature: r.signature, terms: r.terms, examples: r.examples });
    if (r.method === 'embedding' && r.embedding !== null && r.embedding_model === embeddingModel) {
      stored.embedding.push({ id: r.id, embedding: r.embedding, terms: r.terms, examples: r.examples });
    }
  }
  return stored;
}

/** A cluster as written: MinHash (a signature) or embedding (a vector and its model). */
export type WrittenCluster =
  | (Cluster & { method: 'minhash' })
  | (EmbeddingCluster & { method: 'embedding'; model: string });

/** Scored interactions of the agent in `scope` (started since `since`) without a topic yet, oldest first, ASSIGN_BATCH at most. */
export async function unassignedInputs(
  pool: pg.Pool, projectId: number, agent: string, since: Date, scope: FactScope,
): Promise<{ id: string; input: Message[] | null }[]> {
  const which = scopeClause(scope);
  if (which === null) return [];
  const { rows } = await pool.query<{ id: string; user_input: Message[] | null }>(
    `SELECT i.id, i.user_input FROM interactions i
     JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
     WHERE i.project_id = $1 AND ${MINE_AGENT} = $2 AND i.start_time >= $3 ${which}
       AND NOT EXISTS (SELECT 1 FROM interaction_topics t WHERE t.project_id = i.project_id AND t.interaction_id = i.id)
     ORDER BY i.start_time_unix_nano, i.id LIMIT $4`,
    [projectId, agent, since, ASSIGN_BATCH],
  );
  return rows.map((r) => ({ id: r.id, input: r.user_input }));
}

/** Stores assignments and the clusters they touched, in the caller's transaction. */
export async function writeAssignments(
  client: pg.ClientBase, projectId: number, agent: string, assignments: readonly { id: string; cluster: string | null }[], clusters: readonly WrittenCluster[],
): Promise<void> {
  if (assignments.length === 0) return;
  const touched = clusters.filter((c) => c.added > 0).map((c) => ({
    id: c.id, method: c.method, label: labelOf(c.terms), terms: c.terms, added: c.added, examples: c.examples,
    signature: c.method === 'minhash' ? c.signature : null,
    embedding: c.method === 'embedding' ? c.embedding : null,
    model: c.method === 'embedding' ? c.model : null,
  }));
  await client.query(
    `INSERT INTO mine_clusters AS m (project_id, id, agent, label, method, signature, embedding, embedding_model, terms, size, successes, failures, examples)
     SELECT $1, c.id, $2, c.label, c.method,
       CASE WHEN c.signature IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(c.signature)::integer) END,
       CASE WHEN c.embedding IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(c.embedding)::real) END,
       c.model, c.terms, c.added, 0, 0, ARRAY(SELECT jsonb_array_elements_text(c.examples))
     FROM jsonb_to_recordset($3::jsonb) AS c(id text, method text, label text, signature jsonb, embedding jsonb, model text, terms jsonb, added integer, examples jsonb)
     ON CONFLICT (project_id, id) DO UPDATE SET label = excluded.label, terms = excluded.terms, examples = excluded.examples, updated_at = now()`,
    [projectId, agent, JSON.stringify(touched)],
  );
  await client.query(
    `INSERT INTO interaction_topics (project_id, interaction_id, cluster_id)
     SELECT $1, a.id, a.cluster FROM jsonb_to_recordset($2::jsonb) AS a(id text, cluster text)
     ON CONFLICT (project_id, interaction_id) DO NOTHING`,
    [projectId, JSON.stringify(assignments)],
  );
}

/** Sets each cluster's counts over the window, as the pass's tally found them. */
export async function writeClusterCounts(
  client: pg.ClientBase, projectId: number, agent: string, counts: readonly { id: string; n: number; success: number; failure: number }[],
): Promise<void> {
  await client.query(
    `UPDATE mine_clusters m SET size = coalesce(c.n, 0), successes = coalesce(c.success, 0), failures = coalesce(c.failure, 0)
     FROM (SELECT m2.id, c.n, c.success, c.failure FROM mine_clusters m2
           LEFT JOIN jsonb_to_recordset($3::jsonb) AS c(id text, n integer, success integer, failure integer) ON c.id = m2.id
           WHERE m2.project_id = $1 AND m2.agent = $2) AS c
     WHERE m.project_id = $1 AND m.id = c.id`,
    [projectId, agent, JSON.stringify(counts)],
  );
}

/** Topic cluster id -> label, for one agent. */
export async function clusterLabels(pool: pg.Pool, projectId: number, agent: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ id: string; label: string }>('SELECT id, label FROM mine_clusters WHERE project_id = $1 AND agent = $2', [projectId, agent]);
  return new Map(rows.map((r) => [r.id, r.label]));
}

/** A project's clusters (one agent or all), largest first. */
export async function listClusters(pool: pg.Pool, projectId: number, agent: string | undefined) {
  const { rows } = await pool.query<{
    id: string; agent: string; label: string; method: string; embedding_model: string | null;
    size: number; successes: number; failures: number; examples: string[]; terms: Record<string, number>;
  }>(
    `SELECT id, agent, label, method, embedding_model, size, successes, failures, examples, terms FROM mine_clusters
     WHERE project_id = $1 AND ($2::text IS NULL OR agent = $2) ORDER BY agent, size DESC, id LIMIT 1000`,
    [projectId, agent ?? null],
  );
  return rows.map((r) => ({
    id: r.id, agent: r.agent, label: r.label, method: r.method, model: r.embedding_model, size: r.size,
    successRate: r.size === 0 ? null : Math.round((r.successes / r.size) * 10_000) / 10_000,
    failureRate: r.size === 0 ? null : Math.round((r.failures / r.size) * 10_000) / 10_000,
    topTerms: Object.entries(r.terms).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([term]) => term),
    examples: r.examples,
  }));
}
