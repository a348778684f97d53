import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpanRecord } from '../src/otlp/records.ts';
import { emptySpanFacts } from '../src/normalize/convention.ts';
import { buildInteractions } from '../src/normalize/assemble.ts';
import * as langfuse from '../src/normalize/langfuse.ts';
import { capturedTrace } from './peer-fixtures.ts';

const QUESTION = { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] };
const SYSTEM = { role: 'system', parts: [{ type: 'text', content: 'Answer in one sentence.' }] };
const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
/** observeOpenAI's usage_details for 42 in (8 cached) / 9 out (3 reasoning), summed back. */
const USAGE = { inputTokens: 42, outputTokens: 9, cacheReadInputTokens: 8, reasoningOutputTokens: 3 };

function withAttributes(span: SpanRecord, attributes: SpanRecord['attributes']): SpanRecord {
  return { ...span, attributes: { ...span.attributes, ...attributes } };
}

void test('matches spans with a known langfuse.observation.type, and nothing else', () => {
  const trace = capturedTrace('langfuse-agent-tool');
  assert.deepEqual(trace.spans.map((s) => [s.name, langfuse.matches(s)]).sort(), [
    ['OpenAI.chat', true], ['OpenAI.chat', true], ['POST /ask', false], ['lookup_order', true], ['support-agent', true],
  ]);
  const generation = trace.spansNamed('OpenAI.chat')[0]!;
  assert.equal(langfuse.matches(withAttributes(generation, { 'langfuse.observation.type': 'event' })), false);
  assert.equal(capturedTrace('traceloop-sdk-agent').spans.some((s) => langfuse.matches(s)), false);
});

void test('observeOpenAI: a generation with its messages, the answering model and the OpenAI counts rebuilt from usage_details', () => {
  const trace = capturedTrace('langfuse-openai-plain');
  assert.deepEqual(langfuse.toSpanFacts(trace.span('OpenAI.chat'), []), {
    ...emptySpanFacts(),
    ...USAGE,
    operation: 'chat',
    responseModel: RESPONSE_MODEL,
    inputMessages: [SYSTEM, QUESTION],
    outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Order A-1001 has shipped.' }] }],
  });
  const interactions = buildInteractions(trace.spans, trace.logs);
  assert.deepEqual(
    interactions.map((i) => [i.name, i.operation, i.requestModel, i.responseModel, i.inputTokens, i.outputTokens, i.conventions]),
    [['OpenAI.chat', 'chat', null, RESPONSE_MODEL, 42, 9, ['langfuse']]],
  );
});

void test('a generation that asked for a tool: its tool call, from the `{messages, tools}` input and the choice message output', () => {
  const first = capturedTrace('langfuse-agent-tool').spansNamed('OpenAI.chat')[0]!;
  const facts = langfuse.toSpanFacts(first, []);
  assert.deepEqual(facts.inputMessages, [QUESTION]);
  assert.deepEqual(facts.outputMessages, [
    { role: 'assistant', parts: [{ type: 'tool_call', name: 'lookup_order', id: 'call_1', arguments: { order_id: 'A-1001' } }] },
  ]);
});

void test('usage types: counts without details are kept as they are, a usage that is no JSON object says nothing', () => {
  const generation = capturedTrace('langfuse-openai-plain').span('OpenAI.chat');
  const plain = langfuse.toSpanFacts(withAttributes(generation, { 'langfuse.observation.usage_details': '{"input":5,"output":2,"total":7}' }), []);
  assert.deepEqual([plain.inputTokens, plain.outputTokens, plain.cacheReadInputTokens, plain.reasoningOutputTokens], [5, 2, null, null]);
  const broken = langfuse.toSpanFacts(withAttributes(generation, { 'langfuse.observation.usage_details': 'not json' }), []);
  assert.deepEqual([broken.inputTokens, broken.outputTokens], [null, null]);
});

void test('an agent observation with a tool: one interaction named by the agent, its own input and output, the tool, tokens of both calls', () => {
  const trace = capturedTrace('langfuse-agent-tool');
  assert.deepEqual(langfuse.toSpanFacts(trace.span('support-agent'), []), {
    ...emptySpanFacts(),
    operation: 'invoke_agent',
    agentName: 'support-agent',
    inputMessages: [QUESTION],
    outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'A-1001 shipped with DHL.' }] }],
  });
  assert.deepEqual(langfuse.toSpanFacts(trace.span('lookup_order'), []), {
    ...emptySpanFacts(),
    operation: 'execute_tool',
    toolName: 'lookup_order',
    toolArguments: { order_id: 'A-1001' },
    toolResult: { status: 'shipped', carrier: 'DHL' },
  });
  const interactions = buildInteractions(trace.spans, trace.logs);
  assert.equal(interactions.length, 1);
  const interaction = interactions[0]!;
  assert.deepEqual(
    [interaction.operation, interaction.agentName, interaction.sessionId, interaction.userId, interaction.inputTokens,
      interaction.outputTokens, interaction.cacheReadInputTokens, interaction.reasoningOutputTokens, interaction.status],
    ['invoke_agent', 'support-agent', 'sess-9', 'user-9', 84, 18, 16, 6, 'unset'],
  );
  assert.deepEqual(interaction.userInput, [QUESTION]);
  assert.deepEqual(interaction.tools.map((t) => [t.name, t.arguments, t.result]), [
    ['lookup_order', { order_id: 'A-1001' }, { status: 'shipped', carrier: 'DHL' }],
  ]);
  assert.deepEqual(interaction.subAgents, []);
});

void test('a hand-off: the agent observation inside another is its sub-agent, the outer one the interaction', () => {
  const trace = capturedTrace('langfuse-handoff');
  const interactions = buildInteractions(trace.spans, trace.logs);
  assert.deepEqual(interactions.map((i) => [i.name, i.agentName, i.inputTokens, i.spanIds.length]), [['triage-agent', 'triage-agent', 42, 3]]);
  assert.deepEqual(interactions[0]?.subAgents.map((s) => [s.name, s.parent, s.spanId]), [
    ['orders-agent', 'triage-agent', trace.span('orders-agent').spanId],
  ]);
});

void test('a failed generation (level ERROR, no output) keeps the requested model; the agent whose function threw has the error status', () => {
  const trace = capturedTrace('langfuse-agent-error');
  const generation = langfuse.toSpanFacts(trace.span('OpenAI.chat'), []);
  assert.deepEqual([generation.requestModel, generation.responseModel, generation.inputTokens], ['gpt-missing', null, null]);
  const [interaction] = buildInteractions(trace.spans, trace.logs);
  assert.deepEqual(
    [interaction?.agentName, interaction?.status, interaction?.errorMessage, interaction?.requestModel],
    ['support-agent', 'error', '404 The model gpt-missing does not exist', 'gpt-missing'],
  );
});
