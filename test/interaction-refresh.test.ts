// Ingest rebuilds only the subtrees a batch can change (store/interactions/refresh.ts). Whatever
// the order and grouping spans and log records arrive in, the stored interactions must be
// those buildInteractions gives for the whole trace at once: generated traces of several
// shapes, sent through the real processor in shuffled batches of various sizes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildInteractions } from '../processor/src/normalize/index.ts';
import { decodeLogs, decodeTraces } from '../processor/src/otlp/index.ts';
import { interactionToRow } from '../processor/src/store/interactions/rows.ts';
import { startProcessor, type TestProcessor } from './harness.ts';
import { postJson } from './otlp-json-builder.ts';
import { mulberry32 } from '../processor/src/mine/stats.ts';

let processor: TestProcessor;
before(async () => {
  processor = await startProcessor();
});
after(async () => {
  await processor.stop();
});

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
const random = mulberry32;

type Value = string | number | string[] | Record<string, string>;

function anyValue(value: Value): unknown {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: { stringValue: v } })) } };
}

const keyValues = (attributes: Record<string, Value>) => Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
const BASE_NANOS = 1_767_225_600_000_000_000n;
const nanos = (micros: number) => (BASE_NANOS + BigInt(micros) * 1000n).toString();

interface Item {
  signal: 'traces' | 'logs';
  traceId: string;
  /** An OTLP/JSON Span or LogRecord. */
  json: Record<string, unknown>;
  /** When an SDK would export it (a span when it ends). */
  at: number;
}

/** One generated trace: spans and log records as OTLP/JSON items. Times are µs after a base, all distinct. */
class GeneratedTrace {
  readonly traceId: string;
  readonly items: Item[] = [];
  private clock = 0;
  private readonly rng: () => number;

  constructor(rng: () => number) {
    this.rng = rng;
    this.traceId = this.hex(32);
  }

  hex(length: number): string {
    let s = '';
    while (s.length < length) s += Math.floor(this.rng() * 16).toString(16);
    return s;
  }

  tick(): number {
    this.clock += 1 + Math.floor(this.rng() * 5);
    return this.clock;
  }

  /** Opens a span now; `end()` closes it and records it, as an SDK exports a span when it ends. */
  open(name: string, parent: string | null, attributes: Record<string, Value> = {}, events: { name: string; attributes: Record<string, Value> }[] = []) {
    const spanId = this.hex(16);
    const start = this.tick();
    return {
      spanId,
      end: (status?: { code: number; message?: string }, parentOverride?: string) => {
        const end = this.tick();
        this.items.push({
          signal: 'traces',
          traceId: this.traceId,
          at: end,
          json: {
            traceId: this.traceId,
            spanId,
            parentSpanId: parentOverride ?? parent ?? '',
            name,
            kind: 1,
            startTimeUnixNano: nanos(start),
            endTimeUnixNano: nanos(end),
            attributes: keyValues(attributes),
            events: events.map((e) => ({ timeUnixNano: nanos(start), name: e.name, attributes: keyValues(e.attributes) })),
            status: status ?? {},
          },
        });
        return spanId;
      },
    };
  }

  log(spanId: string | null, eventName: string, attributes: Record<string, Value>, body?: Value) {
    const at = this.tick();
    this.items.push({
      signal: 'logs',
      traceId: this.traceId,
      at,
      json: {
        timeUnixNano: nanos(at),
        observedTimeUnixNano: nanos(at),
        severityNumber: 9,
        eventName,
        traceId: this.traceId,
        ...(spanId === null ? {} : { spanId }),
        attributes: keyValues(attributes),
        ...(body === undefined ? {} : { body: anyValue(body) }),
      },
    });
  }

  chance(p: number): boolean {
    return this.rng() < p;
  }

