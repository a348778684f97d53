// End to end: LangGraph 1.7.3 graphs (@langchain/core 1.4.0, @langchain/openai 1.6.0 on Chat
// Completions, @langchain/langgraph-supervisor 1.1.3) instrumented by
// @arizeai/openinference-instrumentation-langchain 4.1.1, exported through the OTel SDK's OTLP
// exporters (protobuf, then JSON) to the real processor. Each run is one interaction, asserted
// field by field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import { type PeerSession, type Row, fieldsOf, startPeerSession, toolsOf } from './peer-harness.ts';
import {
  MODEL,
  ORDER_RESULT,
  PLAIN_ANSWER,
  QUESTION,
  REFUND_RESULT,
  RESPONSE_MODEL,
  SUPERVISOR_ANSWER,
  SUPERVISOR_QUESTION,
  SYSTEM,
  TOOL_ANSWER,
  langgraphModel,
  plainModelRun,
  reactAgentRun,
  supervisorRun,
} from './langgraph-scenarios.ts';

const SERVICE = 'langgraph-e2e';
let session: PeerSession;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(langgraphModel);
  // In ESM the callback manager is patched by hand (the instrumentation's README); the spans go
  // to the global tracer provider.
  new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);
});

after(() => session.stop());

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

const BASE: Row = {
  operation: 'invoke_agent',
  session_id: null,
  user_id: null,
  agent_id: null,
  service_name: SERVICE,
  service_version: '1.4.2',
  system_instructions: null,
  request_model: MODEL,
  response_model: RESPONSE_MODEL,
  provider: 'openai',
  cache_creation_input_tokens: null,
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'ok',
  error_type: null,
  error_message: null,
  conventions: ['openinference'],
  finish_reasons: ['stop'],
};

/** Token counts of n model calls of the local server (42 in, 9 out, 8 cached, 3 reasoning each). */
function tokens(n: number): Row {
  return {
    input_tokens: String(42 * n), output_tokens: String(9 * n), cache_read_input_tokens: String(8 * n), reasoning_output_tokens: String(3 * n),
  };
}

for (const encoding of ['protobuf', 'json'] as const) {
  describe(`over OTLP/${encoding}`, () => {
    before(() => session.useEncoding(encoding));

    test('a ReAct agent with a tool: the graph is the agent, its messages the input and answer, two model calls summed', async () => {
      const { interactions } = await session.turn(() => reactAgentRun(session.model.baseURL), encoding === 'protobuf' ? 'langgraph-react' : undefined);
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      assert.deepEqual(fieldsOf(row), {
        ...BASE,
        ...tokens(2),
        name: 'order_agent',
        agent_name: 'order_agent',
        user_input: [text('user', QUESTION)],
        response: [{ ...text('assistant', TOOL_ANSWER), name: 'order_agent' }],
        sub_agents: [],
      });
      assert.deepEqual(toolsOf(row), [{ name: 'lookup_order', callId: 'call_1', error: null, arguments: 'A-1001', result: ORDER_RESULT }]);
    });

    test('a plain model call: one chat interaction, no agent', async () => {
      const { interactions } = await session.turn(() => plainModelRun(session.model.baseURL), encoding === 'protobuf' ? 'langgraph-plain' : undefined);
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      assert.deepEqual(fieldsOf(row), {
        ...BASE,
        ...tokens(1),
        operation: 'chat',
        name: 'ChatOpenAI',
        agent_name: null,
        user_input: [text('system', SYSTEM), text('user', QUESTION)],
        response: [{ ...text('assistant', PLAIN_ANSWER), finish_reason: 'stop' }],
        sub_agents: [],
      });
      assert.deepEqual(row.tools, []);
    });

    test('a supervisor over two sub-agents: hand-offs recorded, their ParentCommand span errors not a failure', async () => {
      const { traceId, interactions } = await session.turn(
        () => supervisorRun(session.model.baseURL),
        encoding === 'protobuf' ? 'langgraph-supervisor' : undefined,
      );
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      // The spans the hand-offs crossed did end in error, as OpenInference records them.
      const [{ n }] = (await session.processor.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM spans WHERE trace_id = $1 AND status_code = 2 AND status_message LIKE '%ParentCommand%'",
        [traceId],
      )) as [{ n: number }];
      assert.ok(n >= 4, `spans ended by ParentCommand: ${n}`);
      const subAgents = (row.sub_agents as Row[]).map(({ spanId: _s, durationMs: _d, ...sub }) => sub);
      assert.deepEqual(subAgents, [
        { name: 'order_agent', parent: 'supervisor', status: 'ok' },
        { name: 'refund_agent', parent: 'supervisor', status: 'ok' },
      ]);
      const { sub_agents: _subs, ...fields } = fieldsOf(row);
      assert.deepEqual(fields, {
        ...BASE,
        // Three supervisor calls, two per sub-agent.
        ...tokens(7),
        name: 'supervisor',
        agent_name: 'supervisor',
        user_input: [text('user', SUPERVISOR_QUESTION)],
        response: [{ ...text('assistant', SUPERVISOR_ANSWER), name: 'supervisor' }],
      });
      assert.deepEqual(toolsOf(row), [
        { name: 'transfer_to_order_agent', callId: 'call_h1', error: null, arguments: {}, result: { goto: ['order_agent'], response: 'Successfully transferred to order_agent' } },
        { name: 'lookup_order', callId: 'call_1', error: null, arguments: 'A-1001', result: ORDER_RESULT },
        { name: 'transfer_to_refund_agent', callId: 'call_h2', error: null, arguments: {}, result: { goto: ['refund_agent'], response: 'Successfully transferred to refund_agent' } },
        { name: 'check_refund', callId: 'call_2', error: null, arguments: 'A-1001', result: REFUND_RESULT },
      ]);
    });
  });
}
