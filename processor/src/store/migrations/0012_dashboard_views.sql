-- Stable views the Grafana dashboards read (dashboards/src), and the read-only role they read
-- them as. Each view names its project (projects.name, what the dashboards' $project variable
-- holds) and the agent as mining groups it (store/mine/queue.ts MINE_AGENT), so a panel filters
-- with `project = '$project' AND agent IN ($agent)` and never joins. The tables behind may
-- change; these columns are the contract the dashboards rely on.
-- Not a breaking change: views and a role older processors never touch.

-- One row per interaction, with its scores when scored. success / failure use the report's sets
-- (mine/report.ts SUCCESS_ABOVE, FAILURE_BELOW); gate is eligible, ineligible or unscored.
CREATE VIEW flywheel_interactions AS
SELECT p.name AS project,
       coalesce(i.agent_name, i.service_name, 'unknown') AS agent,
       i.start_time AS time,
       i.id AS interaction_id,
       i.trace_id,
       i.span_id,
       i.user_id,
       i.session_id,
       i.intent,
       coalesce(i.response_model, i.request_model) AS model,
       i.provider,
       i.prompt_version,
       i.status,
       i.error_type,
       i.response_time_ms,
       i.input_tokens,
       i.output_tokens,
       s.interaction_id IS NOT NULL AS scored,
       s.accuracy,
       s.completeness,
       s.relevance,
       s.timeliness,
       s.satisfaction,
       s.eligible,
       s.ineligible_reason,
       CASE WHEN s.eligible THEN 'eligible' WHEN NOT s.eligible THEN 'ineligible' ELSE 'unscored' END AS gate,
       s.outcome,
       s.judged,
       s.satisfaction > 0.8 AS success,
       s.satisfaction < 0.4 AS failure,
       s.scored_at
FROM interactions i
JOIN projects p ON p.id = i.project_id
LEFT JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id;

-- The agents of each project that have interactions: the $agent variable's values.
CREATE VIEW flywheel_agents AS
SELECT DISTINCT p.name AS project, coalesce(i.agent_name, i.service_name, 'unknown') AS agent
FROM interactions i
JOIN projects p ON p.id = i.project_id;

-- The projects: the $project variable's values.
CREATE VIEW flywheel_projects AS
SELECT name AS project, created_at FROM projects;

-- Each use of a knowledge source by an interaction, with the source's age when the answer was
-- given, as the timeliness score recorded it (dimensions.timeliness.details.sources[], method
-- 'source_freshness'): the report's knowledge age is the mean of age_days.
CREATE VIEW flywheel_knowledge_uses AS
SELECT p.name AS project,
       coalesce(i.agent_name, i.service_name, 'unknown') AS agent,
       i.start_time AS time,
       i.id AS interaction_id,
       source ->> 'id' AS source,
       (source ->> 'ageDays')::float8 AS age_days
