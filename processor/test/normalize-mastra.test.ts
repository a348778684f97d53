import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySpanFacts } from '../src/normalize/convention.ts';
import { buildInteractions } from '../src/normalize/assemble.ts';
import { readSpan } from '../src/normalize/registry.ts';
import * as mastra from '../src/normalize/mastra.ts';
import { capturedTrace } from './peer-fixtures.ts';

const QUESTION = { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] };
const ANSWER = { role: 'assistant', parts: [{ type: 'text', content: 'A-1001 shipped with DHL.' }] };
const AGENT = 'invoke_agent Support Agent';

void test('matches the spans of @mastra/otel-exporter, and nothing else', () => {
  const trace = capturedTrace('mastra-agent-tool');
  assert.deepEqual(trace.spans.filter((s) => !mastra.matches(s)).map((s) => s.name), ['POST /ask']);
  assert.equal(capturedTrace('vercel-ai-v7-tool').spans.some((s) => mastra.matches(s)), false);
});

void test('the agent run: its user input and response from mastra.agent_run.input / .output', () => {
  const run = capturedTrace('mastra-agent-tool').span(AGENT);
  assert.deepEqual(mastra.toSpanFacts(run, []), {
    ...emptySpanFacts(), operation: 'invoke_agent', inputMessages: [QUESTION], outputMessages: [ANSWER],
  });
  const reading = readSpan(run, []);
  assert.deepEqual(
    [reading?.conventions, reading?.facts.agentName, reading?.facts.agentId, reading?.facts.systemInstructions],
    [['mastra', 'genai-semconv'], 'Support Agent', 'support-agent', [{ type: 'text', content: 'Answer in one sentence.' }]],
  );
});

void test('a model call: the provider is the first segment of the AI SDK provider id, the time to first token from its completion start; its steps are read by this adapter only', () => {
  const trace = capturedTrace('mastra-agent-tool');
  const [call] = trace.spansNamed('chat gpt-4o-mini');
  const firstChunkMs = Date.parse(String(call!.attributes['mastra.completion_start_time'])) - Number(call!.startTimeUnixNano / 1_000_000n);
  assert.deepEqual(mastra.toSpanFacts(call!, []), { ...emptySpanFacts(), provider: 'openai', timeToFirstTokenMs: Math.max(0, firstChunkMs) });
  const unreadable = { ...call!, attributes: { ...call!.attributes, 'mastra.completion_start_time': 'soon' } };
  assert.equal(mastra.toSpanFacts(unreadable, []).timeToFirstTokenMs, null);
  const [step] = trace.spansNamed('agent_step Support Agent');
  assert.deepEqual(readSpan(step!, [])?.conventions, ['mastra', 'genai-semconv']);
});

void test('one interaction for the run: tokens of both calls, the tool with its call id, arguments and result', () => {
  const trace = capturedTrace('mastra-agent-tool');
  const interactions = buildInteractions(trace.spans, trace.logs);
  assert.equal(interactions.length, 1);
  const interaction = interactions[0]!;
  assert.deepEqual(
    [interaction.name, interaction.agentName, interaction.provider, interaction.requestModel, interaction.inputTokens,
      interaction.outputTokens, interaction.cacheReadInputTokens, interaction.reasoningOutputTokens, interaction.status],
    [AGENT, 'Support Agent', 'openai', 'gpt-4o-mini', 84, 18, 16, 6, 'ok'],
  );
  assert.deepEqual([interaction.userInput, interaction.response], [[QUESTION], [ANSWER]]);
  assert.deepEqual(interaction.tools.map((t) => [t.name, t.callId, t.arguments, t.result]), [
    ['lookup_order', 'call_1', { order_id: 'A-1001' }, { status: 'shipped', carrier: 'DHL' }],
  ]);
  assert.equal(interaction.spanIds.length, trace.spans.length - 1, 'every Mastra span of the run');
});

void test('an agent run beneath the run (an agent used as a tool) is its sub-agent', () => {
  const trace = capturedTrace('mastra-agent-tool');
  const run = trace.span(AGENT);
  const tool = trace.spansNamed('execute_tool lookup_order')[0]!;
  const nested = {
    ...tool, name: 'invoke_agent Billing Agent', spanId: 'bbbbbbbbbbbbbbbb',
    attributes: { ...run.attributes, 'gen_ai.agent.name': 'Billing Agent', 'gen_ai.agent.id': 'billing-agent' },
  };
  const [interaction] = buildInteractions([...trace.spans, nested], trace.logs);
  assert.equal(interaction?.spanId, run.spanId);
  assert.deepEqual(interaction?.subAgents.map((s) => [s.name, s.parent, s.status]), [['Billing Agent', 'Support Agent', 'ok']]);
});

void test('a supervisor over a sub-agent (captured): one interaction, the sub-agent under it, the hand-off as a tool call, tokens of all four calls', () => {
  const trace = capturedTrace('mastra-supervisor');
  const interactions = buildInteractions(trace.spans, trace.logs);
  assert.equal(interactions.length, 1);
  const interaction = interactions[0]!;
  assert.deepEqual([interaction.agentName, interaction.inputTokens, interaction.outputTokens], ['Triage Agent', 168, 36]);
  assert.deepEqual(interaction.subAgents.map((s) => [s.name, s.parent, s.spanId]), [
    ['Orders Agent', 'Triage Agent', trace.span('invoke_agent Orders Agent').spanId],
  ]);
  assert.deepEqual(interaction.tools.map((t) => t.name), ['agent-ordersAgent', 'lookup_order']);
});
