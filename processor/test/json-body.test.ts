import assert from 'node:assert/strict';
import { test } from 'node:test';
import { depthOf } from '../src/api/json-body.ts';

test('depthOf counts nested objects and arrays; scalars are 0', () => {
  assert.equal(depthOf('x', 10), 0);
  assert.equal(depthOf(null, 10), 0);
  assert.equal(depthOf({}, 10), 1);
  assert.equal(depthOf({ a: [1, { b: 2 }], c: 'd' }, 10), 3);
  assert.equal(depthOf([[], [[[]]]], 10), 4);
});

test('depthOf stops once past the limit, even for a nesting far deeper than the stack', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 200_000; i++) deep = [deep];
  assert.equal(depthOf(deep, 32), 33);
  assert.equal(depthOf(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 5), 6);
});
