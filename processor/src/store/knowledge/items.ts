// knowledge_items and knowledge_events: the knowledge stage's writes (candidates merged or
// inserted, status changes, each with its audit event) and the REST API's reads.
import type pg from 'pg';
import type { KnowledgeCandidate } from '../../knowledge/candidates.ts';
import type { KnowledgeStatus, LiveItem } from '../../knowledge/validation.ts';
import type { Message } from '../../normalize/interaction.ts';

/** What the knowledge stage reads of one queued interaction: messages, scoring's gate, feedback. */
export interface QueuedInteraction {
  interactionId: string;
  agent: string | null;
  userId: string | null;
  input: Message[] | null;
  output: Message[] | null;
  eligible: boolean;
  at: Date;
  feedback: { id: string; correction: string | null; score: number | null; userId: string | null }[];
}

/** The interactions of one project the queue named (deleted ones are left out). */
export async function loadQueuedInteractions(client: pg.ClientBase, projectId: number, ids: readonly string[]): Promise<QueuedInteraction[]> {
  const { rows } = await client.query<{
    id: string; agent_name: string | null; user_id: string | null; user_input: Message[] | null; response: Message[] | null;
    eligible: boolean | null; start_time: Date; feedback: { id: string; correction: string | null; score: number | null; user_id: string | null }[];
  }>(
    `SELECT i.id, i.agent_name, i.user_id, i.user_input, i.response, s.eligible, i.start_time,
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', f.id::text, 'correction', f.correction, 'score', f.score, 'user_id', f.user_id) ORDER BY f.id)
                 FROM feedback f WHERE f.project_id = $1 AND f.trace_id = i.trace_id AND f.span_id = ANY (i.span_ids)), '[]') AS feedback
     FROM interactions i LEFT JOIN interaction_scores s ON s.project_id = $1 AND s.interaction_id = i.id
     WHERE i.project_id = $1 AND i.id = ANY ($2::text[])
     ORDER BY i.start_time, i.id`,
    [projectId, ids],
  );
  return rows.map((r) => ({
    interactionId: r.id,
    agent: r.agent_name,
    userId: r.user_id,
    input: r.user_input,
    output: r.response,
    eligible: r.eligible === true,
    at: r.start_time,
    feedback: r.feedback.map((f) => ({ id: f.id, correction: f.correction, score: f.score, userId: f.user_id })),
  }));
}

interface ItemRow {
  id: string;
  agent: string | null;
  key: string;
  content: string;
  confidence: number;
  status: KnowledgeStatus;
  origin: string;
  supporters: string[];
  interaction_ids: string[];
  feedback_ids: string[];
  source_uri: string | null;
  version: number;
  supersedes: string | null;
  superseded_by: string | null;
  conflict_with: string | null;
  created_at: Date;
  updated_at: Date;
  committed_at: Date | null;
  stale_at: Date | null;
}

const ITEM_COLUMNS = `id::text, agent, key, content, confidence, status, origin, supporters, interaction_ids, feedback_ids::text[],
  source_uri, version, supersedes::text, superseded_by::text, conflict_with::text, created_at, updated_at, committed_at, stale_at`;

/** The pending and committed items of one key, locked until the caller's transaction ends. */
export async function lockLiveItems(client: pg.ClientBase, projectId: number, agent: string | null, key: string): Promise<LiveItem[]> {
  // Two writers of one key would both see no item and both insert: serialise them per key.
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, $2))', [`knowledge:${agent ?? ''}:${key}`, projectId]);
  const { rows } = await client.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM knowledge_items
     WHERE project_id = $1 AND key = $2 AND agent IS NOT DISTINCT FROM $3 AND status IN ('pending', 'committed')
     ORDER BY id FOR UPDATE`,
    [projectId, key, agent],
  );
  return rows.map((r) => ({
    id: r.id,
    content: r.content,
    status: r.status as LiveItem['status'],
    confidence: r.confidence,
    supporters: r.supporters,
    version: r.version,
    createdAt: r.created_at,
  }));
}

/** Adds a candidate's supporters and provenance to an item (sets, so a candidate seen twice adds nothing). */
export async function mergeCandidate(client: pg.ClientBase, projectId: number, id: string, candidate: KnowledgeCandidate): Promise<void> {
  await client.query(
    `UPDATE knowledge_items SET
       supporters = ARRAY(SELECT DISTINCT unnest(supporters || $3::text[]) ORDER BY 1),
       interaction_ids = ARRAY(SELECT DISTINCT unnest(interaction_ids || $4::text[]) ORDER BY 1),
       feedback_ids = ARRAY(SELECT DISTINCT unnest(feedback_ids || $5::bigint[]) ORDER BY 1),
       updated_at = now()
     WHERE project_id = $1 AND id = $2`,
    [projectId, id, candidate.supporters, candidate.interactionIds, candidate.feedbackIds],
  );
}

/** Inserts a candidate as a pending item, with its creation event; returns its id. */
export async function insertCandidate(
  client: pg.ClientBase,
  projectId: number,
  candidate: KnowledgeCandidate,
  links: { version: number; supersedes: string | null; conflictWith: string | null; confidence: number },
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO knowledge_items (project_id, agent, key, content, confidence, status, origin, supporters, interaction_ids, feedback_ids,
       version, supersedes, conflict_with, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9::bigint[], $10, $11, $12, $13, $13)
     RETURNING id::text`,
    [projectId, candidate.agent, candidate.key, candidate.content, links.confidence, candidate.origin, candidate.supporters,
      candidate.interactionIds, candidate.feedbackIds, links.version, links.supersedes, links.conflictWith, candidate.at],
  );
  const id = (rows[0] as { id: string }).id;
  const reason = links.conflictWith !== null ? `conflicts with #${links.conflictWith}` : `from ${candidate.origin}`;
  await recordEvent(client, projectId, id, null, 'pending', 'auto', reason);
  return id;
}

