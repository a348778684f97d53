// End to end: LangGraph 1.x (@langchain/langgraph 1.7.3, a prebuilt ReAct agent with a tool) and
// a plain LangChain model call, on @langchain/openai 1.6.0's ChatOpenAI, traced by Traceloop /
// OpenLLMetry's @traceloop/instrumentation-langchain 0.27.0 (a LangChain callback handler) and
// exported through the OTel SDK's OTLP exporter, protobuf or JSON, to the real processor. The
// stored interactions are asserted field by field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as otelApi from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPTraceExporterHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import { LangChainInstrumentation } from '@traceloop/instrumentation-langchain';
import { z } from 'zod';
import { withInteraction } from '../instrumentation/src/index.ts';
import { type PeerSession, type Row, fieldsOf, startPeerSession, toolsOf } from './peer-harness.ts';
import {
  MODEL,
  PLAIN_ANSWER,
  PLAIN_RESPONSE,
  QUESTION,
  QUESTION_MESSAGE,
  SYSTEM,
  SYSTEM_MESSAGE,
  TOOL_ANSWER,
  TOOL_ANSWER_RESPONSE,
  TOOL_RESULT,
  peerModel,
} from './peer-openai-scenarios.ts';

const SERVICE = 'traceloop-langchain-e2e';
let session: PeerSession;
let instrumentation: LangChainInstrumentation;
let json: TracerProvider;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
  instrumentation = new LangChainInstrumentation();
  // The constructor patches the ESM CallbackManager only after an asynchronous import(): a run
  // started at once may go untraced. Patching it here, awaited, leaves no such window.
  instrumentation.manuallyInstrument({ callbackManagerModule: await import('@langchain/core/callbacks/manager') });
  json = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporterHttp({ url: `${session.processor.url}/v1/traces` }) })],
  });
});

after(async () => {
  instrumentation.disable();
  await json.shutdown();
  await session.stop();
});

/** The instrumentation's spans go to our OTLP/protobuf pipeline (the global one) or to an OTLP/JSON one. */
function exportOver(encoding: 'protobuf' | 'json'): void {
  instrumentation.setTracerProvider(encoding === 'protobuf' ? trace.getTracerProvider() : json);
  session.useAppTelemetry({
    api: otelApi,
    flush: async () => {
      await json.forceFlush();
      await session.flushOwnPipeline();
    },
  });
}

function chatModel(): ChatOpenAI {
  return new ChatOpenAI({ model: MODEL, apiKey: 'sk-test', configuration: { baseURL: session.model.baseURL }, maxRetries: 0 });
}

const lookupOrder = tool(async () => TOOL_RESULT, {
  name: 'lookup_order',
  description: 'Looks an order up by its id.',
  schema: z.object({ order_id: z.string() }),
});

const CALL: Row = {
  session_id: null,
  user_id: null,
  agent_id: null,
  service_name: SERVICE,
  system_instructions: null,
  request_model: MODEL,
  // The handler writes the requested model when LangChain's llmOutput names none (ChatOpenAI 1.x).
  response_model: MODEL,
  provider: 'openai',
  cache_read_input_tokens: null,
  cache_creation_input_tokens: null,
  reasoning_output_tokens: null,
  finish_reasons: ['stop'],
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  error_type: null,
  error_message: null,
  conventions: ['traceloop', 'genai-semconv'],
  sub_agents: [],
};

for (const encoding of ['protobuf', 'json'] as const) {
  // Our pipeline's resource has a service version (otel-senders.ts); the JSON pipeline above none.
  const serviceVersion = encoding === 'protobuf' ? '1.4.2' : null;

  test(`a plain ChatOpenAI call over OTLP/${encoding} is one chat interaction`, async () => {
    exportOver(encoding);
    const { interactions } = await session.turn(async () => {
      const reply = await chatModel().invoke([new SystemMessage(SYSTEM), new HumanMessage(QUESTION)]);
      assert.equal(reply.content, PLAIN_ANSWER);
    }, encoding === 'protobuf' ? 'traceloop-langchain-plain' : undefined);
    assert.equal(interactions.length, 1);
    const row = interactions[0]!;
    assert.deepEqual(fieldsOf(row), {
      ...CALL,
      operation: 'chat',
      name: `chat ${MODEL}`,
      agent_name: null,
      service_version: serviceVersion,
      user_input: [SYSTEM_MESSAGE, QUESTION_MESSAGE],
      response: PLAIN_RESPONSE,
      input_tokens: '42',
      output_tokens: '9',
      status: 'ok',
    });
    assert.deepEqual(toolsOf(row), []);
  });

  test(`a LangGraph ReAct agent inside an agent span over OTLP/${encoding} is one interaction: tokens of both calls, the tool by its own name`, async () => {
    exportOver(encoding);
    const agent = createReactAgent({ llm: chatModel(), tools: [lookupOrder], name: 'support_agent' });
    const { interactions } = await session.turn(() => withInteraction({ agent: 'support_agent' }, async () => {
      const state = await agent.invoke({ messages: [new HumanMessage(QUESTION)] });
      assert.equal(state.messages.at(-1)?.content, TOOL_ANSWER);
    }), encoding === 'protobuf' ? 'traceloop-langgraph-react' : undefined);
    assert.equal(interactions.length, 1);
    const row = interactions[0]!;
    assert.deepEqual(fieldsOf(row), {
      ...CALL,
      operation: 'invoke_agent',
      name: 'invoke_agent support_agent',
      agent_name: 'support_agent',
      // The agent span comes from our pipeline (protobuf), whatever the LangChain spans' encoding.
      service_version: '1.4.2',
      user_input: [QUESTION_MESSAGE],
      response: TOOL_ANSWER_RESPONSE,
      input_tokens: '84',
      output_tokens: '18',
      status: 'unset',
    });
    assert.deepEqual(toolsOf(row), [
      { name: 'lookup_order', callId: 'call_1', error: null, arguments: { order_id: 'A-1001' }, result: { status: 'shipped', carrier: 'DHL' } },
    ]);
    assert.equal((row.span_ids as string[]).length, 15, 'the agent span and the 14 LangChain spans of the run');
  });
}

test('without an agent span around it, a LangGraph run is flat: every LangChain span is a child of the caller, each model call its own interaction', async () => {
  exportOver('protobuf');
  const agent = createReactAgent({ llm: chatModel(), tools: [lookupOrder], name: 'support_agent' });
  const { traceId, interactions } = await session.turn(async () => {
    await agent.invoke({ messages: [new HumanMessage(QUESTION)] });
  });
  const spans = await session.processor.query(
    "SELECT name, parent_span_id FROM spans WHERE trace_id = $1 AND scope->>'name' = '@traceloop/instrumentation-langchain'",
    [traceId],
  );
  const [handler] = await session.processor.query("SELECT span_id FROM spans WHERE trace_id = $1 AND name = 'POST /ask'", [traceId]);
  assert.equal(spans.length, 14);
  assert.deepEqual(new Set(spans.map((s) => s.parent_span_id)), new Set([handler!.span_id]));
  const calls = interactions.filter((i) => i.operation === 'chat');
  assert.deepEqual(calls.map((i) => [i.input_tokens, i.output_tokens, i.agent_name]), [['42', '9', null], ['42', '9', null]]);
  const tools = interactions.filter((i) => i.operation === 'execute_tool');
  assert.deepEqual(tools.map((i) => toolsOf(i).map((t) => t.name)), [['lookup_order']]);
  assert.equal(interactions.length, spans.length, 'one interaction per LangChain span');
});
