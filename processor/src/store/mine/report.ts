// The SQL of the flywheel report: one statement counts both periods' interactions and scores,
// their daily quality and the age of the knowledge they used; mine/report.ts makes the figures.
import type pg from 'pg';
import type { Outcomes, PeriodAggregates, ReportPeriods } from '../../mine/report.ts';

/** Nanoseconds since the epoch, as the decimal string a bigint parameter takes. */
export const unixNanoOf = (at: Date) => (BigInt(at.getTime()) * 1_000_000n).toString();

/**
 * The agent filter every mining read shares: agent_name or agent_id, as in GET /api/interactions.
 * Appends the parameter; returns the condition (always true without an agent).
 */
export function agentCondition(params: unknown[], agent: string | undefined, alias = 'i'): string {
  if (agent === undefined) return 'true';
  params.push(agent);
  return `(${alias}.agent_name = $${params.length} OR ${alias}.agent_id = $${params.length})`;
}

interface PeriodRow {
  period: 'current' | 'previous';
  interactions: number;
  scored: number;
  accuracy: number | null;
  satisfaction: number | null;
  successes: number;
  failures: number;
  eligible: number;
  response_ms: [number, number] | null;
  daily: { dayMs: number; scored: number; satisfaction: number; successes: number }[] | null;
  knowledge_age_days: number | null;
}

/**
 * Both periods' aggregates. Interactions are picked by start time (start_time_unix_nano, so
 * interactions_time_idx or interactions_agent_time_idx serve the range); rates and means are of
 * the scored ones; response times are of all of them. Knowledge age is what the timeliness score
 * recorded per known source (dimensions.timeliness.details.sources[].ageDays, method
 * 'source_freshness'): the mean over every (interaction, source) use.
 * Measured on 200k scored interactions over 30 days (2-core machine, embedded Postgres 18): the
 * two 7-day periods of all agents (93k rows) in 1.5 s with the latency read beside it, 0.9 s for
 * one agent of three; a plain GROUP BY over all 200k rows took 0.44 s in the same run.
 */
export async function reportAggregates(
  pool: pg.Pool,
  projectId: number,
  periods: ReportPeriods,
  agent: string | undefined,
  outcomes: Outcomes,
): Promise<{ current: PeriodAggregates; previous: PeriodAggregates }> {
  const params: unknown[] = [
    projectId, unixNanoOf(periods.previous.since), unixNanoOf(periods.since), unixNanoOf(periods.until), outcomes.successAbove, outcomes.failureBelow,
  ];
  const byAgent = agentCondition(params, agent);
  const { rows } = await pool.query<PeriodRow>(
    `WITH scope AS MATERIALIZED (
       SELECT CASE WHEN i.start_time_unix_nano >= $3::bigint THEN 'current' ELSE 'previous' END AS period,
              i.start_time, i.response_time_ms, s.interaction_id IS NOT NULL AS scored, s.accuracy, s.satisfaction, s.eligible,
              CASE WHEN s.dimensions #>> '{timeliness,details,method}' = 'source_freshness'
                   THEN s.dimensions #> '{timeliness,details,sources}' END AS sources
       FROM interactions i
       LEFT JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
       WHERE i.project_id = $1 AND i.start_time_unix_nano >= $2::bigint AND i.start_time_unix_nano < $4::bigint AND ${byAgent}
     ),
     totals AS (
       SELECT period, count(*)::int AS interactions, count(*) FILTER (WHERE scored)::int AS scored,
              avg(accuracy) AS accuracy, avg(satisfaction) AS satisfaction,
              count(*) FILTER (WHERE satisfaction > $5)::int AS successes,
              count(*) FILTER (WHERE satisfaction < $6)::int AS failures,
              count(*) FILTER (WHERE eligible)::int AS eligible,
              percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY response_time_ms) AS response_ms
       FROM scope GROUP BY period
     ),
     days AS (
       SELECT period, json_agg(json_build_object('dayMs', day_ms, 'scored', scored, 'satisfaction', satisfaction, 'successes', successes) ORDER BY day_ms) AS daily
       FROM (
         SELECT period, extract(epoch FROM date_trunc('day', start_time, 'UTC'))::float8 * 1000 AS day_ms,
                count(*)::int AS scored, avg(satisfaction) AS satisfaction, count(*) FILTER (WHERE satisfaction > $5)::int AS successes
         FROM scope WHERE scored GROUP BY 1, 2
       ) d
       GROUP BY period
     ),
     ages AS (
       SELECT period, avg((source ->> 'ageDays')::float8) AS knowledge_age_days
       FROM scope CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(sources) = 'array' THEN sources ELSE '[]' END) AS source
       WHERE source ->> 'ageDays' IS NOT NULL
       GROUP BY period
     )
     SELECT t.*, d.daily, a.knowledge_age_days
     FROM totals t LEFT JOIN days d USING (period) LEFT JOIN ages a USING (period)`,
    params,
  );
  const of = (period: PeriodRow['period']): PeriodAggregates => {
    const row = rows.find((r) => r.period === period);
    if (row === undefined) {
      return {
        interactions: 0, scored: 0, accuracy: null, satisfaction: null, successes: 0, failures: 0, eligible: 0,
        responseP50Ms: null, responseP95Ms: null, knowledgeAgeDays: null, daily: [],
      };
    }
    return {
      interactions: row.interactions,
      scored: row.scored,
      accuracy: row.accuracy,
      satisfaction: row.satisfaction,
      successes: row.successes,
      failures: row.failures,
      eligible: row.eligible,
      responseP50Ms: row.response_ms?.[0] ?? null,
      responseP95Ms: row.response_ms?.[1] ?? null,
      knowledgeAgeDays: row.knowledge_age_days,
      daily: row.daily ?? [],
    };
  };
  return { current: of('current'), previous: of('previous') };
}
