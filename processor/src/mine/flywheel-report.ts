// The flywheel report as both doors give it (GET /api/report, `flywheel report`): the request
// they parse, and the answer read from the store and figured by mine/report.ts and latency.ts.
import type pg from 'pg';
import { z } from 'zod';
import { interactionTimings, LATENCY_SCAN_LIMIT } from '../store/mine/latency.ts';
import { reportAggregates } from '../store/mine/report.ts';
import { breakdown, decompose, type LatencyBreakdown } from './latency.ts';
import { type Figure, type Outcomes, type ReportFigure, reportFigures, reportPeriods } from './report.ts';

/** agent (name or id; absent: every agent of the project), since and until (ISO 8601). */
export const reportRequest = z
  .object({
    agent: z.string().min(1).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type ReportRequest = z.infer<typeof reportRequest>;

export interface FlywheelReport {
  agent: string | null;
  since: string;
  until: string;
  previous: { since: string; until: string };
  /** The satisfaction thresholds of a success and a failure the figures used. */
  outcomes: Outcomes;
  figures: Record<ReportFigure, Figure>;
  /** Of the period's most recent `scanLimit` interactions. */
  latency: LatencyBreakdown & { scanLimit: number };
}

const at = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));

/** The report of a period and the one before it; throws ReportPeriodError for since >= until. */
export async function flywheelReport(pool: pg.Pool, projectId: number, request: ReportRequest, now: Date, outcomes: Outcomes): Promise<FlywheelReport> {
  const periods = reportPeriods(at(request.since), at(request.until), now);
  const [aggregates, timings] = await Promise.all([
    reportAggregates(pool, projectId, periods, request.agent, outcomes),
    interactionTimings(pool, projectId, periods, request.agent),
  ]);
  return {
    agent: request.agent ?? null,
    since: periods.since.toISOString(),
    until: periods.until.toISOString(),
    previous: { since: periods.previous.since.toISOString(), until: periods.previous.until.toISOString() },
    outcomes,
    figures: reportFigures(aggregates.current, aggregates.previous),
    latency: { ...breakdown(request.agent ?? null, timings.map(decompose)), scanLimit: LATENCY_SCAN_LIMIT },
  };
}