  chat(parent: string, responseId: string, tokens: number) {
    const chat = this.open('chat gpt-4o-mini', parent, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.id': responseId,
      'gen_ai.usage.input_tokens': tokens,
      'gen_ai.usage.output_tokens': 1 + (tokens % 17),
      'gen_ai.response.finish_reasons': ['stop'],
    });
    this.log(chat.spanId, 'gen_ai.user.message', {}, { content: `question ${responseId}` });
    if (this.chance(0.7)) this.log(chat.spanId, 'gen_ai.choice', {}, { content: `answer ${responseId}` });
    chat.end(this.chance(0.1) ? { code: 2, message: 'rate limited' } : undefined);
    return chat.spanId;
  }

  tool(parent: string, n: number) {
    const tool = this.open('execute_tool lookup_order', parent, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_order',
      'gen_ai.tool.call.id': `call_${n}`,
    });
    if (this.chance(0.5)) this.open('GET /orders', tool.spanId, { 'http.request.method': 'GET' }).end();
    tool.end();
  }

  /** An evaluation record; without a span id it joins by response id (joinEvaluationsByResponseId). */
  evaluation(responseId: string, spanId: string | null = null) {
    this.log(spanId, 'gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'Relevance', 'gen_ai.response.id': responseId, 'gen_ai.evaluation.score.value': 0.5 });
  }

  /** invoke_agent over chat, tool, chat (more when `calls` is larger), under `parent`. */
  agent(parent: string | null, name: string, calls: number, turn: number) {
    const agent = this.open(`invoke_agent ${name}`, parent, {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': name,
      'gen_ai.conversation.id': `conv-${this.traceId.slice(0, 6)}`,
      'user.id': 'user-1',
    });
    for (let c = 0; c < calls; c++) {
      const responseId = `resp-${this.traceId.slice(0, 6)}-${turn}-${c}`;
      this.chat(agent.spanId, responseId, 10 + turn + c);
      if (this.chance(0.15)) this.evaluation(responseId);
      if (c % 2 === 0) this.tool(agent.spanId, turn * 100 + c);
    }
    if (this.chance(0.2)) this.log(agent.spanId, 'gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'user_feedback', 'gen_ai.evaluation.score.value': 1 });
    agent.end();
    return agent.spanId;
  }
}

/** A long session: many turns under a non-GenAI session span that ends last. */
function longSession(rng: () => number, turns: number): GeneratedTrace {
  const t = new GeneratedTrace(rng);
  const session = t.open('session', null, { 'session.id': 's-1' });
  for (let turn = 0; turn < turns; turn++) t.agent(session.spanId, 'support-agent', 1 + (turn % 3), turn);
  session.end();
  return t;
}

/** One agent with many calls, two of which share a response id (the first in start order takes its evaluations). */
function deepAgent(rng: () => number, calls: number): GeneratedTrace {
  const t = new GeneratedTrace(rng);
  const agent = t.open('invoke_agent planner', null, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' });
  for (let c = 0; c < calls; c++) {
    t.chat(agent.spanId, c === calls - 1 ? 'resp-shared' : `resp-deep-${c}`, c);
    if (c % 3 === 0) t.tool(agent.spanId, c);
  }
  t.chat(agent.spanId, 'resp-shared', 99);
  t.evaluation('resp-shared');
  t.evaluation('resp-deep-1');
  agent.end();
  return t;
}

/** Hand-offs, a workflow over agents, an orphan, parent cycles, a span that is its own parent, an evaluation naming a late span. */
function handOffs(rng: () => number): GeneratedTrace {
  const t = new GeneratedTrace(rng);
  const workflow = t.open('invoke_workflow triage', null, { 'gen_ai.operation.name': 'invoke_workflow' });
  const outer = t.open('invoke_agent triage', workflow.spanId, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage' });
  t.chat(outer.spanId, 'resp-h-1', 5);
  const handOff = t.open('execute_tool transfer_to_billing', outer.spanId, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer_to_billing' });
  t.agent(handOff.spanId, 'billing', 2, 1);
  handOff.end();
  t.agent(outer.spanId, 'refunds', 1, 2);
  outer.end();
  t.agent(workflow.spanId, 'followup', 2, 3);
  t.chat(workflow.spanId, 'resp-h-direct', 7);
  workflow.end();
  // A chat whose parent is never sent, with an evaluation naming a span that is never sent either.
  t.chat(t.hex(16), 'resp-h-orphan', 3);
  t.evaluation('resp-h-orphan', t.hex(16));
  // A parent cycle (malformed): an agent and a chat naming each other, an HTTP span beneath.
  const loopAgent = t.open('invoke_agent loop', null, { 'gen_ai.operation.name': 'invoke_agent' });
  const loopChat = t.open('chat loop', loopAgent.spanId, { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 4 });
  t.open('GET /loop', loopChat.spanId, {}).end();
  loopChat.end();
  loopAgent.end(undefined, loopChat.spanId);
  // A parent cycle of non-GenAI spans with an agent beneath whose chat started first: assembly
  // breaks the cycle at that chat, which becomes an interaction of its own.
  const early = t.open('chat early', null, { 'gen_ai.operation.name': 'chat' });
  const loopA = t.open('loop a', null);
  const loopB = t.open('loop b', loopA.spanId);
  const beneath = t.open('invoke_agent beneath loop', loopB.spanId, { 'gen_ai.operation.name': 'invoke_agent' });
  early.end(undefined, beneath.spanId);
  beneath.end();
  loopB.end();
  loopA.end(undefined, loopB.spanId);
  const self = t.open('chat self', null, { 'gen_ai.operation.name': 'chat' });
  self.end(undefined, self.spanId);
  // An evaluation naming a chat that may arrive later: until then it joins by response id.
  const named = t.open('invoke_agent named', null, { 'gen_ai.operation.name': 'invoke_agent' });
  const first = t.chat(named.spanId, 'resp-h-named', 1);
  t.evaluation('resp-h-named', first);
  t.chat(named.spanId, 'resp-h-named', 2);
  named.end();
  return t;
}

function tracesBody(spans: Item[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': 'support-agent', 'service.version': '2.0.0' }) },
        scopeSpans: [{ scope: { name: 'test-builder', version: '1.0.0' }, spans: spans.map((i) => i.json) }],
      },
    ],
  };
}

function logsBody(logs: Item[]) {
  return {
    resourceLogs: [
      {
        resource: { attributes: keyValues({ 'service.name': 'support-agent', 'service.version': '2.0.0' }) },
        scopeLogs: [{ scope: { name: 'test-builder', version: '1.0.0' }, logRecords: logs.map((i) => i.json) }],
      },
    ],
  };
}

/** Sends the items in batches of 1..maxBatch items (a batch of spans and logs is two requests), some re-sent. */
async function send(items: Item[], maxBatch: number, rng: () => number): Promise<void> {
  const sent: Item[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 1 + Math.floor(rng() * maxBatch);
    const batch = items.slice(i, i + size);
    i += size;
    sent.push(batch);
    await post(batch, rng);
    // A retried export: the same batch again.
    if (rng() < 0.05) await post(sent[Math.floor(rng() * sent.length)] as Item[], rng);
  }
}

async function post(batch: Item[], rng: () => number): Promise<void> {
  const requests = [
    { path: '/v1/traces', items: batch.filter((i) => i.signal === 'traces'), body: tracesBody },
    { path: '/v1/logs', items: batch.filter((i) => i.signal === 'logs'), body: logsBody },
  ];
  if (rng() < 0.5) requests.reverse();
  for (const request of requests) {
    if (request.items.length === 0) continue;
    const response = await postJson(`${processor.url}${request.path}`, request.body(request.items));
    assert.equal(response.status, 200, response.text);
  }
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Rows as Postgres stores them, without the columns ingest does not compute. */
const COMPARABLE = `to_jsonb(i) - 'project_id' - 'created_at' - 'updated_at'`;

async function storedRows(traceId: string): Promise<unknown[]> {
  const rows = await processor.query<{ row: unknown }>(`SELECT ${COMPARABLE} AS row FROM interactions i WHERE trace_id = $1 ORDER BY id`, [traceId]);
  return rows.map((r) => r.row);
}

/** buildInteractions over the whole trace (as the processor decodes it), converted by Postgres as a stored row would be. */
async function expectedRows(trace: GeneratedTrace): Promise<unknown[]> {
  const spans = decodeTraces(Buffer.from(JSON.stringify(tracesBody(trace.items.filter((i) => i.signal === 'traces')))), 'json').items;
  const logs = decodeLogs(Buffer.from(JSON.stringify(logsBody(trace.items.filter((i) => i.signal === 'logs')))), 'json').items;
  const interactions = buildInteractions(spans, logs);
  const rows = await processor.query<{ row: unknown }>(
    `SELECT ${COMPARABLE} AS row FROM jsonb_populate_recordset(null::interactions, $1::jsonb) i ORDER BY id`,
    [JSON.stringify(interactions.map(interactionToRow))],
  );
  return rows.map((r) => r.row);
}

const ORDERS = {
  /** As SDKs export: each span when it ends (children before parents, the session last). */
  export: (items: Item[]) => [...items].sort((x, y) => x.at - y.at),
  /** Parents before children where possible: the reverse of the export order. */
  reversed: (items: Item[]) => [...items].sort((x, y) => y.at - x.at),
  shuffled: (items: Item[], rng: () => number) => shuffle(items, rng),
};

for (const [seed, order, maxBatch] of [
  [1, 'shuffled', 40], [2, 'shuffled', 7], [3, 'export', 50], [4, 'reversed', 25], [5, 'shuffled', 120],
] as const) {
  void test(`stored interactions equal a build of the whole trace: seed ${seed}, ${order} order, batches of 1..${maxBatch}`, async () => {
    const rng = random(seed);
    const traces = [longSession(rng, 60), deepAgent(rng, 80), handOffs(rng), handOffs(rng), longSession(rng, 5)];
    // Batches mix the traces, as an SDK's batch processor does.
    await send(ORDERS[order](traces.flatMap((t) => t.items), rng), maxBatch, rng);
    let compared = 0;
    for (const trace of traces) {
      const expected = await expectedRows(trace);
      assert.deepEqual(await storedRows(trace.traceId), expected, `trace ${trace.traceId}`);
      compared += expected.length;
    }
    // 60 + 5 turns, one deep agent, and per hand-off trace: the workflow's two agents (the hand-off
    // folds into its caller) and its direct chat, the orphan chat, the agent cycle, the early chat
    // and the agent beneath the other cycle, the self-parented chat and the named agent.
    assert.equal(compared, 60 + 1 + 2 * 9 + 5);
  });
}

void test('a session span arriving last rewrites no interaction, and queues each to be scored again (it may no longer await a parent)', async () => {
  const trace = longSession(random(9), 30);
  const items = ORDERS.export(trace.items);
  const root = items.at(-1) as Item;
  assert.equal((root.json as { name: string }).name, 'session');
  await send(items.slice(0, -1), 20, random(10));
  const beforeRows = await storedRows(trace.traceId);
  assert.equal(beforeRows.length, 30);
  await processor.query('DELETE FROM score_queue WHERE interaction_id LIKE $1', [`${trace.traceId}-%`]);
  const updated = 'SELECT id, updated_at FROM interactions WHERE trace_id = $1 ORDER BY id';
  const beforeRoot = await processor.query<{ id: string; updated_at: Date }>(updated, [trace.traceId]);
  assert.equal(beforeRoot.length, 30);

  await post([root], random(11));
  assert.deepEqual(await storedRows(trace.traceId), beforeRows);
  assert.deepEqual(beforeRows, await expectedRows(trace));
  assert.deepEqual(await processor.query(updated, [trace.traceId]), beforeRoot);
  const queued = await processor.query<{ interaction_id: string; reason: string }>(
    'SELECT interaction_id, reason FROM score_queue WHERE interaction_id LIKE $1 ORDER BY interaction_id',
    [`${trace.traceId}-%`],
  );
  assert.deepEqual(queued, beforeRoot.map((r) => ({ interaction_id: r.id, reason: 'ingest' })));
});

void test('spans stored without their role (before migration 0008, or by an older processor) get it, and their trace is rebuilt whole', async () => {
  const trace = longSession(random(12), 6);
  const items = ORDERS.export(trace.items);
  const last = items.at(-1) as Item;
  await send(items.slice(0, -1), 30, random(13));
  await processor.query('UPDATE spans SET genai_role = NULL WHERE trace_id = $1', [trace.traceId]);
  const before = await processor.query<{ id: string; updated_at: Date }>('SELECT id, updated_at FROM interactions WHERE trace_id = $1 ORDER BY id', [trace.traceId]);
  assert.equal(before.length, 6);

  await post([last], random(14));
  const roles = await processor.query<{ name: string; genai_role: string; n: number }>(
    'SELECT name, genai_role, count(*)::int AS n FROM spans WHERE trace_id = $1 GROUP BY 1, 2 ORDER BY name COLLATE "C", genai_role',
    [trace.traceId],
  );
  const role: Record<string, string> = { 'GET /orders': 'none', 'chat gpt-4o-mini': 'genai', 'execute_tool lookup_order': 'genai', 'invoke_agent support-agent': 'agent', session: 'none' };
  const counts = new Map<string, number>();
  for (const item of trace.items) if (item.signal === 'traces') counts.set(item.json.name as string, (counts.get(item.json.name as string) ?? 0) + 1);
  assert.equal(counts.get('chat gpt-4o-mini'), 12);
  assert.deepEqual(roles.map((r) => [r.name, r.genai_role, r.n]), [...counts].sort().map(([name, n]) => [name, role[name], n]));
  const after = await processor.query<{ id: string; updated_at: Date }>('SELECT id, updated_at FROM interactions WHERE trace_id = $1 ORDER BY id', [trace.traceId]);
  assert.deepEqual(after.map((r) => r.id), before.map((r) => r.id));
  for (const [i, row] of after.entries()) assert.ok(row.updated_at > before[i]!.updated_at, row.id);
  assert.deepEqual(await storedRows(trace.traceId), await expectedRows(trace));
});
