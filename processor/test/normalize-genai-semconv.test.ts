import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InteractionEvent } from '../src/normalize/interaction.ts';
import type { SpanFacts } from '../src/normalize/convention.ts';
import * as genaiSemconv from '../src/normalize/genai-semconv.ts';
import { at, sid, span } from './normalize-builder.ts';

const USER = { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] };
const ANSWER = { role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'It has shipped.' }] };

function spanEvent(name: string, ms: number, attributes: InteractionEvent['attributes']): InteractionEvent {
  return { spanId: sid(1), name, timeUnixNano: at(ms), attributes, body: null, source: 'span_event' };
}

void test('matches spans with a GenAI marker attribute, old or new, and nothing else', () => {
  const matches = (attributes: Record<string, string>) => genaiSemconv.matches(span({ id: 1, name: 'x', start: 0, end: 1, attributes }));
  assert.equal(matches({ 'gen_ai.operation.name': 'chat' }), true);
  assert.equal(matches({ 'gen_ai.system': 'openai' }), true);
  assert.equal(matches({ 'gen_ai.prompt.0.role': 'user' }), true);
  // Traceloop copies gen_ai.conversation.id and gen_ai.agent.name onto every span in context.
  assert.equal(matches({ 'gen_ai.conversation.id': 'c', 'gen_ai.agent.name': 'a', 'http.request.method': 'GET' }), false);
});

void test('reads a latest-semconv chat span field by field', () => {
  const chat = span({
    id: 1, name: 'chat gpt-4o', start: 0, end: 10,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': 'chatcmpl-9',
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.response.time_to_first_chunk': 0.125,
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': '35',
      'gen_ai.usage.cache_read.input_tokens': 100,
      'gen_ai.usage.cache_creation.input_tokens': 0,
      'gen_ai.usage.reasoning.output_tokens': 12,
      'gen_ai.conversation.id': 'conv-1',
      'gen_ai.agent.name': 'order-agent',
      'gen_ai.agent.id': 'agent_42',
      'gen_ai.system_instructions': '[{"type":"text","content":"Be brief."}]',
      'gen_ai.input.messages': JSON.stringify([USER]),
      'gen_ai.output.messages': JSON.stringify([ANSWER]),
    },
  });
  assert.deepEqual(genaiSemconv.toSpanFacts(chat, []), {
    operation: 'chat',
    provider: 'openai',
    requestModel: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    responseId: 'chatcmpl-9',
    inputTokens: 120,
    outputTokens: 35,
    cacheReadInputTokens: 100,
    cacheCreationInputTokens: 0,
    reasoningOutputTokens: 12,
    systemInstructions: [{ type: 'text', content: 'Be brief.' }],
    inputMessages: [USER],
    outputMessages: [ANSWER],
    finishReasons: ['tool_call'],
    timeToFirstTokenMs: 125,
    sessionId: 'conv-1',
    userId: null,
    agentName: 'order-agent',
    agentId: 'agent_42',
    toolName: null,
    toolCallId: null,
    toolArguments: null,
    toolResult: null,
    intent: null,
    confidence: null,
    knowledgeSources: null,
    promptVersion: null,
    expectedOutput: null,
    errorType: null,
    handoffParent: null,
    graphNode: null,
    controlFlow: null,
  } satisfies SpanFacts);
});

