// End to end: the real `openai` client (6.49.0; the package supports <7) instrumented by
// @opentelemetry/instrumentation-openai 0.22.0 with content capture on, exported through the OTel
// SDK's OTLP exporters (traces, log records: the message content, metrics) to the real processor.
// The stored interactions are asserted field by field.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { logs, metrics, trace } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { type PeerSession, type Row, fieldsOf, startPeerSession } from './peer-harness.ts';
import {
  type ChatClient,
  EMBEDDING_MODEL,
  MISSING_MODEL,
  MODEL,
  PLAIN_RESPONSE,
  QUESTION_MESSAGE,
  RESPONSE_MODEL,
  STREAM_RESPONSE,
  SYSTEM_MESSAGE,
  TOOL_ANSWER_RESPONSE,
  TOOL_CALL_PART,
  TOOL_CALL_RESPONSE,
  TOOL_RESULT_PART,
  embeddingCall,
  failedCall,
  peerModel,
  plainCall,
  streamedCall,
  toolRoundTrip,
} from './peer-openai-scenarios.ts';

const SERVICE = 'contrib-openai-e2e';
const require = createRequire(import.meta.url);
let session: PeerSession;
let client: ChatClient;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
  const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
  // As registerInstrumentations() would; the metric instruments are made here.
  instrumentation.setTracerProvider(trace.getTracerProvider());
  instrumentation.setLoggerProvider(logs.getLoggerProvider());
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  // Its hook matches the module name `openai` only; this copy is installed as `openai-v6`.
  const openai = require('openai-v6') as { OpenAI: new (options: object) => ChatClient };
  const { VERSION } = require('openai-v6/version') as { VERSION: string };
  for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(openai, VERSION);
  client = new openai.OpenAI({ apiKey: 'sk-test', baseURL: session.model.baseURL, maxRetries: 0 });
});

after(() => session.stop());

/** Every field of a contrib chat interaction that the scenarios below do not change. */
const CHAT: Row = {
  operation: 'chat',
  name: `chat ${MODEL}`,
  session_id: null,
  user_id: null,
  agent_name: null,
  agent_id: null,
  service_name: SERVICE,
  service_version: '1.4.2',
  system_instructions: null,
  request_model: MODEL,
  response_model: RESPONSE_MODEL,
  provider: 'openai',
  input_tokens: '42',
  output_tokens: '9',
  // Not emitted by the package (its src/instrumentation.ts): unknown, not 0.
  cache_read_input_tokens: null,
  cache_creation_input_tokens: null,
  reasoning_output_tokens: null,
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'unset',
  error_type: null,
  error_message: null,
  conventions: ['contrib-openai', 'genai-semconv'],
  sub_agents: [],
};

test('a plain chat call: model, provider, tokens, and the messages from its log records', async () => {
  const { interactions } = await session.turn(() => plainCall(client), 'contrib-openai-plain');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), {
    ...CHAT,
    user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE],
    response: PLAIN_RESPONSE,
    finish_reasons: ['stop'],
  });
  assert.deepEqual([row.time_to_first_token_ms, row.tools], [null, []]);
});

test('a streamed call: usage only when the app asks for it in stream_options, and no time to first token', async () => {
  const withUsage = (await session.turn(() => streamedCall(client), 'contrib-openai-stream')).interactions;
  const withoutUsage = (await session.turn(() => streamedCall(client, false))).interactions;
  for (const [rows, tokens] of [[withUsage, ['42', '9']], [withoutUsage, [null, null]]] as const) {
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual(fieldsOf(row), {
      ...CHAT,
      input_tokens: tokens[0],
      output_tokens: tokens[1],
      user_input: [QUESTION_MESSAGE],
      response: STREAM_RESPONSE,
      finish_reasons: ['stop'],
    });
    assert.equal(row.time_to_first_token_ms, null);
  }
});

