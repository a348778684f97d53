// Interactions as OpenAI fine-tuning examples: chat (with the agent's tool calls and results)
// and preference (a correction over the answer), and the deterministic split. Plain values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ExampleSource, splitOf, toChatExample, toPreferenceExample } from '../src/dataset/convert.ts';

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

const turn: ExampleSource = {
  id: 'a'.repeat(32) + '-' + 'b'.repeat(16),
  system_instructions: [{ type: 'text', content: 'You are a support agent.' }],
  user_input: [text('user', 'Where is my order A-1001?')],
  response: [{ ...text('assistant', 'It shipped with DHL.'), finish_reason: 'stop' }],
  tools: [{ name: 'lookup_order', callId: 'call_1', spanId: 'c'.repeat(16), durationMs: 12, error: null, arguments: { order: 'A-1001' }, result: { carrier: 'DHL' } }],
};

test('a chat example is system, user, the tool call and its result, then the answer, with the tool named', () => {
  assert.deepEqual(toChatExample(turn), {
    messages: [
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'Where is my order A-1001?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order":"A-1001"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"carrier":"DHL"}' },
      { role: 'assistant', content: 'It shipped with DHL.' },
    ],
    tools: [{ type: 'function', function: { name: 'lookup_order' } }],
  });
});

test('tool calls already in the input messages are kept where they are, not repeated from the spans', () => {
  const example = toChatExample({
    ...turn,
    system_instructions: null,
    user_input: [
      text('user', 'Where is my order A-1001?'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { order: 'A-1001' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'shipped' }] },
    ],
  });
  assert.deepEqual(example?.messages, [
    { role: 'user', content: 'Where is my order A-1001?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order":"A-1001"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'shipped' },
    { role: 'assistant', content: 'It shipped with DHL.' },
  ]);
});

test('a failed tool without a result says its error; a call without an id takes the span id', () => {
  const example = toChatExample({ ...turn, tools: [{ ...turn.tools[0]!, callId: null, error: 'timeout', result: null }] });
  assert.deepEqual(example?.messages.slice(2, 4), [
    { role: 'assistant', content: null, tool_calls: [{ id: `call_${'c'.repeat(16)}`, type: 'function', function: { name: 'lookup_order', arguments: '{"order":"A-1001"}' } }] },
    { role: 'tool', tool_call_id: `call_${'c'.repeat(16)}`, content: 'error: timeout' },
  ]);
});

test('an interaction without captured question or answer makes no example', () => {
  assert.equal(toChatExample({ ...turn, user_input: null }), null);
  assert.equal(toChatExample({ ...turn, response: null }), null);
  assert.equal(toChatExample({ ...turn, response: [text('assistant', '')] }), null);
  assert.equal(toPreferenceExample({ ...turn, response: null }, 'better'), null);
});

test('a preference example prefers the correction over the answer given, after the same prompt', () => {
  assert.deepEqual(toPreferenceExample({ ...turn, tools: [] }, 'It shipped with UPS on 2 May.'), {
    input: { messages: [{ role: 'system', content: 'You are a support agent.' }, { role: 'user', content: 'Where is my order A-1001?' }] },
    preferred_output: [{ role: 'assistant', content: 'It shipped with UPS on 2 May.' }],
    non_preferred_output: [{ role: 'assistant', content: 'It shipped with DHL.' }],
  });
});

test('the split is a function of the id alone and puts about the asked share in validation', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `${i.toString(16).padStart(32, '0')}-${'0'.repeat(16)}`);
  const validation = ids.filter((id) => splitOf(id, 0.1) === 'validation').length;
  assert.ok(validation > 900 && validation < 1100, `validation share ${validation / 10_000}`);
  assert.deepEqual(ids.map((id) => splitOf(id, 0.1)), ids.map((id) => splitOf(id, 0.1)));
  assert.equal(ids.filter((id) => splitOf(id, 0) === 'validation').length, 0);
  assert.equal(ids.filter((id) => splitOf(id, 1) === 'validation').length, ids.length);
});
