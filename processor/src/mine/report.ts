// The flywheel report: the figures of a period beside those of the period of the same length
// before it. Pure: per-period aggregates (counted in SQL by store/mine/report.ts) in, figures out.
import { round4, theilSen } from './stats.ts';

const DAY_MS = 86_400_000;

/** The default period: the last 7 days, ending now. */
export const DEFAULT_REPORT_DAYS = 7;

/** What counts as a success and a failure: satisfaction above `successAbove`, below `failureBelow`. */
export interface Outcomes {
  successAbove: number;
  failureBelow: number;
}

/** The outcomes of the mining settings (FLYWHEEL_MINE_SUCCESS_MIN, FLYWHEEL_MINE_FAILURE_MAX; 0.8 and 0.4, the seed's sets). */
export function outcomesOf(config: { mineSuccessMin: number; mineFailureMax: number }): Outcomes {
  return { successAbove: config.mineSuccessMin, failureBelow: config.mineFailureMax };
}

export interface Period {
  since: Date;
  until: Date;
}

export interface ReportPeriods extends Period {
  previous: Period;
}

/** Thrown for a period that cannot be reported on; the doors turn it into a 400 or a usage error. */
export class ReportPeriodError extends Error {
  override name = 'ReportPeriodError';
}

/**
 * The period asked for (until defaults to now, since to DEFAULT_REPORT_DAYS before until) and
 * the one of the same length just before it.
 */
export function reportPeriods(since: Date | undefined, until: Date | undefined, now: Date): ReportPeriods {
  const end = until ?? now;
  const start = since ?? new Date(end.getTime() - DEFAULT_REPORT_DAYS * DAY_MS);
  if (start.getTime() >= end.getTime()) {
    throw new ReportPeriodError(`since must be before until, got since ${start.toISOString()} and until ${end.toISOString()}`);
  }
  const length = end.getTime() - start.getTime();
  return { since: start, until: end, previous: { since: new Date(start.getTime() - length), until: start } };
}

/** One UTC day of a period: its scored interactions, their mean satisfaction, their successes. */
export interface DailyQuality {
  /** The day's start, in ms since the epoch (UTC midnight). */
  dayMs: number;
  scored: number;
  satisfaction: number;
  successes: number;
}

/** What SQL counts of one period's interactions (and their scores, where scored). */
export interface PeriodAggregates {
  interactions: number;
  scored: number;
  /** Mean of the accuracy scores that are present (null: none scored). */
  accuracy: number | null;
  satisfaction: number | null;
  successes: number;
  failures: number;
  eligible: number;
  responseP50Ms: number | null;
  responseP95Ms: number | null;
  /** Mean age of the knowledge sources used, in days at answer time, over every (interaction, source) use with a known age. */
  knowledgeAgeDays: number | null;
  daily: readonly DailyQuality[];
}

export interface Figure {
  value: number | null;
  previous: number | null;
  /** value - previous, when both are known. */
  change: number | null;
}

export const REPORT_FIGURES = [
  'interactions',
  'scored',
  'avgAccuracy',
  'avgSatisfaction',
  'satisfactionTrend',
  'successRate',
  'failureRate',
  'improvementVelocity',
  'trainingEligibleRate',
  'knowledgeAgeDays',
  'responseTimeP50Ms',
  'responseTimeP95Ms',
] as const;
export type ReportFigure = (typeof REPORT_FIGURES)[number];

/** Theil–Sen slope per day of a daily series, or null with fewer than two days. */
function slopePerDay(daily: readonly DailyQuality[], y: (d: DailyQuality) => number): number | null {
  const line = theilSen(daily.filter((d) => d.scored > 0).map((d) => ({ x: d.dayMs / DAY_MS, y: y(d) })));
  return line === null ? null : line.slope;
}

/** The figures of one period, unrounded. */
export function periodFigures(p: PeriodAggregates): Record<ReportFigure, number | null> {
  const rate = (k: number) => (p.scored === 0 ? null : k / p.scored);
  const velocity = slopePerDay(p.daily, (d) => d.successes / d.scored);
  return {
    interactions: p.interactions,
    scored: p.scored,
    avgAccuracy: p.accuracy,
    avgSatisfaction: p.satisfaction,
    satisfactionTrend: slopePerDay(p.daily, (d) => d.satisfaction),
    successRate: rate(p.successes),
    failureRate: rate(p.failures),
    improvementVelocity: velocity === null ? null : velocity * 7,
    trainingEligibleRate: rate(p.eligible),
    knowledgeAgeDays: p.knowledgeAgeDays,
    responseTimeP50Ms: p.responseP50Ms,
    responseTimeP95Ms: p.responseP95Ms,
  };
}

/** Every figure of the period beside the previous period's, and the change, rounded to 4 decimals. */
export function reportFigures(current: PeriodAggregates, previous: PeriodAggregates): Record<ReportFigure, Figure> {
  const now = periodFigures(current);
  const before = periodFigures(previous);
  const r = (x: number | null) => (x === null ? null : round4(x));
  return Object.fromEntries(
    REPORT_FIGURES.map((name) => {
      const value = now[name];
      const prior = before[name];
      return [name, { value: r(value), previous: r(prior), change: value === null || prior === null ? null : r(value - prior) }];
    }),
  ) as Record<ReportFigure, Figure>;
}
