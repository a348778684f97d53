// End to end: an app traced by OpenLIT's Node SDK (openlit 1.15.0): its own OTel SDK, OTLP/HTTP
// exporters for traces and log records (its inference-details events) and its openai
// instrumentation, on openai 7.57.0, pointed at the real processor. The stored interactions are
// asserted field by field.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { Openlit, usingAttributes } from 'openlit';
import { type AppTelemetry, type PeerSession, type Row, fieldsOf, startPeerSession } from './peer-harness.ts';
import {
  type ChatClient,
  EMBEDDING_INPUT,
  EMBEDDING_MODEL,
  END_USER,
  MISSING_MODEL,
  MODEL,
  PLAIN_RESPONSE,
  QUESTION_MESSAGE,
  RESPONSE_MODEL,
  STREAM_RESPONSE,
  SYSTEM_MESSAGE,
  SYSTEM_PART,
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

const SERVICE = 'openlit-e2e';
const SESSION = 'sess-5';
const require = createRequire(import.meta.url);
let session: PeerSession;
let client: ChatClient;

/** An exported object of openlit's that its package `exports` map hides. */
function openlitInternal<T>(file: string): T {
  return (require(require.resolve('openlit').replace(/index\.js$/, file)) as { default: T }).default;
}

before(async () => {
  // OpenLIT registers the OTel globals through its own @opentelemetry/api (1.9.1): ours stays out.
  session = await startPeerSession(SERVICE, { ownPipeline: false });
  session.model.respond(peerModel);
  const openai = require('openai') as { OpenAI: new (options: object) => ChatClient };
  Openlit.init({
    applicationName: SERVICE,
    environment: 'test',
    otlpEndpoint: session.processor.url,
    instrumentations: { openai },
    // No pricing download (no network here) and no metrics: cost and metrics are not read.
    pricingJson: {},
    disableMetrics: true,
  });
  const tracing = openlitInternal<{ traceProvider: { forceFlush(): Promise<void> } }>('otel/tracing.js');
  const events = openlitInternal<{ loggerProvider: { forceFlush(): Promise<void> } }>('otel/events.js');
  const api = createRequire(require.resolve('openlit'))('@opentelemetry/api') as AppTelemetry['api'];
  session.useAppTelemetry({
    api,
    flush: async () => {
      await tracing.traceProvider.forceFlush();
      await events.loggerProvider.forceFlush();
    },
  });
  client = new openai.OpenAI({ apiKey: 'sk-test', baseURL: session.model.baseURL, maxRetries: 0 });
});

after(() => session.stop());

/** Runs a scenario with a session id added to every span through openlit.usingAttributes. */
function inSession(scenario: () => Promise<unknown>): () => Promise<unknown> {
  return () => usingAttributes({ 'session.id': SESSION }, scenario);
}

const CHAT: Row = {
  operation: 'chat',
  name: `chat ${MODEL}`,
  session_id: SESSION,
  user_id: null,
  agent_name: null,
  agent_id: null,
  service_name: SERVICE,
  service_version: null,
  system_instructions: null,
  request_model: MODEL,
  response_model: RESPONSE_MODEL,
  provider: 'openai',
  input_tokens: '42',
  output_tokens: '9',
  cache_read_input_tokens: '8',
  cache_creation_input_tokens: null,
  // Not emitted for OpenAI chat (openlit dist/instrumentation/openai/wrapper.js): unknown, not 0.
  reasoning_output_tokens: null,
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'ok',
  error_type: null,
  error_message: null,
  conventions: ['openlit', 'genai-semconv'],
  sub_agents: [],
};

test('a plain chat call: system instructions, messages, tokens with cache, the end user of the request', async () => {
  const { interactions } = await session.turn(inSession(() => plainCall(client)), 'openlit-plain');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), {
    ...CHAT,
    user_id: END_USER,
    system_instructions: [SYSTEM_PART],
    user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE],
    response: PLAIN_RESPONSE,
    finish_reasons: ['stop'],
  });
  assert.deepEqual([row.time_to_first_token_ms, row.tools], [null, []]);
});

test('a streamed call: tokens from the usage chunk and the time to first token', async () => {
  const { interactions } = await session.turn(inSession(() => streamedCall(client)), 'openlit-stream');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), { ...CHAT, user_input: [QUESTION_MESSAGE], response: STREAM_RESPONSE, finish_reasons: ['stop'] });
  assert.ok(typeof row.time_to_first_token_ms === 'number' && row.time_to_first_token_ms > 0, `time to first token ${String(row.time_to_first_token_ms)}`);
});

test('a tool-call round trip: the tool call, then the answer; the tool result is read back as one (its call id is not recorded)', async () => {
  const { interactions } = await session.turn(inSession(() => toolRoundTrip(client)), 'openlit-tool');
  assert.equal(interactions.length, 2);
  const [ask, answer] = interactions as [Row, Row];
  const { id: _id, ...resultWithoutId } = TOOL_RESULT_PART;
  assert.deepEqual(fieldsOf(ask), { ...CHAT, user_input: [QUESTION_MESSAGE], response: TOOL_CALL_RESPONSE, finish_reasons: ['tool_call'] });
  assert.deepEqual(fieldsOf(answer), {
    ...CHAT,
    user_input: [QUESTION_MESSAGE, { role: 'assistant', parts: [TOOL_CALL_PART] }, { role: 'tool', parts: [resultWithoutId] }],
    response: TOOL_ANSWER_RESPONSE,
    finish_reasons: ['stop'],
  });
});

test('an embeddings call: model, embedded text and input tokens', async () => {
  const { interactions } = await session.turn(inSession(() => embeddingCall(client)), 'openlit-embeddings');
  assert.equal(interactions.length, 1);
  assert.deepEqual(fieldsOf(interactions[0]!), {
    ...CHAT,
    operation: 'embeddings',
    name: `embeddings ${EMBEDDING_MODEL}`,
    request_model: EMBEDDING_MODEL,
    response_model: null,
    input_tokens: '7',
    output_tokens: null,
    cache_read_input_tokens: null,
    user_input: [{ role: 'user', parts: [{ type: 'text', content: EMBEDDING_INPUT }] }],
    response: null,
    finish_reasons: [],
  });
});

test('a refused call is a failed interaction with its error type (its error path sets no custom attributes)', async () => {
  const { interactions } = await session.turn(inSession(() => failedCall(client)));
  assert.equal(interactions.length, 1);
  assert.deepEqual(fieldsOf(interactions[0]!), {
    ...CHAT,
    name: `chat ${MISSING_MODEL}`,
    session_id: null,
    request_model: MISSING_MODEL,
    response_model: null,
    input_tokens: null,
    output_tokens: null,
    cache_read_input_tokens: null,
    user_input: null,
    response: null,
    finish_reasons: [],
    status: 'error',
    error_type: 'NotFoundError',
    error_message: `404 The model ${MISSING_MODEL} does not exist`,
  });
});
