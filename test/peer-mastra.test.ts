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
import { MODEL, QUESTION, QUESTION_MESSAGE, RESPONSE_MODEL, TOOL_ANSWER, TOOL_RESULT, peerModel } from './peer-openai-scenarios.ts';

const SERVICE = 'mastra-e2e';
const ENCODINGS = ['protobuf', 'json'] as const;
type Encoding = (typeof ENCODINGS)[number];
let session: PeerSession;
const runs = new Map<Encoding, { agent: Agent; observability: Observability; exporter: OtelExporter }>();

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
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
    const mastra = new Mastra({
      agents: {
        supportAgent: new Agent({
          id: 'support-agent',
          name: 'Support Agent',
          instructions: 'Answer in one sentence.',
          model: openai.chat(MODEL),
          tools: { lookup_order: lookupOrder },
        }),
      },
      observability,
      logger: false,
    });
    runs.set(encoding, { agent: mastra.getAgent('supportAgent'), observability, exporter });
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

for (const encoding of ENCODINGS) {
  test(`an agent with a tool over OTLP/${encoding} is one interaction: the agent, the user's text, the answer, the tool, tokens of both calls`, async () => {
    const run = runs.get(encoding)!;
    session.useAppTelemetry({
      api: otelApi,
      flush: async () => {
        await run.observability.getDefaultInstance()?.flush();
        await run.exporter.flush();
        await session.flushOwnPipeline();
      },
    });
    const { interactions } = await session.turn(async () => {
      // Mastra starts its own trace unless told the caller's, as an app's handler would pass it.
      const caller = trace.getActiveSpan()!.spanContext();
      const result = await run.agent.generate(QUESTION, {
        maxSteps: 3,
        tracingOptions: { traceId: caller.traceId, parentSpanId: caller.spanId },
      });
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
  });
}
