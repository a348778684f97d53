// store/schedule.ts against real Postgres: a due job is claimed by one claimant at a time,
// next_run_at moves along the job's grid, a live lease keeps others out, an expired one (a
// crashed holder) lets the next claimant in, and the old holder can then neither renew nor finish.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import pg from 'pg';
import { migrate } from '../processor/src/store/migrate.ts';
import { claimDueJob, finishJob, renewJobClaim, scheduleJob } from '../processor/src/store/schedule.ts';
import { startPostgres, type TestPostgres } from './harness.ts';

let postgres: TestPostgres;
let pool: pg.Pool;
before(async () => {
  postgres = await startPostgres();
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  await migrate(pool);
});
after(async () => {
  await pool.end();
  await postgres.destroy();
});
beforeEach(async () => {
  await pool.query('DELETE FROM scheduled_jobs');
});

const HOUR = 3_600_000;

interface JobRow {
  next_run_at: Date;
  claimed_by: string | null;
  claimed_until: Date | null;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  last_error: string | null;
  runs: string;
}

async function row(name: string): Promise<JobRow> {
  const { rows } = await pool.query<JobRow>('SELECT * FROM scheduled_jobs WHERE name = $1', [name]);
  return rows[0]!;
}

/** Moves every time of the job back by `ms`, as if that much time had passed. */
async function elapse(name: string, ms: number): Promise<void> {
  const by = `${ms} milliseconds`;
  await pool.query(
    `UPDATE scheduled_jobs SET next_run_at = next_run_at - $2::interval, claimed_until = claimed_until - $2::interval WHERE name = $1`,
    [name, by],
  );
}

test('a new job is due at once; scheduling it again changes nothing', async () => {
  await scheduleJob(pool, 'mine');
  const first = await row('mine');
  await scheduleJob(pool, 'mine');
  assert.deepEqual(await row('mine'), first);
  assert.deepEqual(
    { claimedBy: first.claimed_by, claimedUntil: first.claimed_until, lastError: first.last_error, runs: first.runs },
    { claimedBy: null, claimedUntil: null, lastError: null, runs: '0' },
  );
  assert.deepEqual(await claimDueJob(pool, 'mine', 'a', HOUR, 60_000), { claimed: true });
});

test('a claim holds the lease and moves next_run_at one period on; nobody else claims it meanwhile', async () => {
  await scheduleJob(pool, 'mine');
  const due = (await row('mine')).next_run_at;
  assert.deepEqual(await claimDueJob(pool, 'mine', 'a', HOUR, 60_000), { claimed: true });
  const claimed = await row('mine');
  assert.equal(claimed.claimed_by, 'a');
  assert.equal(claimed.next_run_at.getTime(), due.getTime() + HOUR);
  assert.ok(claimed.claimed_until !== null && claimed.claimed_until.getTime() > Date.now() + 50_000);

  const other = await claimDueJob(pool, 'mine', 'b', HOUR, 60_000);
  assert.equal(other.claimed, false);
  // Not due for about an hour.
  assert.ok(!other.claimed && other.dueInMs > HOUR - 60_000 && other.dueInMs <= HOUR, `dueInMs ${JSON.stringify(other)}`);
  assert.equal((await claimDueJob(pool, 'mine', 'a', HOUR, 60_000)).claimed, false, 'not twice by the same claimant either');
});

test('finishing records the run and releases the claim; the next claim comes with the next due time', async () => {
  await scheduleJob(pool, 'mine');
  await claimDueJob(pool, 'mine', 'a', HOUR, 60_000);
  assert.equal(await finishJob(pool, 'mine', 'a', null), true);
  let r = await row('mine');
  assert.deepEqual({ claimedBy: r.claimed_by, claimedUntil: r.claimed_until, lastError: r.last_error, runs: r.runs }, {
    claimedBy: null,
    claimedUntil: null,
    lastError: null,
    runs: '1',
  });
  assert.ok(r.last_started_at !== null && r.last_finished_at !== null && r.last_finished_at >= r.last_started_at);
  assert.equal((await claimDueJob(pool, 'mine', 'b', HOUR, 60_000)).claimed, false, 'finished, but not due again yet');

  await elapse('mine', HOUR);
  assert.deepEqual(await claimDueJob(pool, 'mine', 'b', HOUR, 60_000), { claimed: true });
  assert.equal(await finishJob(pool, 'mine', 'b', 'no patterns table'), true);
  r = await row('mine');
  assert.deepEqual({ lastError: r.last_error, runs: r.runs }, { lastError: 'no patterns table', runs: '2' });
});

test('due times nobody ran are skipped: next_run_at moves to the first one after now', async () => {
  await scheduleJob(pool, 'mine');
  const due = (await row('mine')).next_run_at;
  await elapse('mine', 3.5 * HOUR);
  assert.deepEqual(await claimDueJob(pool, 'mine', 'a', HOUR, 60_000), { claimed: true });
  assert.equal((await row('mine')).next_run_at.getTime(), due.getTime() - 3.5 * HOUR + 4 * HOUR);
});

test("a crashed holder's lease expires: the next due time goes to another claimant, and the old holder can neither renew nor finish", async () => {
  await scheduleJob(pool, 'mine');
  await claimDueJob(pool, 'mine', 'a', HOUR, 60_000);
  assert.equal(await renewJobClaim(pool, 'mine', 'a', 60_000), true);
  // 'a' crashed: an hour on, the job is due again but its lease (60 s) has long run out.
  await elapse('mine', HOUR);
  await pool.query(`UPDATE scheduled_jobs SET claimed_until = now() - interval '1 second'`);
  assert.deepEqual(await claimDueJob(pool, 'mine', 'b', HOUR, 60_000), { claimed: true });
  assert.equal((await row('mine')).claimed_by, 'b');
  assert.equal(await renewJobClaim(pool, 'mine', 'a', 60_000), false);
  assert.equal(await finishJob(pool, 'mine', 'a', null), false);
  const r = await row('mine');
  assert.deepEqual({ claimedBy: r.claimed_by, runs: r.runs }, { claimedBy: 'b', runs: '0' });
});

test('a job due but still held by an overrunning run is looked at again within a period, not at once', async () => {
  await scheduleJob(pool, 'mine');
  await claimDueJob(pool, 'mine', 'a', 1_000, 60_000);
  await elapse('mine', 5_000); // the run took 5 periods so far; its lease still holds
  const other = await claimDueJob(pool, 'mine', 'b', 1_000, 60_000);
  assert.deepEqual(other, { claimed: false, dueInMs: 1_000 });
});

test('concurrent claims of a due job: exactly one wins', async () => {
  await scheduleJob(pool, 'mine');
  const claims = await Promise.all(['a', 'b', 'c', 'd'].map((who) => claimDueJob(pool, 'mine', who, HOUR, 60_000)));
  assert.equal(claims.filter((c) => c.claimed).length, 1);
});

test('claiming a job nobody scheduled is a programming error, named', async () => {
  await assert.rejects(claimDueJob(pool, 'nope', 'a', HOUR, 60_000), { message: "periodic job 'nope' is not scheduled (scheduleJob first)" });
});
