// End to end: a Mastra agent with a tool (@mastra/core 1.71.0) on the AI SDK's OpenAI provider
// (@ai-sdk/openai 3.0.141, chat completions), traced by @mastra/observability 1.17.9 and exported
// by @mastra/otel-exporter 1.4.0 (its own OTel SDK and OTLP exporter, OTLP/protobuf or OTLP/JSON)
// to the real processor. The stored interactions are asserted field by field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as otelApi from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { Observability } from '@mastra/observability';
import { OtelExporter } from '@mastra/otel-exporter';
import { createOpenAI } from 'ai-sdk-openai-v3';
import { z } from 'zod';
import { type PeerSession, type Row, fieldsOf, startPeerSession, toolsOf } from './peer-harness.ts';
import type { RecordedRequest, Reply } from '../instrumentation/test/openai-server.ts';
import { CHAT_USAGE, MODEL, QUESTION, QUESTION_MESSAGE, RESPONSE_MODEL, TOOL_ANSWER, TOOL_RESULT, peerModel } from './peer-openai-scenarios.ts';

const SERVICE = 'mastra-e2e';
const ENCODINGS = ['protobuf', 'json'] as const;
type Encoding = (typeof ENCODINGS)[number];
let session: PeerSession;
const runs = new Map<Encoding, { agent: Agent; supervisor: Agent; observability: Observability; exporter: OtelExporter }>();
/** The tool through which Mastra offers a sub-agent to its supervisor (Agent.listAgentTools). */
const HANDOFF_TOOL = 'agent-ordersAgent';

/** peerModel, but a supervisor offered the orders agent first delegates the question to it. */
function supervisorModel(request: RecordedRequest): Reply {
  const tools = (request.body.tools ?? []) as { function: { name: string } }[];
  const messages = request.body.messages as { role: string }[];
  if (!tools.some((t) => t.function.name === HANDOFF_TOOL) || messages.some((m) => m.role === 'tool')) return peerModel(request);
  return {
    json: {
      id: 'chatcmpl-handoff',
      object: 'chat.completion',
      created: 1_777_000_000,
      model: RESPONSE_MODEL,
      choices: [{
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_handoff', type: 'function', function: { name: HANDOFF_TOOL, arguments: JSON.stringify({ prompt: QUESTION }) } }],
        },
        finish_reason: 'tool_calls',
      }],
      usage: CHAT_USAGE,
    },
  };
}

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(supervisorModel);
  const openai = createOpenAI({ apiKey: 'sk-test', baseURL: session.model.baseURL });
  for (const encoding of ENCODINGS) {
    const lookupOrder = createTool({
      id: 'lookup_order',
      description: 'Looks an order up by its id.',
      inputSchema: z.object({ order_id: z.string() }),
      execute: async () => JSON.parse(TOOL_RESULT) as Record<string, string>,
    });
    const exporter = new OtelExporter({
      provider: { custom: { endpoint: session.processor.url, protocol: encoding === 'protobuf' ? 'http/protobuf' : 'http/json' } },
    });
    const observability = new Observability({ configs: { otel: { serviceName: SERVICE, exporters: [exporter] } } });
    const supportAgent = new Agent({
      id: 'support-agent',
      name: 'Support Agent',
      instructions: 'Answer in one sentence.',
      model: openai.chat(MODEL),
      tools: { lookup_order: lookupOrder },
    });
    const ordersAgent = new Agent({
      id: 'orders-agent',
      name: 'Orders Agent',
      description: 'Knows where orders are.',
      instructions: 'Answer in one sentence.',
      model: openai.chat(MODEL),
      tools: { lookup_order: lookupOrder },
    });
    const supervisor = new Agent({
      id: 'triage-agent',
      name: 'Triage Agent',
      instructions: 'Hand order questions to the orders agent.',
      model: openai.chat(MODEL),
      agents: { ordersAgent },
    });
    const mastra = new Mastra({ agents: { supportAgent, supervisor }, observability, logger: false });
    runs.set(encoding, { agent: mastra.getAgent('supportAgent'), supervisor: mastra.getAgent('supervisor'), observability, exporter });
  }
});

after(async () => {
  for (const { observability } of runs.values()) await observability.shutdown();
  await session.stop();
});

const TURN: Row = {
  session_id: null,
  user_id: null,
  agent_name: 'Support Agent',
  agent_id: 'support-agent',
  service_name: SERVICE,
  // The exporter's resource carries Mastra's version as the service version.
  service_version: '1.71.0',
  system_instructions: [{ type: 'text', content: 'Answer in one sentence.' }],
  request_model: MODEL,
  response_model: RESPONSE_MODEL,
  provider: 'openai',
  input_tokens: '84',
  output_tokens: '18',
  cache_read_input_tokens: '16',
  cache_creation_input_tokens: null,
  reasoning_output_tokens: '6',
  finish_reasons: ['stop'],
  sub_agents: [],
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'ok',
  error_type: null,
  error_message: null,
  conventions: ['mastra', 'genai-semconv'],
};

