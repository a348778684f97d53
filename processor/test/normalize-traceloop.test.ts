import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySpanFacts } from '../src/normalize/convention.ts';
import { buildInteractions } from '../src/normalize/assemble.ts';
import { readSpan } from '../src/normalize/registry.ts';
import * as traceloop from '../src/normalize/traceloop.ts';
import { capturedTrace } from './peer-fixtures.ts';

const QUESTION = { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] };

void test('matches spans of a @traceloop/* scope or with traceloop.* attributes, and nothing else', () => {
  const sdk = capturedTrace('traceloop-sdk-workflow');
  assert.deepEqual(sdk.spans.map((s) => [s.name, traceloop.matches(s)]), [
    ['POST /ask', false], ['order_support.workflow', true], ['answer.task', true], ['chat gpt-4o-mini', true],
  ]);
  assert.equal(capturedTrace('openlit-plain').spans.some((s) => traceloop.matches(s)), false);
});

void test('SDK spans: a workflow and its task are a chain, with the session and user of the association properties', () => {
  const trace = capturedTrace('traceloop-sdk-workflow');
  const association = { sessionId: 'sess-1', userId: 'user-1' };
  assert.deepEqual(traceloop.toSpanFacts(trace.span('order_support.workflow'), []), {
    ...emptySpanFacts(), ...association, operation: 'invoke_workflow',
  });
  assert.deepEqual(traceloop.toSpanFacts(trace.span('answer.task'), []), { ...emptySpanFacts(), ...association, operation: 'invoke_workflow' });
  const interactions = buildInteractions(trace.spans, trace.logs);
  assert.deepEqual(
    interactions.map((i) => [i.name, i.operation, i.sessionId, i.userId, i.inputTokens, i.outputTokens, i.spanIds.length, i.conventions]),
    [['order_support.workflow', 'invoke_workflow', 'sess-1', 'user-1', 42, 9, 3, ['traceloop', 'genai-semconv']]],
  );
});

void test('SDK spans: an agent, and a tool whose arguments are the wrapped function\'s kwargs and result its JSON return value', () => {
  const trace = capturedTrace('traceloop-sdk-agent');
  assert.deepEqual(traceloop.toSpanFacts(trace.span('support_agent.agent'), []), {
    ...emptySpanFacts(), operation: 'invoke_agent', agentName: 'support_agent', sessionId: 'conv-7', userId: 'user-1',
  });
  assert.deepEqual(traceloop.toSpanFacts(trace.span('lookup_order.tool'), []), {
    ...emptySpanFacts(), operation: 'execute_tool', sessionId: 'conv-7', userId: 'user-1',
    toolName: 'lookup_order', toolArguments: { order_id: 'A-1001' }, toolResult: { status: 'shipped', carrier: 'DHL' },
  });
  const [interaction] = buildInteractions(trace.spans, trace.logs);
  assert.deepEqual(
    [interaction?.operation, interaction?.sessionId, interaction?.inputTokens, interaction?.outputTokens, interaction?.tools.map((t) => t.name)],
    ['invoke_agent', 'conv-7', 84, 18, ['lookup_order']],
  );
});

void test('instrumentation-openai 0.27: a semconv chat span, read by the GenAI semconv adapter behind this one', () => {
  const chat = capturedTrace('traceloop-plain').span('chat gpt-4o-mini');
  assert.deepEqual(traceloop.toSpanFacts(chat, []), emptySpanFacts());
  const reading = readSpan(chat, []);
  assert.deepEqual(reading?.conventions, ['traceloop', 'genai-semconv']);
  assert.deepEqual(
    [reading?.facts.operation, reading?.facts.provider, reading?.facts.inputTokens, reading?.facts.outputTokens, reading?.facts.finishReasons],
    ['chat', 'openai', 42, 9, ['stop']],
  );
});

void test('instrumentation-openai 0.22: the "null" content of an assistant turn that only called tools is dropped', () => {
  const [, answer] = capturedTrace('traceloop-legacy-tool').spansNamed('openai.chat');
  assert.equal(answer?.attributes['gen_ai.prompt.1.content'], 'null');
  assert.deepEqual(traceloop.toSpanFacts(answer!, []).inputMessages, [
    QUESTION,
    { role: 'assistant', parts: [] },
    { role: 'tool', parts: [{ type: 'tool_call_response', response: { status: 'shipped', carrier: 'DHL' } }] },
  ]);
  const reading = readSpan(answer!, []);
  assert.deepEqual(
    [reading?.facts.operation, reading?.facts.provider, reading?.facts.inputTokens, reading?.facts.outputTokens],
    ['chat', 'openai', 42, 9],
  );
});

void test('instrumentation-langchain: a tool span is execute_tool, named, with call id, arguments and result read from its ToolMessage', () => {
  const tool = capturedTrace('traceloop-langgraph-react').span('execute_tool DynamicStructuredTool');
  assert.deepEqual(traceloop.toSpanFacts(tool, []), {
    ...emptySpanFacts(), operation: 'execute_tool', toolName: 'lookup_order', toolCallId: 'call_1',
    toolArguments: { order_id: 'A-1001' }, toolResult: { status: 'shipped', carrier: 'DHL' },
  });
});

void test('instrumentation-langchain: chains are workflow steps; inside an agent span the run is one interaction, tokens of both calls', () => {
  const trace = capturedTrace('traceloop-langgraph-react');
  assert.equal(traceloop.toSpanFacts(trace.span('workflow CompiledStateGraph'), []).operation, 'invoke_workflow');
  const interactions = buildInteractions(trace.spans, trace.logs);
  assert.deepEqual(
    interactions.map((i) => [i.name, i.agentName, i.inputTokens, i.outputTokens, i.tools.map((t) => t.name), i.spanIds.length]),
    [['invoke_agent support_agent', 'support_agent', 84, 18, ['lookup_order'], 15]],
  );
});

void test('instrumentation-langchain: without the agent span, the flat siblings are one interaction each', () => {
  const trace = capturedTrace('traceloop-langgraph-react');
  const agent = trace.span('invoke_agent support_agent');
  const flat = trace.spans.filter((s) => s !== agent).map((s) => (s.parentSpanId === agent.spanId ? { ...s, parentSpanId: agent.parentSpanId } : s));
  const interactions = buildInteractions(flat, trace.logs);
  assert.equal(interactions.length, 14);
  assert.deepEqual(interactions.filter((i) => i.operation === 'chat').map((i) => i.inputTokens), [42, 42]);
});
