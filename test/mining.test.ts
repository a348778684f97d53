// Pattern mining through the real processor: turns over OTLP, thumbs through POST /api/feedback,
// scoring, the mining stage's scheduled pass, and the routes. A tool that fails makes users
// unhappy: the failure pattern is found with its evidence, worded as insights and guidance, and
// keeps its id while it is resolved (the failures stop hurting) and re-opened (they hurt again).
// Topic clusters group the two kinds of question; forecasts and the Prometheus gauge are there;
// `flywheel mine` runs a pass on demand; another project sees none of it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createApiKey } from '../processor/src/store/access/api-keys.ts';
import { ensureProject } from '../processor/src/store/access/projects.ts';
import { run } from './cli-process.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, randomSpanId, randomTraceId, spanJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, msAgo, waitFor } from './score-fixtures.ts';

const AGENT = 'mining-agent';

let processor: TestProcessor;
before(async () => {
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '100',
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_MINE_INTERVAL_MS: '300',
      FLYWHEEL_MINE_MIN_SUPPORT: '10',
      FLYWHEEL_MINE_MIN_LIFT: '1.5',
      FLYWHEEL_KNOWLEDGE_POLL_MS: '60000',
    },
  });
});
after(async () => {
  await processor.stop();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${processor.url}${path}`, { headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

let sent = 0;
/** Sends `count` turns (the tool failing or not, about orders or passwords) rated by thumbs; returns their ids. */
async function turns(count: number, o: { toolFails: boolean; happy: boolean }): Promise<string[]> {
  const made = Array.from({ length: count }, (_, i) => {
    const n = sent++;
    const question = n % 2 === 0 ? `Where is my order number ${1000 + n}, has it shipped?` : `How do I reset my account password ${n}?`;
    return contentTurn({ agent: AGENT, question, offsetMs: msAgo(60_000 - i), ...(o.toolFails ? { toolError: 'timeout' } : {}) });
  });
  for (let i = 0; i < made.length; i += 100) {
    const batch = made.slice(i, i + 100);
    assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(batch.flatMap((t) => t.spans) as never[]))).status, 200);
    const feedback = batch.map((t) => ({ interactionId: t.id, thumbs: o.happy ? 'up' : 'down' }));
    assert.equal((await postJson(`${processor.url}/api/feedback`, feedback)).status, 200);
  }
  return made.map((t) => t.id);
}

interface Pattern {
  id: string; kind: string; segment: Record<string, string>; label: string; n: number; rate: number; baseline: number; lift: number;
  ci: [number, number]; q: number; examples: string[]; firstSeen: string; lastSeen: string; status: string; reopened: number;
}

const toolPattern = async (): Promise<Pattern | undefined> => {
  const { json } = await get(`/api/patterns?agent=${AGENT}&kind=failure`);
  return (json.patterns as Pattern[]).find((p) => p.label === 'tool_failed=lookup_order');
};

/** Waits until everything sent is scored and a pass has mined it. */
async function minedAll(): Promise<void> {
  await waitFor('every turn scored and mined', async () => {
    const [row] = await processor.query<{ scored: number; queued: number }>(
      `SELECT (SELECT count(*)::int FROM interaction_scores s JOIN interactions i ON i.project_id = s.project_id AND i.id = s.interaction_id
               WHERE i.agent_name = $1 AND s.feedback_count > 0) AS scored,
              (SELECT count(*)::int FROM mine_queue WHERE agent = $1) AS queued`,
      [AGENT],
    );
    return row !== undefined && row.scored === sent && row.queued === 0 ? true : undefined;
  }, 60_000);
  // The pass that emptied the queue may still be writing: a last one after it has the final word.
  await new Promise((r) => setTimeout(r, 700));
}

let failing: string[] = [];
let patternId = '';

test('a failing tool that makes users unhappy is found as a failure pattern with its evidence', async () => {
  failing = await turns(40, { toolFails: true, happy: false });
  await turns(80, { toolFails: false, happy: true });
  await minedAll();
  const pattern = await toolPattern();
  assert.ok(pattern !== undefined, 'the tool_failed=lookup_order pattern');
  patternId = pattern.id;
  assert.deepEqual([pattern.kind, pattern.segment, pattern.n, pattern.rate, pattern.status], ['failure', { tool_failed: 'lookup_order' }, 40, 1, 'open']);
  assert.ok(Math.abs(pattern.baseline - 40 / 120) < 1e-3, `baseline ${pattern.baseline}`);
  assert.ok(pattern.lift > 2.9 && pattern.ci[0] > 0.9 && pattern.ci[1] === 1 && pattern.q < 0.001);
  assert.ok(pattern.examples.length > 0 && pattern.examples.every((id) => failing.includes(id)));
  // The questions about orders and passwords fail alike: neither topic is a pattern.
  const { json } = await get(`/api/patterns?agent=${AGENT}`);
  assert.ok((json.patterns as Pattern[]).every((p) => !('topic' in p.segment) && !('intent' in p.segment)), JSON.stringify(json.patterns));
});

test('insights word the pattern, and GET /api/knowledge hands them to the agent as guidance', async () => {
  const { status, json } = await get(`/api/insights?agent=${AGENT}`);
  assert.equal(status, 200);
  const avoid = json.avoid as { text: string; patternId: string; evidence: { n: number; rate: number; baseline: number; examples: string[] } }[];
  const item = avoid.find((i) => i.patternId === patternId);
  assert.ok(item !== undefined);
  assert.match(item.text, /the tool 'lookup_order' fails, 100% of interactions fail/);
  assert.deepEqual([item.evidence.n, item.evidence.rate], [40, 1]);
  const improvement = (json.suggested_improvements as { text: string; patternId: string }[]).find((i) => i.patternId === patternId);
  assert.match(improvement?.text ?? '', /Make the tool 'lookup_order' more reliable/);
  assert.ok(Array.isArray(json.reinforce));
  const knowledge = await get(`/api/knowledge?agent=${AGENT}`);
  const guidance = knowledge.json.guidance as { avoid: string[]; reinforce: string[] };
  assert.ok(guidance.avoid.some((line) => line.includes("the tool 'lookup_order' fails") && line.includes('more reliable')), JSON.stringify(guidance));
  assert.equal((await get('/api/insights')).status, 400);
});

test('topic clusters group the two kinds of question, with their sizes and labels', async () => {
  const { json } = await get(`/api/clusters?agent=${AGENT}`);
  const clusters = json.clusters as { id: string; label: string; size: number; successRate: number; examples: string[]; topTerms: string[] }[];
  const orders = clusters.filter((c) => c.topTerms.includes('order'));
  const passwords = clusters.filter((c) => c.topTerms.includes('password'));
  assert.ok(orders.length >= 1 && passwords.length >= 1, JSON.stringify(clusters.map((c) => c.label)));
  assert.ok(orders.every((c) => !passwords.includes(c)));
  assert.equal(clusters.reduce((sum, c) => sum + c.size, 0), sent);
  const biggest = clusters[0];
  assert.ok(biggest !== undefined && biggest.size >= 20 && biggest.examples.length > 0 && biggest.label.split(' ').length === 3);
});

test('forecasts of both metrics are stored and shown, with the alert gauge on /metrics', async () => {
  const { json } = await get(`/api/forecasts?agent=${AGENT}`);
  const forecasts = json.forecasts as { agent: string; metric: string; current: number; threshold: number; slopePerDay: number | null; crossesAt: string | null; alert: boolean }[];
  assert.deepEqual(forecasts.map((f) => [f.agent, f.metric]), [[AGENT, 'accuracy'], [AGENT, 'satisfaction']]);
  const satisfaction = forecasts[1];
  // One day of history: no trend, so the alert says whether the day's mean is already below 0.7.
  assert.equal(satisfaction?.slopePerDay, null);
  assert.equal(satisfaction?.threshold, 0.7);
  assert.equal(satisfaction?.alert, (satisfaction?.current ?? 1) < 0.7);
  const metrics = await (await fetch(`${processor.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`flywheel_mine_forecast_alert\\{project="default",agent="${AGENT}",metric="satisfaction"\\} ${satisfaction?.alert ? 1 : 0}`));
  assert.match(metrics, /flywheel_mine_patterns_open\{kind="failure"\} [1-9]/);
});

