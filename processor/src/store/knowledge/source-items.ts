// The knowledge_items of sources: read and locked for a refresh, new versions inserted, removed
// sections retired, and learnt knowledge that relied on a changed source marked stale. Every
// status change has its knowledge_events row, like the rest of the stage's writes (items.ts).
import type pg from 'pg';
import type { SourceItem } from '../../knowledge/sources.ts';
import { recordEvent } from './items.ts';

/** A source's items of every status (its uri and agent), locked until the caller's transaction ends. */
export async function lockSourceItems(client: pg.ClientBase, projectId: number, uri: string, agent: string | null): Promise<SourceItem[]> {
  // Serialises refreshes and deletions of one source (the job runs on one replica, DELETE on any).
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, $2))', [`knowledge-source:${agent ?? ''}:${uri}`, projectId]);
  const { rows } = await client.query<SourceItem>(
    `SELECT k.id::text, k.key, k.content, k.status, k.version FROM knowledge_items k
     WHERE k.project_id = $1 AND k.source_uri = $2 AND k.agent IS NOT DISTINCT FROM $3 AND k.origin = 'source'
     ORDER BY k.id FOR UPDATE`,
    [projectId, uri, agent],
  );
  return rows;
}

/** The confidence of a trusted source's items (it is taken as right) and of an untrusted one's (one voter, as a lone correction). */
export const TRUSTED_CONFIDENCE = 1;
export const UNTRUSTED_CONFIDENCE = 0.5;

/** Inserts a section's new version as committed (trusted source) or pending, with its creation event; returns its id. */
export async function insertSourceItem(
  client: pg.ClientBase,
  projectId: number,
  item: { agent: string | null; key: string; content: string; uri: string; version: number; status: 'committed' | 'pending'; conflictWith: string | null },
): Promise<string> {
  const trusted = item.status === 'committed';
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO knowledge_items (project_id, agent, key, content, confidence, status, origin, supporters, interaction_ids, feedback_ids,
       source_uri, version, conflict_with, committed_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'source', ARRAY['source:' || $7::text], '{}', '{}', $7::text, $8, $9, CASE WHEN $6::text = 'committed' THEN now() END)
     RETURNING id::text`,
    [projectId, item.agent, item.key, item.content, trusted ? TRUSTED_CONFIDENCE : UNTRUSTED_CONFIDENCE, item.status, item.uri, item.version, item.conflictWith],
  );
  const id = (rows[0] as { id: string }).id;
  await recordEvent(client, projectId, id, null, item.status, 'auto', `${trusted ? 'from trusted source' : 'from source'} ${item.uri}`);
  return id;
}

/** Marks an item superseded by nothing (its section left the source, or the source was deleted), with its event. */
export async function retireItem(client: pg.ClientBase, projectId: number, id: string, reason: string): Promise<void> {
  const { rows } = await client.query<{ status: 'pending' | 'committed' }>(
    `UPDATE knowledge_items n SET status = 'superseded', updated_at = now()
     FROM knowledge_items o WHERE n.project_id = $1 AND n.id = $2 AND o.project_id = n.project_id AND o.id = n.id
       AND o.status IN ('pending', 'committed')
     RETURNING o.status`,
    [projectId, id],
  );
  if (rows[0] !== undefined) await recordEvent(client, projectId, id, rows[0].status, 'superseded', 'auto', reason);
}

/**
 * Marks stale the live learnt items (from corrections and interactions) of which an interaction
 * relied on one of `entries` (`flywheel.knowledge.sources`: the source's uri, or
 * `knowledge://<id>` of an item the source replaced); returns how many were marked. An item
 * already stale keeps its first mark.
 */
export async function markStale(client: pg.ClientBase, projectId: number, entries: readonly string[]): Promise<number> {
  if (entries.length === 0) return 0;
  const { rowCount } = await client.query(
    `UPDATE knowledge_items k SET stale_at = now()
     WHERE k.project_id = $1 AND k.origin <> 'source' AND k.status IN ('pending', 'committed') AND k.stale_at IS NULL
       AND EXISTS (SELECT 1 FROM interactions i
                   WHERE i.project_id = k.project_id AND i.id = ANY (k.interaction_ids) AND i.knowledge_sources && $2::text[])`,
    [projectId, entries],
  );
  return rowCount ?? 0;
}