/** Sets the confidence of items by id. */
export async function setConfidences(client: pg.ClientBase, projectId: number, confidence: ReadonlyMap<string, number>): Promise<void> {
  if (confidence.size === 0) return;
  await client.query(
    `UPDATE knowledge_items k SET confidence = c.confidence
     FROM unnest($2::bigint[], $3::float8[]) AS c (id, confidence)
     WHERE k.project_id = $1 AND k.id = c.id AND k.confidence <> c.confidence`,
    [projectId, [...confidence.keys()], [...confidence.values()]],
  );
}

/** Records one status change of an item (from null: its creation) in knowledge_events. */
export async function recordEvent(
  client: pg.ClientBase, projectId: number, itemId: string, from: KnowledgeStatus | null, to: KnowledgeStatus, actor: string, reason: string | null,
): Promise<void> {
  await client.query(
    'INSERT INTO knowledge_events (project_id, item_id, from_status, to_status, actor, reason) VALUES ($1, $2, $3, $4, $5, $6)',
    [projectId, itemId, from, to, actor, reason],
  );
}

/** Marks `oldId` superseded by `newId`, with its audit event. */
export async function supersede(client: pg.ClientBase, projectId: number, oldId: string, newId: string, actor: string): Promise<void> {
  const { rows } = await client.query<{ status: KnowledgeStatus }>(
    `UPDATE knowledge_items n SET status = 'superseded', superseded_by = $3, updated_at = now()
     FROM knowledge_items o WHERE n.project_id = $1 AND n.id = $2 AND o.project_id = n.project_id AND o.id = n.id
     RETURNING o.status`,
    [projectId, oldId, newId],
  );
  await client.query('UPDATE knowledge_items SET supersedes = $3 WHERE project_id = $1 AND id = $2', [projectId, newId, oldId]);
  if (rows[0] !== undefined) await recordEvent(client, projectId, oldId, rows[0].status, 'superseded', actor, `superseded by #${newId}`);
}

/** A status change refused: the item is not pending (or not this project's). */
export class KnowledgeTransitionError extends Error {
  override name = 'KnowledgeTransitionError';
  constructor(message: string, readonly found: boolean) {
    super(message);
  }
}

/**
 * A person's decision on an item, with its audit event. A pending item is committed or rejected;
 * committing one flagged as conflicting with a committed one supersedes that one (the old kept as
 * history). A committed item marked stale (its source changed since it was learnt) is re-checked:
 * approved again, which clears the mark, or rejected, which takes it out of service.
 */
export async function decide(
  client: pg.ClientBase, projectId: number, id: string, to: 'committed' | 'rejected', actor: string, reason: string | null,
): Promise<void> {
  const { rows } = await client.query<{ status: KnowledgeStatus; conflict_with: string | null; stale: boolean }>(
    'SELECT status, conflict_with::text, stale_at IS NOT NULL AS stale FROM knowledge_items WHERE project_id = $1 AND id = $2 FOR UPDATE',
    [projectId, id],
  );
  const item = rows[0];
  if (item === undefined) throw new KnowledgeTransitionError(`no knowledge item ${id}`, false);
  if (item.status === 'committed' && to === 'committed' && item.stale) {
    await client.query('UPDATE knowledge_items SET stale_at = NULL, updated_at = now() WHERE project_id = $1 AND id = $2', [projectId, id]);
    await recordEvent(client, projectId, id, 'committed', 'committed', actor, reason ?? 'confirmed after its source changed');
    return;
  }
  if (item.status === 'committed' && to === 'rejected' && item.stale) {
    await client.query('UPDATE knowledge_items SET status = $3, updated_at = now() WHERE project_id = $1 AND id = $2', [projectId, id, to]);
    await recordEvent(client, projectId, id, 'committed', to, actor, reason);
    return;
  }
  if (item.status !== 'pending') throw new KnowledgeTransitionError(`knowledge item ${id} is ${item.status}, not pending`, true);
  await client.query(
    `UPDATE knowledge_items SET status = $3, updated_at = now(), committed_at = CASE WHEN $3 = 'committed' THEN now() END
     WHERE project_id = $1 AND id = $2`,
    [projectId, id, to],
  );
  await recordEvent(client, projectId, id, 'pending', to, actor, reason);
  if (to === 'committed' && item.conflict_with !== null) {
    const { rows: old } = await client.query<{ status: KnowledgeStatus }>(
      'SELECT status FROM knowledge_items WHERE project_id = $1 AND id = $2 FOR UPDATE',
      [projectId, item.conflict_with],
    );
    if (old[0]?.status === 'committed' || old[0]?.status === 'pending') await supersede(client, projectId, item.conflict_with, id, actor);
  }
}

