// What a mining pass reads. First the facts of the agent's queued interactions (or, on demand, of
// all its interactions of the window) are derived in SQL into mine_facts: the same
// `field<US>value` strings as mine/patterns.ts factsOf, in a fixed order, joined by U+001E. Then
// one scan that Postgres groups two ways (GROUPING SETS): by the facts (plus the topic cluster),
// with each group's size, successes, failures and smallest example id of each, and by UTC day, with the day's mean accuracy and satisfaction. Interactions
// sharing their facts arrive as one group, so the pass tallies thousands of groups rather than
// millions of rows. Streamed through a server-side cursor in one read-only snapshot.
import type pg from 'pg';
import type { DailyPoint } from '../../mine/forecast.ts';
import type { Group } from '../../mine/patterns.ts';
import { MINE_AGENT } from './queue.ts';

const FETCH = 5_000;
const RECORD = '\u001e';

/** The one-valued fields: a fact each, unless null or ''. */
const SCALARS: readonly [field: string, sql: string][] = [
  ['intent', 'i.intent'],
  ['model', 'coalesce(i.response_model, i.request_model)'],
  ['prompt_version', 'i.prompt_version'],
  ['service_version', 'i.service_version'],
  ['error.type', 'i.error_type'],
];

/** The many-valued fields: a fact per distinct value (a set-returning expression of the values). */
const LISTS: readonly [field: string, from: string, value: string][] = [
  ['tool', "jsonb_array_elements(i.tools) x(v)", "x.v->>'name'"],
  ['tool_failed', "jsonb_array_elements(i.tools) x(v)", "CASE WHEN x.v->>'error' IS NOT NULL THEN x.v->>'name' END"],
  ['knowledge_source', 'unnest(i.knowledge_sources) x(v)', 'x.v'],
  ['finish_reason', 'unnest(i.finish_reasons) x(v)', 'x.v'],
  ['signal', "jsonb_array_elements(s.signals) x(v)", "x.v->>'kind'"],
  ['sub_agent', "jsonb_array_elements(i.sub_agents) x(v)", "x.v->>'name'"],
];

const fact = (field: string, value: string) => `'${field}' || chr(31) || nullif(${value}, '')`;

/** The facts of a row in a fixed order (so equal sets are equal strings), joined by U+001E; nulls left out. */
const FACTS_SQL = `array_to_string(${[
  `ARRAY[${SCALARS.map(([field, sql]) => fact(field, sql)).join(', ')}]`,
  ...LISTS.map(([field, from, value]) => `ARRAY(SELECT DISTINCT f FROM (SELECT ${fact(field, value)} AS f FROM ${from}) y WHERE f IS NOT NULL ORDER BY 1)`),
].join(' || ')}, chr(30))`;

/** Which interactions of an agent to derive facts for: those queued up to a queue id, or every one of the window. */
export type FactScope = { queuedUpTo: string | null } | 'all';

export interface MineRead {
  groups: number;
  interactions: number;
}

interface Raw {
  facts: string | null;
  day: number | null;
  n: number;
  success: number;
  failure: number;
  success_example: string | null;
  failure_example: string | null;
  accuracy_sum: number | null;
  accuracy_n: number;
  satisfaction_sum: number;
}

/**
 * The condition on `interactions i` that keeps the interactions of a scope: '' for all of them,
 * those queued up to the id (project $1, agent $2), or null when nothing is queued.
 */
export function scopeClause(scope: FactScope): string | null {
  if (scope === 'all') return '';
  if (scope.queuedUpTo === null) return null;
  return `AND i.id IN (SELECT q.interaction_id FROM mine_queue q WHERE q.project_id = $1 AND q.agent = $2 AND q.id <= ${BigInt(scope.queuedUpTo)})`;
}

