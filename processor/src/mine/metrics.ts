// The mining stage's Prometheus metrics. The forecast alert gauge has one series per project,
// agent and metric (accuracy, satisfaction): bounded by the agents a team runs.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { forecastAlerts, openPatternCounts } from '../store/mine/patterns.ts';
import { mineQueueDepth } from '../store/mine/queue.ts';
import type pg from 'pg';

export interface MineMetrics {
  agentsMined: Counter;
  passDuration: Histogram;
}

export function registerMineMetrics(registry: Registry, pool: pg.Pool): MineMetrics {
  const registers = [registry];
  new Gauge({
    name: 'flywheel_mine_forecast_alert',
    help: "1 while an agent's metric is below its threshold or forecast to cross it within the horizon, else 0",
    labelNames: ['project', 'agent', 'metric'],
    registers,
    async collect() {
      try {
        const forecasts = await forecastAlerts(pool);
        this.reset();
        for (const f of forecasts) this.set({ project: f.project, agent: f.agent, metric: f.metric }, f.alert ? 1 : 0);
      } catch {
        // The database is down: the scrape goes on without fresh values (the readiness probe tells why).
      }
    },
  });
  new Gauge({
    name: 'flywheel_mine_patterns_open',
    help: 'Open failure and success patterns, every project',
    labelNames: ['kind'],
    registers,
    async collect() {
      try {
        const patterns = await openPatternCounts(pool);
        this.set({ kind: 'failure' }, 0);
        this.set({ kind: 'success' }, 0);
        for (const p of patterns) this.set({ kind: p.kind }, p.n);
      } catch {
        // as above
      }
    },
  });
  new Gauge({
    name: 'flywheel_mine_queue_depth',
    help: 'Agents with new scores waiting for a mining pass',
    registers,
    async collect() {
      try {
        this.set(await mineQueueDepth(pool));
      } catch {
        // as above
      }
    },
  });
  return {
    agentsMined: new Counter({ name: 'flywheel_mine_agents_mined_total', help: 'Agents mined by mining passes', registers }),
    passDuration: new Histogram({
      name: 'flywheel_mine_pass_duration_seconds',
      help: 'Duration of one mining pass over the queued agents',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    }),
  };
}
