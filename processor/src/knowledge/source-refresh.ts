// The knowledge stage's `knowledge.sources` job: reads every source that is due (fetch-source.ts,
// outside any transaction), then in one transaction per source records the outcome and, when the
// content changed, applies planSourceUpdate()'s new versions and retirements and marks stale the
// learnt knowledge that relied on the source. A failure is recorded on the source and retried
// with backoff (sources.ts retryDelaySeconds).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import { supersede } from '../store/knowledge/items.ts';
import { insertSourceItem, lockSourceItems, markStale, retireItem } from '../store/knowledge/source-items.ts';
import { type DueSource, dueSources, lockSource, recordFailure, recordRefresh } from '../store/knowledge/sources.ts';
import { inTransaction } from '../store/transaction.ts';
import type { KnowledgeConfig } from './config.ts';
import { fetchSource, type FetchOutcome } from './fetch-source.ts';
import { planSourceUpdate, retryDelaySeconds, type SourcePlan } from './sources.ts';
import { formatOf, splitContent } from './split.ts';

const STATEMENT_TIMEOUT_MS = 60_000;
/** Sources read per run at most; the rest are still due at the next run. */
const BATCH = 100;

export interface RefreshOutcome {
  sourceId: string;
  outcome: 'unchanged' | 'changed' | 'failed' | 'deleted';
  plan?: SourcePlan;
  error?: string;
}

/** Refreshes the due sources one after another; returns what happened to each. */
export async function refreshSources(pool: pg.Pool, config: KnowledgeConfig, log: Logger, signal: AbortSignal): Promise<RefreshOutcome[]> {
  const outcomes: RefreshOutcome[] = [];
  for (const source of await dueSources(pool, BATCH)) {
    if (signal.aborted) break;
    const fetched = await fetchSource(
      { uri: source.uri, etag: source.etag, lastModified: source.last_modified, maxBytes: config.sourceMaxBytes, timeoutMs: config.sourceTimeoutMs },
      signal,
    );
    let outcome: RefreshOutcome;
    try {
      outcome = await inTransaction(pool, STATEMENT_TIMEOUT_MS, (client) => applyOutcome(client, source, fetched));
    } catch (error) {
      // Content Postgres refuses (a section too large to index) would fail every run: recorded on
      // the source instead, it waits for its backoff like any failed read. A database that is
      // down fails this too, and the run with it.
      const message = `storing its items failed: ${(error as Error).message}`;
      await inTransaction(pool, STATEMENT_TIMEOUT_MS, async (client) => {
        const locked = await lockSource(client, source.project_id, source.id);
        if (locked !== null) await recordFailure(client, source.project_id, source.id, message, retryDelaySeconds(locked.failures + 1, locked.update_frequency_s));
      });
      outcome = { sourceId: source.id, outcome: 'failed', error: message };
    }
    if (outcome.outcome === 'failed') log.warn(`knowledge source ${source.id} (${source.uri}): ${outcome.error}`);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function applyOutcome(client: pg.ClientBase, due: DueSource, fetched: FetchOutcome): Promise<RefreshOutcome> {
  const projectId = due.project_id;
  const sourceId = due.id;
  const source = await lockSource(client, projectId, sourceId);
  if (source === null) return { sourceId, outcome: 'deleted' };
  if (fetched.kind === 'failed') {
    await recordFailure(client, projectId, sourceId, fetched.error, retryDelaySeconds(source.failures + 1, source.update_frequency_s));
    return { sourceId, outcome: 'failed', error: fetched.error };
  }
  if (fetched.kind === 'not-modified') {
    await recordRefresh(client, projectId, sourceId, null);
    return { sourceId, outcome: 'unchanged' };
  }
  const contentHash = createHash('sha256').update(fetched.body).digest('hex');
  const read = { etag: fetched.etag, lastModified: fetched.lastModified, contentHash };
  if (contentHash === source.content_hash) {
    await recordRefresh(client, projectId, sourceId, { ...read, changed: false });
    return { sourceId, outcome: 'unchanged' };
  }
  let sections;
  try {
    sections = splitContent(fetched.body, formatOf(source.uri, fetched.contentType, fetched.body));
  } catch (error) {
    const message = (error as Error).message;
    await recordFailure(client, projectId, sourceId, message, retryDelaySeconds(source.failures + 1, source.update_frequency_s));
    return { sourceId, outcome: 'failed', error: message };
  }
  const items = await lockSourceItems(client, projectId, source.uri, source.agent);
  const plan = planSourceUpdate(sections, items, source.trusted);
  const replaced: string[] = [];
  for (const change of plan.changes) {
    if (change.kind === 'retire') {
      for (const id of change.ids) await retireItem(client, projectId, id, `section '${change.key}' is no longer in ${source.uri}`);
      replaced.push(...change.ids);
      continue;
    }
    const id = await insertSourceItem(client, projectId, {
      agent: source.agent, key: change.key, content: change.content, uri: source.uri, version: change.version,
      status: change.status, conflictWith: change.conflictWith,
    });
    for (const old of change.supersede) await supersede(client, projectId, old, id, 'auto');
    replaced.push(...change.supersede, ...(change.conflictWith === null ? [] : [change.conflictWith]));
  }
  // The first read of a source changes nothing anyone relied on: it was not known before.
  if (source.content_hash !== null && plan.changes.length > 0) {
    await markStale(client, projectId, [source.uri, ...replaced.map((id) => `knowledge://${id}`)]);
  }
  // lastChangedAt is when the source's knowledge changed: a new hash whose sections all say what they said is no change.
  const changed = plan.changes.length > 0 || source.last_changed_at === null;
  await recordRefresh(client, projectId, sourceId, { ...read, changed });
  return { sourceId, outcome: changed ? 'changed' : 'unchanged', plan };
}