test('a tool-call round trip is two model calls, hence two interactions: the tool call, then the answer', async () => {
  const { interactions } = await session.turn(() => toolRoundTrip(client), 'contrib-openai-tool');
  assert.equal(interactions.length, 2);
  const [ask, answer] = interactions as [Row, Row];
  assert.deepEqual(fieldsOf(ask), { ...CHAT, user_input: [QUESTION_MESSAGE], response: TOOL_CALL_RESPONSE, finish_reasons: ['tool_call'] });
  const { user_input: input, ...rest } = fieldsOf(answer);
  assert.deepEqual(rest, { ...CHAT, response: TOOL_ANSWER_RESPONSE, finish_reasons: ['stop'] });
  // The three input records share one millisecond: their arrival order keeps them in order.
  assert.deepEqual(input, [
    QUESTION_MESSAGE, { role: 'assistant', parts: [TOOL_CALL_PART] }, { role: 'tool', parts: [TOOL_RESULT_PART] },
  ]);
});

test('the input messages of a call keep their order when their log records share a millisecond', async () => {
  const { interactions } = await session.turn(() => toolRoundTrip(client));
  assert.deepEqual(interactions[1]?.user_input, [
    QUESTION_MESSAGE, { role: 'assistant', parts: [TOOL_CALL_PART] }, { role: 'tool', parts: [TOOL_RESULT_PART] },
  ]);
});

test('an embeddings call: model and input tokens; its input is not recorded', async () => {
  const { interactions } = await session.turn(() => embeddingCall(client), 'contrib-openai-embeddings');
  assert.equal(interactions.length, 1);
  assert.deepEqual(fieldsOf(interactions[0]!), {
    ...CHAT,
    operation: 'embeddings',
    name: `embeddings ${EMBEDDING_MODEL}`,
    request_model: EMBEDDING_MODEL,
    response_model: EMBEDDING_MODEL,
    input_tokens: '7',
    output_tokens: null,
    user_input: null,
    response: null,
    finish_reasons: [],
  });
});

test('a Responses function call: the tool call carries the call_id that tool results refer to', async () => {
  const { interactions } = await session.turn(async () => {
    await client.responses?.create({
      model: MODEL,
      input: 'Where is order A-7?',
      tools: [{ type: 'function', name: 'lookup_order', parameters: { type: 'object', properties: { order_id: { type: 'string' } } }, strict: false }],
    } as never);
  }, 'contrib-openai-responses');
  assert.equal(interactions.length, 1);
  assert.deepEqual(fieldsOf(interactions[0]!), {
    ...CHAT,
    input_tokens: '30',
    output_tokens: '12',
    user_input: [{ role: 'user', parts: [{ type: 'text', content: 'Where is order A-7?' }] }],
    response: [{
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'call_r1', name: 'lookup_order', arguments: { order_id: 'A-7' } }],
      finish_reason: 'tool_call',
    }],
    finish_reasons: ['tool_call'],
  });
});

test('a refused call is a failed interaction with its error class as error type', async () => {
  const { interactions } = await session.turn(() => failedCall(client));
  assert.equal(interactions.length, 1);
  assert.deepEqual(fieldsOf(interactions[0]!), {
    ...CHAT,
    name: `chat ${MISSING_MODEL}`,
    request_model: MISSING_MODEL,
    response_model: null,
    input_tokens: null,
    output_tokens: null,
    user_input: [QUESTION_MESSAGE],
    response: null,
    finish_reasons: [],
    status: 'error',
    error_type: 'NotFoundError',
    error_message: `404 The model ${MISSING_MODEL} does not exist`,
  });
});

test('its metrics are stored: operation duration and token usage', async () => {
  await session.turn(() => plainCall(client));
  const names = await session.processor.query<{ name: string }>(
    `SELECT DISTINCT name FROM metric_points WHERE resource->'attributes'->>'service.name' = $1 ORDER BY name`,
    [SERVICE],
  );
  assert.deepEqual(names.map((n) => n.name), ['gen_ai.client.operation.duration', 'gen_ai.client.token.usage']);
});
