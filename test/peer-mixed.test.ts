// End to end: one call described by two conventions is still one interaction, its tokens counted
// once. (1) An agent span from @agent-flywheel/instrumentation's withInteraction (GenAI semconv)
// over model calls traced by OpenInference (openai 7.57.0). (2) One model call traced twice, by
// @opentelemetry/instrumentation-openai 0.22.0 and by OpenInference, both patching openai 6.49.0.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { logs, metrics, trace } from '@opentelemetry/api';
import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { OpenAIInstrumentation as ContribInstrumentation } from '@opentelemetry/instrumentation-openai';
import { withInteraction } from '../instrumentation/src/index.ts';
import { type PeerSession, type Row, fieldsOf, startPeerSession } from './peer-harness.ts';
import {
  type ChatClient,
  MODEL,
  PLAIN_RESPONSE,
  QUESTION_MESSAGE,
  RESPONSE_MODEL,
  SYSTEM_MESSAGE,
  TOOL_ANSWER_RESPONSE,
  peerModel,
  plainCall,
  toolRoundTrip,
} from './peer-openai-scenarios.ts';

const SERVICE = 'mixed-e2e';
const require = createRequire(import.meta.url);
type OpenAIModule = { OpenAI: new (options: object) => ChatClient };
let session: PeerSession;
let openinferenceClient: ChatClient;
let doublyTracedClient: ChatClient;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
  const options = { apiKey: 'sk-test', baseURL: session.model.baseURL, maxRetries: 0 };
  const openinference = new OpenInferenceInstrumentation();

  const openai7 = require('openai') as OpenAIModule;
  openinference.manuallyInstrument(openai7 as never);
  openinferenceClient = new openai7.OpenAI(options);

  const openai6 = require('openai-v6') as OpenAIModule;
  const { VERSION } = require('openai-v6/version') as { VERSION: string };
  const contrib = new ContribInstrumentation({ captureMessageContent: true });
  contrib.setTracerProvider(trace.getTracerProvider());
  contrib.setLoggerProvider(logs.getLoggerProvider());
  contrib.setMeterProvider(metrics.getMeterProvider());
  for (const definition of contrib.getModuleDefinitions()) definition.patch?.(openai6, VERSION);
  openinference.manuallyInstrument(openai6 as never);
  doublyTracedClient = new openai6.OpenAI(options);
});

after(() => session.stop());

const COMMON: Row = {
  agent_id: null,
  service_name: SERVICE,
  service_version: '1.4.2',
  system_instructions: null,
  request_model: MODEL,
  response_model: RESPONSE_MODEL,
  cache_creation_input_tokens: null,
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  error_type: null,
  error_message: null,
};

test('a semconv agent span over OpenInference model calls is one interaction, the calls\' tokens summed once', async () => {
  const { interactions } = await session.turn(
    () => withInteraction({ agent: 'support-agent', conversationId: 'conv-mixed', userId: 'user-mixed' }, () => toolRoundTrip(openinferenceClient)),
    'mixed-agent-over-openinference',
  );
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), {
    ...COMMON,
    operation: 'invoke_agent',
    name: 'invoke_agent support-agent',
    session_id: 'conv-mixed',
    user_id: 'user-mixed',
    agent_name: 'support-agent',
    user_input: [QUESTION_MESSAGE],
    response: TOOL_ANSWER_RESPONSE,
    provider: 'openai',
    input_tokens: '84',
    output_tokens: '18',
    cache_read_input_tokens: '16',
    reasoning_output_tokens: '6',
    finish_reasons: ['stop'],
    status: 'unset',
    conventions: ['openinference', 'genai-semconv'],
    sub_agents: [],
  });
  assert.equal((row.span_ids as string[]).length, 3, 'the agent and its two model calls');
});

test('one model call traced by two instrumentations is one interaction, its tokens counted once', async () => {
  const { interactions } = await session.turn(() => plainCall(doublyTracedClient), 'mixed-contrib-and-openinference');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), {
    ...COMMON,
    operation: 'chat',
    // OpenInference patched last, so its span is the outer one, the interaction.
    name: 'OpenAI Chat Completions',
    status: 'ok',
    session_id: null,
    user_id: null,
    agent_name: null,
    user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE],
    response: PLAIN_RESPONSE,
    provider: 'openai',
    input_tokens: '42',
    output_tokens: '9',
    // Only OpenInference reports these; contrib's span says nothing of them.
    cache_read_input_tokens: '8',
    reasoning_output_tokens: '3',
    finish_reasons: ['stop'],
    conventions: ['openinference', 'contrib-openai', 'genai-semconv'],
    sub_agents: [],
  });
  assert.equal((row.span_ids as string[]).length, 2);
});