/** Derives the facts of the agent's interactions in `scope` (started at or after `since`); returns how many. */
export async function refreshFacts(pool: pg.Pool, projectId: number, agent: string, since: Date, scope: FactScope): Promise<number> {
  const which = scopeClause(scope);
  if (which === null) return 0;
  const result = await pool.query(
    `INSERT INTO mine_facts AS f (project_id, interaction_id, agent, start_time, facts)
     SELECT i.project_id, i.id, $2, i.start_time, ${FACTS_SQL}
     FROM interactions i
     JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
     WHERE i.project_id = $1 AND ${MINE_AGENT} = $2 AND i.start_time >= $3 ${which}
     ON CONFLICT (project_id, interaction_id) DO UPDATE SET agent = excluded.agent, start_time = excluded.start_time, facts = excluded.facts`,
    [projectId, agent, since],
  );
  return result.rowCount ?? 0;
}

/**
 * Calls `group` for each set of facts and its interactions, and `day` for each day's means, over
 * the agent's mine_facts rows that started at or after `since` (refreshFacts first). Success:
 * satisfaction above `successMin`; failure: below `failureMax`.
 */
export async function readMineGroups(
  pool: pg.Pool,
  query: { projectId: number; agent: string; since: Date; successMin: number; failureMax: number },
  each: { group(facts: string[], group: Group): void; day(accuracy: DailyPoint | null, satisfaction: DailyPoint): void },
  signal?: AbortSignal,
): Promise<MineRead> {
  const client = await pool.connect();
  const onError = () => undefined;
  client.on('error', onError);
  const read: MineRead = { groups: 0, interactions: 0 };
  try {
    // The cursor reads every row: plan for the whole result (hash joins), not for the first rows.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL cursor_tuple_fraction = 1.0');
    const success = Number(query.successMin);
    const failure = Number(query.failureMax);
    await client.query(
      `DECLARE mine_groups NO SCROLL CURSOR FOR
       SELECT facts, extract(epoch FROM day)::float8 * 1000 AS day, count(*)::int AS n,
         count(*) FILTER (WHERE satisfaction > ${success})::int AS success,
         count(*) FILTER (WHERE satisfaction < ${failure})::int AS failure,
         min(id) FILTER (WHERE satisfaction > ${success}) AS success_example,
         min(id) FILTER (WHERE satisfaction < ${failure}) AS failure_example,
         sum(accuracy) AS accuracy_sum, count(accuracy)::int AS accuracy_n, sum(satisfaction) AS satisfaction_sum
       FROM (
         SELECT f.interaction_id AS id, s.satisfaction, s.accuracy, date_trunc('day', f.start_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
           CASE WHEN t.cluster_id IS NULL THEN f.facts WHEN f.facts = '' THEN 'topic' || chr(31) || t.cluster_id
                ELSE f.facts || chr(30) || 'topic' || chr(31) || t.cluster_id END AS facts
         FROM mine_facts f
         JOIN interaction_scores s ON s.project_id = f.project_id AND s.interaction_id = f.interaction_id
         LEFT JOIN interaction_topics t ON t.project_id = f.project_id AND t.interaction_id = f.interaction_id
         WHERE f.project_id = ${Number(query.projectId)} AND f.agent = ${client.escapeLiteral(query.agent)}
           AND f.start_time >= ${client.escapeLiteral(query.since.toISOString())}::timestamptz
       ) x
       GROUP BY GROUPING SETS ((facts), (day))`,
    );
    for (;;) {
      if (signal?.aborted) break;
      const { rows } = await client.query<Raw>(`FETCH ${FETCH} FROM mine_groups`);
      for (const r of rows) {
        if (r.facts !== null) {
          read.groups++;
          read.interactions += r.n;
          each.group(r.facts === '' ? [] : r.facts.split(RECORD), {
            n: r.n, success: r.success, failure: r.failure,
            successExamples: r.success_example === null ? [] : [r.success_example],
            failureExamples: r.failure_example === null ? [] : [r.failure_example],
          });
        } else if (r.day !== null) {
          each.day(
            r.accuracy_n === 0 ? null : { day: r.day, mean: Number(r.accuracy_sum) / r.accuracy_n, n: r.accuracy_n },
            { day: r.day, mean: Number(r.satisfaction_sum) / r.n, n: r.n },
          );
        }
      }
      if (rows.length < FETCH) break;
    }
    await client.query('COMMIT');
    client.off('error', onError);
    client.release();
    return read;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.off('error', onError);
    client.release(true);
    throw error;
  }
}
