// Degradation forecast: from an agent's daily series of a quality metric, the trend (Theil–Sen's
// robust line over the last two weeks with data), whether it is a real trend (Mann–Kendall's test) and the day the line crosses
// the metric's threshold. An alert is raised when the metric is already below its threshold, or
// when a significant downward trend crosses it within the horizon. Pure: series in, forecast out.
import { normalCdf, round4, theilSen } from './stats.ts';

export const DAY_MS = 86_400_000;

/** One day of a series: the day's start (UTC, ms), the metric's mean that day and how many interactions it averages. */
export interface DailyPoint {
  day: number;
  mean: number;
  n: number;
}

export interface ForecastOptions {
  threshold: number;
  horizonDays: number;
  /** Now, ms: the horizon counts from here. */
  now: number;
  /** A trend is real when Mann–Kendall's two-sided p is at most this. */
  alpha?: number;
  /** Fewest days with data before there is a trend at all. */
  minDays?: number;
  /** The trend is fitted to the days within this many of the last one, so an old plateau does not hide a recent slide. */
  windowDays?: number;
}

export interface Forecast {
  /** The trend line's value on the last day with data when the trend is real, else the window's mean. */
  current: number | null;
  threshold: number;
  /** Theil–Sen slope per day; null without enough days. */
  slopePerDay: number | null;
  /** Mann–Kendall two-sided p of a monotone trend; null without enough days. */
  trendP: number | null;
  /** When the line reaches the threshold (ms; `now` or earlier when it already has), null when it does not head there. */
  crossesAt: number | null;
  alert: boolean;
  days: number;
}

/**
 * Mann–Kendall's test of a monotone trend in a series (in time order): S = sum of the signs of
 * all later-minus-earlier differences, its variance n(n-1)(2n+5)/18 without a tie correction
 * (ties make it conservative), continuity-corrected z. Returns the two-sided p-value.
 */
export function mannKendallP(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return 1;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign((values[j] as number) - (values[i] as number));
  const variance = (n * (n - 1) * (2 * n + 5)) / 18;
  if (s === 0) return 1;
  const z = (s - Math.sign(s)) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}

/** The forecast of one metric of one agent from its daily points (any order). */
export function forecast(points: readonly DailyPoint[], options: ForecastOptions): Forecast {
  const alpha = options.alpha ?? 0.01;
  const minDays = options.minDays ?? 7;
  const windowDays = options.windowDays ?? 14;
  const sorted = [...points].filter((p) => p.n > 0).sort((a, b) => a.day - b.day);
  const lastDay = sorted[sorted.length - 1]?.day ?? 0;
  const series = sorted.filter((p) => p.day > lastDay - windowDays * DAY_MS);
  const base = { threshold: options.threshold, days: series.length };
  if (series.length === 0) return { ...base, current: null, slopePerDay: null, trendP: null, crossesAt: null, alert: false };
  const last = series[series.length - 1] as DailyPoint;
  if (series.length < minDays) {
    const below = last.mean < options.threshold;
    return { ...base, current: round4(last.mean), slopePerDay: null, trendP: null, crossesAt: below ? last.day : null, alert: below };
  }
  const line = theilSen(series.map((p) => ({ x: (p.day - last.day) / DAY_MS, y: p.mean }))) as { slope: number; intercept: number };
  const trendP = mannKendallP(series.map((p) => p.mean));
  const trending = trendP <= alpha;
  // With a real trend the line's value today; without one the window's mean over all its
  // interactions, so one noisy day does not count as a crossing.
  const n = series.reduce((sum, p) => sum + p.n, 0);
  const current = trending ? line.intercept : series.reduce((sum, p) => sum + p.mean * p.n, 0) / n;
  let crossesAt: number | null = null;
  if (current < options.threshold) {
    // Already below: when the line went under, or the last day when it does not head down.
    crossesAt = trending && line.slope < 0 ? last.day + ((options.threshold - current) / line.slope) * DAY_MS : last.day;
  } else if (trending && line.slope < 0) {
    crossesAt = last.day + ((options.threshold - current) / line.slope) * DAY_MS;
  }
  const alert = crossesAt !== null && (current < options.threshold || crossesAt - options.now <= options.horizonDays * DAY_MS);
  return { ...base, current: round4(current), slopePerDay: round4(line.slope), trendP: round4(trendP), crossesAt, alert };
}

/** Accumulates a metric into UTC days, one value at a time. */
export class DailySeries {
  private readonly days = new Map<number, { sum: number; n: number }>();

  add(at: number, value: number | null): void {
    if (value === null || !Number.isFinite(value)) return;
    const day = Math.floor(at / DAY_MS) * DAY_MS;
    const d = this.days.get(day);
    if (d === undefined) this.days.set(day, { sum: value, n: 1 });
    else {
      d.sum += value;
      d.n++;
    }
  }

  points(): DailyPoint[] {
    return [...this.days].map(([day, d]) => ({ day, mean: d.sum / d.n, n: d.n })).sort((a, b) => a.day - b.day);
  }
}