/** Mastra's pipeline for the following turns: its exporter on `encoding`, ours for the handler span. */
function exportOver(encoding: Encoding): NonNullable<ReturnType<typeof runs.get>> {
  const run = runs.get(encoding)!;
  session.useAppTelemetry({
    api: otelApi,
    flush: async () => {
      await run.observability.getDefaultInstance()?.flush();
      await run.exporter.flush();
      await session.flushOwnPipeline();
    },
  });
  return run;
}

/** The caller's trace and span, which Mastra's run joins only when told (its tracingOptions). */
function callerTracing() {
  const caller = trace.getActiveSpan()!.spanContext();
  return { traceId: caller.traceId, parentSpanId: caller.spanId };
}

for (const encoding of ENCODINGS) {
  test(`an agent with a tool over OTLP/${encoding} is one interaction: the agent, the user's text, the answer, the tool, tokens of both calls`, async () => {
    const run = exportOver(encoding);
    const { interactions } = await session.turn(async () => {
      const result = await run.agent.generate(QUESTION, { maxSteps: 3, tracingOptions: callerTracing() });
      assert.equal(result.text, TOOL_ANSWER);
    }, encoding === 'protobuf' ? 'mastra-agent-tool' : undefined);
    assert.equal(interactions.length, 1);
    const row = interactions[0]!;
    assert.deepEqual(fieldsOf(row), {
      ...TURN,
      operation: 'invoke_agent',
      name: 'invoke_agent Support Agent',
      user_input: [QUESTION_MESSAGE],
      response: [{ role: 'assistant', parts: [{ type: 'text', content: TOOL_ANSWER }] }],
    });
    assert.deepEqual(toolsOf(row), [
      { name: 'lookup_order', callId: 'call_1', error: null, arguments: { order_id: 'A-1001' }, result: { status: 'shipped', carrier: 'DHL' } },
    ]);
    // From the first call's completion start time: a real distance, within the run.
    const firstToken = Number(row.time_to_first_token_ms);
    assert.ok(row.time_to_first_token_ms !== null && firstToken >= 0 && firstToken <= Number(row.response_time_ms), String(row.time_to_first_token_ms));
  });
}

test('a supervisor handing the question to a sub-agent is one interaction: the sub-agent recorded under it, tokens of all four calls', async () => {
  const run = exportOver('protobuf');
  const { interactions } = await session.turn(async () => {
    const result = await run.supervisor.generate(QUESTION, { maxSteps: 3, tracingOptions: callerTracing() });
    assert.equal(result.text, TOOL_ANSWER);
  }, 'mastra-supervisor');
  assert.equal(interactions.length, 1);
  const row = interactions[0]!;
  const { sub_agents: subAgents, ...fields } = fieldsOf(row);
  const { sub_agents: _none, ...turn } = TURN;
  assert.deepEqual(fields, {
    ...turn,
    operation: 'invoke_agent',
    name: 'invoke_agent Triage Agent',
    agent_name: 'Triage Agent',
    agent_id: 'triage-agent',
    system_instructions: [{ type: 'text', content: 'Hand order questions to the orders agent.' }],
    user_input: [QUESTION_MESSAGE],
    response: [{ role: 'assistant', parts: [{ type: 'text', content: TOOL_ANSWER }] }],
    // Two calls of the supervisor (hand-off, answer) and two of the sub-agent (tool, answer).
    input_tokens: '168',
    output_tokens: '36',
    cache_read_input_tokens: '32',
    reasoning_output_tokens: '12',
  });
  assert.deepEqual((subAgents as Row[]).map(({ spanId: _s, durationMs: _d, ...agent }) => agent), [
    { name: 'Orders Agent', parent: 'Triage Agent', status: 'ok' },
  ]);
  // The hand-off is a tool call of the supervisor; its result also holds the sub-agent's thread ids.
  const [handoff, lookup] = toolsOf(row);
  assert.deepEqual([handoff?.name, handoff?.callId, handoff?.arguments, (handoff?.result as Row).text], [
    HANDOFF_TOOL, 'call_handoff', { prompt: QUESTION }, TOOL_ANSWER,
  ]);
  assert.deepEqual(lookup, {
    name: 'lookup_order', callId: 'call_1', error: null, arguments: { order_id: 'A-1001' }, result: { status: 'shipped', carrier: 'DHL' },
  });
});
