-- Pattern mining (processor/src/mine/): interactions' sub-agents, the queue scoring fills, each
-- interaction's facts, the patterns each pass finds, the degradation forecasts with their alerts,
-- and the topic clusters of user inputs.
-- Not a breaking change: older processors neither read nor write these tables, and the new
-- interactions column has a default their inserts leave to it.

-- The agents that ran beneath an interaction's own (nested invoke_agent spans: hand-offs), as
-- normalize/interaction.ts SubAgent records: what mining's sub_agent facts and hand-off graph read.
-- Interactions stored before this migration have none until they are rebuilt.
ALTER TABLE interactions ADD COLUMN sub_agents jsonb NOT NULL DEFAULT '[]';

-- Interactions scored since the last pass, with their agent (the interaction's agent name, else
-- its service name, else 'unknown'): one row per scoring. A pass reads the highest id per agent,
-- mines the agent, and deletes its rows up to that id in the transaction that writes the results,
-- so rows queued meanwhile stay for the next pass; no lock is held against scoring.
CREATE TABLE mine_queue (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects (id),
  agent text NOT NULL,
  interaction_id text NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX mine_queue_agent_idx ON mine_queue (project_id, agent, id);

-- The facts of each scored interaction as mining groups them (store/mine/rows.ts), kept beside
-- the interaction so a pass groups a stored value instead of deriving it from JSON every time:
-- `field<US>value` strings (US: U+001F) in a fixed order, joined by U+001E. Derived for the
-- interactions a pass finds in the queue (and for all of an agent's by `flywheel mine --all`).
CREATE TABLE mine_facts (
  project_id integer NOT NULL,
  interaction_id text NOT NULL,
  agent text NOT NULL,
  start_time timestamptz NOT NULL,
  facts text NOT NULL,
  PRIMARY KEY (project_id, interaction_id),
  FOREIGN KEY (project_id, interaction_id) REFERENCES interactions (project_id, id) ON DELETE CASCADE
);

CREATE INDEX mine_facts_agent_idx ON mine_facts (project_id, agent, start_time);

-- A failure or success pattern of an agent: a segment of one or two facts. The id is derived
-- from agent, kind and segment (mine/patterns.ts patternId), so a pattern keeps it across passes;
-- a pattern that stops holding is resolved, and re-opened when it holds again.
CREATE TABLE mine_patterns (
  project_id integer NOT NULL REFERENCES projects (id),
  id text NOT NULL,
  agent text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('failure', 'success')),
  segment jsonb NOT NULL,
  label text NOT NULL,
  n integer NOT NULL,
  rate double precision NOT NULL,
  baseline double precision NOT NULL,
  lift double precision NOT NULL,
  ci_low double precision NOT NULL,
  ci_high double precision NOT NULL,
  p double precision NOT NULL,
  q double precision NOT NULL,
  examples text[] NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'resolved')),
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  resolved_at timestamptz,
  reopened integer NOT NULL DEFAULT 0,
  summary text,                             -- the judge model's, when one is configured
  recommendation text,
  PRIMARY KEY (project_id, id)
);

CREATE INDEX mine_patterns_agent_idx ON mine_patterns (project_id, agent, status, kind);

-- The latest forecast of each agent's metric (accuracy, satisfaction).
CREATE TABLE mine_forecasts (
  project_id integer NOT NULL REFERENCES projects (id),
  agent text NOT NULL,
  metric text NOT NULL CHECK (metric IN ('accuracy', 'satisfaction')),
  current double precision,
  threshold double precision NOT NULL,
  slope_per_day double precision,
  trend_p double precision,
  crosses_at timestamptz,
  alert boolean NOT NULL,
  days integer NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, agent, metric)
);

-- Every alert a forecast raised: open while cleared_at is null.
CREATE TABLE mine_alerts (
  project_id integer NOT NULL REFERENCES projects (id),
  id bigint GENERATED ALWAYS AS IDENTITY,
  agent text NOT NULL,
  metric text NOT NULL,
  raised_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz,
  current double precision,
  threshold double precision NOT NULL,
  crosses_at timestamptz,
  PRIMARY KEY (project_id, id)
);

CREATE UNIQUE INDEX mine_alerts_open_idx ON mine_alerts (project_id, agent, metric) WHERE cleared_at IS NULL;

-- Topic clusters of an agent's user inputs (mine/topics.ts): each interaction is assigned once,
-- to the cluster whose representative its MinHash signature matches, else to a new one. Size,
-- successes and failures are recounted by every pass over the window.
CREATE TABLE mine_clusters (
  project_id integer NOT NULL REFERENCES projects (id),
  id text NOT NULL,
  agent text NOT NULL,
  label text NOT NULL,
  signature integer[] NOT NULL,             -- the representative's MinHash signature
  terms jsonb NOT NULL,                     -- term -> count over the cluster's inputs (the most frequent ones)
  size integer NOT NULL,
  successes integer NOT NULL,
  failures integer NOT NULL,
  examples text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, id)
);

CREATE INDEX mine_clusters_agent_idx ON mine_clusters (project_id, agent);

CREATE TABLE interaction_topics (
  project_id integer NOT NULL,
  interaction_id text NOT NULL,
  cluster_id text,                          -- null: the input has no content terms (or no text)
  PRIMARY KEY (project_id, interaction_id),
  FOREIGN KEY (project_id, interaction_id) REFERENCES interactions (project_id, id) ON DELETE CASCADE
);
