// The score stage's Prometheus metrics, registered into the processor's registry (GET /metrics).
// Labels are bounded: dimension, source, trigger, result, outcome take a handful of values each.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ScoreMetrics {
  scored: Counter<'trigger'>;
  scores: Histogram<'dimension' | 'source'>;
  missing: Counter<'dimension'>;
  gate: Counter<'result'>;
  outcomes: Counter<'outcome'>;
  lag: Histogram;
  batchDuration: Histogram;
  judgeRequests: Counter<'outcome'>;
  judgeDuration: Histogram<'outcome'>;
  judgeTokens: Counter<'type'>;
  judgeCost: Counter;
}

const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];

export function registerScoreMetrics(registry: Registry, queueDepth: () => Promise<number>): ScoreMetrics {
  const registers = [registry];
  new Gauge({
    name: 'flywheel_score_queue_depth',
    help: 'Interactions waiting to be scored or re-scored (settling, due or scheduled)',
    registers,
    async collect() {
      try {
        this.set(await queueDepth());
      } catch {
        // The database is down: keep the last value; /readyz reports the outage.
      }
    },
  });
  return {
    scored: new Counter({
      name: 'flywheel_score_interactions_scored_total',
      help: 'Interactions scored, by what triggered the scoring (ingest, feedback, next_turn, judge, abandon_check, parent_check)',
      labelNames: ['trigger'],
      registers,
    }),
    scores: new Histogram({
      name: 'flywheel_score_value',
      help: 'Distribution of dimension scores (0..1) by dimension and source',
      labelNames: ['dimension', 'source'],
      buckets: SCORE_BUCKETS,
      registers,
    }),
    missing: new Counter({
      name: 'flywheel_score_dimension_missing_total',
      help: 'Scorings in which a dimension could not be assessed (no content, no reference...)',
      labelNames: ['dimension'],
      registers,
    }),
    gate: new Counter({
      name: 'flywheel_score_gate_total',
      help: 'Training-gate results of scorings (eligible, ineligible); eligible rate = eligible / all',
      labelNames: ['result'],
      registers,
    }),
    outcomes: new Counter({
      name: 'flywheel_score_outcomes_total',
      help: 'Feedback-loop outcomes of scorings (reinforce, improve)',
      labelNames: ['outcome'],
      registers,
    }),
    lag: new Histogram({
      name: 'flywheel_score_lag_seconds',
      help: 'From the last ingest of an interaction to its scoring (includes the settle delay)',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'flywheel_score_batch_duration_seconds',
      help: 'Time to claim, score and write one batch of interactions',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    judgeRequests: new Counter({
      name: 'flywheel_judge_requests_total',
      help: 'LLM-judge requests (attempts) by outcome (ok, malformed, timeout, error)',
      labelNames: ['outcome'],
      registers,
    }),
    judgeDuration: new Histogram({
      name: 'flywheel_judge_request_duration_seconds',
      help: 'Duration of LLM-judge requests by outcome',
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    }),
    judgeTokens: new Counter({
      name: 'flywheel_judge_tokens_total',
      help: 'Tokens spent on the LLM judge (type: input, output)',
      labelNames: ['type'],
      registers,
    }),
    judgeCost: new Counter({
      name: 'flywheel_judge_cost_usd_total',
      help: 'Cost of the LLM judge in US dollars, from the configured token prices',
      registers,
    }),
  };
}
