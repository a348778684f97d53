// A trace whose interactions cannot be built (the normalize stage throws on an odd span) never
// blocks the rest: its spans and log records are committed, the request is answered 200, other
// traces and other subtrees of the same trace are built, the failure is listed by
// GET /api/ingest/failures and counted in /metrics, and the trace is built again when more of
// it arrives. No odd span makes today's adapters throw (a fuzz of their inputs found none), so
// the processor's app is assembled here around a builder that throws on one span name: the
// normalize stage is passed into the app (AppOptions.normalizer) for this.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { Registry } from 'prom-client';
import { admissionOptionsOf, WriteAdmission } from '../processor/src/api/admission.ts';
import { createApp } from '../processor/src/api/app.ts';
import { createAuth } from '../processor/src/api/auth.ts';
import { registerApiMetrics } from '../processor/src/api/metrics.ts';
import { outcomesOf } from '../processor/src/mine/report.ts';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { loadConfig } from '../processor/src/config/config.ts';
import { buildInteractions, feedbackFromLogs, spanRoleOf } from '../processor/src/normalize/index.ts';
import { decodeTraces } from '../processor/src/otlp/index.ts';
import type { SpanRecord } from '../processor/src/otlp/records.ts';
import { createApiKey } from '../processor/src/store/access/api-keys.ts';
import { DEFAULT_PROJECT, ensureProject } from '../processor/src/store/access/projects.ts';
import { interactionToRow } from '../processor/src/store/interactions/rows.ts';
import { loadMigrations, migrate } from '../processor/src/store/migrate.ts';
import { startPostgres, type TestPostgres } from './harness.ts';
import { agentTurn, postJson, randomSpanId, randomTraceId, spanJson, tracesRequest } from './otlp-json-builder.ts';

/** The span name the builder throws on, while its trace is in `broken`. */
const ODD = 'execute_tool odd_tool';
const broken = new Set<string>();
const THROWN = "Cannot read properties of undefined (reading 'parts')";

function flakyBuild(spans: SpanRecord[], logs: Parameters<typeof buildInteractions>[1]) {
  if (spans.some((s) => s.name === ODD && broken.has(s.traceId))) throw new TypeError(THROWN);
  return buildInteractions(spans, logs);
}

