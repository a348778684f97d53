// Every SQL query of the dashboards (panels, variables, the Tempo-to-Postgres correlation), its
// variables and macros expanded as Grafana expands them (dashboards/src/grafana-sql.ts), run as
// the read-only flywheel_grafana role against real Postgres filled by the real pipeline: turns
// in over OTLP, feedback and corrections over the REST API, scored, mined, knowledge sources
// refreshed. Each returns the columns its panel reads, and rows where the seed fills it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { parse } from 'yaml';
import { expandSql, type SqlContext } from '../dashboards/src/grafana-sql.ts';
import { renderDashboards } from '../dashboards/src/index.ts';
import { dashboardQueries, type DashboardQuery } from '../dashboards/src/queries.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, msAgo, waitFor } from './score-fixtures.ts';

const DAY_MS = 86_400_000;
const AGENT = 'dash-agent';
const UNHAPPY = 'dash-unhappy';
const PASSWORD = 'grafana-test-password';

let processor: TestProcessor;
let grafana: pg.Pool;
let dir: string;
let trustedUri: string;
let untrustedUri: string;
let traceOfUser = '';
const interactionIds: string[] = [];

const attribute = (key: string, value: string | string[]) => ({
  key,
  value: Array.isArray(value) ? { arrayValue: { values: value.map((v) => ({ stringValue: v })) } } : { stringValue: value },
});

interface Turn {
  agent: string;
  daysAgo: number;
  n: number;
  happy: boolean;
  toolFails?: boolean;
  version: string;
  sources?: string[];
}

/** Sends the turns (with user, session, intent and prompt version) and their thumbs; returns their ids. */
async function send(o: Turn): Promise<string[]> {
  const turns = Array.from({ length: o.n }, (_, i) => {
    const n = interactionIds.length + i;
    const question = n % 2 === 0 ? `Where is my order number ${1000 + n}, has it shipped?` : `How do I reset my account password ${n}?`;
    const turn = contentTurn({
      agent: o.agent,
      question,
      offsetMs: msAgo(o.daysAgo * DAY_MS + 60_000 + i * 1000),
      session: `s-${o.agent}-${n % 5}`,
      ...(o.toolFails ? { toolError: 'timeout' } : {}),
    });
    const root = turn.spans[0] as { attributes: { key: string; value: unknown }[] };
    root.attributes.push(
      attribute('user.id', `u-${n % 7}`),
      attribute('flywheel.intent', n % 2 === 0 ? 'order_status' : 'password_reset'),
      attribute('flywheel.prompt.version', o.version),
      ...(o.sources ? [attribute('flywheel.knowledge.sources', o.sources)] : []),
    );
    return turn;
  });
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turns.flatMap((t) => t.spans) as never[]))).status, 200);
  const feedback = turns.map((t) => ({ interactionId: t.id, thumbs: o.happy ? 'up' : 'down' }));
  assert.equal((await postJson(`${processor.url}/api/feedback`, feedback)).status, 200);
  const ids = turns.map((t) => t.id);
  interactionIds.push(...ids);
  return ids;
}

