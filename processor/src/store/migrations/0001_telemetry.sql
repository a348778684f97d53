-- Raw telemetry as received over OTLP: every span, log record and metric data point.
-- Nanosecond timestamps are kept exact as bigint; attribute maps are jsonb.

CREATE TABLE spans (
  trace_id text NOT NULL,
  span_id text NOT NULL,
  parent_span_id text,
  name text NOT NULL,
  kind smallint NOT NULL,
  start_time_unix_nano bigint NOT NULL,
  end_time_unix_nano bigint NOT NULL,
  status_code smallint NOT NULL,
  status_message text NOT NULL,
  trace_state text NOT NULL,
  flags bigint NOT NULL,
  attributes jsonb NOT NULL,
  events jsonb NOT NULL,
  links jsonb NOT NULL,
  dropped_attributes_count integer NOT NULL,
  dropped_events_count integer NOT NULL,
  dropped_links_count integer NOT NULL,
  resource jsonb NOT NULL,
  scope jsonb NOT NULL,
  service_name text,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- Idempotency: a retried export stores nothing twice.
  PRIMARY KEY (trace_id, span_id)
);

-- Log records have no identity of their own: a hash of their content makes re-sent
-- records collide instead of duplicating.
CREATE TABLE log_records (
  content_hash text PRIMARY KEY,
  trace_id text,
  span_id text,
  time_unix_nano bigint NOT NULL,
  observed_time_unix_nano bigint NOT NULL,
  severity_number smallint NOT NULL,
  severity_text text NOT NULL,
  event_name text NOT NULL,
  body jsonb,
  attributes jsonb NOT NULL,
  dropped_attributes_count integer NOT NULL,
  flags bigint NOT NULL,
  resource jsonb NOT NULL,
  scope jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX log_records_trace_idx ON log_records (trace_id, span_id) WHERE trace_id IS NOT NULL;

CREATE TABLE metric_points (
  content_hash text PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL,
  unit text NOT NULL,
  type text NOT NULL,
  aggregation_temporality smallint NOT NULL,
  is_monotonic boolean NOT NULL,
  attributes jsonb NOT NULL,
  start_time_unix_nano bigint NOT NULL,
  time_unix_nano bigint NOT NULL,
  value double precision,
  data jsonb NOT NULL,
  flags bigint NOT NULL,
  resource jsonb NOT NULL,
  scope jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX metric_points_name_time_idx ON metric_points (name, time_unix_nano);
