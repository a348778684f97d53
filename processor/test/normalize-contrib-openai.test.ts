import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySpanFacts } from '../src/normalize/convention.ts';
import * as contribOpenai from '../src/normalize/contrib-openai.ts';
import { readSpan } from '../src/normalize/registry.ts';
import { capturedTrace } from './peer-fixtures.ts';

void test('matches the spans of the @opentelemetry/instrumentation-openai scope only', () => {
  const trace = capturedTrace('contrib-openai-plain');
  assert.deepEqual(trace.spans.map((s) => [s.name, contribOpenai.matches(s)]).sort(), [['POST /ask', false], ['chat gpt-4o-mini', true]]);
  assert.equal(capturedTrace('openinference-plain').spans.some((s) => contribOpenai.matches(s)), false);
});

void test('a captured chat call: the messages come from its log records; the span has no content', () => {
  const trace = capturedTrace('contrib-openai-plain');
  const chat = trace.span('chat gpt-4o-mini');
  assert.deepEqual(trace.eventsOf(chat).map((e) => [e.name, e.source]), [
    ['gen_ai.system.message', 'log_record'], ['gen_ai.user.message', 'log_record'], ['gen_ai.choice', 'log_record'],
  ]);
  assert.deepEqual(contribOpenai.toSpanFacts(chat, trace.eventsOf(chat)), {
    ...emptySpanFacts(),
    inputMessages: [
      { role: 'system', parts: [{ type: 'text', content: 'Answer in one sentence.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] },
    ],
    outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Order A-1001 has shipped.' }], finish_reason: 'stop' }],
  });
  const reading = readSpan(chat, trace.eventsOf(chat));
  assert.deepEqual(reading?.conventions, ['contrib-openai', 'genai-semconv']);
  assert.deepEqual(
    [reading?.facts.operation, reading?.facts.provider, reading?.facts.requestModel, reading?.facts.inputTokens, reading?.facts.outputTokens,
      reading?.facts.cacheReadInputTokens, reading?.facts.reasoningOutputTokens, reading?.facts.timeToFirstTokenMs],
    ['chat', 'openai', 'gpt-4o-mini', 42, 9, null, null, null],
  );
});

void test('a captured Responses function call: the tool call id is the call_id tool results refer to, not the item id', () => {
  const trace = capturedTrace('contrib-openai-responses');
  const chat = trace.span('chat gpt-4o-mini');
  const raw = trace.eventsOf(chat).find((e) => e.attributes['gen_ai.output.messages'] !== undefined);
  assert.match(JSON.stringify(raw?.attributes['gen_ai.output.messages']), /"id":"fc_1".*"call_id":"call_r1"/);
  assert.deepEqual(contribOpenai.toSpanFacts(chat, trace.eventsOf(chat)).outputMessages, [{
    role: 'assistant',
    parts: [{ type: 'tool_call', id: 'call_r1', name: 'lookup_order', arguments: { order_id: 'A-7' } }],
    finish_reason: 'tool_call',
  }]);
});

void test('a captured embeddings call has no content events: nothing to add to the GenAI semconv reading', () => {
  const embeddings = capturedTrace('contrib-openai-embeddings').span('embeddings text-embedding-3-small');
  assert.deepEqual(contribOpenai.toSpanFacts(embeddings, []), emptySpanFacts());
  assert.deepEqual(readSpan(embeddings, [])?.facts.inputTokens, 7);
});