async function registerSource(uri: string, trusted: boolean): Promise<void> {
  const created = await postJson(`${processor.url}/api/sources`, { uri, updateFrequency: 'PT1H', agent: AGENT, trusted });
  assert.equal(created.status, 201, created.text);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flywheel-dash-'));
  const trusted = path.join(dir, 'faq.md');
  const untrusted = path.join(dir, 'drafts.md');
  await writeFile(trusted, '# Shipping\nWe ship worldwide.\n## Returns\nWithin 30 days.\n');
  await writeFile(untrusted, '# Warranty\nTwo years on every device.\n## Repairs\nSend it to the Berlin depot.\n');
  trustedUri = pathToFileURL(trusted).href;
  untrustedUri = pathToFileURL(untrusted).href;
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '100',
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_MINE_INTERVAL_MS: '300',
      FLYWHEEL_MINE_MIN_SUPPORT: '10',
      FLYWHEEL_MINE_MIN_LIFT: '1.5',
      FLYWHEEL_KNOWLEDGE_POLL_MS: '100',
      FLYWHEEL_KNOWLEDGE_COMMIT_BATCH: '1',
      FLYWHEEL_KNOWLEDGE_COMMIT_CONFIDENCE: '0.4',
      FLYWHEEL_SOURCES_POLL_MS: '100',
    },
  });
  await registerSource(trustedUri, true);
  await registerSource(untrustedUri, false);
  await waitFor('both sources read', async () => {
    const rows = await processor.query<{ n: number }>(`SELECT count(*)::int AS n FROM knowledge_sources WHERE status = 'ok'`);
    return rows[0]?.n === 2 ? true : undefined;
  });
  // Three days of one agent: a failing tool makes users unhappy; the answers that used the FAQ
  // please them. A second agent nobody is happy with (its forecast alerts). Two prompt versions.
  for (const daysAgo of [2, 1, 0]) {
    await send({ agent: AGENT, daysAgo, n: 8, happy: false, toolFails: true, version: 'v1' });
    await send({ agent: AGENT, daysAgo, n: 14, happy: true, version: daysAgo === 2 ? 'v1' : 'v2', sources: [trustedUri] });
    await send({ agent: UNHAPPY, daysAgo, n: 4, happy: false, version: 'v1' });
  }
  // A correction: a learnt item, committed by the batch rule.
  const [corrected] = await send({ agent: AGENT, daysAgo: 0, n: 1, happy: false, version: 'v2' });
  const correction = await postJson(`${processor.url}/api/feedback`, {
    interactionId: corrected, thumbs: 'down', correction: 'Order 1000 ships from the Hamburg warehouse.', userId: 'u-1',
  });
  assert.equal(correction.status, 201, correction.text);
  const total = interactionIds.length;
  await waitFor('every turn scored and mined, the sources split into items', async () => {
    const [row] = await processor.query<{ scored: number; queued: number; pending: number; committed: number; forecasts: number }>(
      `SELECT (SELECT count(*)::int FROM interaction_scores WHERE feedback_count > 0) AS scored,
              (SELECT count(*)::int FROM mine_queue) AS queued,
              (SELECT count(*)::int FROM knowledge_items WHERE status = 'pending') AS pending,
              (SELECT count(*)::int FROM knowledge_items WHERE status = 'committed' AND origin = 'correction') AS committed,
              (SELECT count(*)::int FROM mine_forecasts) AS forecasts`,
    );
    return row !== undefined && row.scored === total && row.queued === 0 && row.pending >= 2 && row.committed >= 1 && row.forecasts === 4 ? true : undefined;
  }, 45_000);
  // A reviewer rejects one pending item of the untrusted source.
  const [pending] = await processor.query<{ id: string }>(`SELECT id::text FROM knowledge_items WHERE status = 'pending' ORDER BY id LIMIT 1`);
  assert.equal((await postJson(`${processor.url}/api/knowledge/${pending!.id}/reject`, { reason: 'not ours' })).status, 200);
  const [user] = await processor.query<{ trace_id: string }>(`SELECT trace_id FROM interactions WHERE user_id = 'u-3' LIMIT 1`);
  traceOfUser = user!.trace_id;
  // The pass that emptied the queue may still be writing: a last one after it has the final word.
  await new Promise((r) => setTimeout(r, 700));

  // The bundle's init script gives the role LOGIN and a password; here the test does.
  await processor.query(`ALTER ROLE flywheel_grafana LOGIN PASSWORD '${PASSWORD}'`);
  const url = new URL(processor.postgres.url);
  url.username = 'flywheel_grafana';
  url.password = PASSWORD;
  grafana = new pg.Pool({ connectionString: url.href, max: 2 });
});

