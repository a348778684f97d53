import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS, type DailyPoint, forecast, mannKendallP } from '../src/mine/forecast.ts';
import { rng } from './mine-world.ts';

const TODAY = Date.UTC(2026, 11, 3);

/** Daily means of `perDay` noisy interactions: `level(d)` on day d of `days`, the last day today. */
function history(seed: number, days: number, level: (d: number) => number, perDay = 40, noise = 0.15): DailyPoint[] {
  const random = rng(seed);
  return Array.from({ length: days }, (_, d) => {
    let sum = 0;
    for (let i = 0; i < perDay; i++) sum += Math.min(1, Math.max(0, level(d) + (random() * 2 - 1) * noise * Math.sqrt(3)));
    return { day: TODAY - (days - 1 - d) * DAY_MS, mean: sum / perDay, n: perDay };
  });
}

const OPTIONS = { threshold: 0.85, horizonDays: 7, now: TODAY + DAY_MS / 2 };

test('mannKendallP: a monotone series is a trend, a constant one is not', () => {
  assert.ok(mannKendallP(Array.from({ length: 14 }, (_, i) => -i)) < 0.001);
  assert.equal(mannKendallP(Array.from({ length: 14 }, () => 1)), 1);
  assert.equal(mannKendallP([1, 2]), 1);
});

test('a slide that starts on a known day alerts before the threshold is crossed', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    // Flat at 0.92 for 30 days, then down 0.0045 a day: on the last of 43 days the level is
    // 0.8615, under three days above the threshold.
    const points = history(seed, 43, (d) => (d < 30 ? 0.92 : 0.92 - 0.0045 * (d - 29)), 100, 0.05);
    const f = forecast(points, OPTIONS);
    assert.ok(f.current !== null && f.current > 0.85, `seed ${seed}: current ${f.current} has not crossed yet`);
    assert.equal(f.alert, true, `seed ${seed}: ${JSON.stringify(f)}`);
    assert.ok(f.slopePerDay !== null && f.slopePerDay < -0.003 && f.slopePerDay > -0.006, `slope ${f.slopePerDay}`);
    assert.ok(f.crossesAt !== null && f.crossesAt > TODAY && f.crossesAt - TODAY <= 7 * DAY_MS);
  }
});

test('the same slide a week earlier does not alert yet: the crossing is beyond the horizon', () => {
  const points = history(3, 36, (d) => (d < 30 ? 0.95 : 0.95 - 0.004 * (d - 29)));
  const f = forecast(points, OPTIONS);
  assert.equal(f.alert, false, JSON.stringify(f));
});

test('flat noisy history never alerts', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const f = forecast(history(seed, 60, () => 0.92, 30, 0.2), OPTIONS);
    assert.equal(f.alert, false, `seed ${seed}: ${JSON.stringify(f)}`);
  }
});

test('already below the threshold alerts, with the crossing in the past', () => {
  const f = forecast(history(9, 20, () => 0.7), OPTIONS);
  assert.equal(f.alert, true);
  assert.ok(f.crossesAt !== null && f.crossesAt <= TODAY);
});

test('too few days: no trend, the last mean is current', () => {
  const f = forecast(history(9, 3, () => 0.9), OPTIONS);
  assert.equal(f.slopePerDay, null);
  assert.equal(f.alert, false);
  assert.equal(forecast([], OPTIONS).current, null);
});