void test('older forms: gen_ai.system with renamed values, prompt/completion token names, no operation name', () => {
  const facts = (attributes: Record<string, string | number>, name = 'openai.chat') =>
    genaiSemconv.toSpanFacts(span({ id: 1, name, start: 0, end: 1, attributes }), []);
  const v126 = facts({ 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': 'gpt-4', 'gen_ai.usage.prompt_tokens': 11, 'gen_ai.usage.completion_tokens': 22 });
  assert.deepEqual([v126.operation, v126.provider, v126.inputTokens, v126.outputTokens], ['chat', 'openai', 11, 22]);
  assert.equal(facts({ 'gen_ai.system': 'vertex_ai' }).provider, 'gcp.vertex_ai');
  assert.equal(facts({ 'gen_ai.system': 'gemini' }).provider, 'gcp.gemini');
  assert.equal(facts({ 'gen_ai.system': 'az.ai.openai' }).provider, 'azure.ai.openai');
  assert.equal(facts({ 'gen_ai.system': 'xai' }).provider, 'x_ai');
  // provider.name wins over gen_ai.system.
  assert.equal(facts({ 'gen_ai.system': 'openai', 'gen_ai.provider.name': 'azure.ai.openai' }).provider, 'azure.ai.openai');
  // The new names win over the old ones.
  assert.equal(facts({ 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.prompt_tokens': 6 }).inputTokens, 5);
  // The operation from the span name prefix; Traceloop's llm.request.type.
  assert.equal(facts({ 'gen_ai.system': 'openai' }, 'embeddings text-embedding-3-small').operation, 'embeddings');
  assert.equal(facts({ 'gen_ai.system': 'OpenAI', 'llm.request.type': 'completion' }).operation, 'text_completion');
  // Traceloop's underscore cache and reasoning names.
  const underscore = facts({
    'gen_ai.system': 'openai', 'gen_ai.usage.cache_read_input_tokens': 3, 'gen_ai.usage.cache_creation_input_tokens': 4,
    'gen_ai.usage.reasoning_tokens': 5,
  });
  assert.deepEqual([underscore.cacheReadInputTokens, underscore.cacheCreationInputTokens, underscore.reasoningOutputTokens], [3, 4, 5]);
});

void test('v1.26 gen_ai.content.prompt / gen_ai.content.completion span events carry OpenAI-style JSON', () => {
  const chat = span({ id: 1, name: 'openai.chat', start: 0, end: 10, attributes: { 'gen_ai.system': 'openai' } });
  const events = [
    spanEvent('gen_ai.content.prompt', 1, {
      'gen_ai.prompt': JSON.stringify([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where is order A-1001?' }]),
    }),
    spanEvent('gen_ai.content.completion', 9, {
      'gen_ai.completion': JSON.stringify([{ role: 'assistant', content: 'It has shipped.', finish_reason: 'stop' }]),
    }),
  ];
  const facts = genaiSemconv.toSpanFacts(chat, events);
  assert.deepEqual(facts.inputMessages, [{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }, USER]);
  assert.deepEqual(facts.outputMessages, [ANSWER]);
  assert.deepEqual(facts.finishReasons, ['stop']);
});

void test('gen_ai.prompt / gen_ai.completion as span attributes, choices included', () => {
  const chat = span({
    id: 1, name: 'openai.chat', start: 0, end: 10,
    attributes: {
      'gen_ai.system': 'openai',
      'gen_ai.prompt': JSON.stringify([{ role: 'user', content: 'Where is order A-1001?' }]),
      'gen_ai.completion': JSON.stringify([{ index: 0, finish_reason: 'tool_calls', message: {
        role: 'assistant', content: null,
        tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1001"}' } }],
      } }]),
    },
  });
  const facts = genaiSemconv.toSpanFacts(chat, []);
  assert.deepEqual(facts.inputMessages, [USER]);
  assert.deepEqual(facts.outputMessages, [{
    role: 'assistant', finish_reason: 'tool_call',
    parts: [{ type: 'tool_call', name: 'lookup_order', id: 'call_7', arguments: { order_id: 'A-1001' } }],
  }]);
});

void test('indexed gen_ai.prompt.{i}.* / gen_ai.completion.{i}.* attributes (Traceloop before 0.23)', () => {
  const chat = span({
    id: 1, name: 'openai.chat', start: 0, end: 10,
    attributes: {
      'gen_ai.system': 'OpenAI',
      'llm.request.type': 'chat',
      'gen_ai.prompt.name': 'order-status',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': JSON.stringify([{ type: 'text', text: 'And this receipt?' },
        { type: 'image_url', image_url: { url: 'https://example.invalid/r.png' } }]),
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': 'Where is order A-1001?',
      'gen_ai.prompt.2.role': 'tool',
      'gen_ai.prompt.2.tool_call_id': 'call_6',
      'gen_ai.prompt.2.content': '[not json',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.1.name': 'track',
      'gen_ai.completion.0.tool_calls.1.arguments': '{"carrier":"dhl"}',
      'gen_ai.completion.0.tool_calls.0.id': 'call_7',
      'gen_ai.completion.0.tool_calls.0.name': 'lookup_order',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"order_id":"A-1001"}',
      'gen_ai.prompt.0.__proto__.polluted': 'yes',
    },
  });
  const facts = genaiSemconv.toSpanFacts(chat, []);
  assert.equal(facts.operation, 'chat');
  assert.deepEqual(facts.inputMessages, [
    USER,
    { role: 'user', parts: [{ type: 'text', content: 'And this receipt?' }, { type: 'uri', modality: 'image', uri: 'https://example.invalid/r.png' }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_6', response: '[not json' }] },
  ]);
  assert.deepEqual(facts.outputMessages, [{
    role: 'assistant', finish_reason: 'tool_call',
    parts: [
      { type: 'tool_call', name: 'lookup_order', id: 'call_7', arguments: { order_id: 'A-1001' } },
      { type: 'tool_call', name: 'track', arguments: { carrier: 'dhl' } },
    ],
  }]);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

void test('per-message span events and gen_ai.choice by index', () => {
  const chat = span({ id: 1, name: 'chat gpt-4o', start: 0, end: 10, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai' } });
  const events = [
    spanEvent('gen_ai.user.message', 1, { content: 'Where is order A-1001?' }),
    spanEvent('gen_ai.choice', 8, { index: 1, finish_reason: 'length', message: { content: 'It has' } }),
    spanEvent('gen_ai.choice', 9, { index: 0, finish_reason: 'stop', message: { content: 'It has shipped.' } }),
  ];
  const facts = genaiSemconv.toSpanFacts(chat, events);
  assert.deepEqual(facts.inputMessages, [USER]);
  assert.deepEqual(facts.outputMessages, [
    ANSWER,
    { role: 'assistant', finish_reason: 'length', parts: [{ type: 'text', content: 'It has' }] },
  ]);
  assert.deepEqual(facts.finishReasons, ['stop', 'length']);
});

void test('span attributes win over the operation-details event, which wins over per-message events', () => {
  const other = { role: 'user', parts: [{ type: 'text', content: 'other' }] };
  const chat = span({ id: 1, name: 'chat gpt-4o', start: 0, end: 10, attributes: {
    'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': JSON.stringify([USER]),
  } });
  const events = [
    spanEvent('gen_ai.user.message', 1, { content: 'per-message' }),
    spanEvent('gen_ai.client.inference.operation.details', 5, { 'gen_ai.input.messages': [other], 'gen_ai.output.messages': [ANSWER] }),
    spanEvent('gen_ai.client.inference.operation.details', 6, {
      'gen_ai.output.messages': [{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'More.' }] }],
    }),
  ];
  const facts = genaiSemconv.toSpanFacts(chat, events);
  assert.deepEqual(facts.inputMessages, [USER]);
  // Output messages of several details events (one per streamed item) are concatenated.
  assert.deepEqual(facts.outputMessages, [ANSWER, { role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'More.' }] }]);
});

void test('an execute_tool span names its tool from the attribute, else from the span name', () => {
  const tool = span({ id: 1, name: 'execute_tool lookup_order', start: 0, end: 1, attributes: {
    'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.id': 'call_7',
    'gen_ai.tool.call.arguments': { order_id: 'A-1001' }, 'gen_ai.tool.call.result': 'shipped',
  } });
  const facts = genaiSemconv.toSpanFacts(tool, []);
  assert.deepEqual([facts.toolName, facts.toolCallId, facts.toolArguments, facts.toolResult],
    ['lookup_order', 'call_7', { order_id: 'A-1001' }, 'shipped']);
});
