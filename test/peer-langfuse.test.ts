// End to end: an app traced by Langfuse's OTel SDK (@langfuse/tracing 5.11.1 with
// @langfuse/otel 5.11.1's LangfuseSpanProcessor handed an OTLP exporter, OTLP/protobuf or
// OTLP/JSON, pointed at the processor instead of Langfuse): the real `openai` client (7.57.0)
// wrapped by @langfuse/openai's observeOpenAI, and an agent with a tool made of
// startActiveObservation calls. Its spans carry only `langfuse.*` keys. The stored interactions
// are asserted field by field.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { observeOpenAI } from '@langfuse/openai';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { propagateAttributes, setLangfuseTracerProvider, startActiveObservation } from '@langfuse/tracing';
import * as otelApi from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPTraceExporterHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { type PeerSession, type Row, fieldsOf, startPeerSession, toolsOf } from './peer-harness.ts';
import {
  type ChatClient,
  LOOKUP_ORDER,
  MISSING_MODEL,
  MODEL,
  PLAIN_ANSWER,
  PLAIN_RESPONSE,
  QUESTION,
  QUESTION_MESSAGE,
  RESPONSE_MODEL,
  SYSTEM_MESSAGE,
  TOOL_ANSWER,
  TOOL_RESULT,
  peerModel,
  plainCall,
} from './peer-openai-scenarios.ts';

const SERVICE = 'langfuse-e2e';
const require = createRequire(import.meta.url);
const ENCODINGS = ['protobuf', 'json'] as const;
type Encoding = (typeof ENCODINGS)[number];
let session: PeerSession;
let openai: { OpenAI: new (options: object) => ChatClient };
const providers = new Map<Encoding, TracerProvider>();

interface ToolCallingCompletion {
  choices: { message: { content: string | null; tool_calls: { id: string; function: { name: string; arguments: string } }[] } }[];
}

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
  openai = require('openai') as typeof openai;
  for (const encoding of ENCODINGS) {
    const url = `${session.processor.url}/v1/traces`;
    const exporter = encoding === 'protobuf' ? new OTLPTraceExporterProto({ url }) : new OTLPTraceExporterHttp({ url });
    providers.set(encoding, new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE }),
      spanProcessors: [new LangfuseSpanProcessor({ exporter, mediaUploadEnabled: false })],
    }));
  }
});

after(async () => {
  for (const provider of providers.values()) await provider.shutdown();
  await session.stop();
});

/** Langfuse's spans go through its span processor on `encoding`; the handler span through ours. */
function useLangfuse(encoding: Encoding): void {
  const provider = providers.get(encoding) as TracerProvider;
  setLangfuseTracerProvider(provider);
  session.useAppTelemetry({
    api: otelApi,
    flush: async () => {
      await provider.forceFlush();
      await session.flushOwnPipeline();
    },
  });
}

function client(): ChatClient {
  return observeOpenAI(new openai.OpenAI({ apiKey: 'sk-test', baseURL: session.model.baseURL, maxRetries: 0 }) as never) as ChatClient;
}

const TURN: Row = {
  session_id: null,
  user_id: null,
  agent_name: null,
  agent_id: null,
  service_name: SERVICE,
  service_version: null,
  system_instructions: null,
  request_model: null,
  response_model: RESPONSE_MODEL,
  provider: null,
  input_tokens: '42',
  output_tokens: '9',
  cache_read_input_tokens: '8',
  cache_creation_input_tokens: null,
  reasoning_output_tokens: '3',
  finish_reasons: [],
  sub_agents: [],
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'unset',
  error_type: null,
  error_message: null,
  conventions: ['langfuse'],
};

