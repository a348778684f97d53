-- Ingest rebuilds only the subtrees of a trace that a batch can change (store/interactions/subtrees.ts),
-- so a batch costs the same whatever the size of its trace. It walks the span tree in SQL, and
-- needs for that how assembly sees each span on its own, computed when the span is stored.
-- Not a breaking change: an older processor stores spans with genai_role null, which ingest
-- fills in (below), and rebuilds whole traces, which leaves every subtree up to date.

-- agent (invoke_agent), genai (another GenAI span) or none (spanRoleOf in normalize/assemble.ts).
-- Null: stored before this migration (or by an older processor); ingest fills it in the first
-- time more of the trace arrives, and then rebuilds the trace whole.
ALTER TABLE spans ADD COLUMN genai_role text CHECK (genai_role IN ('agent', 'genai', 'none'));

-- parent_span_id before trace_id: a lookup of a span by id then has one index that fits it,
-- the primary key, even on statistics that predate most of the table.
CREATE INDEX spans_parent_idx ON spans (project_id, parent_span_id, trace_id);
CREATE INDEX spans_unclassified_idx ON spans (project_id, trace_id) WHERE genai_role IS NULL;

-- Interactions are replaced per subtree: by trace and span.
DROP INDEX interactions_trace_idx;
CREATE INDEX interactions_trace_idx ON interactions (project_id, trace_id, span_id);

-- Traces whose spans and log records are stored but some of whose interactions could not be
-- built (the normalize stage threw). span_ids are the roots of the subtrees that failed: built
-- again when more of the trace arrives; the row is deleted once they build.
CREATE TABLE interaction_failures (
  project_id integer NOT NULL REFERENCES projects (id),
  trace_id text NOT NULL,
  span_ids text[] NOT NULL,
  reason text NOT NULL CHECK (reason IN ('build_error')),
  error text NOT NULL,                      -- what was thrown: name, message, stack
  attempts integer NOT NULL DEFAULT 1,      -- batches that failed to build the trace
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, trace_id)
);

CREATE INDEX interaction_failures_recent_idx ON interaction_failures (project_id, last_failed_at DESC);
