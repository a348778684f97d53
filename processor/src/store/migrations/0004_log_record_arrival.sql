-- Arrival order of log records. Senders stamp events with millisecond clocks, so the
-- per-message events of one call often share a timestamp; the order they were sent in (the
-- order within an export request, then the order of requests) breaks such ties.
ALTER TABLE log_records ADD COLUMN arrival bigint GENERATED ALWAYS AS IDENTITY;
