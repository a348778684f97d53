-- Retention of raw telemetry: spans, log records and metric points older than a project's
-- retention (counted from when the processor received them) are deleted by the retention job
-- (processor/src/retention/); interactions, feedback, scores, patterns and knowledge stay.
-- Not a breaking change: older processors neither read nor write the column, and the indexes
-- only serve the job's bounded deletes.
--
-- retention_days: NULL follows FLYWHEEL_RETENTION_DAYS (unset there: kept forever).
ALTER TABLE projects ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500);

CREATE INDEX spans_received_idx ON spans (project_id, received_at);
CREATE INDEX log_records_received_idx ON log_records (project_id, received_at);
CREATE INDEX metric_points_received_idx ON metric_points (project_id, received_at);
