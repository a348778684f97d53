// End to end: the real `openai` client (7.57.0) instrumented by
// @arizeai/openinference-instrumentation-openai 4.2.7, session and user set through
// @arizeai/openinference-core, exported through the OTel SDK's OTLP exporter to the real
// processor. The stored interactions are asserted field by field.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { context } from '@opentelemetry/api';
import { setSession, setUser } from '@arizeai/openinference-core';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { type PeerSession, type Row, fieldsOf, startPeerSession } from './peer-harness.ts';
import {
  type ChatClient,
  EMBEDDING_INPUT,
  EMBEDDING_MODEL,
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
  peerModel,
  plainCall,
  streamedCall,
  toolRoundTrip,
} from './peer-openai-scenarios.ts';

const SERVICE = 'openinference-e2e';
const SESSION = 'conv-42';
const USER = 'user-42';
const require = createRequire(import.meta.url);
let session: PeerSession;
let client: ChatClient;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
  // Finds the global tracer provider through its own @opentelemetry/api (1.9.1).
  const instrumentation = new OpenAIInstrumentation();
  const openai = require('openai') as { OpenAI: new (options: object) => ChatClient };
  instrumentation.manuallyInstrument(openai as never);
  client = new openai.OpenAI({ apiKey: 'sk-test', baseURL: session.model.baseURL, maxRetries: 0 });
});

after(() => session.stop());

/** Runs a scenario with the OpenInference session and user in context. */
function asUser(scenario: () => Promise<unknown>): () => Promise<unknown> {
  return () => context.with(setUser(setSession(context.active(), { sessionId: SESSION }), { userId: USER }), scenario);
}

const LLM: Row = {
  operation: 'chat',
  name: 'OpenAI Chat Completions',
  session_id: SESSION,
  user_id: USER,
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
  cache_read_input_tokens: '8',
  cache_creation_input_tokens: null,
  reasoning_output_tokens: '3',
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'ok',
  error_type: null,
  error_message: null,
  conventions: ['openinference'],
  sub_agents: [],
};

test('a plain chat call: requested and answering model, tokens with cache and reasoning, messages, session and user', async () => {
  const { interactions } = await session.turn(asUser(() => plainCall(client)), 'openinference-plain');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), { ...LLM, user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE], response: PLAIN_RESPONSE, finish_reasons: ['stop'] });
  assert.deepEqual([row.time_to_first_token_ms, row.tools], [null, []]);
});

test('a streamed call: tokens and the answering model are unknown (not recorded), not 0', async () => {
  const { interactions } = await session.turn(asUser(() => streamedCall(client)), 'openinference-stream');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), {
    ...LLM,
    response_model: null,
    input_tokens: null,
    output_tokens: null,
    cache_read_input_tokens: null,
    reasoning_output_tokens: null,
    status: 'unset',
    user_input: [QUESTION_MESSAGE],
    response: STREAM_RESPONSE,
    finish_reasons: ['stop'],
  });
  assert.equal(row.time_to_first_token_ms, null);
});

test('a tool-call round trip: two interactions, the tool call and the answer, with the flattened messages rebuilt', async () => {
  const { interactions } = await session.turn(asUser(() => toolRoundTrip(client)), 'openinference-tool');
  assert.equal(interactions.length, 2);
  const [ask, answer] = interactions as [Row, Row];
  assert.deepEqual(fieldsOf(ask), { ...LLM, user_input: [QUESTION_MESSAGE], response: TOOL_CALL_RESPONSE, finish_reasons: ['tool_call'] });
  assert.deepEqual(fieldsOf(answer), {
    ...LLM,
    user_input: [QUESTION_MESSAGE, { role: 'assistant', parts: [TOOL_CALL_PART] }, { role: 'tool', parts: [TOOL_RESULT_PART] }],
    response: TOOL_ANSWER_RESPONSE,
    finish_reasons: ['stop'],
  });
});

test('an embeddings call: model and embedded text; no token count is recorded', async () => {
  const { interactions } = await session.turn(asUser(() => embeddingCall(client)), 'openinference-embeddings');
  assert.equal(interactions.length, 1);
  assert.deepEqual(fieldsOf(interactions[0]!), {
    ...LLM,
    operation: 'embeddings',
    name: 'OpenAI Embeddings',
    request_model: EMBEDDING_MODEL,
    response_model: null,
    input_tokens: null,
    output_tokens: null,
    cache_read_input_tokens: null,
    reasoning_output_tokens: null,
    user_input: [{ role: 'user', parts: [{ type: 'text', content: EMBEDDING_INPUT }] }],
    response: null,
    finish_reasons: [],
  });
});
