// GET /api/interactions (filters, cursor pagination, capped limit) and /api/interactions/:id.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_PAGE_SIZE } from '../processor/src/api/interactions.ts';
import { startProcessor, type TestProcessor } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';

let processor: TestProcessor;
const turns: ReturnType<typeof agentTurn>[] = [];
before(async () => {
  processor = await startProcessor();
  // 12 turns, one minute apart: agents a/b alternate, sessions s0..s3, users u0/u1.
  for (let k = 0; k < 12; k++) {
    turns.push(
      agentTurn({ agent: k % 2 === 0 ? 'agent-a' : 'agent-b', session: `s${k % 4}`, user: `u${k % 2 === 0 ? 0 : 1}`, offsetMs: k * 60_000 }),
    );
  }
  const spans = turns.flatMap((t) => [t.root, ...t.children]);
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(spans))).status, 200);
});
after(async () => {
  await processor.stop();
});

const get = async (path: string) => {
  const response = await fetch(`${processor.url}${path}`);
  // JSON under test, asserted field by field.
  return { status: response.status, body: (await response.json()) as any };
};

const ids = (body: { interactions: { id: string }[] }) => body.interactions.map((i) => i.id);
const newestFirst = (list: typeof turns) => [...list].reverse().map((t) => t.id);

test('lists interactions newest first with their fields in camelCase', async () => {
  const r = await get('/api/interactions');
  assert.equal(r.status, 200);
  assert.deepEqual(ids(r.body), newestFirst(turns));
  assert.equal(r.body.nextCursor, null);
  const newest = r.body.interactions[0];
  const turn = turns[11]!;
  assert.deepEqual(newest, {
    id: turn.id,
    traceId: turn.traceId,
    spanId: turn.rootId,
    operation: 'invoke_agent',
    name: 'invoke_agent agent-b',
    timestamp: new Date(1_767_225_600_000 + 11 * 60_000).toISOString(),
    responseTimeMs: 1000,
    timeToFirstTokenMs: null,
    sessionId: 's3',
    userId: 'u1',
    agent: { name: 'agent-b', id: null, serviceName: 'support-agent', serviceVersion: null },
    systemInstructions: null,
    userInput: null,
    response: null,
    model: { request: 'gpt-4o-mini', response: null },
    provider: 'openai',
    tokens: { input: 300, output: 30, cacheReadInput: null, cacheCreationInput: null, reasoningOutput: null },
    finishReasons: ['stop'],
    tools: [{ name: 'lookup_order', callId: 'call_1', spanId: turn.children[1]!.spanId, durationMs: 100, error: null, arguments: null, result: null }],
    subAgents: [],
    intent: null,
    confidence: null,
    knowledgeSources: [],
    promptVersion: null,
    expectedOutput: null,
    status: 'unset',
    error: null,
    spanIds: [turn.rootId, ...turn.children.map((c) => c.spanId)],
    conventions: ['genai-semconv'],
    updatedAt: newest.updatedAt,
  });
});

test('filters by agent, session, user and time range', async () => {
  assert.deepEqual(ids((await get('/api/interactions?agent=agent-a')).body), newestFirst(turns.filter((_, k) => k % 2 === 0)));
  assert.deepEqual(ids((await get('/api/interactions?session=s1')).body), newestFirst([turns[1]!, turns[5]!, turns[9]!]));
  assert.deepEqual(ids((await get('/api/interactions?user=u1&session=s3')).body), newestFirst([turns[3]!, turns[7]!, turns[11]!]));
  const since = new Date(1_767_225_600_000 + 3 * 60_000).toISOString();
  const until = new Date(1_767_225_600_000 + 6 * 60_000).toISOString();
  assert.deepEqual(
    ids((await get(`/api/interactions?since=${since}&until=${until}`)).body),
    newestFirst(turns.slice(3, 6)),
  );
});

test('pages through everything with the cursor, no row twice or missing', async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await get(`/api/interactions?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    seen.push(...ids(r.body));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor);
  assert.deepEqual(seen, newestFirst(turns));
  assert.equal(pages, 3);
});

describe('with more interactions than the cap', () => {
  const COUNT = MAX_PAGE_SIZE + 100;
  let many: TestProcessor;
  const roots: ReturnType<typeof agentTurn>[] = [];
  before(async () => {
    // A processor of its own, so the other tests' listings stay exactly their 12 turns.
    many = await startProcessor();
    for (let k = 0; k < COUNT; k++) roots.push(agentTurn({ agent: 'bulk', offsetMs: k * 1000 }));
    // Root spans only, all in one request: one interaction each.
    assert.equal((await postJson(`${many.url}/v1/traces`, tracesRequest(roots.map((t) => t.root)))).status, 200);
  });
  after(async () => {
    await many.stop();
  });

  test('a limit above the cap is served at the cap, with a cursor to the rest', async () => {
    const first = await fetch(`${many.url}/api/interactions?limit=${MAX_PAGE_SIZE * 10}`);
    assert.equal(first.status, 200);
    const page = (await first.json()) as { interactions: { id: string }[]; nextCursor: string | null };
    assert.equal(page.interactions.length, MAX_PAGE_SIZE);
    assert.deepEqual(ids(page), newestFirst(roots).slice(0, MAX_PAGE_SIZE));
    assert.equal(typeof page.nextCursor, 'string');
    const second = (await (await fetch(`${many.url}/api/interactions?limit=${MAX_PAGE_SIZE * 10}&cursor=${page.nextCursor}`)).json()) as typeof page;
    assert.deepEqual(ids(second), newestFirst(roots).slice(MAX_PAGE_SIZE));
    assert.equal(second.nextCursor, null);
  });
});

test('bad query parameters are a 400 with the zod message', async () => {
  const badLimit = await get('/api/interactions?limit=zero');
  assert.equal(badLimit.status, 400);
  assert.match(badLimit.body.error, /^invalid query: .*limit/s);
  const badSince = await get('/api/interactions?since=yesterday');
  assert.equal(badSince.status, 400);
  assert.match(badSince.body.error, /since/);
  const unknown = await get('/api/interactions?agnet=a');
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error, /agnet/);
  const badCursor = await get('/api/interactions?cursor=abc');
  assert.equal(badCursor.status, 400);
  assert.match(badCursor.body.error, /cursor/);
});

test('one interaction comes with its spans and events', async () => {
  const turn = turns[0]!;
  const r = await get(`/api/interactions/${turn.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.id, turn.id);
  assert.deepEqual(
    r.body.spans.map((s: { spanId: string; parentSpanId: string | null; name: string }) => [s.spanId, s.parentSpanId, s.name]),
    [
      [turn.rootId, null, 'invoke_agent agent-a'],
      [turn.children[0]!.spanId, turn.rootId, 'chat gpt-4o-mini'],
      [turn.children[1]!.spanId, turn.rootId, 'execute_tool lookup_order'],
      [turn.children[2]!.spanId, turn.rootId, 'chat gpt-4o-mini'],
    ],
  );
  assert.deepEqual(r.body.events, []);
});

test('an unknown or malformed id is a 404 or 400', async () => {
  const missing = await get(`/api/interactions/${'a'.repeat(32)}-${'b'.repeat(16)}`);
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /no interaction with id/);
  const malformed = await get('/api/interactions/nope');
  assert.equal(malformed.status, 400);
  assert.match(malformed.body.error, /id must be <32 hex trace id>-<16 hex span id>/);
});
