// End to end: an app traced by the Traceloop SDK (@traceloop/node-server-sdk 0.27.0): its own
// OTel SDK and OTLP exporter, its openai instrumentation on openai 6.49.0, and its workflow,
// task, agent and tool wrappers. A workflow or an agent over model calls is one interaction, with
// the tokens of its calls counted once. The stored interactions are asserted field by field.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import * as traceloop from '@traceloop/node-server-sdk';
import { type AppTelemetry, type PeerSession, type Row, fieldsOf, startPeerSession, toolsOf } from './peer-harness.ts';
import {
  type ChatClient,
  LOOKUP_ORDER,
  MODEL,
  PLAIN_RESPONSE,
  QUESTION,
  QUESTION_MESSAGE,
  RESPONSE_MODEL,
  SYSTEM_MESSAGE,
  TOOL_ANSWER,
  TOOL_ANSWER_RESPONSE,
  TOOL_RESULT,
  peerModel,
  plainCall,
} from './peer-openai-scenarios.ts';

const SERVICE = 'traceloop-sdk-e2e';
const require = createRequire(import.meta.url);
let session: PeerSession;
let client: ChatClient;

interface ToolCallingCompletion {
  choices: { message: { content: string | null; tool_calls: { id: string; function: { name: string; arguments: string } }[] } }[];
}

before(async () => {
  // The SDK registers the OTel globals through its own @opentelemetry/api (1.9.1): ours stays out.
  session = await startPeerSession(SERVICE, { ownPipeline: false });
  session.model.respond(peerModel);
  const openai = require('openai-v6') as { OpenAI: new (options: object) => ChatClient };
  traceloop.initialize({
    appName: SERVICE,
    baseUrl: session.processor.url,
    apiKey: 'unused',
    instrumentModules: { openAI: openai.OpenAI as never },
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
  });
  const api = createRequire(require.resolve('@traceloop/node-server-sdk'))('@opentelemetry/api') as AppTelemetry['api'];
  session.useAppTelemetry({ api, flush: () => traceloop.forceFlush() });
  client = new openai.OpenAI({ apiKey: 'sk-test', baseURL: session.model.baseURL, maxRetries: 0 });
});

after(() => session.stop());

const TURN: Row = {
  session_id: 'sess-1',
  user_id: 'user-1',
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

test('a workflow with a task over a model call is one interaction, with the session and user of its association properties', async () => {
  const { interactions } = await session.turn(
    () => traceloop.withWorkflow(
      { name: 'order_support', associationProperties: { session_id: 'sess-1', user_id: 'user-1' } },
      () => traceloop.withTask({ name: 'answer' }, () => plainCall(client)),
    ),
    'traceloop-sdk-workflow',
  );
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), {
    ...TURN,
    operation: 'invoke_workflow',
    name: 'order_support.workflow',
    user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE],
    response: PLAIN_RESPONSE,
    finish_reasons: ['stop'],
  });
  assert.equal((row.span_ids as string[]).length, 3, 'workflow, task, model call');
});

test('an agent with a tool between two model calls is one interaction: tokens summed once, the tool with its arguments and result', async () => {
  const { interactions } = await session.turn(
    () => traceloop.withAgent({ name: 'support_agent', conversationId: 'conv-7', associationProperties: { user_id: 'user-1' } }, async () => {
      const messages: Record<string, unknown>[] = [{ role: 'user', content: QUESTION }];
      const first = (await client.chat.completions.create({ model: MODEL, messages, tools: [LOOKUP_ORDER] } as never)) as ToolCallingCompletion;
      const asked = first.choices[0]!.message;
      const call = asked.tool_calls[0]!;
      const result = (await traceloop.withTool({ name: 'lookup_order' }, async (_args: unknown) => TOOL_RESULT, JSON.parse(call.function.arguments))) as string;
      messages.push({ ...asked }, { role: 'tool', tool_call_id: call.id, content: result });
      const second = (await client.chat.completions.create({ model: MODEL, messages, tools: [LOOKUP_ORDER] } as never)) as ToolCallingCompletion;
      assert.equal(second.choices[0]!.message.content, TOOL_ANSWER);
    }),
    'traceloop-sdk-agent',
  );
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  assert.deepEqual(fieldsOf(row), {
    ...TURN,
    operation: 'invoke_agent',
    name: 'support_agent.agent',
    session_id: 'conv-7',
    agent_name: 'support_agent',
    input_tokens: '84',
    output_tokens: '18',
    user_input: [QUESTION_MESSAGE],
    response: TOOL_ANSWER_RESPONSE,
    finish_reasons: ['stop'],
  });
  assert.deepEqual(toolsOf(row), [
    { name: 'lookup_order', callId: null, error: null, arguments: { order_id: 'A-1001' }, result: { status: 'shipped', carrier: 'DHL' } },
  ]);
  assert.equal((row.span_ids as string[]).length, 4, 'agent, two model calls, tool');
});
