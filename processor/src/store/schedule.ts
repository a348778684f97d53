// The scheduled_jobs table: periodic singleton jobs (migration 0006). A job is claimed with a
// lease, run outside any transaction, and finished; every statement checks the claim, so a
// processor whose lease lapsed can neither renew nor finish what another one took over.
import type pg from 'pg';

/** Creates the job's row, first due now, unless a processor already has. */
export async function scheduleJob(pool: pg.Pool, name: string): Promise<void> {
  await pool.query('INSERT INTO scheduled_jobs (name, next_run_at) VALUES ($1, now()) ON CONFLICT (name) DO NOTHING', [name]);
}

export type JobClaim = { claimed: true } | { claimed: false; dueInMs: number };

/**
 * Claims the job when it is due and nobody holds a live lease on it: the caller then holds it
 * for `leaseMs`, and next_run_at moves to the first time after now on the job's grid of
 * `everyMs` (due times nobody ran, because every processor was down, are skipped, not caught
 * up). Otherwise answers how long until the job is next due; while another processor's run
 * is past the due time, at most `everyMs` or until its lease ends.
 */
export async function claimDueJob(pool: pg.Pool, name: string, claimant: string, everyMs: number, leaseMs: number): Promise<JobClaim> {
  const claimed = await pool.query(
    `UPDATE scheduled_jobs SET
       claimed_by = $2,
       claimed_until = now() + $4::float8 * interval '1 millisecond',
       last_started_at = now(),
       next_run_at = next_run_at + $3::float8 * interval '1 millisecond'
         * (floor(extract(epoch FROM now() - next_run_at) * 1000 / $3::float8) + 1)::float8
     WHERE name = (
       SELECT name FROM scheduled_jobs
       WHERE name = $1 AND next_run_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
       FOR UPDATE SKIP LOCKED)`,
    [name, claimant, everyMs, leaseMs],
  );
  if (claimed.rowCount === 1) return { claimed: true };
  const { rows } = await pool.query<{ due_in_ms: number }>(
    `SELECT (CASE
       WHEN next_run_at > now() THEN extract(epoch FROM next_run_at - now()) * 1000
       WHEN claimed_until >= now() THEN least($2::float8, extract(epoch FROM claimed_until - now()) * 1000)
       ELSE 0 END)::float8 AS due_in_ms
     FROM scheduled_jobs WHERE name = $1`,
    [name, everyMs],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`periodic job '${name}' is not scheduled (scheduleJob first)`);
  return { claimed: false, dueInMs: row.due_in_ms };
}

/** Extends the caller's lease; false when the claim is no longer the caller's. */
export async function renewJobClaim(pool: pg.Pool, name: string, claimant: string, leaseMs: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE scheduled_jobs SET claimed_until = now() + $3::float8 * interval '1 millisecond' WHERE name = $1 AND claimed_by = $2`,
    [name, claimant, leaseMs],
  );
  return rowCount === 1;
}

/**
 * Records the end of the caller's run (`error` null when it succeeded) and releases the claim;
 * false (and nothing recorded) when the claim is no longer the caller's.
 */
export async function finishJob(pool: pg.Pool, name: string, claimant: string, error: string | null): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE scheduled_jobs SET claimed_by = NULL, claimed_until = NULL, last_finished_at = now(), last_error = $3, runs = runs + 1
     WHERE name = $1 AND claimed_by = $2`,
    [name, claimant, error],
  );
  return rowCount === 1;
}
