-- Knowledge updates (processor/src/knowledge/): items learnt from corrections and successful
-- interactions, their audit trail, and the queue scoring fills for the knowledge stage.
-- Not a breaking change: older processors neither read nor write these tables.

-- One piece of knowledge: the answer (content) to a question (key: its normalised terms) for
-- one agent, or for all (agent null). Rows are never overwritten: a merge adds supporters and
-- provenance, a replacement is a new row (version + 1) that the old one names in superseded_by.
CREATE TABLE knowledge_items (
  project_id integer NOT NULL REFERENCES projects (id),
  id bigint GENERATED ALWAYS AS IDENTITY,
  agent text,                               -- null: shared by every agent of the project
  key text NOT NULL,                        -- knowledge/candidates.ts questionKey
  content text NOT NULL,
  confidence double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  status text NOT NULL CHECK (status IN ('pending', 'committed', 'rejected', 'superseded')),
  origin text NOT NULL CHECK (origin IN ('correction', 'interaction', 'source')),
  supporters text[] NOT NULL,               -- independent voters: user:<id>, feedback:<id>, interaction:<id>
  interaction_ids text[] NOT NULL,
  feedback_ids bigint[] NOT NULL,
  source_uri text,
  version integer NOT NULL DEFAULT 1,
  supersedes bigint,
  superseded_by bigint,
  conflict_with bigint,                     -- a live item it contradicts, left for review
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  committed_at timestamptz,
  search tsvector GENERATED ALWAYS AS (to_tsvector('english', key || ' ' || content)) STORED,
  PRIMARY KEY (project_id, id)
);

CREATE INDEX knowledge_items_key_idx ON knowledge_items (project_id, key, agent) WHERE status IN ('pending', 'committed');
CREATE INDEX knowledge_items_status_idx ON knowledge_items (project_id, status, agent);
CREATE INDEX knowledge_items_search_idx ON knowledge_items USING gin (search);

-- Every status change of an item: who (an API key's name, 'local', or 'auto' for the stage), when, why.
CREATE TABLE knowledge_events (
  project_id integer NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  item_id bigint NOT NULL,
  from_status text,                         -- null: the item was created
  to_status text NOT NULL,
  actor text NOT NULL,
  reason text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, id),
  FOREIGN KEY (project_id, item_id) REFERENCES knowledge_items (project_id, id)
);

CREATE INDEX knowledge_events_item_idx ON knowledge_events (project_id, item_id, at);

-- Interactions scored since the knowledge stage last looked: filled in the scoring transaction,
-- claimed with FOR UPDATE SKIP LOCKED and deleted in the transaction that writes the candidates.
CREATE TABLE knowledge_queue (
  project_id integer NOT NULL REFERENCES projects (id),
  interaction_id text NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, interaction_id)
);