after(async () => {
  await grafana?.end();
  await processor?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** How Grafana resolves the variables: the project, every agent for "All", an empty search box. */
async function contextFor(variables: Record<string, string> = {}): Promise<SqlContext> {
  const { rows } = await grafana.query<{ agent: string }>(`SELECT agent FROM flywheel_agents WHERE project = 'default' ORDER BY agent`);
  return {
    from: new Date(Date.now() - 7 * DAY_MS),
    to: new Date(Date.now() + 60_000),
    interval: '1h',
    variables: {
      project: { value: 'default' },
      agent: { value: rows.map((r) => r.agent), multi: true },
      search: { value: variables.search ?? '' },
      processor: { value: 'http://localhost:4318' },
      ...Object.fromEntries(Object.entries(variables).filter(([k]) => k !== 'search').map(([k, v]) => [k, { value: v }])),
    },
  };
}

const sqlQueries = (): DashboardQuery[] =>
  [...renderDashboards().values()].flatMap((text) => dashboardQueries(JSON.parse(text))).filter((q) => q.kind === 'sql');

/**
 * The columns each query's panel reads, in order. Time series return `time` first (Grafana's
 * rule), then `metric` where a column names the series, then numbers.
 */
const COLUMNS: Record<string, string[]> = {
  'flywheel-overview / Interactions / A': ['interactions'],
  'flywheel-overview / Avg accuracy / A': ['accuracy'],
  'flywheel-overview / Avg satisfaction / A': ['satisfaction'],
  'flywheel-overview / Training-eligible / A': ['eligible_rate'],
  'flywheel-overview / Accuracy / A': ['time', 'accuracy'],
  'flywheel-overview / Training-eligible rate / A': ['time', 'eligible_rate'],
  'flywheel-overview / Response time p50 / A': ['p50_ms'],
  'flywheel-overview / Response time p95 / A': ['p95_ms'],
  'flywheel-overview / Satisfaction trend / A': ['time', 'satisfaction', 'trend_per_day'],
  'flywheel-overview / Improvement velocity / A': ['time', 'success_rate', 'velocity_per_week'],
  'flywheel-overview / Knowledge age / A': ['time', 'knowledge_age_days'],
  'flywheel-overview / Response time / A': ['time', 'p50', 'p95'],
  'flywheel-overview / Interactions per agent / A': ['time', 'metric', 'interactions'],
  'flywheel-overview / Success and failure rates / A': ['time', 'success_rate', 'failure_rate'],
  'flywheel-overview / variable project': ['project'],
  'flywheel-overview / variable agent': ['agent'],
  'flywheel-quality / Score distribution per dimension / A': ['bucket', 'accuracy', 'completeness', 'relevance', 'timeliness', 'satisfaction'],
  'flywheel-quality / Mean score per dimension / A': ['time', 'accuracy', 'completeness', 'relevance', 'timeliness', 'satisfaction'],
  'flywheel-quality / Failure patterns / A': [
    'agent', 'label', 'status', 'n', 'rate', 'baseline', 'lift', 'ci_low', 'ci_high', 'q', 'example_count', 'examples', 'first_seen', 'last_seen', 'summary', 'recommendation',
  ],
  'flywheel-quality / Topic clusters / A': ['agent', 'label', 'size', 'successes', 'failures', 'success_rate', 'updated_at'],
  'flywheel-quality / Prompt versions / A': ['variant', 'interactions', 'scored', 'satisfaction', 'accuracy', 'success_rate', 'failure_rate', 'p50_ms', 'p95_ms', 'first_seen'],
  'flywheel-quality / Forecasts / A': ['agent', 'metric', 'current', 'threshold', 'slope_per_day', 'trend_p', 'crosses_at', 'alert', 'days', 'computed_at'],
  'flywheel-quality / Alerts / A': ['agent', 'metric', 'open', 'raised_at', 'cleared_at', 'current', 'threshold', 'crosses_at'],
  'flywheel-knowledge / Items by status / A': ['time', 'metric', 'items'],
  'flywheel-knowledge / Status changes / A': ['time', 'metric', 'changes'],
  'flywheel-knowledge / Review queue / A': [
    'item_id', 'agent', 'key', 'content', 'confidence', 'origin', 'supporters', 'interactions', 'source_uri', 'conflict_with', 'stale_at', 'created_at',
  ],
  'flywheel-knowledge / Sources and their freshness / A': [
    'uri', 'agent', 'status', 'trusted', 'update_frequency_s', 'last_fetched_at', 'last_changed_at', 'next_fetch_at', 'age_s', 'overdue', 'failures', 'error',
  ],
  'flywheel-interactions / Training gate / A': ['eligible', 'ineligible', 'unscored'],
  'flywheel-interactions / Interactions / A': [
    'time', 'agent', 'user_id', 'session_id', 'intent', 'status', 'response_time_ms', 'accuracy', 'completeness', 'relevance', 'timeliness',
    'satisfaction', 'gate', 'ineligible_reason', 'outcome', 'model', 'prompt_version', 'trace_id', 'interaction_id',
  ],
};
COLUMNS['flywheel-quality / Success patterns / A'] = COLUMNS['flywheel-quality / Failure patterns / A']!;
COLUMNS['flywheel-quality / Models / A'] = COLUMNS['flywheel-quality / Prompt versions / A']!;
for (const uid of ['quality', 'knowledge', 'interactions']) {
  COLUMNS[`flywheel-${uid} / variable project`] = ['project'];
  COLUMNS[`flywheel-${uid} / variable agent`] = ['agent'];
}

/**
 * Queries the seed leaves empty, and why. Every other query must return rows. Mining finds no
 * success pattern here: the happy turns are the baseline majority, so no segment lifts it 1.5x.
 */
const MAY_BE_EMPTY = new Set(['flywheel-quality / Success patterns / A']);

// Postgres type oids Grafana reads as numbers, and as time.
const NUMERIC = new Set([20, 21, 23, 700, 701, 1700]);
const TIME = new Set([1082, 1114, 1184, ...NUMERIC]);

test('the flywheel_grafana role reads the views, and no table', async () => {
  const { rows } = await grafana.query<{ n: number }>('SELECT count(*)::int AS n FROM flywheel_interactions');
  assert.equal(rows[0]?.n, interactionIds.length);
  for (const table of ['interactions', 'interaction_scores', 'api_keys', 'knowledge_items', 'projects']) {
    await assert.rejects(grafana.query(`SELECT 1 FROM ${table} LIMIT 1`), { code: '42501' }, table);
  }
  await assert.rejects(grafana.query(`DELETE FROM flywheel_projects`), { code: '42501' });
});

test('every SQL query of every dashboard runs as Grafana runs it and returns the columns its panel reads, with rows', async () => {
  const queries = sqlQueries();
  assert.deepEqual(queries.map((q) => q.name).sort(), Object.keys(COLUMNS).sort(), 'every query has its expected columns listed here');
  const context = await contextFor();
  for (const query of queries) {
    const sql = expandSql(query.text, context);
    const result = await grafana.query(sql).catch((error: Error) => {
      throw new Error(`${query.name}: ${error.message}\n${sql}`);
    });
    assert.deepEqual(result.fields.map((f) => f.name), COLUMNS[query.name], query.name);
    if (!MAY_BE_EMPTY.has(query.name)) assert.ok(result.rows.length > 0, `${query.name} returned no rows\n${sql}`);
    if (query.format === 'time_series') {
      const [time, ...values] = result.fields;
      assert.ok(TIME.has(time!.dataTypeID), `${query.name}: time is of type ${time!.dataTypeID}`);
      for (const f of values) assert.ok(f.name === 'metric' ? f.dataTypeID === 25 : NUMERIC.has(f.dataTypeID), `${query.name}: ${f.name} is of type ${f.dataTypeID}`);
      const times = result.rows.map((r) => Number(r.time));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), `${query.name}: rows sorted by time`);
    }
  }
});