let postgres: TestPostgres;
let pool: pg.Pool;
let server: Server;
let url: string;
before(async () => {
  postgres = await startPostgres();
  pool = new pg.Pool({ connectionString: postgres.url, max: 6 });
  const migrations = await loadMigrations();
  await migrate(pool, { migrations });
  const config = loadConfig({ DATABASE_URL: postgres.url });
  const admission = new WriteAdmission(admissionOptionsOf(config));
  const app = createApp({
    pool,
    ingestPool: pool,
    auth: createAuth({ pool, mode: 'auto' }),
    admission,
    metrics: registerApiMetrics(new Registry(), admission),
    normalizer: { buildInteractions: flakyBuild, spanRoleOf, feedbackFromLogs },
    latestMigration: migrations.at(-1)!.id,
    outcomes: outcomesOf(config),
    maxBodyBytes: config.maxBodyBytes,
    writeTimeoutMs: config.writeTimeoutMs,
    retryAfterSeconds: config.retryAfterSeconds,
    maxJsonDepth: config.maxJsonDepth,
    log: silentLogger,
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
  await postgres.destroy();
});

/** A session of two turns: the first agent fine, the second calling the odd tool. */
function sessionWithOddTurn() {
  const traceId = randomTraceId();
  const session = randomSpanId();
  const good = randomSpanId();
  const odd = randomSpanId();
  const span = (name: string, parentSpanId: string, startMs: number, attributes: Record<string, string | number>) =>
    spanJson({ traceId, spanId: randomSpanId(), parentSpanId, name, startMs, endMs: startMs + 50, attributes });
  const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12 };
  const goodChat = span('chat gpt-4o-mini', good, 10, chat);
  const spans = [
    spanJson({ traceId, spanId: good, parentSpanId: session, name: 'invoke_agent support', startMs: 0, endMs: 100, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    goodChat,
    spanJson({ traceId, spanId: odd, parentSpanId: session, name: 'invoke_agent support', startMs: 200, endMs: 300, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span('chat gpt-4o-mini', odd, 210, chat),
    span(ODD, odd, 260, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'odd_tool' }),
  ];
  const root = spanJson({ traceId, spanId: session, name: 'session', startMs: 0, endMs: 400 });
  return { traceId, good, odd, goodChat, spans, root };
}

async function failures(query = ''): Promise<{ status: number; body: { failures?: Record<string, unknown>[]; error?: string } }> {
  const response = await fetch(`${url}/api/ingest/failures${query}`);
  return { status: response.status, body: (await response.json()) as { failures?: Record<string, unknown>[] } };
}

async function failureCount(signal: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`flywheel_interaction_build_failures_total{signal="${signal}"}`));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

const COMPARABLE = `to_jsonb(i) - 'project_id' - 'created_at' - 'updated_at'`;

async function storedRows(traceId: string): Promise<unknown[]> {
  const { rows } = await pool.query<{ row: unknown }>(`SELECT ${COMPARABLE} AS row FROM interactions i WHERE trace_id = $1 ORDER BY id`, [traceId]);
  return rows.map((r) => r.row);
}

/** What a build of the whole of `spans` gives, as stored rows; `only` keeps the interactions of those span ids. */
async function expectedRows(spans: ReturnType<typeof spanJson>[], only?: string[]): Promise<unknown[]> {
  const records = decodeTraces(Buffer.from(JSON.stringify(tracesRequest(spans))), 'json').items;
  const interactions = buildInteractions(records, []).filter((i) => only === undefined || only.includes(i.spanId));
  const { rows } = await pool.query<{ row: unknown }>(
    `SELECT ${COMPARABLE} AS row FROM jsonb_populate_recordset(null::interactions, $1::jsonb) i ORDER BY id`,
    [JSON.stringify(interactions.map(interactionToRow))],
  );
  return rows.map((r) => r.row);
}

async function spanCount(traceId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM spans WHERE trace_id = $1', [traceId]);
  return rows[0]!.n;
}

void test('a batch with a trace that cannot be built is answered 200 with every span stored and the rest built', async () => {
  const good = agentTurn();
  const bad = sessionWithOddTurn();
  broken.add(bad.traceId);
  const counted = await failureCount('traces');

  const response = await postJson(`${url}/v1/traces`, tracesRequest([good.root, ...good.children, ...bad.spans]));
  assert.equal(response.status, 200);
  assert.deepEqual(response.json, {});

  assert.equal(await spanCount(good.traceId), 4);
  assert.equal(await spanCount(bad.traceId), 5);
  assert.deepEqual(await storedRows(good.traceId), await expectedRows([good.root, ...good.children]));
  // The other turn of the failing trace is built; the odd one is not.
  assert.deepEqual(await storedRows(bad.traceId), await expectedRows(bad.spans, [bad.good]));

  const listed = (await failures()).body.failures!.filter((f) => f.traceId === bad.traceId);
  assert.equal(listed.length, 1);
  const { error, firstFailedAt, lastFailedAt, ...rest } = listed[0]!;
  assert.deepEqual(rest, { traceId: bad.traceId, spanIds: [bad.odd], reason: 'build_error', attempts: 1 });
  assert.equal((error as string).split('\n')[0], `TypeError: ${THROWN}`);
  assert.match((error as string).split('\n')[1]!, /^\s+at (Object\.)?flakyBuild \(/);
  assert.equal(firstFailedAt, lastFailedAt);
  assert.ok(!Number.isNaN(Date.parse(firstFailedAt as string)));
  assert.equal(await failureCount('traces'), counted + 1);
});

void test('a failed trace is built again when more of it arrives: counted while it fails, cleared once it builds', async () => {
  const bad = sessionWithOddTurn();
  broken.add(bad.traceId);
  assert.equal((await postJson(`${url}/v1/traces`, tracesRequest(bad.spans))).status, 200);
  const logsCounted = await failureCount('logs');
  const tracesCounted = await failureCount('traces');

  // A log record for the other turn: the odd turn is tried again, and fails again.
  const logs = {
    resourceLogs: [{
      resource: { attributes: [] },
      scopeLogs: [{
        scope: { name: 'test' },
        logRecords: [{
          timeUnixNano: '1767225600020000000', eventName: 'gen_ai.user.message', traceId: bad.traceId, spanId: bad.goodChat.spanId,
          body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: 'Where is my order?' } }] } },
        }],
      }],
    }],
  };
  const again = await postJson(`${url}/v1/logs`, logs);
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, {});
  const [failure] = (await failures()).body.failures!.filter((f) => f.traceId === bad.traceId);
  assert.deepEqual([failure!.spanIds, failure!.attempts], [[bad.odd], 2]);
  assert.ok(Date.parse(failure!.lastFailedAt as string) > Date.parse(failure!.firstFailedAt as string));
  assert.equal(await failureCount('logs'), logsCounted + 1);

  // The fix is deployed; the session span arrives (it changes no interaction itself).
  broken.delete(bad.traceId);
  assert.equal((await postJson(`${url}/v1/traces`, tracesRequest([bad.root]))).status, 200);
  assert.deepEqual((await failures()).body.failures!.filter((f) => f.traceId === bad.traceId), []);
  const spans = [...bad.spans, bad.root];
  const expected = await expectedRows(spans);
  assert.equal(expected.length, 2);
  // The log record's message is in the first turn's input.
  const { rows } = await pool.query<{ user_input: unknown }>('SELECT user_input FROM interactions WHERE id = $1', [`${bad.traceId}-${bad.good}`]);
  assert.deepEqual(rows[0]!.user_input, [{ role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] }]);
  assert.deepEqual(
    (await storedRows(bad.traceId)).map((r) => ({ ...(r as object), user_input: null })),
    expected.map((r) => ({ ...(r as object), user_input: null })),
  );
  assert.equal(await failureCount('traces'), tracesCounted);
});

