// End to end: the support-agent example and plain openai calls, instrumented by
// @agent-flywheel/instrumentation, exported through the real OTLP exporter to the real processor
// on embedded Postgres; the stored interactions are asserted field by field. The model is the
// local OpenAI-compatible server of the instrumentation tests.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import type OpenAI from 'openai';
import { answer } from '../examples/support-agent/agent.ts';
import { recordFeedback, register, withInteraction } from '../instrumentation/src/index.ts';
import {
  EMBEDDING_MODEL,
  MODEL,
  RESPONSE_MODEL,
  apiError,
  chatCompletion,
  chatStreamEvents,
  embeddingsReply,
  responseReply,
  responseStreamEvents,
} from '../instrumentation/test/openai-fixtures.ts';
import { type OpenAIServer, type RecordedRequest, type Reply, startOpenAIServer } from '../instrumentation/test/openai-server.ts';
import { type TestProcessor, freePort, startProcessor } from './harness.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = fileURLToPath(new URL('../examples/support-agent/main.ts', import.meta.url));
const ANSWER = 'Order A-1001 shipped with DHL and should arrive on 2 May.';

/** The support agent's model: tool calls for a question, an answer once the tools replied. */
function supportModel(request: RecordedRequest): Reply {
  const messages = request.body.messages as { role: string }[];
  if (messages.at(-1)?.role !== 'tool') {
    return {
      json: {
        id: 'chatcmpl-tools',
        object: 'chat.completion',
        created: 1_777_000_000,
        model: RESPONSE_MODEL,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [
                { id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1001"}' } },
                { id: 'call_2', type: 'function', function: { name: 'search_knowledge_base', arguments: '{"query":"shipping times"}' } },
              ],
            },
            logprobs: null,
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60, prompt_tokens_details: { cached_tokens: 0 } },
      },
    };
  }
  return chatCompletion(ANSWER, 'chatcmpl-answer');
}

let processor: TestProcessor;
let model: OpenAIServer;
let client: OpenAI;
let flywheel: ReturnType<typeof register>;

before(async () => {
  processor = await startProcessor();
  model = await startOpenAIServer(supportModel);
  flywheel = register({ serviceName: 'support-agent-e2e', endpoint: processor.url, captureContent: true });
  // Required after register(), as an app loads it: the CommonJS hook patches it.
  const { OpenAI: Client } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAI };
  client = new Client({ apiKey: 'sk-test', baseURL: model.baseURL, maxRetries: 0 });
});

after(async () => {
  await flywheel.shutdown();
  await model.close();
  await processor.stop();
});

async function interaction(id: string): Promise<Record<string, unknown>> {
  await flywheel.forceFlush();
  const [row] = await processor.query('SELECT * FROM interactions WHERE id = $1', [id]);
  assert.ok(row, `interaction ${id} stored`);
  return row;
}

/** The one interaction made of model calls with no agent around them (in a plain HTTP-handler span). */
async function onlyInteractionOf(run: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const handler = trace.getTracer('e2e').startSpan('POST /ask');
  try {
    await context.with(trace.setSpan(context.active(), handler), run);
  } finally {
    handler.end();
  }
  await flywheel.forceFlush();
  const rows = await processor.query('SELECT * FROM interactions WHERE trace_id = $1', [handler.spanContext().traceId]);
  assert.equal(rows.length, 1);
  return rows[0]!;
}

/** Text that only message content holds: the answer, a tool result, tool arguments. */
const CONTENT = 'shipped with DHL|Standard shipping|order_id';

/** Every stored row of a trace (spans, log records, interactions) whose text matches `pattern`. */
function rowsWithContent(traceId: string, pattern: string): Promise<Record<string, unknown>[]> {
  return processor.query(
    `SELECT 'span' AS kind, name FROM spans WHERE trace_id = $1 AND (attributes::text ~ $2 OR events::text ~ $2)
     UNION ALL SELECT 'log', event_name FROM log_records WHERE trace_id = $1 AND (attributes::text ~ $2 OR coalesce(body::text, '') ~ $2)
     UNION ALL SELECT 'interaction', id FROM interactions WHERE trace_id = $1 AND row_to_json(interactions)::text ~ $2`,
    [traceId, pattern],
  );
}

