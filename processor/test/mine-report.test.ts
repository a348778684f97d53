import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DailyQuality, type PeriodAggregates, REPORT_FIGURES, ReportPeriodError, reportFigures, reportPeriods } from '../src/mine/report.ts';

const DAY_MS = 86_400_000;
const MONDAY = Date.UTC(2026, 10, 2);

const empty: PeriodAggregates = {
  interactions: 0, scored: 0, accuracy: null, satisfaction: null, successes: 0, failures: 0, eligible: 0,
  responseP50Ms: null, responseP95Ms: null, knowledgeAgeDays: null, daily: [],
};

/** Seven days of 100 scored interactions whose success rate rises by `perDay` a day from `first`. */
function week(first: number, perDay: number, satisfactionPerDay = 0): DailyQuality[] {
  return Array.from({ length: 7 }, (_, i) => ({
    dayMs: MONDAY + i * DAY_MS,
    scored: 100,
    successes: Math.round((first + perDay * i) * 100),
    satisfaction: 0.6 + satisfactionPerDay * i,
  }));
}

test('reportPeriods: the last 7 days ending now by default, and the period of the same length before', () => {
  const now = new Date('2026-12-03T08:00:00Z');
  assert.deepEqual(reportPeriods(undefined, undefined, now), {
    since: new Date('2026-11-26T08:00:00Z'),
    until: now,
    previous: { since: new Date('2026-11-19T08:00:00Z'), until: new Date('2026-11-26T08:00:00Z') },
  });
  const since = new Date('2026-11-01T00:00:00Z');
  const until = new Date('2026-11-03T12:00:00Z');
  assert.deepEqual(reportPeriods(since, until, now).previous, { since: new Date('2026-10-29T12:00:00Z'), until: since });
  assert.deepEqual(reportPeriods(undefined, until, now).since, new Date('2026-10-27T12:00:00Z'));
});

test('reportPeriods: since not before until is an error naming both', () => {
  assert.throws(
    () => reportPeriods(new Date('2026-11-03T00:00:00Z'), new Date('2026-11-03T00:00:00Z'), new Date()),
    (e: unknown) => e instanceof ReportPeriodError && /since must be before until, got since 2026-11-03T00:00:00.000Z/.test(e.message),
  );
});

test('reportFigures: rates, means, percentiles and their change against the previous period', () => {
  const current: PeriodAggregates = {
    interactions: 250, scored: 200, accuracy: 0.9, satisfaction: 0.75, successes: 120, failures: 20, eligible: 50,
    responseP50Ms: 800, responseP95Ms: 2400, knowledgeAgeDays: 3.5, daily: week(0.6, 0),
  };
  const previous: PeriodAggregates = {
    interactions: 100, scored: 100, accuracy: 0.8, satisfaction: 0.7, successes: 50, failures: 30, eligible: 10,
    responseP50Ms: 1000, responseP95Ms: 2000, knowledgeAgeDays: null, daily: [],
  };
  const f = reportFigures(current, previous);
  assert.deepEqual(Object.keys(f), [...REPORT_FIGURES]);
  assert.deepEqual(f.interactions, { value: 250, previous: 100, change: 150 });
  assert.deepEqual(f.scored, { value: 200, previous: 100, change: 100 });
  assert.deepEqual(f.avgAccuracy, { value: 0.9, previous: 0.8, change: 0.1 });
  assert.deepEqual(f.avgSatisfaction, { value: 0.75, previous: 0.7, change: 0.05 });
  assert.deepEqual(f.successRate, { value: 0.6, previous: 0.5, change: 0.1 });
  assert.deepEqual(f.failureRate, { value: 0.1, previous: 0.3, change: -0.2 });
  assert.deepEqual(f.trainingEligibleRate, { value: 0.25, previous: 0.1, change: 0.15 });
  assert.deepEqual(f.responseTimeP50Ms, { value: 800, previous: 1000, change: -200 });
  assert.deepEqual(f.responseTimeP95Ms, { value: 2400, previous: 2000, change: 400 });
  assert.deepEqual(f.knowledgeAgeDays, { value: 3.5, previous: null, change: null });
  // A flat week: no trend; the previous period had no days, so no trend to compare.
  assert.deepEqual(f.satisfactionTrend, { value: 0, previous: null, change: null });
  assert.deepEqual(f.improvementVelocity, { value: 0, previous: null, change: null });
});

test('improvementVelocity is the daily success rate slope times 7, satisfactionTrend the daily satisfaction slope', () => {
  const rising: PeriodAggregates = { ...empty, scored: 700, successes: 385, daily: week(0.4, 0.05, 0.02) };
  const flat: PeriodAggregates = { ...empty, scored: 700, successes: 350, daily: week(0.5, 0) };
  const f = reportFigures(rising, flat);
  assert.deepEqual(f.improvementVelocity, { value: 0.35, previous: 0, change: 0.35 });
  assert.deepEqual(f.satisfactionTrend, { value: 0.02, previous: 0, change: 0.02 });
});

test('the trend resists one outlier day', () => {
  const days = week(0.5, 0.01);
  days[3] = { ...days[3]!, successes: 0, satisfaction: 0 };
  const f = reportFigures({ ...empty, scored: 700, successes: 300, daily: days }, empty);
  assert.equal(f.improvementVelocity.value, 0.07);
  assert.equal(f.satisfactionTrend.value, 0);
});

test('an empty period has counts of 0 and no rates, means or trends', () => {
  const f = reportFigures(empty, empty);
  assert.deepEqual(f.interactions, { value: 0, previous: 0, change: 0 });
  for (const name of REPORT_FIGURES.filter((n) => n !== 'interactions' && n !== 'scored')) {
    assert.deepEqual(f[name], { value: null, previous: null, change: null }, name);
  }
});

test('one day of data has no trend', () => {
  const f = reportFigures({ ...empty, scored: 100, successes: 50, daily: week(0.5, 0).slice(0, 1) }, empty);
  assert.equal(f.satisfactionTrend.value, null);
  assert.equal(f.improvementVelocity.value, null);
  assert.equal(f.successRate.value, 0.5);
});
