// The flywheel report, variants and latency end to end: turns of two prompt versions in over
// OTLP, user ratings through POST /api/feedback, scored by the real score stage, then
// GET /api/report, /api/variants and /api/latency, and `flywheel report` (JSON and table) in a
// child process attached to the same database. Real processor, real embedded Postgres.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createApiKey } from '../processor/src/store/access/api-keys.ts';
import { DEFAULT_PROJECT, ensureProject } from '../processor/src/store/access/projects.ts';
import { quantile } from '../processor/src/mine/stats.ts';
import { run } from './cli-process.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, randomSpanId, randomTraceId, spanJson, tracesRequest } from './otlp-json-builder.ts';
import { BASE_MS, waitFor } from './score-fixtures.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
/** UTC midnight today: turns are placed at noon of whole days before it, so daily series are exact. */
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS;

/**
 * An agent turn of `durationMs` at `atMs` (epoch ms) under a prompt version: a chat call from
 * 10 to 410 ms, two tools in parallel (450-750 and 500-800 ms: 350 ms of tool time) and an
 * embedding from 820 to 870 ms; the rest is other time.
 */
function turn(version: string, atMs: number, durationMs: number) {
  const traceId = randomTraceId();
  const rootId = randomSpanId();
  const at = atMs - BASE_MS;
  const child = (name: string, from: number, to: number, attributes: Record<string, string>) =>
    spanJson({ traceId, spanId: randomSpanId(), parentSpanId: rootId, name, startMs: at + from, endMs: at + to, attributes });
  const spans = [
    spanJson({
      traceId,
      spanId: rootId,
      name: 'invoke_agent support-agent',
      startMs: at,
      endMs: at + durationMs,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support-agent', 'flywheel.prompt.version': version },
    }),
    child('chat gpt-4o-mini', 10, 410, { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' }),
    child('execute_tool lookup_order', 450, 750, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order' }),
    child('execute_tool check_stock', 500, 800, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'check_stock' }),
    child('embeddings text-embedding-3-small', 820, 870, { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small' }),
  ];
  return { id: `${traceId}-${rootId}`, durationMs, spans };
}

// Previous period: 4 turns of v1 rated 3 of 5 (satisfaction 0.5). This period: 12 turns of v1
// three days ago rated 2 (0.25, failures), 12 turns of v2 a day ago rated 5 (1.0, successes).
const old = Array.from({ length: 4 }, (_, i) => ({ ...turn('v1', TODAY - 10 * DAY_MS + DAY_MS / 2 + i * MINUTE_MS, 1000), rating: 3 }));
const v1 = Array.from({ length: 12 }, (_, i) => ({ ...turn('v1', TODAY - 3 * DAY_MS + DAY_MS / 2 + i * MINUTE_MS, 1000 + 10 * i), rating: 2 }));
const v2 = Array.from({ length: 12 }, (_, i) => ({ ...turn('v2', TODAY - DAY_MS + DAY_MS / 2 + i * MINUTE_MS, 900 + 10 * i), rating: 5 }));
const current = [...v1, ...v2];
const all = [...old, ...current];
const since = new Date(TODAY - 6 * DAY_MS).toISOString();
const until = new Date(TODAY + DAY_MS).toISOString();
const period = `agent=support-agent&since=${since}&until=${until}`;

let processor: TestProcessor;
before(async () => {
  processor = await startProcessor({ settings: { FLYWHEEL_SCORE_SETTLE_MS: '200', FLYWHEEL_SCORE_POLL_MS: '50' } });
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(all.flatMap((t) => t.spans) as never[]))).status, 200);
  const feedback = await postJson(`${processor.url}/api/feedback`, all.map((t) => ({ interactionId: t.id, rating: t.rating })));
  assert.equal(feedback.status, 200);
  await waitFor(
    'every turn scored with its rating',
    async () => {
      const [row] = await processor.query<{ n: number }>('SELECT count(*)::int AS n FROM interaction_scores WHERE feedback_count = 1');
      return row?.n === all.length ? true : undefined;
    },
    30_000,
  );
});
after(async () => {
  await processor.stop();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, any> }> {
  const response = await fetch(`${processor.url}${path}`, { headers });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

test('GET /api/report: each figure of the period beside the previous period, with the change', async () => {
  const { status, json } = await get(`/api/report?${period}`);
  assert.equal(status, 200, JSON.stringify(json));
  assert.equal(json.agent, 'support-agent');
  assert.equal(json.since, since);
  assert.equal(json.until, until);
  assert.deepEqual(json.previous, { since: new Date(TODAY - 13 * DAY_MS).toISOString(), until: since });
  const [eligible] = await processor.query<{ current: number; previous: number }>(
    `SELECT count(*) FILTER (WHERE s.eligible AND i.start_time >= $1)::int AS current, count(*) FILTER (WHERE s.eligible AND i.start_time < $1)::int AS previous
     FROM interaction_scores s JOIN interactions i ON i.id = s.interaction_id`,
    [since],
  );
  const durations = current.map((t) => t.durationMs);
  const f = json.figures;
  assert.deepEqual(f.interactions, { value: 24, previous: 4, change: 20 });
  assert.deepEqual(f.scored, { value: 24, previous: 4, change: 20 });
  assert.deepEqual(f.avgSatisfaction, { value: 0.625, previous: 0.5, change: 0.125 });
  // No expected output, correction or judge: accuracy is what users scored the answer.
  assert.deepEqual(f.avgAccuracy, { value: 0.625, previous: 0.5, change: 0.125 });
  assert.deepEqual(f.successRate, { value: 0.5, previous: 0, change: 0.5 });
  assert.deepEqual(f.failureRate, { value: 0.5, previous: 0, change: 0.5 });
  // Daily satisfaction 0.25 then 1.0 two days later; the previous period has one day: no trend.
  assert.deepEqual(f.satisfactionTrend, { value: 0.375, previous: null, change: null });
  assert.deepEqual(f.improvementVelocity, { value: 3.5, previous: null, change: null });
  const rates = { value: round4(eligible!.current / 24), previous: round4(eligible!.previous / 4) };
  assert.deepEqual(f.trainingEligibleRate, { ...rates, change: round4(eligible!.current / 24 - eligible!.previous / 4) });
  assert.deepEqual(f.knowledgeAgeDays, { value: null, previous: null, change: null });
  assert.deepEqual(f.responseTimeP50Ms, { value: quantile(durations, 0.5), previous: 1000, change: quantile(durations, 0.5) - 1000 });
  assert.deepEqual(f.responseTimeP95Ms, { value: quantile(durations, 0.95), previous: 1000, change: quantile(durations, 0.95) - 1000 });
  assert.equal(json.latency.interactions, 24);
  assert.deepEqual(json.latency.bottlenecks, ['llm', 'tool', 'other', 'retrieval']);

  const byDefault = await get('/api/report');
  assert.equal(byDefault.status, 200);
  assert.equal(byDefault.json.agent, null);
  assert.equal(Date.parse(byDefault.json.until) - Date.parse(byDefault.json.since), 7 * DAY_MS);
  assert.equal(byDefault.json.figures.interactions.value, 24);
  const bad = await get(`/api/report?since=${until}&until=${since}`);
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /since must be before until/);
  assert.equal((await get('/api/report?since=yesterday')).status, 400);
});

test('GET /api/variants: v2 is better than v1, the reference, on success rate, satisfaction and latency; impact of v2', async () => {
  const { status, json } = await get('/api/variants?agent=support-agent&by=prompt_version');
  assert.equal(status, 200, JSON.stringify(json));
  assert.equal(json.by, 'prompt_version');
  assert.equal(json.windowDays, 7);
  assert.equal(json.unassigned, 0);
  // v1 has the most scored interactions (16): it is the reference.
  assert.equal(json.reference, 'v1');
  const [first, second] = json.variants;
  assert.equal(first.value, 'v1');
  assert.equal(first.interactions, 16);
  assert.equal(first.successRate, 0);
  assert.equal(first.satisfaction, 0.3125);
  assert.equal(first.vsReference, null);
  assert.equal(second.value, 'v2');
  assert.equal(second.firstSeen, new Date(TODAY - DAY_MS / 2).toISOString());
  assert.equal(second.interactions, 12);
  assert.equal(second.successRate, 1);
  assert.deepEqual(second.latency, { p50Ms: quantile(v2.map((t) => t.durationMs), 0.5), p95Ms: quantile(v2.map((t) => t.durationMs), 0.95), meanMs: 955 });
  for (const metric of ['successRate', 'satisfaction', 'latencyMs']) {
    assert.equal(second.vsReference[metric].better, 'v2', metric);
    assert.ok(second.vsReference[metric].confidence > 0.99, `${metric}: ${second.vsReference[metric].confidence}`);
  }
  assert.deepEqual(json.impact.map((i: { value: string }) => i.value), ['v1', 'v2']);
  const impact = json.impact[1];
  assert.equal(impact.before.since, new Date(TODAY - 8 * DAY_MS + DAY_MS / 2).toISOString());
  assert.equal(impact.before.interactions, 12);
  assert.equal(impact.after.interactions, 12);
  assert.equal(impact.change.satisfaction.better, 'after');
  assert.equal(impact.change.successRate.better, 'after');
  assert.equal(json.impact[0].before.interactions, 0);
  assert.equal(json.impact[0].after.interactions, 4);

  const models = await get('/api/variants?agent=support-agent&by=model&window=2');
  assert.equal(models.status, 200);
  assert.deepEqual(models.json.variants.map((v: { value: string; interactions: number }) => [v.value, v.interactions]), [['gpt-4o-mini', 28]]);
  assert.equal(models.json.windowDays, 2);
  const bad = await get('/api/variants?by=colour');
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /by/);
});

test('GET /api/latency: LLM, tool (parallel calls once), retrieval and other time, with tools and models', async () => {
  const { status, json } = await get(`/api/latency?${period}`);
  assert.equal(status, 200, JSON.stringify(json));
  assert.equal(json.scanned, 24);
  assert.equal(json.scanLimit, 5000);
  const [agent, ...others] = json.agents;
  assert.equal(others.length, 0);
  assert.equal(agent.agent, 'support-agent');
  const total = current.reduce((sum, t) => sum + t.durationMs, 0);
  assert.equal(agent.totalMs, total);
  assert.deepEqual(agent.categories.llm, { totalMs: 24 * 400, share: round4((24 * 400) / total), p50Ms: 400, p95Ms: 400, meanMs: 400 });
  assert.deepEqual(agent.categories.tool, { totalMs: 24 * 350, share: round4((24 * 350) / total), p50Ms: 350, p95Ms: 350, meanMs: 350 });
  assert.deepEqual(agent.categories.retrieval, { totalMs: 24 * 50, share: round4((24 * 50) / total), p50Ms: 50, p95Ms: 50, meanMs: 50 });
  const other = current.map((t) => t.durationMs - 800);
  assert.equal(agent.categories.other.totalMs, total - 24 * 800);
  assert.equal(agent.categories.other.p50Ms, quantile(other, 0.5));
  assert.deepEqual(agent.bottlenecks, ['llm', 'tool', 'other', 'retrieval']);
  assert.deepEqual(agent.tools.map((t: { name: string; calls: number; totalMs: number }) => [t.name, t.calls, t.totalMs]), [['check_stock', 24, 7200], ['lookup_order', 24, 7200]]);
  assert.deepEqual(agent.models.map((m: { name: string; calls: number; p50Ms: number }) => [m.name, m.calls, m.p50Ms]), [['gpt-4o-mini', 24, 400]]);
});

test('flywheel report prints the same report as JSON, and as an aligned table', async () => {
  const env = { DATABASE_URL: processor.postgres.url, FLYWHEEL_LOG_LEVEL: 'error' };
  const args = ['report', '--agent', 'support-agent', '--since', since, '--until', until];
  const [asJson, asTable, api] = await Promise.all([run([...args, '--json'], env), run(args, env), get(`/api/report?${period}`)]);
  assert.equal(asJson.code, 0, asJson.stderr);
  assert.deepEqual(JSON.parse(asJson.stdout), api.json);
  assert.equal(asTable.code, 0, asTable.stderr);
  const lines = asTable.stdout.split('\n');
  assert.equal(lines[0], 'Flywheel report: agent support-agent');
  assert.equal(lines[1], `period    ${since} .. ${until}`);
  assert.match(asTable.stdout, /^average satisfaction\s+0\.625\s+0\.500\s+\+0\.125$/m);
  assert.match(asTable.stdout, /^success rate \(satisfaction > 0\.8\)\s+50\.0%\s+0\.0%\s+\+50\.0 pt$/m);
  assert.match(asTable.stdout, /^knowledge age\s+-\s+-\s+-$/m);
  assert.match(asTable.stdout, /^llm\s+\d+\.\d%\s+400 ms\s+400 ms\s+9600 ms$/m);
  // Aligned: every row of the figures table is as wide as its header's columns allow.
  const header = lines.findIndex((l) => l.startsWith('figure'));
  const ends = lines.slice(header, header + 13).map((l) => l.length);
  assert.equal(new Set(ends).size, 1, lines.slice(header, header + 13).join('\n'));
  const bad = await run(['report', '--since', until, '--until', since], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /since must be before until/);
});

test('a success and a failure are what the mining settings say: the report counts and names them by FLYWHEEL_MINE_*', async () => {
  assert.deepEqual((await get(`/api/report?${period}`)).json.outcomes, { successAbove: 0.8, failureBelow: 0.4 });
  const env = { DATABASE_URL: processor.postgres.url, FLYWHEEL_LOG_LEVEL: 'error', FLYWHEEL_MINE_SUCCESS_MIN: '0.4', FLYWHEEL_MINE_FAILURE_MAX: '0.2' };
  const args = ['report', '--agent', 'support-agent', '--since', since, '--until', until];
  const [asJson, asTable] = await Promise.all([run([...args, '--json'], env), run(args, env)]);
  assert.equal(asJson.code, 0, asJson.stderr);
  const report = JSON.parse(asJson.stdout);
  assert.deepEqual(report.outcomes, { successAbove: 0.4, failureBelow: 0.2 });
  // v2 (1.0) succeeds as before; v1 (0.25) is no longer a failure; the previous period (0.5) now succeeds.
  assert.deepEqual(report.figures.successRate, { value: 0.5, previous: 1, change: -0.5 });
  assert.deepEqual(report.figures.failureRate, { value: 0, previous: 0, change: 0 });
  assert.match(asTable.stdout, /^success rate \(satisfaction > 0\.4\)\s+50\.0%\s+100\.0%\s+-50\.0 pt$/m);
  assert.match(asTable.stdout, /^failure rate \(satisfaction < 0\.2\)\s/m);
});

// Last: once keys exist, every request needs one.
test("another project's read key sees none of this project's interactions in the report, variants or latency", async () => {
  const pool = new pg.Pool({ connectionString: processor.postgres.url, max: 1 });
  try {
    const other = await ensureProject(pool, 'report-other');
    const own = await ensureProject(pool, DEFAULT_PROJECT.name);
    const otherKey = { authorization: `Bearer ${(await createApiKey(pool, { projectId: other.id, role: 'read', name: 'other-read' })).key}` };
    const ownKey = { authorization: `Bearer ${(await createApiKey(pool, { projectId: own.id, role: 'read', name: 'own-read' })).key}` };
    await waitFor('keys to be required', async () => ((await get('/api/report')).status === 401 ? true : undefined));
    const report = await get(`/api/report?${period}`, otherKey);
    assert.equal(report.status, 200);
    assert.deepEqual(report.json.figures.interactions, { value: 0, previous: 0, change: 0 });
    assert.equal(report.json.latency.interactions, 0);
    assert.deepEqual((await get('/api/variants?agent=support-agent', otherKey)).json.variants, []);
    assert.deepEqual((await get(`/api/latency?${period}`, otherKey)).json.agents, []);
    assert.equal((await get(`/api/report?${period}`, ownKey)).json.figures.interactions.value, 24);
  } finally {
    await pool.end();
  }
});
