// Every PromQL expression of the health dashboard and of the Grafana alert rules, checked by a
// real Prometheus (Debian's `prometheus` package: /usr/bin/prometheus and promtool): promtool
// checks them all as a rules file, and a Prometheus this test starts, scraping the real
// processor's /metrics every second while the pipeline ingests, scores (with an LLM judge on a
// local OpenAI-compatible server), rejects a bad span and mines, evaluates each processor query
// and finds data. The Collector's otelcol_* metrics cannot have data here (no Collector runs):
// those queries are checked by promtool and by Prometheus evaluating them, not for data.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { renderDashboards } from '../dashboards/src/index.ts';
import { dashboardQueries, type DashboardQuery } from '../dashboards/src/queries.ts';
import { type JudgeServer, startJudgeServer, verdictJson } from '../processor/test/score-judge-server.ts';
import { freePort, type TestProcessor, startProcessor } from './harness.ts';
import { postJson, randomSpanId, spanJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, msAgo, waitFor } from './score-fixtures.ts';

const run = promisify(execFile);
const SCRAPE_SECONDS = 1;
/** What Grafana makes of $__rate_interval at this scrape interval: four scrape intervals. */
const RATE_INTERVAL = `${4 * SCRAPE_SECONDS}s`;

let dir: string;
let judge: JudgeServer;
let processor: TestProcessor;
let prometheus: ChildProcess;
let prometheusUrl: string;
let startedAt: number;

async function prometheusApi(pathAndQuery: string): Promise<{ status: string; data: any; error?: string }> {
  const response = await fetch(`${prometheusUrl}${pathAndQuery}`);
  return (await response.json()) as { status: string; data: unknown; error?: string };
}

/** Turns of two agents with thumbs; the unhappy agent's forecast alerts. */
async function sendTurns(agent: string, n: number, happy: boolean): Promise<string[]> {
  const turns = Array.from({ length: n }, (_, i) => contentTurn({ agent, question: `Where is order ${i}?`, offsetMs: msAgo(60_000 - i) }));
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(turns.flatMap((t) => t.spans) as never[]))).status, 200);
  // Scored once from ingest (the scoring lag is measured for those), then again for the thumbs.
  await waitFor('the turns scored from ingest', async () => {
    const [row] = await processor.query<{ n: number }>('SELECT count(*)::int AS n FROM interaction_scores WHERE interaction_id = ANY ($1)', [turns.map((t) => t.id)]);
    return row?.n === n ? true : undefined;
  });
  assert.equal((await postJson(`${processor.url}/api/feedback`, turns.map((t) => ({ interactionId: t.id, thumbs: happy ? 'up' : 'down' })))).status, 200);
  return turns.map((t) => t.id);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flywheel-prom-'));
  judge = await startJudgeServer();
  judge.respond(() => ({ content: verdictJson(0.9, 0.9, 0.9), usage: { prompt_tokens: 200, completion_tokens: 40 } }));
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '100',
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_MINE_INTERVAL_MS: '300',
      FLYWHEEL_JUDGE_BASE_URL: judge.baseURL,
      FLYWHEEL_JUDGE_MODEL: 'judge-model',
      FLYWHEEL_JUDGE_API_KEY: 'sk-local',
      FLYWHEEL_JUDGE_INPUT_USD_PER_MTOK: '0.15',
      FLYWHEEL_JUDGE_OUTPUT_USD_PER_MTOK: '0.6',
    },
  });
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(config, stringify({
    global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
    scrape_configs: [{ job_name: 'flywheel-processor', metrics_path: '/metrics', static_configs: [{ targets: [new URL(processor.url).host] }] }],
  }));
  prometheus = spawn('prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  prometheus.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const spawned = new Promise<void>((resolve, reject) => {
    prometheus.once('spawn', resolve);
    prometheus.once('error', (error) => reject(new Error(`cannot start prometheus (install Debian's prometheus package, as .ci/run does): ${error.message}`)));
  });
  await spawned;
  startedAt = Date.now() / 1000;
  await waitFor('Prometheus scraping the processor', async () => {
    const up = await prometheusApi('/api/v1/query?query=up').catch(() => undefined);
    return up?.data?.result?.[0]?.value?.[1] === '1' ? true : undefined;
  }, 20_000).catch((error: Error) => {
    throw new Error(`${error.message}\nprometheus stderr:\n${stderr}`);
  });

  // Traffic while Prometheus watches: two waves of turns, a span with a bad trace id, scoring
  // with the judge, mining.
  for (const wave of [0, 1]) {
    await sendTurns('prom-agent', 20, true);
    await sendTurns('prom-unhappy', 10, false);
    const bad = spanJson({ traceId: 'abcd', spanId: randomSpanId(), name: 'chat broken', startMs: msAgo(0), endMs: msAgo(0) + 10 });
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest([bad] as never[]))).status, 200);
    if (wave === 0) await new Promise((r) => setTimeout(r, 2000));
  }
  await waitFor('every turn scored, judged and mined', async () => {
    const [row] = await processor.query<{ scored: number; judged: number; queued: number; forecasts: number }>(
      `SELECT (SELECT count(*)::int FROM interaction_scores WHERE feedback_count > 0 AND judged) AS scored,
              (SELECT count(*)::int FROM judgements WHERE status = 'done') AS judged,
              (SELECT count(*)::int FROM mine_queue) AS queued,
              (SELECT count(*)::int FROM mine_forecasts) AS forecasts`,
    );
    return row !== undefined && row.scored === 60 && row.judged === 60 && row.queued === 0 && row.forecasts === 4 ? true : undefined;
  }, 40_000);
  // Enough scrapes after the last change for every rate window to hold it.
  await new Promise((r) => setTimeout(r, (4 * SCRAPE_SECONDS + 2) * 1000));
});