test('the overview agrees with the pipeline: interactions, accuracy and per-agent counts', async () => {
  const context = await contextFor();
  const run = async (name: string) => {
    const query = sqlQueries().find((q) => q.name === name)!;
    return (await grafana.query(expandSql(query.text, context))).rows;
  };
  const [count] = await run('flywheel-overview / Interactions / A');
  assert.equal(Number(count!.interactions), interactionIds.length);
  const [accuracy] = await run('flywheel-overview / Avg accuracy / A');
  const [expected] = await processor.query<{ accuracy: number }>('SELECT avg(accuracy) AS accuracy FROM interaction_scores');
  assert.ok(Math.abs(Number(accuracy!.accuracy) - expected!.accuracy) < 1e-9);
  const perAgent = await run('flywheel-overview / Interactions per agent / A');
  const byAgent = new Map<string, number>();
  for (const r of perAgent) byAgent.set(r.metric as string, (byAgent.get(r.metric as string) ?? 0) + Number(r.interactions));
  assert.deepEqual(Object.fromEntries(byAgent), { [AGENT]: 3 * 22 + 1, [UNHAPPY]: 12 });
  const [age] = await run('flywheel-overview / Knowledge age / A');
  assert.equal(typeof age!.knowledge_age_days, 'number');
  const failures = await run('flywheel-quality / Failure patterns / A');
  const tool = failures.find((p) => p.label === 'tool_failed=lookup_order');
  assert.ok(tool !== undefined, JSON.stringify(failures.map((p) => p.label)));
  assert.equal(tool.n, 24);
  assert.ok((tool.examples as string).split(' ').every((id) => interactionIds.includes(id)));
  const forecasts = await run('flywheel-quality / Forecasts / A');
  assert.ok(forecasts.some((f) => f.agent === UNHAPPY && f.alert === true), JSON.stringify(forecasts));
  // The replayed status changes end where the items are now.
  const replayed = new Map<string, number>();
  for (const r of await run('flywheel-knowledge / Items by status / A')) replayed.set(r.metric as string, Number(r.items));
  const now = await processor.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM knowledge_items GROUP BY status');
  assert.deepEqual(Object.fromEntries([...replayed].filter(([, n]) => n > 0)), Object.fromEntries(now.map((r) => [r.status, r.n])));
  for (const status of ['pending', 'committed', 'rejected']) assert.ok(replayed.has(status), `${status} in ${[...replayed.keys()].join(', ')}`);
});

