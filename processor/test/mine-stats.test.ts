import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benjaminiHochberg, normalCdf, quantile, theilSen, twoProportionP, welchP, wilson } from '../src/mine/stats.ts';

const close = (a: number, b: number, eps = 1e-4) => assert.ok(Math.abs(a - b) < eps, `${a} is not ${b}`);

test('wilson: known intervals, and the whole range for no data', () => {
  const [lo, hi] = wilson(8, 10);
  close(lo, 0.4902, 1e-3);
  close(hi, 0.9433, 1e-3);
  assert.deepEqual(wilson(0, 0), [0, 1]);
  const [zlo, zhi] = wilson(0, 50);
  assert.equal(zlo, 0);
  close(zhi, 0.0714, 1e-3);
});

test('normalCdf matches the table', () => {
  close(normalCdf(0), 0.5);
  close(normalCdf(1.959964), 0.975);
  close(normalCdf(-1), 0.158655);
});

test('twoProportionP: equal rates give 1, a large difference a tiny p, an empty side 1', () => {
  close(twoProportionP(10, 100, 10, 100), 1);
  assert.ok(twoProportionP(60, 100, 10, 100) < 1e-9);
  close(twoProportionP(30, 100, 20, 100), 0.1025, 1e-3);
  assert.equal(twoProportionP(1, 0, 1, 10), 1);
  assert.equal(twoProportionP(0, 10, 0, 10), 1);
});

test('benjaminiHochberg: adjusted p-values are monotone in p and never below p', () => {
  const p = [0.01, 0.04, 0.03, 0.005, 0.5];
  const q = benjaminiHochberg(p);
  assert.deepEqual(q.map((x) => Math.round(x * 1e4) / 1e4), [0.025, 0.05, 0.05, 0.025, 0.5]);
  q.forEach((x, i) => assert.ok(x >= (p[i] as number)));
  assert.deepEqual(benjaminiHochberg([]), []);
});

test('welchP: the same sample gives 1, shifted means a small p', () => {
  const m = (xs: number[]) => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0) });
  const a = Array.from({ length: 100 }, (_, i) => (i % 10) / 10);
  close(welchP(m(a), m(a)), 1);
  assert.ok(welchP(m(a), m(a.map((x) => x + 0.3))) < 1e-6);
  assert.equal(welchP(m([1]), m(a)), 1);
});

test('theilSen ignores outliers', () => {
  const points = Array.from({ length: 30 }, (_, x) => ({ x, y: 2 * x + 1 + (x % 7 === 0 ? 50 : 0) }));
  const line = theilSen(points);
  assert.ok(line !== null);
  close(line.slope, 2);
  close(line.intercept, 1);
  assert.equal(theilSen([{ x: 1, y: 1 }]), null);
});

test('quantile interpolates between order statistics', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([5, 1, 3], 0.95), 4.8);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});
