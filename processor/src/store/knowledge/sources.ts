// knowledge_sources: registration and listing (REST API), the refresh job's reads and the
// outcome of each refresh, and the last change of sources and items that scoring's timeliness
// reads.
import type pg from 'pg';

export interface SourceRow {
  id: string;
  uri: string;
  agent: string | null;
  update_frequency_s: number;
  trusted: boolean;
  status: 'pending' | 'ok' | 'error';
  error: string | null;
  failures: number;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
  last_fetched_at: Date | null;
  last_changed_at: Date | null;
  next_fetch_at: Date;
  created_at: Date;
}

const SOURCE_COLUMNS = `id::text, uri, agent, update_frequency_s, trusted, status, error, failures, etag, last_modified, content_hash,
  last_fetched_at, last_changed_at, next_fetch_at, created_at`;

/** Live (pending or committed) items of a source, counted for the listing. */
const LIVE_ITEMS = `(SELECT count(*)::int FROM knowledge_items k
  WHERE k.project_id = s.project_id AND k.source_uri = s.uri AND k.agent IS NOT DISTINCT FROM s.agent AND k.status IN ('pending', 'committed'))`;

export interface NewSource {
  uri: string;
  agent: string | null;
  frequencyS: number;
  trusted: boolean;
}

/** Registers a source, due at once; an existing one of the same uri and agent is returned instead, with `created: false`. */
export async function registerSource(pool: pg.Pool, projectId: number, source: NewSource): Promise<{ created: boolean; source: SourceRow & { items: number } }> {
  const inserted = await pool.query<SourceRow>(
    `INSERT INTO knowledge_sources (project_id, uri, agent, update_frequency_s, trusted) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (project_id, uri, agent) DO NOTHING RETURNING ${SOURCE_COLUMNS}`,
    [projectId, source.uri, source.agent, source.frequencyS, source.trusted],
  );
  if (inserted.rows[0] !== undefined) return { created: true, source: { ...inserted.rows[0], items: 0 } };
  const { rows } = await pool.query<SourceRow & { items: number }>(
    `SELECT ${SOURCE_COLUMNS}, ${LIVE_ITEMS} AS items FROM knowledge_sources s WHERE project_id = $1 AND uri = $2 AND agent IS NOT DISTINCT FROM $3`,
    [projectId, source.uri, source.agent],
  );
  // Deleted between the two statements: register again.
  if (rows[0] === undefined) return registerSource(pool, projectId, source);
  return { created: false, source: rows[0] };
}

/** The project's sources, oldest first, each with its count of live items. */
export async function listSources(pool: pg.Pool, projectId: number): Promise<(SourceRow & { items: number })[]> {
  const { rows } = await pool.query<SourceRow & { items: number }>(
    `SELECT ${SOURCE_COLUMNS}, ${LIVE_ITEMS} AS items FROM knowledge_sources s WHERE project_id = $1 ORDER BY id`,
    [projectId],
  );
  return rows;
}

/** Removes a source (its items stay, the caller retires them); returns it, or null when the project has none of that id. */
export async function deleteSource(client: pg.ClientBase, projectId: number, id: string): Promise<SourceRow | null> {
  const { rows } = await client.query<SourceRow>(
    `DELETE FROM knowledge_sources WHERE project_id = $1 AND id = $2 RETURNING ${SOURCE_COLUMNS}`,
    [projectId, id],
  );
  return rows[0] ?? null;
}

export type DueSource = SourceRow & { project_id: number };

/** Sources of every project due for a refresh, most overdue first. */
export async function dueSources(pool: pg.Pool, limit: number): Promise<DueSource[]> {
  const { rows } = await pool.query<DueSource>(
    `SELECT project_id, ${SOURCE_COLUMNS} FROM knowledge_sources WHERE next_fetch_at <= now() ORDER BY next_fetch_at, project_id, id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** The source, locked until the caller's transaction ends; null when it was deleted meanwhile. */
export async function lockSource(client: pg.ClientBase, projectId: number, id: string): Promise<SourceRow | null> {
  const { rows } = await client.query<SourceRow>(
    `SELECT ${SOURCE_COLUMNS} FROM knowledge_sources WHERE project_id = $1 AND id = $2 FOR UPDATE`,
    [projectId, id],
  );
  return rows[0] ?? null;
}

/**
 * A successful read: status ok, the failure count reset, due again after its update frequency.
 * `read`: the validators and hash of a 200 (null after a 304: kept as they were); `changed`:
 * its content differed from the last one.
 */
export async function recordRefresh(
  client: pg.ClientBase,
  projectId: number,
  id: string,
  read: { etag: string | null; lastModified: string | null; contentHash: string; changed: boolean } | null,
): Promise<void> {
  await client.query(
    `UPDATE knowledge_sources SET status = 'ok', error = NULL, failures = 0, last_fetched_at = now(),
       next_fetch_at = now() + make_interval(secs => update_frequency_s),
       etag = CASE WHEN $3 THEN $4 ELSE etag END,
       last_modified = CASE WHEN $3 THEN $5 ELSE last_modified END,
       content_hash = CASE WHEN $3 THEN $6 ELSE content_hash END,
       last_changed_at = CASE WHEN $7 THEN now() ELSE last_changed_at END
     WHERE project_id = $1 AND id = $2`,
    [projectId, id, read !== null, read?.etag ?? null, read?.lastModified ?? null, read?.contentHash ?? null, read?.changed === true],
  );
}

/** A failed read: status error with the reason, one more failure, due again after `retryInS`. */
export async function recordFailure(client: pg.ClientBase, projectId: number, id: string, error: string, retryInS: number): Promise<void> {
  await client.query(
    `UPDATE knowledge_sources SET status = 'error', error = $3, failures = failures + 1, next_fetch_at = now() + make_interval(secs => $4)
     WHERE project_id = $1 AND id = $2`,
    [projectId, id, error, retryInS],
  );
}

/** What makes a `flywheel.knowledge.sources` entry an item the agent pulled (knowledge() names them so). */
const ITEM_REF = /^knowledge:\/\/([1-9][0-9]{0,17})$/;

/**
 * When the knowledge behind each of these `flywheel.knowledge.sources` entries last changed (ms
 * since the epoch), where known: a registered source's uri, its last change (the latest over the
 * agents it is registered for); `knowledge://<id>`, that item's commit time (else its last
 * update). Entries neither of these are left out.
 */
export async function sourceUpdateTimes(client: pg.ClientBase, projectId: number, entries: readonly string[]): Promise<Map<string, number>> {
  const distinct = [...new Set(entries)];
  const times = new Map<string, number>();
  if (distinct.length === 0) return times;
  const itemIds = distinct.flatMap((e) => ITEM_REF.exec(e)?.[1] ?? []);
  const { rows } = await client.query<{ entry: string; at: Date }>(
    `SELECT uri AS entry, max(last_changed_at) AS at FROM knowledge_sources
     WHERE project_id = $1 AND uri = ANY ($2::text[]) AND last_changed_at IS NOT NULL GROUP BY uri
     UNION ALL
     SELECT 'knowledge://' || id, coalesce(committed_at, updated_at) FROM knowledge_items WHERE project_id = $1 AND id = ANY ($3::bigint[])`,
    [projectId, distinct, itemIds],
  );
  for (const row of rows) times.set(row.entry, row.at.getTime());
  return times;
}