/**
 * The batch commit rule: once at least `batch` items of the project are pending, those with
 * confidence above `confidence` and no conflict awaiting review are committed; returns their ids.
 * It is about learnt items: an untrusted source's items wait for a person, and are not counted.
 */
export async function commitPendingUpdates(
  client: pg.ClientBase, projectId: number, batch: number, confidence: number,
): Promise<string[]> {
  const { rows: count } = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM knowledge_items WHERE project_id = $1 AND status = 'pending' AND origin <> 'source'",
    [projectId],
  );
  if ((count[0]?.n ?? 0) < batch) return [];
  const { rows } = await client.query<{ id: string }>(
    `SELECT id::text FROM knowledge_items
     WHERE project_id = $1 AND status = 'pending' AND origin <> 'source' AND conflict_with IS NULL AND confidence > $2 ORDER BY id FOR UPDATE`,
    [projectId, confidence],
  );
  for (const { id } of rows) {
    await decide(client, projectId, id, 'committed', 'auto', `batch commit: confidence above ${confidence} with ${count[0]?.n} pending`);
  }
  return rows.map((r) => r.id);
}

/** Projects with pending items. */
export async function projectsWithPending(client: pg.ClientBase): Promise<number[]> {
  const { rows } = await client.query<{ project_id: number }>(
    "SELECT DISTINCT project_id FROM knowledge_items WHERE status = 'pending' AND origin <> 'source' ORDER BY 1",
  );
  return rows.map((r) => r.project_id);
}

export interface KnowledgeEvent {
  fromStatus: KnowledgeStatus | null;
  toStatus: KnowledgeStatus;
  actor: string;
  reason: string | null;
  at: Date;
}

export type StoredItem = ItemRow & { events: KnowledgeEvent[] };

/**
 * Items of one status for an agent (its own and the shared ones; every agent's without one), newest
 * first; with `stale`, only those marked stale (a source they relied on changed since).
 */
export async function listItems(
  pool: pg.Pool, projectId: number, query: { agent?: string; status: KnowledgeStatus; limit: number; stale?: boolean },
): Promise<StoredItem[]> {
  const { rows } = await pool.query<ItemRow & { events: KnowledgeEvent[] }>(
    `SELECT ${ITEM_COLUMNS},
       coalesce((SELECT jsonb_agg(jsonb_build_object('fromStatus', e.from_status, 'toStatus', e.to_status, 'actor', e.actor,
                                                     'reason', e.reason, 'at', e.at) ORDER BY e.id)
                 FROM knowledge_events e WHERE e.project_id = k.project_id AND e.item_id = k.id), '[]') AS events
     FROM knowledge_items k
     WHERE project_id = $1 AND status = $2 AND ($3::text IS NULL OR agent = $3 OR agent IS NULL) AND (NOT $5 OR stale_at IS NOT NULL)
     ORDER BY coalesce(committed_at, updated_at) DESC, id DESC LIMIT $4`,
    [projectId, query.status, query.agent ?? null, query.limit, query.stale === true],
  );
  return rows;
}

/** Committed items for an agent (its own and shared) ranked for a question by full-text search (ts_rank). */
export async function searchItems(
  pool: pg.Pool, projectId: number, query: { agent?: string; q: string; limit: number },
): Promise<(ItemRow & { rank: number })[]> {
  // websearch_to_tsquery ANDs the words; a question rarely shares all of them with an item, so
  // the terms are ORed and ts_rank orders by how many match and how often.
  const { rows } = await pool.query<ItemRow & { rank: number }>(
    `WITH q AS (
       SELECT to_tsquery('english', coalesce(nullif(array_to_string(array(SELECT quote_literal(lexeme) FROM unnest(to_tsvector('english', $3))), ' | '), ''), '')) AS query
     )
     SELECT ${ITEM_COLUMNS}, ts_rank(search, q.query) AS rank
     FROM knowledge_items k, q
     WHERE project_id = $1 AND status = 'committed' AND ($2::text IS NULL OR agent = $2 OR agent IS NULL) AND search @@ q.query
     ORDER BY rank DESC, id DESC LIMIT $4`,
    [projectId, query.agent ?? null, query.q, query.limit],
  );
  return rows;
}
