// The rolling-upgrade rule of store/migrate.ts without a database: which migrations are marked
// `--! breaking-change`, and what a processor makes of a schema newer than it knows.
// test/migrate.test.ts runs the same rule against a real Postgres.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AppliedMigration, isBreaking, loadMigrations, type Migration, SchemaTooNewError, unknownMigrations } from '../src/store/migrate.ts';

test('the marker in the leading comment block, blank lines included, makes a migration breaking', () => {
  assert.equal(isBreaking('0009_x', '--! breaking-change\nALTER TABLE spans DROP COLUMN name;\n'), true);
  assert.equal(
    isBreaking('0009_x', '-- Renames spans.name: older processors still write it.\n\n--! breaking-change\n\nALTER TABLE spans RENAME COLUMN name TO title;\n'),
    true,
  );
  assert.equal(isBreaking('0009_x', '--! breaking-change\r\nSELECT 1;\r\n'), true);
});

test('a migration without the marker is not breaking, whatever its comments say', () => {
  assert.equal(isBreaking('0009_x', '-- not a breaking-change\n-- ! breaking-change\nCREATE TABLE t (id int);\n'), false);
  assert.equal(isBreaking('0009_x', ''), false);
});

test('a misspelt directive is refused, so a breaking migration cannot pass as safe', () => {
  assert.throws(
    () => isBreaking('0009_x', '-- why\n--! breaking\nSELECT 1;\n'),
    new Error("migration 0009_x, line 2: '--! breaking' is not a known directive; the only one is '--! breaking-change'"),
  );
});

test('a marker below the first statement is refused', () => {
  assert.throws(
    () => isBreaking('0009_x', '-- why\nSELECT 1;\n--! breaking-change\nSELECT 2;\n'),
    new Error("migration 0009_x, line 3: '--! breaking-change' must be in the comment block at the top of the file, before the first statement"),
  );
});

test('the shipped migrations: 0005_projects is breaking, none of the others is', async () => {
  const migrations = await loadMigrations();
  assert.deepEqual(
    migrations.map((m) => [m.name, m.breaking]),
    [
      ['0001_telemetry', false],
      ['0002_interactions', false],
      ['0003_quality', false],
      ['0004_log_record_arrival', false],
      ['0005_projects', true],
      ['0006_scheduled_jobs', false],
      ['0007_open_enum_columns', false],
      ['0008_interaction_subtrees', false],
      ['0009_knowledge', false],
      ['0010_mining', false],
      ['0011_knowledge_sources', false],
      ['0012_dashboard_views', false],
      ['0013_cluster_embeddings', false],
      ['0014_retention', false],
    ],
  );
});

const known: Migration[] = [
  { id: 1, name: '0001_a', sql: '', breaking: false },
  { id: 2, name: '0002_b', sql: '', breaking: true },
];
const row = (id: number, name: string, breaking: boolean): AppliedMigration => ({ id, name, breaking });

test('a schema this processor knows, fully or partly applied, has no unknown migrations', () => {
  assert.deepEqual(unknownMigrations(known, []), []);
  assert.deepEqual(unknownMigrations(known, [row(1, '0001_a', false)]), []);
  // A breaking migration this processor knows is no obstacle: it is written for it.
  assert.deepEqual(unknownMigrations(known, [row(1, '0001_a', false), row(2, '0002_b', true)]), []);
});

test('newer migrations that are not breaking are returned, for the warning', () => {
  const applied = [row(1, '0001_a', false), row(2, '0002_b', true), row(3, '0003_c', false), row(4, '0004_d', false)];
  assert.deepEqual(unknownMigrations(known, applied), [row(3, '0003_c', false), row(4, '0004_d', false)]);
});

test('a newer breaking migration is refused with a message naming it and saying to upgrade', () => {
  const applied = [row(1, '0001_a', false), row(2, '0002_b', true), row(3, '0003_c', true), row(4, '0004_d', false)];
  assert.throws(
    () => unknownMigrations(known, applied),
    new SchemaTooNewError(
      'the database schema is at migration 0004_d, newer than this processor knows (up to 0002_b), ' +
        'and 0003_c is marked breaking-change: older processors cannot run against it; ' +
        'upgrade the processor or point it at another database',
    ),
  );
  assert.throws(
    () => unknownMigrations([], [row(1, '0001_a', true), row(2, '0002_b', true)]),
    new SchemaTooNewError(
      'the database schema is at migration 0002_b, newer than this processor knows (up to none), ' +
        'and 0001_a, 0002_b are marked breaking-change: older processors cannot run against it; ' +
        'upgrade the processor or point it at another database',
    ),
  );
});
