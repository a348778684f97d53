import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttributeValue } from '../src/otlp/records.ts';
import { messagesOf, normalizeFinishReason, systemInstructionsOf } from '../src/normalize/messages.ts';

void test('finish reasons are stored in the semconv spelling: tool_call, content_filter', () => {
  assert.deepEqual(
    ['tool_calls', 'tool_call', 'tool-calls', 'function_call', 'content-filter', 'content_filter', 'STOP', 'length', 'error', 'other'].map(normalizeFinishReason),
    ['tool_call', 'tool_call', 'tool_call', 'tool_call', 'content_filter', 'content_filter', 'stop', 'length', 'error', 'other'],
  );
});

void test('OpenAI chat messages become role + parts: text, tool_call (arguments parsed), tool_call_response', () => {
  const openAi = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'What is on this receipt?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1001"}' } }] },
    { role: 'tool', tool_call_id: 'call_7', content: 'shipped' },
    { role: 'assistant', content: null, function_call: { name: 'legacy_fn', arguments: '{}' } },
  ];
  assert.deepEqual(messagesOf(JSON.stringify(openAi), 'user'), [
    { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'What is on this receipt?' },
      { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_7', name: 'lookup_order', arguments: { order_id: 'A-1001' } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7', response: 'shipped' }] },
    { role: 'assistant', parts: [{ type: 'tool_call', name: 'legacy_fn', arguments: {} }] },
  ]);
});

void test('semconv messages pass through; a tool_call_response `result` is renamed `response`', () => {
  const semconv: AttributeValue[] = [
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7', result: { status: 'shipped' } }] },
    { role: 'assistant', finish_reason: 'tool_calls', name: 'router', parts: [
      { type: 'reasoning', content: 'Need the order.' },
      { type: 'server_tool_call', name: 'web_search', server_tool_call: { type: 'web_search', query: 'A-1001' } },
    ] },
  ];
  assert.deepEqual(messagesOf(semconv, 'user'), [
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7', response: { status: 'shipped' } }] },
    { role: 'assistant', finish_reason: 'tool_call', name: 'router', parts: [
      { type: 'reasoning', content: 'Need the order.' },
      { type: 'server_tool_call', name: 'web_search', server_tool_call: { type: 'web_search', query: 'A-1001' } },
    ] },
  ]);
});

void test('Anthropic content blocks map to semconv parts', () => {
  assert.deepEqual(messagesOf([
    { role: 'assistant', content: [{ type: 'thinking', thinking: 'Look it up.' }, { type: 'tool_use', id: 'tu_1', name: 'lookup_order', input: { order_id: 'A-1001' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'shipped' }] },
  ], 'user'), [
    { role: 'assistant', parts: [{ type: 'reasoning', content: 'Look it up.' }, { type: 'tool_call', id: 'tu_1', name: 'lookup_order', arguments: { order_id: 'A-1001' } }] },
    { role: 'user', parts: [{ type: 'tool_call_response', id: 'tu_1', response: 'shipped' }] },
  ]);
});

void test('plain text is one message of the default role', () => {
  assert.deepEqual(messagesOf('Say hi', 'user'), [{ role: 'user', parts: [{ type: 'text', content: 'Say hi' }] }]);
});

void test('message skeletons without content (capture off) are null, as are absent and empty values', () => {
  assert.equal(messagesOf([{ role: 'user' }, { role: 'assistant', tool_calls: [{ id: 'c', function: { name: 'f' } }] }, { role: 'tool', id: 'c' }], 'user'), null);
  assert.equal(messagesOf(undefined, 'user'), null);
  assert.equal(messagesOf('', 'user'), null);
  assert.equal(messagesOf('[]', 'user'), null);
});

void test('system instructions: parts, a JSON string of parts, or a bare instructions string', () => {
  assert.deepEqual(systemInstructionsOf([{ type: 'text', content: 'Be brief.' }]), [{ type: 'text', content: 'Be brief.' }]);
  assert.deepEqual(systemInstructionsOf('[{"type":"text","content":"Be brief."}]'), [{ type: 'text', content: 'Be brief.' }]);
  assert.deepEqual(systemInstructionsOf('Be brief.'), [{ type: 'text', content: 'Be brief.' }]);
  assert.equal(systemInstructionsOf(undefined), null);
});
