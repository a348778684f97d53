-- Periodic singleton jobs (processor/src/runtime/periodic.ts): work that runs every so often,
-- at most once per due time however many processors share the database (mining passes,
-- knowledge batch commits, source refreshes, report snapshots). One row per job, created by
-- the first processor that runs it. Not a breaking change: older processors never touch it.
--
-- The jobs are global, not per project, so this table has no project_id: one due run of a
-- job covers every project (a mining pass loops over the projects itself).
--
-- A processor claims a due row (next_run_at <= now(), no live lease) with FOR UPDATE SKIP
-- LOCKED, moves next_run_at to the next due time in the same statement, and holds a lease
-- (claimed_by, claimed_until) that it renews while the run lasts. A processor that crashes
-- mid-run stops renewing: once its lease expires, the next due time is claimable again.
CREATE TABLE scheduled_jobs (
  name text PRIMARY KEY,
  next_run_at timestamptz NOT NULL,
  claimed_by text,                          -- host:pid of the processor running it now
  claimed_until timestamptz,                -- its lease; past it, the claim counts for nothing
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_error text,                          -- of the last finished run; null when it succeeded
  runs bigint NOT NULL DEFAULT 0            -- finished runs, failed ones included
);
