import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySpanFacts } from '../src/normalize/convention.ts';
import * as openinference from '../src/normalize/openinference.ts';
import { buildInteractions } from '../src/normalize/assemble.ts';
import { capturedTrace } from './peer-fixtures.ts';
import { span } from './normalize-builder.ts';

const QUESTION = { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] };
const TOOL_CALL = { type: 'tool_call', name: 'lookup_order', id: 'call_1', arguments: { order_id: 'A-1001' } };

void test('matches spans with openinference.span.kind only', () => {
  const plain = capturedTrace('openinference-plain');
  assert.deepEqual(plain.spans.map((s) => [s.name, openinference.matches(s)]), [['POST /ask', false], ['OpenAI Chat Completions', true]]);
  const contrib = capturedTrace('contrib-openai-plain');
  assert.equal(contrib.spans.some((s) => openinference.matches(s)), false);
});

void test('reads a captured chat span: requested model from the invocation parameters, tokens, flattened messages', () => {
  const trace = capturedTrace('openinference-plain');
  assert.deepEqual(openinference.toSpanFacts(trace.span('OpenAI Chat Completions'), []), {
    ...emptySpanFacts(),
    operation: 'chat',
    provider: 'openai',
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    responseId: 'chatcmpl-plain',
    inputTokens: 42,
    outputTokens: 9,
    cacheReadInputTokens: 8,
    reasoningOutputTokens: 3,
    inputMessages: [{ role: 'system', parts: [{ type: 'text', content: 'Answer in one sentence.' }] }, QUESTION],
    outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Order A-1001 has shipped.' }], finish_reason: 'stop' }],
    finishReasons: ['stop'],
  });
});

void test('a captured streamed span: no tokens and no answering model (llm.model_name is still the request\'s)', () => {
  const facts = openinference.toSpanFacts(capturedTrace('openinference-stream').span('OpenAI Chat Completions'), []);
  assert.deepEqual(
    [facts.requestModel, facts.responseModel, facts.inputTokens, facts.outputTokens, facts.cacheReadInputTokens, facts.reasoningOutputTokens],
    ['gpt-4o-mini', null, null, null, null, null],
  );
  assert.deepEqual(facts.outputMessages, [{ role: 'assistant', parts: [{ type: 'text', content: 'Your order has shipped.' }], finish_reason: 'stop' }]);
});

void test('captured tool calls: output tool_calls, then the assistant call and the tool result in the next input', () => {
  const [ask, answer] = capturedTrace('openinference-tool').spansNamed('OpenAI Chat Completions');
  assert.deepEqual(openinference.toSpanFacts(ask!, []).outputMessages, [{ role: 'assistant', parts: [TOOL_CALL], finish_reason: 'tool_call' }]);
  assert.deepEqual(openinference.toSpanFacts(answer!, []).inputMessages, [
    QUESTION,
    { role: 'assistant', parts: [TOOL_CALL] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { status: 'shipped', carrier: 'DHL' } }] },
  ]);
});

void test('a captured embeddings span: its model and embedded text; OpenInference records no tokens for it', () => {
  const facts = openinference.toSpanFacts(capturedTrace('openinference-embeddings').span('OpenAI Embeddings'), []);
  assert.deepEqual(facts, {
    ...emptySpanFacts(),
    operation: 'embeddings',
    provider: 'openai',
    requestModel: 'text-embedding-3-small',
    inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'refund policy' }] }],
  });
});

void test('agent, tool and chain spans (OpenInference spec, as framework instrumentations emit them)', () => {
  const spans = [
    span({ id: 1, name: 'support', start: 0, end: 100, attributes: {
      'openinference.span.kind': 'CHAIN', 'input.value': 'Where is A-1001?', 'input.mime_type': 'text/plain',
    } }),
    span({ id: 2, parent: 1, name: 'agent', start: 1, end: 99, attributes: {
      'openinference.span.kind': 'AGENT', 'agent.name': 'support-agent', 'input.value': '{"q":1}', 'input.mime_type': 'application/json',
      'session.id': 'conv-1',
    } }),
    span({ id: 3, parent: 2, name: 'lookup_order', start: 10, end: 20, status: { code: 2, message: 'timed out' }, attributes: {
      'openinference.span.kind': 'TOOL', 'tool.name': 'lookup_order', 'input.value': '{"order_id":"A-1001"}',
    }, events: [{ name: 'exception', at: 19, attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'timed out' } }] }),
  ];
  assert.deepEqual(openinference.toSpanFacts(spans[0]!, []).inputMessages, [userText('Where is A-1001?')]);
  assert.deepEqual(openinference.toSpanFacts(spans[1]!, []).inputMessages, null, 'a JSON input is not a message');
  const [interaction] = buildInteractions(spans, []);
  assert.deepEqual(
    [interaction?.operation, interaction?.agentName, interaction?.sessionId, interaction?.status, interaction?.errorType, interaction?.conventions],
    ['invoke_agent', 'support-agent', 'conv-1', 'error', 'TimeoutError', ['openinference']],
  );
  assert.deepEqual(interaction?.tools.map((t) => [t.name, t.error, t.arguments]), [['lookup_order', 'TimeoutError', { order_id: 'A-1001' }]]);
});

function userText(text: string) {
  return { role: 'user', parts: [{ type: 'text', content: text }] };
}
