-- Knowledge sources (processor/src/knowledge/sources.ts): documents registered with an update
-- frequency, refreshed when due, split into knowledge items (origin 'source', source_uri); and
-- the mark on learnt knowledge whose interactions relied on a source that has changed since.
-- Not a breaking change: a new table and a nullable column older processors ignore.

CREATE TABLE knowledge_sources (
  project_id integer NOT NULL REFERENCES projects (id),
  id bigint GENERATED ALWAYS AS IDENTITY,
  uri text NOT NULL,                        -- http://, https:// or file://
  agent text,                               -- null: its items are shared by every agent of the project
  update_frequency_s integer NOT NULL CHECK (update_frequency_s > 0),
  trusted boolean NOT NULL DEFAULT false,   -- trusted: its items commit at once; else pending for review
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ok', 'error')),
  error text,                               -- why the last refresh failed (status 'error')
  failures integer NOT NULL DEFAULT 0,      -- failed refreshes in a row: the retry backoff's exponent
  etag text,                                -- of the last 200, sent as If-None-Match
  last_modified text,                       -- of the last 200, sent as If-Modified-Since
  content_hash text,                        -- sha256 (hex) of the last content read
  last_fetched_at timestamptz,              -- last successful read (200 or 304)
  last_changed_at timestamptz,              -- last read whose content differed from the one before
  next_fetch_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, id),
  UNIQUE NULLS NOT DISTINCT (project_id, uri, agent)
);

CREATE INDEX knowledge_sources_due_idx ON knowledge_sources (next_fetch_at);

-- The items of one source (its uri and agent) are found by source_uri.
CREATE INDEX knowledge_items_source_idx ON knowledge_items (project_id, source_uri) WHERE source_uri IS NOT NULL;

-- Set when a source that an interaction this item was learnt from relied on
-- (flywheel.knowledge.sources) changed after the item was learnt: the item may be outdated.
ALTER TABLE knowledge_items ADD COLUMN stale_at timestamptz;