test('the pattern is resolved when the failures stop hurting and re-opened, same id, when they hurt again', async () => {
  await turns(200, { toolFails: true, happy: true });
  await minedAll();
  const resolved = await toolPattern();
  assert.deepEqual([resolved?.id, resolved?.status], [patternId, 'resolved']);
  await turns(150, { toolFails: true, happy: false });
  await turns(300, { toolFails: false, happy: true });
  await minedAll();
  const back = await toolPattern();
  assert.deepEqual([back?.id, back?.status, back?.reopened], [patternId, 'open', 1]);
  assert.ok(back !== undefined && back.firstSeen < back.lastSeen && back.n === 390);
});

test('flywheel mine runs a pass on demand and says what it found', async () => {
  const result = await run(['mine', '--agent', AGENT, '--json'], { DATABASE_URL: processor.postgres.url });
  assert.equal(result.code, 0, result.stderr);
  const [mined] = JSON.parse(result.stdout) as { agent: string; interactions: number; patterns: number }[];
  assert.deepEqual([mined?.agent, mined?.interactions], [AGENT, sent]);
  assert.ok((mined?.patterns ?? 0) >= 1);
  const text = await run(['mine', '--all'], { DATABASE_URL: processor.postgres.url });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^${AGENT}: ${sent} interactions, \\d+ open patterns`, 'm'));
  const usage = await run(['mine', '--agent', AGENT, '--all'], { DATABASE_URL: processor.postgres.url });
  assert.equal(usage.code, 2);
});

/** A supervisor turn handing off to research, and to writer when `writer` is true. */
function supervisorTurn(writer: boolean) {
  const traceId = randomTraceId();
  const root = randomSpanId();
  const at = msAgo(30_000);
  const agent = (id: string, parent: string, name: string, start: number, end: number) =>
    spanJson({ traceId, spanId: id, parentSpanId: parent, name: `invoke_agent ${name}`, startMs: at + start, endMs: at + end,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': name } });
  const spans = [
    spanJson({ traceId, spanId: root, name: 'invoke_agent supervisor', startMs: at, endMs: at + 3000,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'supervisor' } }),
    agent(randomSpanId(), root, 'research', 100, 1000),
    ...(writer ? [agent(randomSpanId(), root, 'writer', 1100, 2900)] : []),
  ];
  return { id: `${traceId}-${root}`, spans };
}

test('hand-offs: sub-agents are recorded, the graph says how each path ends, and a failing sub-agent is a pattern', async () => {
  const withWriter = Array.from({ length: 20 }, () => supervisorTurn(true));
  const researchOnly = Array.from({ length: 40 }, () => supervisorTurn(false));
  const all = [...withWriter, ...researchOnly];
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(all.flatMap((t) => t.spans) as never[]))).status, 200);
  const feedback = all.map((t) => ({ interactionId: t.id, thumbs: withWriter.includes(t) ? 'down' : 'up' }));
  assert.equal((await postJson(`${processor.url}/api/feedback`, feedback)).status, 200);
  const pattern = await waitFor('the sub_agent=writer pattern', async () => {
    const { json } = await get('/api/patterns?agent=supervisor&kind=failure');
    return (json.patterns as Pattern[]).find((p) => p.label === 'sub_agent=writer');
  }, 60_000);
  assert.deepEqual([pattern.n, pattern.rate], [20, 1]);
  const detail = await get(`/api/interactions/${withWriter[0]?.id}`);
  assert.deepEqual((detail.json.subAgents as { name: string; parent: string }[]).map((a) => [a.parent, a.name]), [['supervisor', 'research'], ['supervisor', 'writer']]);
  const { status, json } = await get('/api/handoffs?agent=supervisor');
  assert.equal(status, 200);
  assert.deepEqual([json.interactions, json.withHandoffs], [60, 60]);
  const edges = json.edges as { from: string; to: string; n: number; successRate: number; failureRate: number }[];
  assert.deepEqual(edges.map((e) => [e.from, e.to, e.n, e.successRate, e.failureRate]), [['supervisor', 'research', 60, 0.6667, 0.3333], ['supervisor', 'writer', 20, 0, 1]]);
  const paths = json.paths as { path: string[]; n: number; successRate: number }[];
  assert.deepEqual(paths.map((p) => [p.path.join(' > '), p.n, p.successRate]), [['supervisor > research', 40, 1], ['supervisor > research > writer', 20, 0]]);
  assert.equal((await get('/api/handoffs')).status, 400);
});

test("another project's key sees none of this project's patterns, insights, forecasts or clusters", async () => {
  // Runs last: once a key exists, every request needs one.
  const pool = new pg.Pool({ connectionString: processor.postgres.url, max: 1 });
  try {
    const other = await ensureProject(pool, 'mining-other');
    const { key } = await createApiKey(pool, { projectId: other.id, role: 'read', name: 'mining-other-reader' });
    const headers = { authorization: `Bearer ${key}` };
    // Local mode ends once the processor has seen the first key (it looks again every second).
    await waitFor('keys to be required', async () => ((await fetch(`${processor.url}/api/patterns`)).status === 401 ? true : undefined), 10_000);
    for (const path of [`/api/patterns?agent=${AGENT}`, `/api/clusters?agent=${AGENT}`, `/api/forecasts?agent=${AGENT}`]) {
      const { status, json } = await get(path, headers);
      assert.equal(status, 200, path);
      assert.deepEqual(Object.values(json)[0], [], path);
    }
    const insights = await get(`/api/insights?agent=${AGENT}`, headers);
    assert.deepEqual([insights.json.avoid, insights.json.reinforce, insights.json.suggested_improvements], [[], [], []]);
  } finally {
    await pool.end();
  }
});
