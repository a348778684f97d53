// Retention and purge against a running processor on real Postgres. Retention: with
// FLYWHEEL_RETENTION_DAYS=30, raw spans, log records and metric points received more than 30
// days ago are deleted (more than one batch of them), newer ones and a project keeping 90 days
// stay, and interactions and feedback are kept. Purge: `flywheel purge` removes every row of
// one project from every table with a project_id column (found in the catalog) and nothing else.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiKey } from '../processor/src/store/access/api-keys.ts';
import { ensureProject, setProjectRetention } from '../processor/src/store/access/projects.ts';
import { RETENTION_BATCH } from '../processor/src/store/telemetry/retention.ts';
import { run } from './cli-process.ts';
import pg from 'pg';
import { startPostgres, startProcessor, type TestPostgres, type TestProcessor } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';
import { evaluationLogs } from './score-fixtures.ts';

let postgres: TestPostgres;
let processor: TestProcessor;
/** Queries once the processor is stopped. */
let db: pg.Pool;
const projects: Record<'alpha' | 'beta' | 'gamma', { id: number; key: string }> = {
  alpha: { id: 0, key: '' },
  beta: { id: 0, key: '' },
  gamma: { id: 0, key: '' },
};
before(async () => {
  postgres = await startPostgres();
  db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  processor = await startProcessor({
    postgres,
    settings: {
      FLYWHEEL_RETENTION_DAYS: '30',
      FLYWHEEL_RETENTION_INTERVAL_MS: '200',
      FLYWHEEL_SCORE_SETTLE_MS: '0',
      FLYWHEEL_SCORE_POLL_MS: '100',
      FLYWHEEL_AUTH: 'required',
    },
  });
  for (const name of ['alpha', 'beta', 'gamma'] as const) {
    const project = await ensureProject(db, name);
    projects[name] = { id: project.id, key: (await createApiKey(db, { projectId: project.id, role: 'ingest', name })).key };
  }
  await setProjectRetention(db, 'beta', 90);
});
let stopped = false;
async function stopProcessor(): Promise<void> {
  if (!stopped) await processor.stop();
  stopped = true;
}
after(async () => {
  await stopProcessor();
  await db.end();
  await postgres.destroy();
});

const bearer = (name: keyof typeof projects) => ({ authorization: `Bearer ${projects[name].key}` });

function metricsRequest(value: number) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-agent' } }] },
        scopeMetrics: [
          {
            scope: { name: 'retention-test' },
            metrics: [{ name: 'agent.queue.depth', gauge: { dataPoints: [{ timeUnixNano: `${BigInt(Date.now()) * 1_000_000n + BigInt(value)}`, asDouble: value }] } }],
          },
        ],
      },
    ],
  };
}

/** One turn of the project, with a feedback log record and a metric point; returns the trace id. */
async function sendTurn(name: keyof typeof projects, n: number): Promise<string> {
  const turn = agentTurn({ user: `user-${n}` });
  const sent = [
    await postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root, ...turn.children]), bearer(name)),
    await postJson(`${processor.url}/v1/logs`, evaluationLogs(turn.traceId, turn.rootId, { 'gen_ai.evaluation.score.value': 0.9 }), bearer(name)),
    await postJson(`${processor.url}/v1/metrics`, metricsRequest(n), bearer(name)),
    await postJson(`${processor.url}/api/feedback`, { interactionId: turn.id, thumbs: 'up', comment: `turn ${n}` }, bearer(name)),
  ];
  assert.deepEqual(
    sent.map((r) => r.status),
    [200, 200, 200, 201],
  );
  return turn.traceId;
}

const count = async (sql: string, params: unknown[]) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}

/** Moves the trace's raw rows (and its metric point, by value) `days` into the past, as if received then. */
async function age(projectId: number, traceId: string, days: number): Promise<void> {
  await processor.query(`UPDATE spans SET received_at = now() - make_interval(days => $3) WHERE project_id = $1 AND trace_id = $2`, [projectId, traceId, days]);
  await processor.query(`UPDATE log_records SET received_at = now() - make_interval(days => $3) WHERE project_id = $1 AND trace_id = $2`, [projectId, traceId, days]);
}

