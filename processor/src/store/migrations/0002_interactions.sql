-- One row per agent interaction, assembled from the spans (and GenAI log events) of a trace.
-- Rows are recomputed whenever more spans or events of their trace arrive.

CREATE TABLE interactions (
  id text PRIMARY KEY,                       -- trace_id || '-' || span_id of the interaction span
  trace_id text NOT NULL,
  span_id text NOT NULL,
  operation text NOT NULL,
  name text NOT NULL,
  start_time timestamptz NOT NULL,
  start_time_unix_nano bigint NOT NULL,
  response_time_ms double precision NOT NULL,
  time_to_first_token_ms double precision,
  session_id text,
  user_id text,
  agent_name text,
  agent_id text,
  service_name text,
  service_version text,
  system_instructions jsonb,
  user_input jsonb,
  response jsonb,
  request_model text,
  response_model text,
  provider text,
  input_tokens bigint,
  output_tokens bigint,
  cache_read_input_tokens bigint,
  cache_creation_input_tokens bigint,
  reasoning_output_tokens bigint,
  finish_reasons text[] NOT NULL,
  tools jsonb NOT NULL,
  intent text,
  confidence double precision,
  knowledge_sources text[] NOT NULL,
  prompt_version text,
  expected_output text,
  status text NOT NULL CHECK (status IN ('unset', 'ok', 'error')),
  error_type text,
  error_message text,
  span_ids text[] NOT NULL,
  conventions text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interactions_trace_idx ON interactions (trace_id);
CREATE INDEX interactions_time_idx ON interactions (start_time_unix_nano DESC, id DESC);
CREATE INDEX interactions_agent_time_idx ON interactions (agent_name, start_time_unix_nano DESC);
CREATE INDEX interactions_session_idx ON interactions (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX interactions_user_idx ON interactions (user_id) WHERE user_id IS NOT NULL;