after(async () => {
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await processor?.stop();
  await judge?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Grafana's substitutions: $__rate_interval, and "All" of $project / $agent as their allValue. */
const expand = (expr: string) => expr.replaceAll('$__rate_interval', RATE_INTERVAL).replaceAll('$project', '.*').replaceAll('$agent', '.*');

const promQueries = (): DashboardQuery[] =>
  [...renderDashboards().values()].flatMap((text) => dashboardQueries(JSON.parse(text))).filter((q) => q.kind === 'promql');
const isVariable = (q: DashboardQuery) => q.name.includes('/ variable ');
const isCollector = (q: DashboardQuery) => q.text.includes('otelcol_');

interface AlertRule {
  uid: string;
  title: string;
  for: string;
  condition: string;
  data: { refId: string; datasourceUid: string; model: { expr?: string; type?: string; expression?: string; conditions?: { evaluator: { type: string; params: number[] } }[] } }[];
}

/** Each Grafana alert rule as PromQL: its Prometheus query, compared as its threshold step says. */
async function alertRules(): Promise<{ uid: string; expr: string; for: string }[]> {
  const file = path.join(import.meta.dirname, '..', 'dashboards', 'provisioning', 'alerting', 'flywheel.yaml');
  const { groups } = parse(await readFile(file, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return groups.flatMap((g) => g.rules).map((rule) => {
    const query = rule.data.find((d) => d.datasourceUid === 'flywheel-prometheus');
    const threshold = rule.data.find((d) => d.refId === rule.condition);
    assert.ok(query?.model.expr !== undefined, `${rule.uid}: a Prometheus query`);
    assert.equal(threshold?.model.type, 'threshold', `${rule.uid}: the condition is a threshold`);
    const evaluator = threshold.model.conditions![0]!.evaluator;
    const op = { gt: '>', lt: '<' }[evaluator.type];
    assert.ok(op !== undefined, `${rule.uid}: evaluator ${evaluator.type}`);
    return { uid: rule.uid, expr: `(${query.model.expr}) ${op} ${evaluator.params[0]}`, for: rule.for };
  });
}

test('promtool accepts every panel expression and alert rule, as one rules file', async () => {
  const panels = promQueries().filter((q) => !isVariable(q));
  assert.ok(panels.length >= 30, `${panels.length} panel queries`);
  const rules = await alertRules();
  assert.deepEqual(rules.map((r) => r.uid), ['flywheel-degradation-forecast', 'flywheel-ingest-rejections']);
  const file = path.join(dir, 'rules.yml');
  await writeFile(file, stringify({
    groups: [
      { name: 'dashboard_panels', rules: panels.map((q, i) => ({ record: `flywheel_dashboard:panel_${i}`, expr: expand(q.text), labels: { panel: q.name } })) },
      { name: 'flywheel_alerts', rules: rules.map((r) => ({ alert: r.uid.replaceAll('-', '_'), expr: r.expr, for: r.for })) },
    ],
  }));
  const { stdout } = await run('promtool', ['check', 'rules', file]);
  assert.match(stdout, new RegExp(`SUCCESS: ${panels.length + rules.length} rules found`));
  // A broken expression is refused: the check can fail.
  await writeFile(file, stringify({ groups: [{ name: 'broken', rules: [{ record: 'x:y', expr: 'sum by (le (rate(x[1m]))' }] }] }));
  await assert.rejects(run('promtool', ['check', 'rules', file]), /FAILED/);
});

test('Prometheus scraping the processor finds data for every processor panel query', async () => {
  const end = Date.now() / 1000;
  const empty: string[] = [];
  for (const query of promQueries().filter((q) => !isVariable(q))) {
    const params = new URLSearchParams({ query: expand(query.text), start: String(startedAt), end: String(end), step: `${SCRAPE_SECONDS}s` });
    const answer = await prometheusApi(`/api/v1/query_range?${params}`);
    assert.equal(answer.status, 'success', `${query.name}: ${answer.error}`);
    if (isCollector(query)) continue;
    const values = (answer.data.result as { values: [number, string][] }[]).flatMap((series) => series.values.map(([, v]) => Number(v)));
    if (!values.some(Number.isFinite)) empty.push(`${query.name}: ${query.text}`);
  }
  assert.deepEqual(empty, [], 'processor queries without data');
});

test('the variables find the project and agents, and both alert rules fire on what the pipeline did', async () => {
  for (const query of promQueries().filter(isVariable)) {
    const match = /^label_values\((.+), (\w+)\)$/.exec(query.text);
    assert.ok(match !== null, query.text);
    const params = new URLSearchParams({ 'match[]': expand(match[1]!), start: String(startedAt) });
    const answer = await prometheusApi(`/api/v1/label/${match[2]}/values?${params}`);
    assert.equal(answer.status, 'success');
    const expected = match[2] === 'project' ? ['default'] : ['prom-agent', 'prom-unhappy'];
    assert.deepEqual((answer.data as string[]).sort(), expected, query.name);
  }
  const firing: Record<string, unknown[]> = {};
  for (const rule of await alertRules()) {
    const answer = await prometheusApi(`/api/v1/query?${new URLSearchParams({ query: rule.expr })}`);
    assert.equal(answer.status, 'success', answer.error);
    firing[rule.uid] = (answer.data.result as { metric: Record<string, string> }[]).map((r) => r.metric);
  }
  // The unhappy agent is below its satisfaction threshold; the bad span was rejected for its trace id.
  assert.ok(firing['flywheel-degradation-forecast']!.some((m: any) => m.agent === 'prom-unhappy'), JSON.stringify(firing));
  assert.deepEqual(firing['flywheel-ingest-rejections'], [{ reason: 'invalid_trace_id' }]);
});