test('retention deletes raw telemetry older than the project keeps, in batches, and keeps interactions and feedback', async () => {
  const oldAlpha = await sendTurn('alpha', 1);
  const newAlpha = await sendTurn('alpha', 2);
  const oldBeta = await sendTurn('beta', 3);
  await processor.query(
    `UPDATE metric_points SET received_at = now() - interval '40 days' WHERE project_id = ANY($1) AND value IN (1, 3)`,
    [[projects.alpha.id, projects.beta.id]],
  );
  // More than two batches of old spans for alpha: copies of its old root span under new span ids.
  const copies = 2 * RETENTION_BATCH + 10;
  await processor.query(
    `INSERT INTO spans SELECT (jsonb_populate_record(s, jsonb_build_object('span_id', lpad(to_hex(g), 16, '0'), 'parent_span_id', s.span_id))).*
     FROM spans s, generate_series(1, $3::int) g WHERE s.project_id = $1 AND s.trace_id = $2 AND s.parent_span_id IS NULL`,
    [projects.alpha.id, oldAlpha, copies],
  );
  await age(projects.alpha.id, oldAlpha, 40);
  await age(projects.beta.id, oldBeta, 40);

  await until(
    async () => (await count('SELECT count(*)::int AS n FROM spans WHERE project_id = $1 AND trace_id = $2', [projects.alpha.id, oldAlpha])) === 0,
    "alpha's old spans are deleted",
  );
  const rowsOf = async (table: string, projectId: number, traceId: string) =>
    count(`SELECT count(*)::int AS n FROM ${table} WHERE project_id = $1 AND trace_id = $2`, [projectId, traceId]);
  await until(async () => (await rowsOf('log_records', projects.alpha.id, oldAlpha)) === 0, "alpha's old log records are deleted");
  await until(
    async () => (await count('SELECT count(*)::int AS n FROM metric_points WHERE project_id = $1 AND value = 1', [projects.alpha.id])) === 0,
    "alpha's old metric point is deleted",
  );
  // Newer rows of alpha and beta's 40-day-old rows (beta keeps 90 days) stay.
  assert.deepEqual(
    {
      alphaNewSpans: await rowsOf('spans', projects.alpha.id, newAlpha),
      alphaNewLogs: await rowsOf('log_records', projects.alpha.id, newAlpha),
      alphaNewPoints: await count('SELECT count(*)::int AS n FROM metric_points WHERE project_id = $1 AND value = 2', [projects.alpha.id]),
      betaOldSpans: await rowsOf('spans', projects.beta.id, oldBeta),
      betaOldLogs: await rowsOf('log_records', projects.beta.id, oldBeta),
      betaOldPoints: await count('SELECT count(*)::int AS n FROM metric_points WHERE project_id = $1 AND value = 3', [projects.beta.id]),
    },
    { alphaNewSpans: 4, alphaNewLogs: 1, alphaNewPoints: 1, betaOldSpans: 4, betaOldLogs: 1, betaOldPoints: 1 },
  );
  // What was learnt from the deleted spans stays.
  assert.deepEqual(
    {
      interactions: await rowsOf('interactions', projects.alpha.id, oldAlpha),
      feedback: await rowsOf('feedback', projects.alpha.id, oldAlpha),
    },
    { interactions: 1, feedback: 2 },
  );
  const metrics = await (await fetch(`${processor.url}/metrics`)).text();
  const deletedSpans = Number(/^flywheel_retention_deleted_total\{table="spans"\} (\d+)$/m.exec(metrics)?.[1]);
  assert.equal(deletedSpans, copies + 4);
});

/** Rows per table with a project_id column, for one project. */
async function rowsByTable(projectId: number): Promise<Record<string, number>> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = current_schema() AND c.column_name = 'project_id' AND t.table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) counts[table_name] = await count(`SELECT count(*)::int AS n FROM "${table_name}" WHERE project_id = $1`, [projectId]);
  return counts;
}

