// The OpenInference framework specifics (normalize/openinference-frameworks.ts) on spans captured
// from the real libraries: LangGraph through the LangChain instrumentation, and the OpenAI Agents SDK.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as openinference from '../src/normalize/openinference.ts';
import { buildInteractions } from '../src/normalize/assemble.ts';
import { capturedTrace } from './peer-fixtures.ts';

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });
const ORDER_RESULT = { status: 'shipped', carrier: 'DHL' };

void test('LangGraph: the invoked graph is an invoke_agent named after the graph, its state messages the input and the answer', () => {
  const trace = capturedTrace('langgraph-react');
  const facts = openinference.toSpanFacts(trace.span('order_agent'), []);
  assert.equal(facts.operation, 'invoke_agent');
  assert.equal(facts.agentName, 'order_agent');
  assert.deepEqual(facts.inputMessages, [text('user', 'Where is order A-1001?')]);
  assert.deepEqual(facts.outputMessages, [{ ...text('assistant', 'A-1001 shipped with DHL.'), name: 'order_agent' }]);
  // Its nodes stay workflow steps, each naming its node.
  const nodes = trace.spansNamed('agent').map((s) => openinference.toSpanFacts(s, []));
  assert.deepEqual(nodes.map((f) => [f.operation, f.graphNode, f.agentName]), [['invoke_workflow', 'agent', null], ['invoke_workflow', 'agent', null]]);
});

void test('LangGraph: a chat model span answers with the generated message\'s model and id, the provider from ls_provider', () => {
  const [first] = capturedTrace('langgraph-react').spansNamed('ChatOpenAI').map((s) => openinference.toSpanFacts(s, []));
  assert.deepEqual(
    [first!.requestModel, first!.responseModel, first!.responseId, first!.provider, first!.inputTokens, first!.outputTokens],
    ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'chatcmpl-call_1', 'openai', 42, 9],
  );
});

void test('LangGraph: a tool span takes its call id and result from the ToolMessage it returned; a hand-off tool from its Command', () => {
  const lookup = openinference.toSpanFacts(capturedTrace('langgraph-react').span('lookup_order'), []);
  assert.deepEqual([lookup.toolName, lookup.toolCallId, lookup.toolArguments, lookup.toolResult], ['lookup_order', 'call_1', 'A-1001', ORDER_RESULT]);
  const transfer = openinference.toSpanFacts(capturedTrace('langgraph-supervisor').span('transfer_to_order_agent'), []);
  assert.deepEqual([transfer.toolCallId, transfer.toolResult], ['call_h1', { goto: ['order_agent'], response: 'Successfully transferred to order_agent' }]);
});

void test('LangGraph: spans ended by ParentCommand are hand-offs in flight; the exception type is only the first line of the stack', () => {
  const trace = capturedTrace('langgraph-supervisor');
  const failed = trace.spans.filter((s) => s.status.code === 2);
  assert.ok(failed.length >= 4);
  for (const span of failed) {
    const exception = span.events.find((e) => e.name === 'exception');
    assert.equal(exception?.attributes['exception.type'], undefined);
    assert.match(String(exception?.attributes['exception.message']), /^\s*ParentCommand\n/);
    assert.equal(openinference.toSpanFacts(span, []).controlFlow, true);
  }
  const ok = trace.spans.filter((s) => s.status.code !== 2 && openinference.matches(s));
  assert.ok(ok.every((s) => openinference.toSpanFacts(s, []).controlFlow === null));
});

void test('LangGraph: another exception on a span stays a failure', () => {
  const trace = capturedTrace('langgraph-supervisor');
  const span = trace.spans.find((s) => s.status.code === 2)!;
  const failing = {
    ...span,
    status: { code: 2 as const, message: 'Error: connection reset' },
    events: [{ ...span.events[0]!, attributes: { 'exception.message': 'connection reset\n\nError: connection reset\n    at x' } }],
  };
  assert.equal(openinference.toSpanFacts(failing, []).controlFlow, null);
  const [interaction] = buildInteractions(trace.spans.map((s) => (s.spanId === span.spanId ? failing : s)), []);
  assert.equal(interaction!.status, 'error');
});

