// The statistics mining stands on: Wilson intervals for rates, a two-proportion z-test, the
// normal distribution, Benjamini–Hochberg's false discovery rate control, Welch's t-test for
// means, and Theil–Sen's robust line. Pure functions of numbers.

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** The Wilson score interval of `k` successes out of `n` at the given z (default 95%); [0, 1] for n = 0. */
export function wilson(k: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The standard normal's cumulative distribution (Zelen and Severo 26.2.17, error < 7.5e-8). */
export function normalCdf(x: number): number {
  if (x < 0) return 1 - normalCdf(-x);
  const t = 1 / (1 + 0.2316419 * x);
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return 1 - (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI)) * poly;
}

/**
 * Two-sided p-value that two rates differ: `k1` of `n1` against `k2` of `n2`, pooled z-test.
 * 1 when either side is empty or the pooled rate is 0 or 1 (nothing can differ).
 */
export function twoProportionP(k1: number, n1: number, k2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const pooled = (k1 + k2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (variance <= 0) return 1;
  const z = (k1 / n1 - k2 / n2) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the order given: the smallest false
 * discovery rate at which each test would be declared significant among all of them.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const q = new Array<number>(m);
  let running = 1;
  order.forEach(([p, i], j) => {
    const rank = m - j;
    running = Math.min(running, (p * m) / rank);
    q[i] = running;
  });
  return q;
}

/** Mean and sample variance of a summary: count, sum and sum of squares. */
export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

export function mean(m: Moments): number | null {
  return m.n === 0 ? null : m.sum / m.n;
}

function variance(m: Moments): number {
  if (m.n < 2) return 0;
  return Math.max(0, (m.sumSq - (m.sum * m.sum) / m.n) / (m.n - 1));
}

/**
 * Two-sided p-value that two means differ (Welch's t-test). With the degrees of freedom of a
 * few hundred samples the t distribution is the normal's, so the normal approximation is used
 * from 30 degrees of freedom and a conservative correction below; 1 when either side has
 * fewer than two samples or no variance at all.
 */
export function welchP(a: Moments, b: Moments): number {
  if (a.n < 2 || b.n < 2) return 1;
  const va = variance(a) / a.n;
  const vb = variance(b) / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return (mean(a) as number) === (mean(b) as number) ? 1 : 0;
  const t = ((mean(a) as number) - (mean(b) as number)) / se;
  const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  // Below 30 df, widen t's tail by the Cornish–Fisher first-order term: conservative, not exact.
  const z = df >= 30 ? Math.abs(t) : Math.abs(t) * (1 - 1 / (4 * df));
  return Math.min(1, 2 * (1 - normalCdf(z)));
}

/**
 * Theil–Sen's line through points (x, y): the slope is the median of the pairwise slopes, the
 * intercept the median of y - slope * x. Robust to up to ~29% outliers. Null with fewer than
 * two distinct x. Quadratic in the points; callers give it daily series (hundreds of points).
 */
export function theilSen(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } | null {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i] as { x: number; y: number };
      const b = points[j] as { x: number; y: number };
      if (a.x !== b.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  if (slopes.length === 0) return null;
  const slope = median(slopes);
  const intercept = median(points.map((p) => p.y - slope * p.x));
  return { slope, intercept };
}

/** The median of some numbers (NaN for none). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The q-quantile of some numbers by linear interpolation between order statistics (NaN for none). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

/** Rounds to 4 decimals, for stored and shown figures. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/**
 * mulberry32: a small seeded generator of floats in [0, 1), the same sequence for the same seed
 * everywhere (the embedding clusters' hyperplanes, the generated histories and fuzz inputs of the
 * tests, the simulated world of bench:flywheel).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