test('flywheel purge deletes every row of one project in every table with a project_id, and nothing of the others', async () => {
  for (let n = 10; n < 13; n++) await sendTurn('gamma', n);
  await sendTurn('beta', 20);
  await until(
    async () => (await count('SELECT count(*)::int AS n FROM interaction_scores WHERE project_id = $1', [projects.gamma.id])) === 3,
    "gamma's interactions are scored",
  );
  // Stopped, so that no stage changes the counts compared below; purge.ts passes again for
  // rows a running processor derives meanwhile.
  await stopProcessor();
  const gammaBefore = await rowsByTable(projects.gamma.id);
  for (const table of ['api_keys', 'spans', 'log_records', 'metric_points', 'interactions', 'feedback', 'interaction_scores']) {
    assert.ok(gammaBefore[table]! > 0, `gamma has rows in ${table} before the purge`);
  }
  const betaBefore = await rowsByTable(projects.beta.id);
  const env = { DATABASE_URL: processor.postgres.url, FLYWHEEL_LOG_LEVEL: 'error' };

  const refused = await run(['purge', '--project', 'gamma'], env);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /refusing to purge 'gamma' without --yes \(no terminal to confirm on\)/);
  assert.deepEqual(await rowsByTable(projects.gamma.id), gammaBefore);

  const purged = await run(['purge', '--project', 'gamma', '--yes'], env);
  assert.equal(purged.code, 0, purged.stderr);
  assert.match(purged.stderr, /^purging project 'gamma' \(id \d+\)\n/);
  assert.match(purged.stderr, /^ {2}spans: 12 row\(s\) deleted$/m);
  assert.match(purged.stdout, /^purged project 'gamma': \d+ row\(s\) deleted\n$/);

  const gammaAfter = await rowsByTable(projects.gamma.id);
  assert.deepEqual(gammaAfter, Object.fromEntries(Object.keys(gammaBefore).map((t) => [t, 0])));
  assert.deepEqual((await db.query('SELECT name FROM projects WHERE id = $1', [projects.gamma.id])).rows, []);
  assert.deepEqual(await rowsByTable(projects.beta.id), betaBefore);

  const again = await run(['purge', '--project', 'gamma', '--yes'], env);
  assert.deepEqual([again.code, again.stderr], [1, "flywheel purge: no project named 'gamma'\n"]);
});

test('flywheel projects set-retention sets and clears a project retention; projects list shows it', async () => {
  const env = { DATABASE_URL: postgres.url, FLYWHEEL_LOG_LEVEL: 'error' };
  const set = await run(['projects', 'set-retention', '--project', 'alpha', '--days', '14'], env);
  assert.deepEqual([set.code, set.stdout], [0, "project 'alpha' keeps raw telemetry 14 days\n"]);
  const cleared = await run(['projects', 'set-retention', '--project', 'beta', '--days', 'default'], env);
  assert.deepEqual([cleared.code, cleared.stdout], [0, "project 'beta' keeps raw telemetry as FLYWHEEL_RETENTION_DAYS says (unset: forever)\n"]);
  const listed = await run(['projects', 'list', '--json'], env);
  assert.equal(listed.code, 0, listed.stderr);
  const rows = (JSON.parse(listed.stdout) as { name: string; retentionDays: number | null }[]).map((p) => [p.name, p.retentionDays]);
  assert.deepEqual(rows, [
    ['default', null],
    ['alpha', 14],
    ['beta', null],
  ]);
  const table = await run(['projects', 'list'], { ...env, FLYWHEEL_RETENTION_DAYS: '30' });
  assert.match(table.stdout, /^2 +alpha +14 days$/m);
  assert.match(table.stdout, /^3 +beta +default \(30 days\)$/m);
  const bad = await run(['projects', 'set-retention', '--project', 'alpha', '--days', '0'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--days must be a whole number of days from 1 to 36500, or default, got '0'/);
  const missing = await run(['projects', 'set-retention', '--project', 'nope', '--days', '3'], env);
  assert.deepEqual([missing.code, missing.stderr], [1, "flywheel projects: no project named 'nope'\n"]);
});