void test('LangGraph supervisor: one interaction, ok, with both sub-agents handed off to by the supervisor', () => {
  const interactions = buildInteractions(capturedTrace('langgraph-supervisor').spans, []);
  assert.equal(interactions.length, 1);
  const [run] = interactions as [(typeof interactions)[number]];
  assert.deepEqual([run.agentName, run.status, run.errorType], ['supervisor', 'ok', null]);
  assert.deepEqual(run.subAgents.map((s) => [s.parent, s.name, s.status]), [['supervisor', 'order_agent', 'ok'], ['supervisor', 'refund_agent', 'ok']]);
  assert.deepEqual(run.tools.map((t) => t.name), ['transfer_to_order_agent', 'lookup_order', 'transfer_to_refund_agent', 'check_refund']);
  assert.deepEqual([run.inputTokens, run.outputTokens], [42 * 7, 9 * 7]);
  assert.deepEqual(run.response, [{ ...text('assistant', 'A-1001 shipped with DHL and can be refunded for 12 more days.'), name: 'supervisor' }]);
});

void test('OpenAI Agents SDK: agent spans are named by graph.node.id, a hand-off target names its source by graph.node.parent_id', () => {
  const trace = capturedTrace('openai-agents-handoff');
  const triage = openinference.toSpanFacts(trace.span('triage_agent'), []);
  const refund = openinference.toSpanFacts(trace.span('refund_agent'), []);
  assert.deepEqual([triage.operation, triage.agentName, triage.handoffParent], ['invoke_agent', 'triage_agent', null]);
  assert.deepEqual([refund.agentName, refund.handoffParent], ['refund_agent', 'triage_agent']);
  // Two spans share the workflow's name: the trace's root (AGENT, with the lifted input and output) and the SDK's trace span beneath it (CHAIN).
  const [rootSpan, traceSpan] = trace.spansNamed('Agent workflow');
  assert.deepEqual([rootSpan!.attributes['openinference.span.kind'], traceSpan!.attributes['openinference.span.kind']], ['AGENT', 'CHAIN']);
  const root = openinference.toSpanFacts(rootSpan!, []);
  assert.deepEqual([root.agentName, root.inputMessages, root.outputMessages], [
    null, [text('user', 'I want to return order A-1001.')], [text('assistant', 'A-1001 can be refunded for 12 more days.')],
  ]);
});

void test('OpenAI Agents SDK: a Responses call has no requested model (its invocation parameters are the response)', () => {
  const [first] = capturedTrace('openai-agents-tool').spansNamed('response').map((s) => openinference.toSpanFacts(s, []));
  assert.deepEqual([first!.requestModel, first!.responseModel, first!.provider, first!.inputTokens], [null, 'gpt-4o-mini-2024-07-18', 'openai', 30]);
});

void test('OpenAI Agents SDK: one interaction per run, named by its first agent; the hand-off is its one sub-agent', () => {
  const [tool] = buildInteractions(capturedTrace('openai-agents-tool').spans, []);
  assert.deepEqual([tool!.agentName, tool!.status, tool!.subAgents, tool!.tools.map((t) => t.name)], ['order_agent', 'ok', [], ['lookup_order']]);
  const interactions = buildInteractions(capturedTrace('openai-agents-handoff').spans, []);
  assert.equal(interactions.length, 1);
  const [handoff] = interactions as [(typeof interactions)[number]];
  assert.deepEqual([handoff.agentName, handoff.status], ['triage_agent', 'ok']);
  assert.deepEqual(handoff.subAgents.map((s) => [s.parent, s.name, s.status]), [['triage_agent', 'refund_agent', 'ok']]);
  assert.deepEqual(handoff.tools.map((t) => [t.name, t.arguments, t.result]), [['handoff_to_refund_agent', { from_agent: 'triage_agent' }, { to_agent: 'refund_agent' }]]);
});
