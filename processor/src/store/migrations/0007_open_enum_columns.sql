-- OTLP enums are open (proto3): a span kind, status code, log severity number or aggregation
-- temporality may be any int32 and is kept as received (opentelemetry-proto trace/v1/trace.proto
-- Span.SpanKind and Status.StatusCode, logs/v1/logs.proto SeverityNumber, metrics/v1/metrics.proto
-- AggregationTemporality). smallint held only -32768..32767, so a larger value made the whole
-- batch fail; integer holds every int32. Postgres rewrites each table to widen the column.
-- Not breaking: what an older processor writes and reads fits either type.
ALTER TABLE spans ALTER COLUMN kind TYPE integer, ALTER COLUMN status_code TYPE integer;
ALTER TABLE log_records ALTER COLUMN severity_number TYPE integer;
ALTER TABLE metric_points ALTER COLUMN aggregation_temporality TYPE integer;
