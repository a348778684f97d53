import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retentionDaysOf } from '../src/cli/projects.ts';
import { UsageError } from '../src/cli/command.ts';
import { retentionTargets } from '../src/retention/plan.ts';
import { purgeOrder } from '../src/store/access/purge.ts';

test("a project's own retention wins over FLYWHEEL_RETENTION_DAYS; with neither, nothing is deleted", () => {
  const projects = [
    { projectId: 1, retentionDays: null },
    { projectId: 2, retentionDays: 7 },
    { projectId: 3, retentionDays: 400 },
  ];
  assert.deepEqual(retentionTargets(projects, 30), [
    { projectId: 1, days: 30 },
    { projectId: 2, days: 7 },
    { projectId: 3, days: 400 },
  ]);
  assert.deepEqual(retentionTargets(projects, undefined), [
    { projectId: 2, days: 7 },
    { projectId: 3, days: 400 },
  ]);
  assert.deepEqual(retentionTargets([], 30), []);
});

test('--days takes 1 to 36500 or default; anything else is a usage error naming the form', () => {
  assert.equal(retentionDaysOf('1'), 1);
  assert.equal(retentionDaysOf('36500'), 36500);
  assert.equal(retentionDaysOf('default'), null);
  for (const bad of [undefined, '0', '36501', '-3', '7.5', 'week']) {
    assert.throws(() => retentionDaysOf(bad), (e: Error) => e instanceof UsageError && /^--days must be a whole number of days from 1 to 36500, or default/.test(e.message), String(bad));
  }
});

test('purge order: each table before the tables it references, api_keys first, ties alphabetical', () => {
  const tables = ['interactions', 'interaction_scores', 'judgements', 'spans', 'api_keys', 'knowledge_items', 'knowledge_events'];
  const references = [
    { from: 'interaction_scores', to: 'interactions' },
    { from: 'judgements', to: 'interactions' },
    { from: 'knowledge_events', to: 'knowledge_items' },
    { from: 'interactions', to: 'projects' },
    { from: 'api_keys', to: 'projects' },
    { from: 'spans', to: 'spans' },
  ];
  assert.deepEqual(purgeOrder(tables, references), [
    'api_keys',
    'interaction_scores',
    'judgements',
    'interactions',
    'knowledge_events',
    'knowledge_items',
    'spans',
  ]);
});

test('purge order refuses a reference cycle', () => {
  assert.throws(() => purgeOrder(['a', 'b'], [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }]), {
    message: 'cannot order the purge: the foreign keys among a, b form a cycle',
  });
});
