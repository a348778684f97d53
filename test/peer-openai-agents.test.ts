// End to end: the OpenAI Agents SDK (@openai/agents 0.20.0, its default Responses model through
// the real `openai` client) instrumented by @arizeai/openinference-instrumentation-openai-agents
// 0.2.15, exported through the OTel SDK's OTLP exporters (protobuf, then JSON) to the real
// processor. Each run is one interaction, asserted field by field. The SDK lives in its own
// workspace package (test/openai-agents): it needs zod 4 as a peer, the root's zod is 3.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AGENTS_MODEL,
  HANDOFF_QUESTION,
  ORDER_RESULT,
  QUESTION,
  REFUND_ANSWER,
  RESPONSE_MODEL,
  TOOL_ANSWER,
  agentsModel,
  handoffRun,
  importFromApp,
  instrumentAgents,
  toolAgentRun,
  useModelServer,
} from '@agent-flywheel/test-openai-agents/scenarios';
import { loadInstrumentations } from '../instrumentation/src/other-instrumentations.ts';
import { type PeerSession, type Row, fieldsOf, startPeerSession, toolsOf } from './peer-harness.ts';

const SERVICE = 'openai-agents-e2e';
let session: PeerSession;
let instrumentation: ReturnType<typeof instrumentAgents>;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(agentsModel);
  useModelServer(session.model.baseURL);
  instrumentation = instrumentAgents();
});

after(() => session.stop());

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

const BASE: Row = {
  operation: 'invoke_agent',
  // The trace's root span is named after the SDK's workflow (its default name).
  name: 'Agent workflow',
  session_id: null,
  user_id: null,
  agent_id: null,
  service_name: SERVICE,
  service_version: '1.4.2',
  system_instructions: null,
  // The SDK's response spans carry the response, never the request: the requested model is not sent.
  request_model: null,
  response_model: RESPONSE_MODEL,
  provider: 'openai',
  // Two Responses calls of the local server (30 in, 12 out, 4 cached, 2 reasoning each).
  input_tokens: '60',
  output_tokens: '24',
  cache_read_input_tokens: '8',
  cache_creation_input_tokens: null,
  reasoning_output_tokens: '4',
  finish_reasons: ['stop'],
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'ok',
  error_type: null,
  error_message: null,
  conventions: ['openinference'],
};

for (const encoding of ['protobuf', 'json'] as const) {
  describe(`over OTLP/${encoding}`, () => {
    before(() => session.useEncoding(encoding));

    test('a tool agent: one interaction named by the agent, the user\'s text and the final output, the tool from its span', async () => {
      const requests = session.model.requests.length;
      const { interactions } = await session.turn(toolAgentRun, encoding === 'protobuf' ? 'openai-agents-tool' : undefined);
      // The SDK called the Responses API (its default) with the model it was given.
      assert.deepEqual(session.model.requests.slice(requests).map((r) => [r.path, r.body.model]), [['/v1/responses', AGENTS_MODEL], ['/v1/responses', AGENTS_MODEL]]);
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      assert.deepEqual(fieldsOf(row), {
        ...BASE,
        agent_name: 'order_agent',
        user_input: [text('user', QUESTION)],
        response: [text('assistant', TOOL_ANSWER)],
        sub_agents: [],
      });
      // The SDK's function span carries no call id.
      assert.deepEqual(toolsOf(row), [{ name: 'lookup_order', callId: null, error: null, arguments: { order_id: 'A-1001' }, result: ORDER_RESULT }]);
    });

    test('a hand-off: the triage agent names the interaction, the agent it handed off to is its sub-agent', async () => {
      const { interactions } = await session.turn(handoffRun, encoding === 'protobuf' ? 'openai-agents-handoff' : undefined);
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      const { sub_agents: subAgents, ...fields } = fieldsOf(row);
      assert.deepEqual(fields, {
        ...BASE,
        agent_name: 'triage_agent',
        user_input: [text('user', HANDOFF_QUESTION)],
        response: [text('assistant', REFUND_ANSWER)],
      });
      assert.deepEqual((subAgents as Row[]).map(({ spanId: _s, durationMs: _d, ...sub }) => sub), [
        { name: 'refund_agent', parent: 'triage_agent', status: 'ok' },
      ]);
      assert.deepEqual(toolsOf(row), [
        { name: 'handoff_to_refund_agent', callId: null, error: null, arguments: { from_agent: 'triage_agent' }, result: { to_agent: 'refund_agent' } },
      ]);
    });
  });
}

test('FLYWHEEL_INSTRUMENTATIONS\' loader enables the instrumentation and takes its manual ESM step on @openai/agents', async () => {
  session.useEncoding('protobuf');
  instrumentation.uninstrument();
  const untraced = await session.turn(toolAgentRun);
  assert.deepEqual(untraced.interactions, []);
  // What register() does for FLYWHEEL_INSTRUMENTATIONS, importing from where the app's packages are.
  assert.deepEqual(await loadInstrumentations(['@arizeai/openinference-instrumentation-openai-agents'], importFromApp), [
    '@arizeai/openinference-instrumentation-openai-agents',
  ]);
  const { interactions } = await session.turn(toolAgentRun);
  assert.deepEqual(interactions.map((r) => [r.agent_name, r.status, r.input_tokens]), [['order_agent', 'ok', '60']]);
});