test('the interactions search narrows the table to a user, and a quote in it stays inside its literal', async () => {
  const query = sqlQueries().find((q) => q.name === 'flywheel-interactions / Interactions / A')!;
  const rows = (await grafana.query(expandSql(query.text, await contextFor({ search: 'u-3' })))).rows;
  assert.ok(rows.length > 0 && rows.every((r) => r.user_id === 'u-3'), JSON.stringify(rows.map((r) => r.user_id)));
  const byTrace = (await grafana.query(expandSql(query.text, await contextFor({ search: traceOfUser })))).rows;
  assert.ok(byTrace.length > 0 && byTrace.every((r) => r.trace_id === traceOfUser));
  const quoted = (await grafana.query(expandSql(query.text, await contextFor({ search: "x' OR '1'='1" })))).rows;
  assert.equal(quoted.length, 0);
});

test("Tempo's correlation to Postgres finds the interactions of a trace", async () => {
  const file = path.join(import.meta.dirname, '..', 'dashboards', 'provisioning', 'datasources', 'flywheel.yaml');
  const provisioning = parse(await readFile(file, 'utf8')) as { datasources: { uid: string; correlations?: { targetUID: string; config: { field: string; target: { rawSql: string } } }[] }[] };
  const tempo = provisioning.datasources.find((d) => d.uid === 'flywheel-tempo')!;
  const [correlation] = tempo.correlations!;
  assert.equal(correlation!.targetUID, 'flywheel-postgres');
  assert.equal(correlation!.config.field, 'traceID');
  const sql = expandSql(correlation!.config.target.rawSql, await contextFor({ traceID: traceOfUser }));
  const { rows } = await grafana.query(sql);
  assert.ok(rows.length > 0 && rows.every((r) => r.project === 'default'));
  assert.ok(rows.some((r) => interactionIds.includes(r.interaction_id as string)));
});

test("each row's links resolve: the trace id is a trace Tempo can look up, the detail link answers with the interaction", async () => {
  const dashboard = JSON.parse(renderDashboards().get('interactions.json')!) as {
    panels: { title: string; fieldConfig: { overrides: { matcher: { options: string }; properties: { id: string; value: { url: string; internal?: { datasourceUid: string; query: { query: string } } }[] }[] }[] } }[];
  };
  const table = dashboard.panels.find((p) => p.title === 'Interactions')!;
  const linkOf = (field: string) => table.fieldConfig.overrides.find((o) => o.matcher.options === field)!.properties.find((p) => p.id === 'links')!.value[0]!;
  const query = sqlQueries().find((q) => q.name === 'flywheel-interactions / Interactions / A')!;
  const [row] = (await grafana.query(expandSql(query.text, await contextFor()))).rows;
  const trace = linkOf('trace_id');
  assert.equal(trace.internal?.datasourceUid, 'flywheel-tempo');
  assert.match(trace.internal!.query.query.replace('${__value.raw}', row.trace_id), /^[0-9a-f]{32}$/);
  const detail = linkOf('interaction_id').url.replace('${processor:raw}', processor.url).replace('${__value.raw}', row.interaction_id);
  const response = await fetch(detail);
  assert.equal(response.status, 200, detail);
  const body = (await response.json()) as { id: string; traceId: string };
  assert.deepEqual([body.id, body.traceId], [row.interaction_id, row.trace_id]);
});
