// A stage is a part of the processor that works in the background on what is stored (scoring;
// next mining, knowledge, datasets). Stages hand work to each other through Postgres tables,
// not in-process calls, so a stage is only: the settings it reads, how many connections it
// needs, and how to start it. service.ts keeps the list, starts the stages in order once the
// server listens and stops them in reverse.
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { ConfigOf, Setting } from '../config/setting.ts';
import type { Logger } from './logger.ts';
import type { Loop } from './loop.ts';

export interface StageDeps<C> {
  /** The stage's own pool, sized by connections(). */
  pool: pg.Pool;
  config: C;
  /** The processor's Prometheus registry (GET /metrics): the stage registers its metrics here. */
  registry: Registry;
  log: Logger;
  /** This process (host:pid), for claims and leases. */
  claimant: string;
}

export interface Stage<S extends readonly Setting[] = readonly Setting[]> {
  /** Names the stage in logs and its pool in pg_stat_activity ("flywheel scoring"). */
  name: string;
  /** The stage's slice of the configuration (also composed into config/config.ts). */
  settings: S;
  /** Most Postgres connections the stage's workers hold at once. */
  connections(config: ConfigOf<S>): number;
  /** Registers the stage's metrics and starts its workers. */
  start(deps: StageDeps<ConfigOf<S>>): Loop;
}

/** The size of a stage's pool: what its workers hold. */
export function connectionsOf<S extends readonly Setting[]>(stage: Stage<S>, config: ConfigOf<S>): number {
  return stage.connections(config);
}

/** Starts a stage. */
export function startStage<S extends readonly Setting[]>(stage: Stage<S>, deps: StageDeps<ConfigOf<S>>): Loop {
  return stage.start(deps);
}