function runNode(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && k !== 'NODE_OPTIONS'));
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { ...base, OPENAI_BASE_URL: model.baseURL, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('a support-agent turn is stored as one interaction: model, tokens, input, output, tools, intent, confidence, sources, feedback', async () => {
  model.respond(supportModel);
  const result = await answer(client, MODEL, { question: 'Where is my order A-1001?', userId: 'user-42', conversationId: 'conv-e2e' });
  assert.equal(result.text, ANSWER);
  const feedbackKey = recordFeedback({
    interaction: result.interactionId,
    rating: 4,
    comment: 'Right, but I wanted the tracking link',
    correction: 'Tracking: DHL 123',
    userId: 'user-42',
  });
  const row = await interaction(result.interactionId);
  const tools = row.tools as Record<string, unknown>[];
  const { id, trace_id, span_id, start_time, start_time_unix_nano, response_time_ms, span_ids, created_at: _c, updated_at: _u, tools: _t, ...fields } =
    row;
  assert.equal(id, result.interactionId);
  // start_time holds microseconds; node-postgres rounds them to the millisecond a Date can hold.
  assert.ok(Math.abs((start_time as Date).getTime() - Number(start_time_unix_nano) / 1e6) < 1);
  assert.equal(`${String(trace_id)}-${String(span_id)}`, result.interactionId);
  assert.ok(typeof response_time_ms === 'number' && response_time_ms > 0);
  assert.equal((span_ids as string[]).length, 5, 'agent, two model calls, two tools');
  assert.deepEqual(fields, {
    operation: 'invoke_agent',
    name: 'invoke_agent support-agent',
    time_to_first_token_ms: null,
    session_id: 'conv-e2e',
    user_id: 'user-42',
    agent_name: 'support-agent',
    agent_id: null,
    service_name: 'support-agent-e2e',
    service_version: null,
    system_instructions: null,
    user_input: [{ role: 'user', parts: [{ type: 'text', content: 'Where is my order A-1001?' }] }],
    response: [{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }],
    request_model: MODEL,
    response_model: RESPONSE_MODEL,
    provider: 'openai',
    input_tokens: '82',
    output_tokens: '29',
    cache_read_input_tokens: '8',
    cache_creation_input_tokens: null,
    reasoning_output_tokens: '3',
    finish_reasons: ['stop'],
    intent: 'order_status',
    confidence: 0.9,
    knowledge_sources: ['orders://A-1001', 'kb://shipping-times'],
    prompt_version: 'support-v3',
    expected_output: null,
    status: 'unset',
    error_type: null,
    error_message: null,
    conventions: ['genai-semconv'],
    sub_agents: [],
    project_id: 1,
  });
  // By call id: the SDK's span start times have millisecond precision, and both tools start in
  // the same millisecond, so the stored order of the two is the processor's tie-break.
  assert.deepEqual(
    tools.map(({ spanId: _s, durationMs: _d, ...tool }) => tool).sort((a, b) => String(a.callId).localeCompare(String(b.callId))),
    [
      {
        name: 'lookup_order',
        callId: 'call_1',
        error: null,
        arguments: { order_id: 'A-1001' },
        result: { content: { order_id: 'A-1001', status: 'shipped', carrier: 'DHL', eta: '2026-05-02' }, source: 'orders://A-1001' },
      },
      {
        name: 'search_knowledge_base',
        callId: 'call_2',
        error: null,
        arguments: { query: 'shipping times' },
        result: {
          content: { results: [{ id: 'kb://shipping-times', text: 'Standard shipping takes 2 to 4 business days.' }] },
          source: 'kb://shipping-times',
        },
      },
    ],
  );
  assert.ok((await rowsWithContent(String(trace_id), CONTENT)).length > 0, 'content stored under capture (control for the capture-off test)');
  const feedback = await processor.query(
    `SELECT event_name, attributes FROM log_records WHERE trace_id = $1 AND span_id = $2`,
    [trace_id, span_id],
  );
  assert.deepEqual(feedback, [
    {
      event_name: 'gen_ai.evaluation.result',
      attributes: {
        'gen_ai.evaluation.name': 'user_feedback',
        'gen_ai.evaluation.score.value': 0.75,
        'flywheel.feedback.idempotency_key': feedbackKey,
        'flywheel.feedback.rating': 4,
        'gen_ai.evaluation.explanation': 'Right, but I wanted the tracking link',
        'flywheel.feedback.correction': 'Tracking: DHL 123',
        'user.id': 'user-42',
      },
    },
  ]);
});

test('a streamed answer is stored with its time to first token, usage and reassembled response', async () => {
  model.respond(() => ({ sse: chatStreamEvents(['Your order ', 'has shipped.']) }));
  const id = await withInteraction({ agent: 'streamer' }, async (turn) => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Where is it?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream);
    return turn.id;
  });
  const row = await interaction(id);
  assert.ok(typeof row.time_to_first_token_ms === 'number' && row.time_to_first_token_ms > 0);
  assert.deepEqual(
    [row.input_tokens, row.output_tokens, row.response, row.finish_reasons],
    ['42', '9', [{ role: 'assistant', parts: [{ type: 'text', content: 'Your order has shipped.' }], finish_reason: 'stop' }], ['stop']],
  );
});

