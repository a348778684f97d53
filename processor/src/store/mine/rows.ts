// What a mining pass reads: one agent's scored interactions of the window, each as its facts
// (mine/patterns.ts MineFields), its satisfaction and accuracy, streamed through a server-side
// cursor in one read-only snapshot so any number of rows is read in bounded memory.
import type pg from 'pg';
import type { MineFields } from '../../mine/patterns.ts';
import { MINE_AGENT } from './queue.ts';

export interface MineRow {
  id: string;
  /** Start time, ms since the epoch. */
  at: number;
  satisfaction: number;
  accuracy: number | null;
  fields: MineFields;
}

const FETCH = 5_000;

interface Raw {
  id: string;
  at: number;
  satisfaction: number;
  accuracy: number | null;
  intent: string | null;
  topic: string | null;
  model: string | null;
  prompt_version: string | null;
  service_version: string | null;
  tools: string[];
  failed_tools: string[];
  knowledge_sources: string[];
  error_type: string | null;
  finish_reasons: string[];
  signals: string[];
}

/**
 * Calls `each` with batches of the agent's scored interactions that started at or after `since`,
 * in start order. Runs in one REPEATABLE READ READ ONLY transaction on its own connection.
 */
export async function forEachMineRow(
  pool: pg.Pool, projectId: number, agent: string, since: Date, each: (rows: MineRow[]) => void, signal?: AbortSignal,
): Promise<number> {
  const client = await pool.connect();
  const onError = () => undefined;
  client.on('error', onError);
  let count = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(
      `DECLARE mine_rows NO SCROLL CURSOR FOR
       SELECT i.id, extract(epoch FROM i.start_time)::float8 * 1000 AS at, s.satisfaction, s.accuracy,
         i.intent, t.cluster_id AS topic, coalesce(i.response_model, i.request_model) AS model, i.prompt_version, i.service_version,
         ARRAY(SELECT DISTINCT x->>'name' FROM jsonb_array_elements(i.tools) x WHERE x->>'name' IS NOT NULL) AS tools,
         ARRAY(SELECT DISTINCT x->>'name' FROM jsonb_array_elements(i.tools) x WHERE x->>'name' IS NOT NULL AND x->>'error' IS NOT NULL) AS failed_tools,
         i.knowledge_sources, i.error_type, i.finish_reasons,
         ARRAY(SELECT DISTINCT x->>'kind' FROM jsonb_array_elements(s.signals) x WHERE x->>'kind' IS NOT NULL) AS signals
       FROM interactions i
       JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
       LEFT JOIN interaction_topics t ON t.project_id = i.project_id AND t.interaction_id = i.id
       WHERE i.project_id = ${Number(projectId)} AND ${MINE_AGENT} = ${client.escapeLiteral(agent)}
         AND i.start_time >= ${client.escapeLiteral(since.toISOString())}::timestamptz
       ORDER BY i.start_time_unix_nano, i.id`,
    );
    for (;;) {
      if (signal?.aborted) break;
      const { rows } = await client.query<Raw>(`FETCH ${FETCH} FROM mine_rows`);
      if (rows.length === 0) break;
      count += rows.length;
      each(rows.map(toMineRow));
      if (rows.length < FETCH) break;
    }
    await client.query('COMMIT');
    client.off('error', onError);
    client.release();
    return count;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.off('error', onError);
    client.release(true);
    throw error;
  }
}

function toMineRow(r: Raw): MineRow {
  return {
    id: r.id,
    at: r.at,
    satisfaction: r.satisfaction,
    accuracy: r.accuracy,
    fields: {
      intent: r.intent,
      topic: r.topic,
      model: r.model,
      promptVersion: r.prompt_version,
      serviceVersion: r.service_version,
      tools: r.tools,
      failedTools: r.failed_tools,
      knowledgeSources: r.knowledge_sources,
      errorType: r.error_type,
      finishReasons: r.finish_reasons,
      signals: r.signals,
      subAgents: [],
    },
  };
}
