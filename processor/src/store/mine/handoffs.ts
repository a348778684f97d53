// The hops of a root agent's interactions (interactions.sub_agents), grouped in SQL by the
// sequence of (parent, sub-agent) pairs, with how many of each group succeeded and failed.
import type pg from 'pg';
import type { HopGroup } from '../../mine/handoffs.ts';
import { MINE_AGENT } from './queue.ts';

export async function hopGroups(
  pool: pg.Pool, projectId: number, agent: string, since: Date, until: Date, successAbove: number, failureBelow: number,
): Promise<HopGroup[]> {
  const { rows } = await pool.query<{ hops: [string | null, string][]; n: number; success: number; failure: number }>(
    `SELECT hops, count(*)::int AS n, count(*) FILTER (WHERE satisfaction > $5)::int AS success,
       count(*) FILTER (WHERE satisfaction < $6)::int AS failure
     FROM (
       SELECT s.satisfaction,
         coalesce((SELECT jsonb_agg(jsonb_build_array(x->>'parent', x->>'name') ORDER BY o) FROM jsonb_array_elements(i.sub_agents) WITH ORDINALITY AS e(x, o)), '[]') AS hops
       FROM interactions i JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
       WHERE i.project_id = $1 AND ${MINE_AGENT} = $2 AND i.start_time >= $3 AND i.start_time < $4
     ) x
     GROUP BY hops`,
    [projectId, agent, since, until, successAbove, failureBelow],
  );
  return rows;
}