test('a Responses call, plain and streamed, is stored with its instructions, input, output and tokens', async () => {
  for (const stream of [false, true]) {
    model.respond(() => (stream ? { sse: responseStreamEvents(['A-1001 has ', 'shipped.']) } : responseReply('A-1001 has shipped.')));
    const row = await onlyInteractionOf(async () => {
      const response = await client.responses.create({ model: MODEL, instructions: 'Answer in one sentence.', input: 'Where is A-1001?', stream });
      if (stream) for await (const _ of response as AsyncIterable<unknown>);
    });
    assert.deepEqual(
      {
        operation: row.operation,
        system_instructions: row.system_instructions,
        user_input: row.user_input,
        response: row.response,
        tokens: [row.input_tokens, row.output_tokens, row.cache_read_input_tokens, row.reasoning_output_tokens],
        ttft: row.time_to_first_token_ms !== null,
      },
      {
        operation: 'chat',
        system_instructions: [{ type: 'text', content: 'Answer in one sentence.' }],
        user_input: [{ role: 'user', parts: [{ type: 'text', content: 'Where is A-1001?' }] }],
        response: [{ role: 'assistant', parts: [{ type: 'text', content: 'A-1001 has shipped.' }], finish_reason: 'stop' }],
        tokens: ['30', '12', '4', '2'],
        ttft: stream,
      },
      stream ? 'streamed' : 'plain',
    );
  }
});

test('an embeddings call is stored with its model and input tokens', async () => {
  model.respond((request) => embeddingsReply(request.body));
  const row = await onlyInteractionOf(() => client.embeddings.create({ model: EMBEDDING_MODEL, input: 'refund policy' }));
  assert.deepEqual(
    [row.operation, row.request_model, row.response_model, row.input_tokens, row.status],
    ['embeddings', EMBEDDING_MODEL, EMBEDDING_MODEL, '7', 'unset'],
  );
});

test('an API error and a stream cut off mid-way are stored as failed interactions with their error type', async () => {
  model.respond(() => apiError(400, 'invalid_value', 'bad request'));
  const failed = await withInteraction({ agent: 'support' }, async (turn) => {
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    return turn.id;
  });
  const row = await interaction(failed);
  assert.deepEqual([row.status, row.error_type], ['error', 'BadRequestError']);

  model.respond(() => ({ sse: chatStreamEvents(['cut ', 'off ', 'here']), cutAfter: 2 }));
  const cut = await onlyInteractionOf(async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    await assert.rejects(async () => {
      for await (const _ of stream);
    });
  });
  assert.equal(cut.status, 'error');
  assert.equal(typeof cut.error_type, 'string');
});

test('with content capture off (zero-code start), no message content is stored anywhere', async () => {
  model.respond(supportModel);
  const marker = 'marker-7f3a';
  const run = await runNode(['--import', '@agent-flywheel/instrumentation/register', MAIN, '--rating', '2', `Where is my order A-1001? ${marker}`], {
    OTEL_SERVICE_NAME: 'support-agent-no-content',
    OTEL_EXPORTER_OTLP_ENDPOINT: processor.url,
  });
  assert.deepEqual(run, { code: 0, stdout: `${ANSWER}\n`, stderr: '' });
  const rows = await processor.query('SELECT * FROM interactions WHERE service_name = $1', ['support-agent-no-content']);
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.deepEqual(
    [row.user_input, row.response, row.system_instructions, row.expected_output, row.intent, row.confidence],
    [null, null, null, null, 'order_status', 0.9],
  );
  for (const tool of row.tools as { arguments: unknown; result: unknown }[]) {
    assert.deepEqual([tool.arguments, tool.result], [null, null]);
  }
  assert.deepEqual(await rowsWithContent(String(row.trace_id), `${marker}|${CONTENT}`), []);
  const [feedback] = await processor.query('SELECT attributes FROM log_records WHERE trace_id = $1', [row.trace_id]);
  assert.equal((feedback?.attributes as Record<string, unknown>)['gen_ai.evaluation.score.value'], 0.25);
});

test('with the processor down, the agent gives the same answers, output and exit code', async () => {
  model.respond(supportModel);
  const args = [MAIN, 'Where is my order A-1001?'];
  const plain = await runNode(args, {});
  const down = await runNode(['--import', '@agent-flywheel/instrumentation/register', ...args], {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
  });
  assert.deepEqual(down, plain);
  assert.equal(plain.stdout, `${ANSWER}\n`);
});
