import assert from 'node:assert/strict';
import { test } from 'node:test';
import { throttled } from '../src/runtime/logger.ts';

test('throttled writes at most one line per interval and counts the lines it dropped', () => {
  const lines: string[] = [];
  let now = 0;
  const warn = throttled((m) => lines.push(m), 1000, () => now);
  warn('a');
  now = 10;
  warn('b');
  now = 999;
  warn('c');
  now = 1000;
  warn('d');
  now = 2500;
  warn('e');
  assert.deepEqual(lines, ['a', 'd (2 similar line(s) dropped since the last one)', 'e']);
});