FROM interaction_scores s
JOIN interactions i ON i.project_id = s.project_id AND i.id = s.interaction_id
JOIN projects p ON p.id = s.project_id
CROSS JOIN LATERAL jsonb_array_elements(
  CASE WHEN s.dimensions #>> '{timeliness,details,method}' = 'source_freshness'
        AND jsonb_typeof(s.dimensions #> '{timeliness,details,sources}') = 'array'
       THEN s.dimensions #> '{timeliness,details,sources}' ELSE '[]' END) AS source
WHERE source ->> 'ageDays' IS NOT NULL;

-- Failure and success patterns with their evidence (examples are interaction ids).
CREATE VIEW flywheel_patterns AS
SELECT p.name AS project, m.agent, m.id AS pattern_id, m.kind, m.label, m.segment::text AS segment,
       m.n, m.rate, m.baseline, m.lift, m.ci_low, m.ci_high, m.q, m.examples,
       cardinality(m.examples) AS example_count, m.status, m.first_seen, m.last_seen, m.resolved_at,
       m.reopened, m.summary, m.recommendation
FROM mine_patterns m
JOIN projects p ON p.id = m.project_id;

-- The latest degradation forecast per agent and metric (accuracy, satisfaction).
CREATE VIEW flywheel_forecasts AS
SELECT p.name AS project, f.agent, f.metric, f.current, f.threshold, f.slope_per_day, f.trend_p,
       f.crosses_at, f.alert, f.days, f.computed_at
FROM mine_forecasts f
JOIN projects p ON p.id = f.project_id;

-- Degradation alerts raised by mining, open while cleared_at is null.
CREATE VIEW flywheel_alerts AS
SELECT p.name AS project, a.agent, a.metric, a.raised_at, a.cleared_at, a.cleared_at IS NULL AS open,
       a.current, a.threshold, a.crosses_at
FROM mine_alerts a
JOIN projects p ON p.id = a.project_id;

-- Topic clusters with their sizes and outcomes.
CREATE VIEW flywheel_clusters AS
SELECT p.name AS project, c.agent, c.id AS cluster_id, c.label, c.size, c.successes, c.failures, c.updated_at
FROM mine_clusters c
JOIN projects p ON p.id = c.project_id;

-- Knowledge items; agent 'shared' stands for items every agent of the project receives.
CREATE VIEW flywheel_knowledge_items AS
SELECT p.name AS project, coalesce(k.agent, 'shared') AS agent, k.id AS item_id, k.key, k.content,
       k.confidence, k.status, k.origin, cardinality(k.supporters) AS supporters,
       cardinality(k.interaction_ids) AS interactions, k.source_uri, k.version, k.conflict_with,
       k.created_at, k.updated_at, k.committed_at, k.stale_at
FROM knowledge_items k
JOIN projects p ON p.id = k.project_id;

-- Every status change of a knowledge item (from_status null: created).
CREATE VIEW flywheel_knowledge_events AS
SELECT p.name AS project, coalesce(k.agent, 'shared') AS agent, e.item_id, e.from_status, e.to_status,
       e.actor, e.reason, e.at AS time
FROM knowledge_events e
JOIN knowledge_items k ON k.project_id = e.project_id AND k.id = e.item_id
JOIN projects p ON p.id = e.project_id;

-- Registered knowledge sources and their freshness: age_s is the time since the content last
-- changed (else since it was last read), overdue whether a refresh is past due.
CREATE VIEW flywheel_knowledge_sources AS
SELECT p.name AS project, coalesce(s.agent, 'shared') AS agent, s.id AS source_id, s.uri,
       s.update_frequency_s, s.trusted, s.status, s.error, s.failures, s.last_fetched_at,
       s.last_changed_at, s.next_fetch_at,
       extract(epoch FROM now() - coalesce(s.last_changed_at, s.last_fetched_at))::float8 AS age_s,
       s.next_fetch_at < now() AS overdue
FROM knowledge_sources s
JOIN projects p ON p.id = s.project_id;

-- The read-only role Grafana connects as: SELECT on these views and nothing else (a view reads
-- its tables with its owner's rights). Roles are cluster-wide, so it is created only when
-- missing (another database of the cluster migrating at the same moment may create it first);
-- it cannot log in until the deployment gives it LOGIN and a password.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'flywheel_grafana') THEN
    BEGIN
      CREATE ROLE flywheel_grafana NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'cannot create the role flywheel_grafana: % has no CREATEROLE', current_user
          USING HINT = 'Create it once as a privileged user (CREATE ROLE flywheel_grafana NOLOGIN), then start the processor again.';
    END;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO flywheel_grafana', current_schema());
END
$$;

GRANT SELECT ON flywheel_interactions, flywheel_agents, flywheel_projects, flywheel_knowledge_uses,
  flywheel_patterns, flywheel_forecasts, flywheel_alerts, flywheel_clusters, flywheel_knowledge_items,
  flywheel_knowledge_events, flywheel_knowledge_sources TO flywheel_grafana;
