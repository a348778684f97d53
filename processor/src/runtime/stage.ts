// A stage is a part of the processor that works in the background on what is stored (scoring;
// next mining, knowledge, datasets). Stages hand work to each other through Postgres tables,
// not in-process calls, so a stage is only: the settings it reads, how many connections it
// needs, how to start it, and the periodic jobs it wants run. service.ts keeps the list, starts
// the stages in order once the server listens and stops them in reverse.
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { ConfigOf, Setting } from '../config/setting.ts';
import type { Logger } from './logger.ts';
import type { Loop } from './loop.ts';
import { type PeriodicJob, runPeriodic } from './periodic.ts';

export interface StageDeps<C> {
  /** The stage's own pool, sized by connections() plus one per periodic job. */
  pool: pg.Pool;
  config: C;
  /** The processor's Prometheus registry (GET /metrics): the stage registers its metrics here. */
  registry: Registry;
  log: Logger;
  /** This process (host:pid), for claims and leases. */
  claimant: string;
}

/** A periodic job of a stage: runPeriodic's job, its run given the stage's dependencies. */
export interface StageJob<C> extends Omit<PeriodicJob, 'run'> {
  run(deps: StageDeps<C>, signal: AbortSignal): Promise<void>;
}

export interface Stage<S extends readonly Setting[] = readonly Setting[]> {
  /** Names the stage in logs and its pool in pg_stat_activity ("flywheel scoring"). */
  name: string;
  /** The stage's slice of the configuration (also composed into config/config.ts). */
  settings: S;
  /** Most Postgres connections the stage's workers and job runs hold at once. */
  connections(config: ConfigOf<S>): number;
  /** Registers the stage's metrics and starts its workers. */
  start(deps: StageDeps<ConfigOf<S>>): Loop;
  /** Periodic singleton jobs: the runtime runs each at most once per due time across all processors. */
  periodic?(config: ConfigOf<S>): readonly StageJob<ConfigOf<S>>[];
}

/** The size of a stage's pool: what its workers hold, plus one per periodic job for the claim and its lease. */
export function connectionsOf<S extends readonly Setting[]>(stage: Stage<S>, config: ConfigOf<S>): number {
  return stage.connections(config) + (stage.periodic?.(config).length ?? 0);
}

/** Starts a stage and its periodic jobs; stop() ends the jobs, then the stage. */
export function startStage<S extends readonly Setting[]>(stage: Stage<S>, deps: StageDeps<ConfigOf<S>>): Loop {
  const running = stage.start(deps);
  const jobs = (stage.periodic?.(deps.config) ?? []).map((job) =>
    runPeriodic({
      name: job.name,
      everyMs: job.everyMs,
      run: (signal) => job.run(deps, signal),
      pool: deps.pool,
      claimant: deps.claimant,
      log: deps.log,
    }),
  );
  return {
    async stop() {
      await Promise.all(jobs.map((job) => job.stop()));
      await running.stop();
    },
  };
}
