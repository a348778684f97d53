// Periodic singleton jobs: work due every `everyMs` that, across every processor sharing the
// database, runs at most once per due time and never twice at once (a mining pass, a batch
// commit). Each processor runs a loop that claims the job when it is due (store/schedule.ts:
// FOR UPDATE SKIP LOCKED, with a lease), runs it outside any transaction while renewing the
// lease, records the outcome, and sleeps until the next due time. A processor that crashes
// mid-run stops renewing; once its lease expires another one takes the next due time.
import type pg from 'pg';
import { claimDueJob, finishJob, renewJobClaim, scheduleJob } from '../store/schedule.ts';
import type { Logger } from './logger.ts';
import { type Loop, runLoop } from './loop.ts';

export interface PeriodicJob {
  /** Unique among all jobs of all stages: the job's row in scheduled_jobs. */
  name: string;
  /** Due every this many milliseconds, the first time when a processor first runs the job. */
  everyMs: number;
  /**
   * One run. `signal` aborts when the processor stops or the lease was lost (another
   * processor may then run the job): a long run should check it and return.
   */
  run(signal: AbortSignal): Promise<void>;
}

export interface PeriodicOptions extends PeriodicJob {
  pool: pg.Pool;
  claimant: string;
  log: Logger;
  /** How long a claim holds unless renewed; it is renewed every third of it while the run lasts. */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 30_000;

/** After a failed claim (the database is down), look again within this long at most. */
const RETRY_MS = 5_000;

/** Lost a race to another processor's claim that has not committed yet: look again shortly. */
const MIN_WAIT_MS = 10;

/** Starts this processor's loop for one periodic job; it holds one connection of `pool` for the claim and lease. */
export function runPeriodic(options: PeriodicOptions): Loop {
  const { pool, name, claimant, log, everyMs } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!(everyMs > 0 && leaseMs > 0)) throw new Error(`periodic job ${name}: everyMs and leaseMs must be positive`);
  const stopping = new AbortController();
  let scheduled = false;
  let waitMs = 0;

  async function step(): Promise<boolean> {
    waitMs = Math.min(everyMs, RETRY_MS);
    if (!scheduled) {
      await scheduleJob(pool, name);
      scheduled = true;
    }
    const claim = await claimDueJob(pool, name, claimant, everyMs, leaseMs);
    if (!claim.claimed) {
      waitMs = Math.max(MIN_WAIT_MS, claim.dueInMs);
      return false;
    }
    const error = await runHeld();
    if (!(await finishJob(pool, name, claimant, error))) {
      log.warn(`periodic job ${name}: its lease expired during the run, so another processor may have run it too`);
    }
    // Ask again at once: the answer is how long until the next due time.
    return true;
  }

  /** Runs the job while renewing the lease; resolves to the error message of a failed run, null when it succeeded. */
  async function runHeld(): Promise<string | null> {
    const held = new AbortController();
    const onStop = () => held.abort(new Error('the processor is stopping'));
    stopping.signal.addEventListener('abort', onStop);
    const lease: { renewing: Promise<void> | null } = { renewing: null };
    const renewal = setInterval(() => {
      lease.renewing ??= renewJobClaim(pool, name, claimant, leaseMs)
        .then(
          (ours) => {
            if (!ours) held.abort(new Error('the lease was lost to another processor'));
          },
          (error: unknown) => log.warn(`periodic job ${name}: renewing its lease failed: ${(error as Error).message}`),
        )
        .finally(() => (lease.renewing = null));
    }, leaseMs / 3);
    try {
      await options.run(held.signal);
      return null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const why = held.signal.aborted ? ` (${(held.signal.reason as Error).message})` : '';
      if (stopping.signal.aborted) log.info(`periodic job ${name}: run interrupted${why}`);
      else log.warn(`periodic job ${name} failed${why}: ${message}`);
      return message;
    } finally {
      clearInterval(renewal);
      stopping.signal.removeEventListener('abort', onStop);
      // One connection for the bookkeeping: the finish waits for a renewal in flight.
      await lease.renewing;
    }
  }

  const loop = runLoop(step, () => waitMs, (error) => log.warn(`periodic job ${name}: ${(error as Error).message}`));
  return {
    async stop() {
      stopping.abort();
      await loop.stop();
    },
  };
}