void test('GET /api/ingest/failures lists the most recent failure first, at most `limit`', async () => {
  const first = sessionWithOddTurn();
  const second = sessionWithOddTurn();
  broken.add(first.traceId);
  broken.add(second.traceId);
  assert.equal((await postJson(`${url}/v1/traces`, tracesRequest(first.spans))).status, 200);
  assert.equal((await postJson(`${url}/v1/traces`, tracesRequest(second.spans))).status, 200);
  const all = (await failures()).body.failures!.map((f) => f.traceId);
  assert.ok(all.indexOf(second.traceId) < all.indexOf(first.traceId) && all.indexOf(first.traceId) >= 0);
  const one = await failures('?limit=1');
  assert.deepEqual([one.status, one.body.failures!.map((f) => f.traceId)], [200, [second.traceId]]);
  const bad = await failures('?limit=0');
  assert.equal(bad.status, 400);
  assert.match(bad.body.error!, /^invalid query: /);
});

void test("another project's key sees none of these failures; the failing project's key sees them", async () => {
  const other = await ensureProject(pool, 'other-project');
  const otherKey = (await createApiKey(pool, { projectId: other.id, role: 'read', name: null })).key;
  const ownKey = (await createApiKey(pool, { projectId: DEFAULT_PROJECT.id, role: 'read', name: null })).key;
  const list = async (key: string) => {
    const response = await fetch(`${url}/api/ingest/failures`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, traceIds: ((await response.json()) as { failures: { traceId: string }[] }).failures.map((f) => f.traceId) };
  };
  for (let i = 0; i < 100 && (await failures()).status !== 401; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await failures()).status, 401);
  assert.deepEqual(await list(otherKey), { status: 200, traceIds: [] });
  const own = await list(ownKey);
  assert.equal(own.status, 200);
  assert.ok(own.traceIds.length >= 2, `the default project's failures are listed: ${own.traceIds.length}`);
});
