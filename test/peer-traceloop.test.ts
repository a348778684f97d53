// End to end: the real `openai` client instrumented by Traceloop / OpenLLMetry's
// @traceloop/instrumentation-openai in both of its shapes: 0.27.0 (GenAI semconv, from 0.23) on
// openai 6.49.0 and 0.22.5 (indexed gen_ai.prompt.N.* attributes) on openai 4.104.0, each
// exported through the OTel SDK's OTLP exporter to the real processor. The Traceloop SDK's
// workflow, task, agent and tool spans are in peer-traceloop-sdk.test.ts.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { OpenAIInstrumentation as LegacyOpenAIInstrumentation } from 'traceloop-instrumentation-openai-v0-22';
import { type PeerSession, type Row, fieldsOf, startPeerSession } from './peer-harness.ts';
import {
  type ChatClient,
  MODEL,
  PLAIN_RESPONSE,
  QUESTION_MESSAGE,
  RESPONSE_MODEL,
  STREAM_RESPONSE,
  SYSTEM_MESSAGE,
  TOOL_ANSWER_RESPONSE,
  TOOL_CALL_PART,
  TOOL_CALL_RESPONSE,
  TOOL_RESULT,
  TOOL_RESULT_PART,
  embeddingCall,
  peerModel,
  plainCall,
  streamedCall,
  toolRoundTrip,
} from './peer-openai-scenarios.ts';

const SERVICE = 'traceloop-e2e';
const require = createRequire(import.meta.url);
type OpenAIModule = { OpenAI: new (options: object) => ChatClient };
let session: PeerSession;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
});

after(() => session.stop());

/** A client of `moduleName`, patched through the package's manuallyInstrument (its hook matches `openai` only). */
function instrumentedClient(instrumentation: { setTracerProvider(p: never): void; manuallyInstrument(m: never): void }, moduleName: string): ChatClient {
  instrumentation.setTracerProvider(trace.getTracerProvider() as never);
  const openai = require(moduleName) as OpenAIModule;
  instrumentation.manuallyInstrument(openai.OpenAI as never);
  return new openai.OpenAI({ apiKey: 'sk-test', baseURL: session.model.baseURL, maxRetries: 0 });
}

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
  // Not emitted for OpenAI chat (@traceloop/instrumentation-openai 0.27.0 dist): unknown, not 0.
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
  conventions: ['traceloop', 'genai-semconv'],
  sub_agents: [],
};

describe('@traceloop/instrumentation-openai 0.27.0 (GenAI semconv) on openai 6', () => {
  let client: ChatClient;
  before(() => {
    client = instrumentedClient(new OpenAIInstrumentation({ traceContent: true }), 'openai-v6');
  });

  test('a plain chat call: model, provider, tokens, messages (the system message stays in the input)', async () => {
    const { interactions } = await session.turn(() => plainCall(client), 'traceloop-plain');
    assert.equal(interactions.length, 1);
    const row = interactions[0]!;
    assert.deepEqual(fieldsOf(row), { ...CHAT, user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE], response: PLAIN_RESPONSE, finish_reasons: ['stop'] });
    assert.deepEqual([row.time_to_first_token_ms, row.tools], [null, []]);
  });

  test('a streamed call: the usage chunk is not read, so tokens are unknown, not 0', async () => {
    const { interactions } = await session.turn(() => streamedCall(client), 'traceloop-stream');
    assert.equal(interactions.length, 1);
    assert.deepEqual(fieldsOf(interactions[0]!), {
      ...CHAT, input_tokens: null, output_tokens: null, user_input: [QUESTION_MESSAGE], response: STREAM_RESPONSE, finish_reasons: ['stop'],
    });
    assert.equal(interactions[0]!.time_to_first_token_ms, null);
  });

  test('a tool-call round trip: the tool call, then the answer; the tool result is kept as the string sent', async () => {
    const { interactions } = await session.turn(() => toolRoundTrip(client), 'traceloop-tool');
    assert.equal(interactions.length, 2);
    const [ask, answer] = interactions as [Row, Row];
    assert.deepEqual(fieldsOf(ask), { ...CHAT, user_input: [QUESTION_MESSAGE], response: TOOL_CALL_RESPONSE, finish_reasons: ['tool_call'] });
    assert.deepEqual(fieldsOf(answer), {
      ...CHAT,
      user_input: [
        QUESTION_MESSAGE,
        { role: 'assistant', parts: [TOOL_CALL_PART] },
        { role: 'tool', parts: [{ ...TOOL_RESULT_PART, response: TOOL_RESULT }] },
      ],
      response: TOOL_ANSWER_RESPONSE,
      finish_reasons: ['stop'],
    });
  });

  test('an embeddings call is not instrumented: no interaction', async () => {
    const { interactions } = await session.turn(() => embeddingCall(client));
    assert.deepEqual(interactions, []);
  });
});

describe('@traceloop/instrumentation-openai 0.22.5 (before 0.23: gen_ai.prompt.N.*) on openai 4', () => {
  let client: ChatClient;
  const LEGACY: Row = { ...CHAT, name: 'openai.chat' };
  before(() => {
    client = instrumentedClient(new LegacyOpenAIInstrumentation({ traceContent: true }), 'openai-v4');
  });

  test('a plain chat call: prompt and completion rebuilt from the indexed attributes, old token names read', async () => {
    const { interactions } = await session.turn(() => plainCall(client), 'traceloop-legacy-plain');
    assert.equal(interactions.length, 1);
    assert.deepEqual(fieldsOf(interactions[0]!), {
      ...LEGACY, user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE], response: PLAIN_RESPONSE, finish_reasons: ['stop'],
    });
  });

  test('a streamed call: tokens unknown, not 0', async () => {
    const { interactions } = await session.turn(() => streamedCall(client), 'traceloop-legacy-stream');
    assert.equal(interactions.length, 1);
    assert.deepEqual(fieldsOf(interactions[0]!), {
      ...LEGACY, input_tokens: null, output_tokens: null, user_input: [QUESTION_MESSAGE], response: STREAM_RESPONSE, finish_reasons: ['stop'],
    });
  });

  test('a tool-call round trip: tool calls without ids; the assistant turn that called the tool has no content left', async () => {
    const { interactions } = await session.turn(() => toolRoundTrip(client), 'traceloop-legacy-tool');
    assert.equal(interactions.length, 2);
    const [ask, answer] = interactions as [Row, Row];
    const { id: _id, ...callWithoutId } = TOOL_CALL_PART;
    const { id: _resultId, ...resultWithoutId } = TOOL_RESULT_PART;
    assert.deepEqual(fieldsOf(ask), {
      ...LEGACY,
      user_input: [QUESTION_MESSAGE],
      response: [{ role: 'assistant', parts: [callWithoutId], finish_reason: 'tool_call' }],
      finish_reasons: ['tool_call'],
    });
    assert.deepEqual(fieldsOf(answer), {
      ...LEGACY,
      user_input: [QUESTION_MESSAGE, { role: 'assistant', parts: [] }, { role: 'tool', parts: [resultWithoutId] }],
      response: TOOL_ANSWER_RESPONSE,
      finish_reasons: ['stop'],
    });
  });

  test('an embeddings call is not instrumented: no interaction', async () => {
    const { interactions } = await session.turn(() => embeddingCall(client));
    assert.deepEqual(interactions, []);
  });
});
