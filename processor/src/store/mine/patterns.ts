// mine_patterns, mine_forecasts and mine_alerts: what a mining pass writes and the API reads.
// A pass writes one agent's results in one transaction: the patterns found are upserted (open,
// last seen now; first seen kept; re-opened when they were resolved), the open ones not found
// are resolved, the forecasts replaced and their alerts raised or cleared.
import type pg from 'pg';
import type { Forecast } from '../../mine/forecast.ts';
import type { MinedPattern, PatternKind } from '../../mine/patterns.ts';

/** Writes one agent's patterns; returns how many are open, newly found and resolved. */
export async function writePatterns(
  client: pg.ClientBase, projectId: number, agent: string, patterns: readonly MinedPattern[], now: Date,
): Promise<{ open: number; found: number; resolved: number; reopened: number }> {
  const ids = patterns.map((p) => p.id);
  const reopened = await client.query(
    "SELECT 1 FROM mine_patterns WHERE project_id = $1 AND id = ANY ($2::text[]) AND status = 'resolved'",
    [projectId, ids],
  );
  const { rows } = await client.query<{ inserted: boolean }>(
    `INSERT INTO mine_patterns AS m (project_id, id, agent, kind, segment, label, n, rate, baseline, lift, ci_low, ci_high, p, q,
       examples, status, first_seen, last_seen)
     SELECT $1, p.id, $2, p.kind, p.segment, p.label, p.n, p.rate, p.baseline, p.lift, p.ci_low, p.ci_high, p.p, p.q,
       ARRAY(SELECT jsonb_array_elements_text(p.examples)), 'open', $3, $3
     FROM jsonb_to_recordset($4::jsonb) AS p(id text, kind text, segment jsonb, label text, n integer, rate float8, baseline float8,
       lift float8, ci_low float8, ci_high float8, p float8, q float8, examples jsonb)
     ON CONFLICT (project_id, id) DO UPDATE SET
       n = excluded.n, rate = excluded.rate, baseline = excluded.baseline, lift = excluded.lift, ci_low = excluded.ci_low,
       ci_high = excluded.ci_high, p = excluded.p, q = excluded.q, examples = excluded.examples, last_seen = excluded.last_seen,
       status = 'open', resolved_at = NULL, reopened = m.reopened + CASE WHEN m.status = 'resolved' THEN 1 ELSE 0 END
     RETURNING (xmax = 0) AS inserted`,
    [
      projectId, agent, now,
      JSON.stringify(patterns.map((p) => ({
        id: p.id, kind: p.kind, segment: p.segment, label: p.label, n: p.n, rate: p.rate, baseline: p.baseline, lift: p.lift,
        ci_low: p.ci[0], ci_high: p.ci[1], p: p.p, q: p.q, examples: p.examples,
      }))),
    ],
  );
  const resolved = await client.query(
    `UPDATE mine_patterns SET status = 'resolved', resolved_at = $3
     WHERE project_id = $1 AND agent = $2 AND status = 'open' AND NOT (id = ANY ($4::text[]))`,
    [projectId, agent, now, ids],
  );
  return {
    open: patterns.length,
    found: rows.filter((r) => r.inserted).length,
    resolved: resolved.rowCount ?? 0,
    reopened: reopened.rowCount ?? 0,
  };
}

export interface PatternFilter {
  agent?: string | undefined;
  kind?: PatternKind | undefined;
  status?: 'open' | 'resolved' | undefined;
  limit: number;
}

export interface StoredPattern {
  id: string;
  agent: string;
  kind: PatternKind;
  segment: Record<string, string>;
  label: string;
  n: number;
  rate: number;
  baseline: number;
  lift: number;
  ci: [number, number];
  q: number;
  examples: string[];
  firstSeen: string;
  lastSeen: string;
  status: 'open' | 'resolved';
  resolvedAt: string | null;
  reopened: number;
  summary: string | null;
  recommendation: string | null;
}

/** A project's patterns, most significant first. */
export async function listPatterns(pool: pg.Pool, projectId: number, filter: PatternFilter): Promise<StoredPattern[]> {
  const { rows } = await pool.query<{
    id: string; agent: string; kind: PatternKind; segment: Record<string, string>; label: string; n: number; rate: number; baseline: number;
    lift: number; ci_low: number; ci_high: number; q: number; examples: string[]; first_seen: Date; last_seen: Date;
    status: 'open' | 'resolved'; resolved_at: Date | null; reopened: number; summary: string | null; recommendation: string | null;
  }>(
    `SELECT id, agent, kind, segment, label, n, rate, baseline, lift, ci_low, ci_high, q, examples, first_seen, last_seen, status,
       resolved_at, reopened, summary, recommendation
     FROM mine_patterns
     WHERE project_id = $1 AND ($2::text IS NULL OR agent = $2) AND ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR status = $4)
     ORDER BY status, q, lift DESC, id LIMIT $5`,
    [projectId, filter.agent ?? null, filter.kind ?? null, filter.status ?? null, filter.limit],
  );
  return rows.map((r) => ({
    id: r.id, agent: r.agent, kind: r.kind, segment: r.segment, label: r.label, n: r.n, rate: r.rate, baseline: r.baseline, lift: r.lift,
    ci: [r.ci_low, r.ci_high], q: r.q, examples: r.examples, firstSeen: r.first_seen.toISOString(), lastSeen: r.last_seen.toISOString(),
    status: r.status, resolvedAt: r.resolved_at?.toISOString() ?? null, reopened: r.reopened, summary: r.summary, recommendation: r.recommendation,
  }));
}

export type ForecastMetric = 'accuracy' | 'satisfaction';

