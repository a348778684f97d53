import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySpanFacts } from '../src/normalize/convention.ts';
import * as openlit from '../src/normalize/openlit.ts';
import { readSpan } from '../src/normalize/registry.ts';
import { capturedTrace } from './peer-fixtures.ts';

const QUESTION = { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] };

void test('matches spans of an @openlit/* scope (or telemetry.sdk.name openlit), and nothing else', () => {
  assert.deepEqual(capturedTrace('openlit-plain').spans.map((s) => [s.name, openlit.matches(s)]).sort(), [
    ['POST /ask', false], ['chat gpt-4o-mini', true],
  ]);
  assert.equal(capturedTrace('traceloop-plain').spans.some((s) => openlit.matches(s)), false);
});

void test('a captured chat call: the end user from gen_ai.request.user; the rest is GenAI semconv', () => {
  const chat = capturedTrace('openlit-plain').span('chat gpt-4o-mini');
  assert.deepEqual(openlit.toSpanFacts(chat, []), { ...emptySpanFacts(), userId: 'end-user-7' });
  const reading = readSpan(chat, []);
  assert.deepEqual(reading?.conventions, ['openlit', 'genai-semconv']);
  assert.deepEqual(
    [reading?.facts.userId, reading?.facts.sessionId, reading?.facts.inputTokens, reading?.facts.cacheReadInputTokens, reading?.facts.systemInstructions],
    ['end-user-7', 'sess-5', 42, 8, [{ type: 'text', content: 'Answer in one sentence.' }]],
  );
});

void test('a captured streamed call: time to first token from gen_ai.server.time_to_first_token, in milliseconds', () => {
  const chat = capturedTrace('openlit-stream').span('chat gpt-4o-mini');
  assert.deepEqual(openlit.toSpanFacts(chat, []), {
    ...emptySpanFacts(),
    timeToFirstTokenMs: (chat.attributes['gen_ai.server.time_to_first_token'] as number) * 1000,
  });
});

void test('a captured tool round trip: the tool result OpenLIT writes as text is read back as a tool call response', () => {
  const [, answer] = capturedTrace('openlit-tool').spansNamed('chat gpt-4o-mini');
  assert.match(String(answer?.attributes['gen_ai.input.messages']), /"role":"tool","parts":\[\{"type":"text"/);
  assert.deepEqual(openlit.toSpanFacts(answer!, []).inputMessages, [
    QUESTION,
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { order_id: 'A-1001' } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', response: { status: 'shipped', carrier: 'DHL' } }] },
  ]);
});
