// The Postgres pools' Prometheus gauges: per pool (ingest, api, auth, each stage) its connections
// by state and its size, read from pg.Pool's counters at each scrape.
import { Gauge, type Registry } from 'prom-client';
import type pg from 'pg';

export interface NamedPool {
  name: string;
  pool: pg.Pool;
  max: number;
}

export function registerPoolMetrics(registry: Registry, pools: readonly NamedPool[]): void {
  new Gauge({
    name: 'flywheel_db_pool_connections',
    help: 'Postgres connections of each pool by state: total (open), idle, waiting (queries waiting for a connection)',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      for (const { name, pool } of pools) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
  new Gauge({
    name: 'flywheel_db_pool_max',
    help: 'The most connections each pool opens',
    labelNames: ['pool'],
    registers: [registry],
    collect() {
      for (const { name, max } of pools) this.set({ pool: name }, max);
    },
  });
}