/** Replaces an agent's forecast of one metric and raises or clears its alert. */
export async function writeForecast(
  client: pg.ClientBase, projectId: number, agent: string, metric: ForecastMetric, f: Forecast, now: Date,
): Promise<void> {
  const crossesAt = f.crossesAt === null ? null : new Date(f.crossesAt);
  await client.query(
    `INSERT INTO mine_forecasts (project_id, agent, metric, current, threshold, slope_per_day, trend_p, crosses_at, alert, days, computed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (project_id, agent, metric) DO UPDATE SET current = excluded.current, threshold = excluded.threshold,
       slope_per_day = excluded.slope_per_day, trend_p = excluded.trend_p, crosses_at = excluded.crosses_at, alert = excluded.alert,
       days = excluded.days, computed_at = excluded.computed_at`,
    [projectId, agent, metric, f.current, f.threshold, f.slopePerDay, f.trendP, crossesAt, f.alert, f.days, now],
  );
  if (f.alert) {
    await client.query(
      `INSERT INTO mine_alerts (project_id, agent, metric, raised_at, current, threshold, crosses_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (project_id, agent, metric) WHERE cleared_at IS NULL DO UPDATE SET current = excluded.current, crosses_at = excluded.crosses_at`,
      [projectId, agent, metric, now, f.current, f.threshold, crossesAt],
    );
  } else {
    await client.query(
      'UPDATE mine_alerts SET cleared_at = $4 WHERE project_id = $1 AND agent = $2 AND metric = $3 AND cleared_at IS NULL',
      [projectId, agent, metric, now],
    );
  }
}

export interface StoredForecast {
  agent: string;
  metric: ForecastMetric;
  current: number | null;
  threshold: number;
  slopePerDay: number | null;
  trendP: number | null;
  crossesAt: string | null;
  alert: boolean;
  alertSince: string | null;
  days: number;
  computedAt: string;
}

/** A project's forecasts (one agent or all), with when each open alert was raised. */
export async function listForecasts(pool: pg.Pool, projectId: number, agent: string | undefined): Promise<StoredForecast[]> {
  const { rows } = await pool.query<{
    agent: string; metric: ForecastMetric; current: number | null; threshold: number; slope_per_day: number | null; trend_p: number | null;
    crosses_at: Date | null; alert: boolean; raised_at: Date | null; days: number; computed_at: Date;
  }>(
    `SELECT f.agent, f.metric, f.current, f.threshold, f.slope_per_day, f.trend_p, f.crosses_at, f.alert, a.raised_at, f.days, f.computed_at
     FROM mine_forecasts f
     LEFT JOIN mine_alerts a ON a.project_id = f.project_id AND a.agent = f.agent AND a.metric = f.metric AND a.cleared_at IS NULL
     WHERE f.project_id = $1 AND ($2::text IS NULL OR f.agent = $2)
     ORDER BY f.agent, f.metric`,
    [projectId, agent ?? null],
  );
  return rows.map((r) => ({
    agent: r.agent, metric: r.metric, current: r.current, threshold: r.threshold, slopePerDay: r.slope_per_day, trendP: r.trend_p,
    crossesAt: r.crosses_at?.toISOString() ?? null, alert: r.alert, alertSince: r.raised_at?.toISOString() ?? null, days: r.days,
    computedAt: r.computed_at.toISOString(),
  }));
}

/** Every forecast's alert state, every project (the alert gauge). */
export async function forecastAlerts(pool: pg.Pool): Promise<{ project: string; agent: string; metric: string; alert: boolean }[]> {
  const { rows } = await pool.query<{ project: string; agent: string; metric: string; alert: boolean }>(
    'SELECT p.name AS project, f.agent, f.metric, f.alert FROM mine_forecasts f JOIN projects p ON p.id = f.project_id',
  );
  return rows;
}

/** Open patterns by kind, every project (the patterns gauge). */
export async function openPatternCounts(pool: pg.Pool): Promise<{ kind: string; n: number }[]> {
  const { rows } = await pool.query<{ kind: string; n: number }>(
    "SELECT kind, count(*)::int AS n FROM mine_patterns WHERE status = 'open' GROUP BY kind",
  );
  return rows;
}

/** Open patterns of an agent without a summary, most significant first, with their examples' question and answer. */
export async function patternsToSummarize(
  pool: pg.Pool, projectId: number, agent: string, limit: number,
): Promise<{ id: string; kind: PatternKind; label: string; n: number; rate: number; baseline: number; examples: { input: unknown; response: unknown }[] }[]> {
  const { rows } = await pool.query<{
    id: string; kind: PatternKind; label: string; n: number; rate: number; baseline: number; examples: { input: unknown; response: unknown }[];
  }>(
    `SELECT p.id, p.kind, p.label, p.n, p.rate, p.baseline,
       coalesce((SELECT jsonb_agg(jsonb_build_object('input', i.user_input, 'response', i.response) ORDER BY i.id)
                 FROM interactions i WHERE i.project_id = p.project_id AND i.id = ANY (p.examples[1:3])), '[]') AS examples
     FROM mine_patterns p
     WHERE p.project_id = $1 AND p.agent = $2 AND p.status = 'open' AND p.summary IS NULL
     ORDER BY p.q, p.lift DESC, p.id LIMIT $3`,
    [projectId, agent, limit],
  );
  return rows;
}

/** Stores the judge's summary and recommendation of a pattern. */
export async function writeSummary(pool: pg.Pool, projectId: number, id: string, summary: string, recommendation: string): Promise<void> {
  await pool.query('UPDATE mine_patterns SET summary = $3, recommendation = $4 WHERE project_id = $1 AND id = $2', [projectId, id, summary, recommendation]);
}
