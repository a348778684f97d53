-- Quality assessment (processor/src/score/): explicit feedback, the queue of interactions
-- waiting to be scored, their scores and training-gate result, and LLM-judge verdicts.

-- Explicit feedback, from POST /api/feedback and from gen_ai.evaluation.result log records.
-- It names a span, not an interaction row: feedback may arrive before its interaction (it is
-- kept, "pending") and belongs to whichever interaction of the trace folds that span in.
CREATE TABLE feedback (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- A retried request (either door) stores nothing twice.
  idempotency_key text NOT NULL UNIQUE,
  trace_id text NOT NULL,
  span_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('api', 'otlp')),
  name text NOT NULL,                       -- gen_ai.evaluation.name; users' is 'user_feedback'
  score double precision CHECK (score >= 0 AND score <= 1),   -- rating and thumbs mapped to 0..1
  rating double precision CHECK (rating >= 1 AND rating <= 5),
  thumbs text CHECK (thumbs IN ('up', 'down')),
  label text,
  comment text,
  correction text,                          -- what the right answer would have been
  user_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX feedback_trace_idx ON feedback (trace_id, span_id);

-- Interactions to (re-)score, one row each. Ingest sets changed_at = now() whenever it rewrites
-- the interaction; a worker claims a row (FOR UPDATE SKIP LOCKED) once changed_at is older than
-- the settle delay, scores it and deletes the row in the same transaction. A re-score that must
-- not wait (late feedback, a judge verdict, the next turn of the conversation) sets -infinity;
-- a re-check at a later time T sets T minus the settle delay.
CREATE TABLE score_queue (
  interaction_id text PRIMARY KEY,
  changed_at timestamptz NOT NULL,
  reason text NOT NULL                      -- ingest, feedback, next_turn, judge, abandon_check
);

CREATE INDEX score_queue_due_idx ON score_queue (changed_at);

-- The latest assessment of each interaction. Dimension scores are in [0, 1], null when the
-- dimension could not be assessed (its reason is in `dimensions` and its name in `missing`).
CREATE TABLE interaction_scores (
  interaction_id text PRIMARY KEY REFERENCES interactions (id) ON DELETE CASCADE,
  accuracy double precision,
  completeness double precision,
  relevance double precision,
  timeliness double precision,
  satisfaction double precision NOT NULL,
  dimensions jsonb NOT NULL,                -- per dimension: { score, source, details } or { missing }
  missing text[] NOT NULL,
  signals jsonb NOT NULL,                   -- implicit feedback signals
  eligible boolean NOT NULL,                -- every dimension met its threshold
  ineligible_reason text,
  outcome text NOT NULL CHECK (outcome IN ('reinforce', 'improve')),
  improvement_areas text[] NOT NULL,
  next_interaction_id text,                 -- the conversation's next turn, as seen when scored
  feedback_count integer NOT NULL,
  judged boolean NOT NULL,
  scorings integer NOT NULL DEFAULT 1,      -- how many times it was scored (re-scores included)
  scored_by text NOT NULL,                  -- host:pid of the processor that scored it last
  first_scored_at timestamptz NOT NULL DEFAULT now(),
  scored_at timestamptz NOT NULL DEFAULT now()
);

-- LLM-judge verdicts, and the judge's work queue (status 'pending', claimed with a lease).
-- content_hash is of what was judged: a verdict is reused until the content changes.
CREATE TABLE judgements (
  interaction_id text PRIMARY KEY REFERENCES interactions (id) ON DELETE CASCADE,
  content_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  requested_at timestamptz NOT NULL DEFAULT now(),
  claimed_by text,
  claimed_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  accuracy double precision,
  completeness double precision,
  relevance double precision,
  rationale text,
  model text,
  input_tokens integer,
  output_tokens integer,
  cost_usd double precision,
  latency_ms double precision,
  error text,
  judged_at timestamptz
);

CREATE INDEX judgements_pending_idx ON judgements (requested_at) WHERE status = 'pending';

-- Implicit feedback reads the turns before and after an interaction in its conversation. This
-- index serves that and the read API's session filter, so it replaces the session-only one.
CREATE INDEX interactions_session_time_idx ON interactions (session_id, start_time_unix_nano, id)
  WHERE session_id IS NOT NULL;
DROP INDEX interactions_session_idx;