for (const encoding of ENCODINGS) {
  test(`observeOpenAI over OTLP/${encoding}: one generation is one chat interaction, tokens from its usage_details`, async () => {
    useLangfuse(encoding);
    const { interactions } = await session.turn(
      () => plainCall(client()),
      encoding === 'protobuf' ? 'langfuse-openai-plain' : undefined,
    );
    assert.equal(interactions.length, 1);
    const row = interactions[0]!;
    assert.deepEqual(fieldsOf(row), {
      ...TURN,
      operation: 'chat',
      name: 'OpenAI.chat',
      user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE],
      response: [{ role: 'assistant', parts: PLAIN_RESPONSE[0]!.parts }],
    });
    assert.deepEqual(toolsOf(row), []);
  });

  test(`an agent observation with a tool over OTLP/${encoding} is one interaction: the agent's name, input and output, the tool, tokens of both calls`, async () => {
    useLangfuse(encoding);
    const { interactions } = await session.turn(
      () => propagateAttributes({ sessionId: 'sess-9', userId: 'user-9' }, () => startActiveObservation('support-agent', async (agent) => {
        agent.update({ input: QUESTION });
        const messages: Record<string, unknown>[] = [{ role: 'user', content: QUESTION }];
        const model = client();
        const first = (await model.chat.completions.create({ model: MODEL, messages, tools: [LOOKUP_ORDER] } as never)) as ToolCallingCompletion;
        const asked = first.choices[0]!.message;
        const call = asked.tool_calls[0]!;
        const result = await startActiveObservation('lookup_order', async (tool) => {
          tool.update({ input: JSON.parse(call.function.arguments) as unknown });
          tool.update({ output: TOOL_RESULT });
          return TOOL_RESULT;
        }, { asType: 'tool' });
        messages.push({ ...asked }, { role: 'tool', tool_call_id: call.id, content: result });
        const second = (await model.chat.completions.create({ model: MODEL, messages, tools: [LOOKUP_ORDER] } as never)) as ToolCallingCompletion;
        const answer = second.choices[0]!.message.content;
        assert.equal(answer, TOOL_ANSWER);
        agent.update({ output: answer });
      }, { asType: 'agent' })),
      encoding === 'protobuf' ? 'langfuse-agent-tool' : undefined,
    );
    assert.equal(interactions.length, 1);
    const row = interactions[0]!;
    assert.deepEqual(fieldsOf(row), {
      ...TURN,
      operation: 'invoke_agent',
      name: 'support-agent',
      session_id: 'sess-9',
      user_id: 'user-9',
      agent_name: 'support-agent',
      input_tokens: '84',
      output_tokens: '18',
      cache_read_input_tokens: '16',
      reasoning_output_tokens: '6',
      user_input: [QUESTION_MESSAGE],
      response: [{ role: 'assistant', parts: [{ type: 'text', content: TOOL_ANSWER }] }],
    });
    assert.deepEqual(toolsOf(row), [
      { name: 'lookup_order', callId: null, error: null, arguments: { order_id: 'A-1001' }, result: { status: 'shipped', carrier: 'DHL' } },
    ]);
    assert.equal((row.span_ids as string[]).length, 4, 'agent, two generations, tool');
  });
}

test('a hand-off: an agent observation inside another is its sub-agent, the outer agent the interaction', async () => {
  useLangfuse('protobuf');
  const { interactions } = await session.turn(
    () => startActiveObservation('triage-agent', async (triage) => {
      triage.update({ input: QUESTION });
      const answer = await startActiveObservation('orders-agent', async (orders) => {
        orders.update({ input: QUESTION });
        await plainCall(client());
        orders.update({ output: PLAIN_ANSWER });
        return PLAIN_ANSWER;
      }, { asType: 'agent' });
      triage.update({ output: answer });
    }, { asType: 'agent' }),
    'langfuse-handoff',
  );
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  const { sub_agents: subAgents, ...fields } = fieldsOf(row);
  const { sub_agents: _none, ...turn } = TURN;
  assert.deepEqual(fields, {
    ...turn,
    operation: 'invoke_agent',
    name: 'triage-agent',
    agent_name: 'triage-agent',
    user_input: [QUESTION_MESSAGE],
    response: [{ role: 'assistant', parts: [{ type: 'text', content: PLAIN_ANSWER }] }],
  });
  assert.deepEqual((subAgents as Row[]).map(({ spanId: _s, durationMs: _d, ...agent }) => agent), [
    { name: 'orders-agent', parent: 'triage-agent', status: 'unset' },
  ]);

  assert.equal((row.span_ids as string[]).length, 3, 'two agents, one generation');
});

test('an agent observation whose function throws ends in error: its span status, with the API error as the message', async () => {
  useLangfuse('protobuf');
  const { interactions } = await session.turn(async () => {
    await assert.rejects(startActiveObservation('support-agent', async (agent) => {
      agent.update({ input: QUESTION });
      await client().chat.completions.create({ model: MISSING_MODEL, messages: [{ role: 'user', content: QUESTION }] } as never);
    }, { asType: 'agent' }));
  }, 'langfuse-agent-error');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  const message = `404 The model ${MISSING_MODEL} does not exist`;
  assert.deepEqual(fieldsOf(row), {
    ...TURN,
    operation: 'invoke_agent',
    name: 'support-agent',
    agent_name: 'support-agent',
    user_input: [QUESTION_MESSAGE],
    response: null,
    // The failed generation keeps the requested model, its level and status message; no usage.
    request_model: MISSING_MODEL,
    response_model: null,
    input_tokens: null,
    output_tokens: null,
    cache_read_input_tokens: null,
    reasoning_output_tokens: null,
    status: 'error',
    error_message: message,
  });
  assert.equal((row.span_ids as string[]).length, 2, 'the agent and its failed generation');
});
