// The history bench:mine mines: N scored interactions of one agent in a project 'bench', made in
// SQL (fast at a million), with the facts and planted modes of processor/test/mine-world.ts.
import type pg from 'pg';

/**
 * N interactions of one agent with scores, in SQL: the same facts and planted modes as
 * processor/test/mine-world.ts (a failing search tool, refund questions on the small model, a
 * stale knowledge source; prompt v3 succeeding more), spread over the last 28 days.
 */
export async function generateMineHistory(pool: pg.Pool, N: number, AGENT: string, log: (line: string) => void): Promise<void> {
  await pool.query("INSERT INTO projects (name) VALUES ('bench') ON CONFLICT DO NOTHING");
  const { rows } = await pool.query<{ id: number }>("SELECT id FROM projects WHERE name = 'bench'");
  const project = rows[0]?.id as number;
  const chunk = 200_000;
  for (let from = 0; from < N; from += chunk) {
    const to = Math.min(N, from + chunk);
    await pool.query(`SELECT setseed(${(from / N) * 0.9})`);
    await pool.query(
      `CREATE TEMP TABLE draws AS
       SELECT g, (ARRAY['order_status','refund','shipping','billing','account','product_info'])[1 + floor(random() * 6)::int] AS intent,
         (ARRAY['small-model','large-model'])[1 + floor(random() * 2)::int] AS model,
         (ARRAY['v1','v2','v3'])[1 + floor(random() * 3)::int] AS prompt,
         random() < 0.3 AS t_search, random() < 0.3 AS t_lookup, random() < 0.3 AS t_email, random() < 0.3 AS t_calc,
         random() AS f1, random() AS f2, random() AS f3, random() AS f4,
         random() < 0.25 AS k_faq, random() < 0.25 AS k_pol, random() < 0.25 AS k_stale, random() < 0.25 AS k_cat,
         random() AS u, random() AS at
       FROM generate_series($1::int, $2::int - 1) g`,
      [from, to],
    );
    await pool.query(
      `CREATE TEMP TABLE drawn AS
       SELECT d.*, d.t_search AND d.f1 < 0.15 AS x_search, d.t_lookup AND d.f2 < 0.05 AS x_lookup,
         d.t_email AND d.f3 < 0.05 AS x_email, d.t_calc AND d.f4 < 0.05 AS x_calc
       FROM draws d`,
    );
    await pool.query(
      `INSERT INTO interactions (project_id, id, trace_id, span_id, operation, name, start_time, start_time_unix_nano, response_time_ms,
         agent_name, request_model, response_model, finish_reasons, tools, intent, knowledge_sources, prompt_version, service_version,
         status, span_ids, conventions)
       SELECT $1, 'i' || g, lpad(to_hex(g), 32, '0'), lpad(to_hex(g), 16, '0'), 'invoke_agent', 'invoke_agent ${AGENT}', t, 0, 800,
         '${AGENT}', model, model, ARRAY['stop'],
         (SELECT coalesce(jsonb_agg(jsonb_build_object('name', name, 'error', CASE WHEN failed THEN 'timeout' END)), '[]')
          FROM (VALUES ('search', t_search, x_search), ('lookup_order', t_lookup, x_lookup), ('send_email', t_email, x_email),
                       ('calculator', t_calc, x_calc)) AS tool(name, used, failed) WHERE used),
         intent,
         array_remove(ARRAY[CASE WHEN k_faq THEN 'kb://faq' END, CASE WHEN k_pol THEN 'kb://policies' END,
                            CASE WHEN k_stale THEN 'kb://stale-prices' END, CASE WHEN k_cat THEN 'kb://catalog' END], NULL),
         prompt, '1.0.0', 'ok', ARRAY[lpad(to_hex(g), 16, '0')], ARRAY['genai']
       FROM (SELECT *, now() - (at * interval '28 days') AS t FROM drawn) d`,
      [project],
    );
    await pool.query(
      `UPDATE interactions SET start_time_unix_nano = (extract(epoch FROM start_time) * 1e9)::bigint
       WHERE project_id = $1 AND start_time_unix_nano = 0`,
      [project],
    );
    await pool.query(
      `INSERT INTO interaction_scores (project_id, interaction_id, accuracy, satisfaction, dimensions, missing, signals, eligible, outcome,
         improvement_areas, feedback_count, judged, scored_by)
       SELECT $1, 'i' || g, CASE WHEN sat > 0.8 THEN 0.95 WHEN sat < 0.4 THEN 0.5 ELSE 0.8 END, sat, '{}', '{}', '[]', sat > 0.8,
         CASE WHEN sat > 0.8 THEN 'reinforce' ELSE 'improve' END, '{}', 1, false, 'bench'
       FROM (SELECT g, CASE WHEN u < pf THEN 0.2 WHEN u < pf + (1 - pf) * ps THEN 0.9 ELSE 0.6 END AS sat
             FROM (SELECT g, u, pf, CASE WHEN prompt = 'v3' AND pf = 0.1 THEN 0.85 ELSE 0.5 END AS ps
                   FROM (SELECT *, greatest(0.1, CASE WHEN x_search THEN 0.6 ELSE 0 END,
                           CASE WHEN intent = 'refund' AND model = 'small-model' THEN 0.5 ELSE 0 END,
                           CASE WHEN k_stale THEN 0.4 ELSE 0 END) AS pf FROM drawn) a) b) c`,
      [project],
    );
    // Inputs carry no text here, so topic clustering has nothing to do: record them as clustered
    // (no terms), as a steady state where every input was clustered when it arrived.
    await pool.query(`INSERT INTO interaction_topics (project_id, interaction_id, cluster_id) SELECT $1, 'i' || g, NULL FROM drawn`, [project]);
    await pool.query('DROP TABLE draws; DROP TABLE drawn');
    log(`  generated ${to} interactions`);
  }
  await pool.query('ANALYZE interactions; ANALYZE interaction_scores');
}

