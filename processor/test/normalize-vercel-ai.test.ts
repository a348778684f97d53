import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySpanFacts } from '../src/normalize/convention.ts';
import { buildInteractions } from '../src/normalize/assemble.ts';
import * as vercelAi from '../src/normalize/vercel-ai.ts';
import { capturedTrace } from './peer-fixtures.ts';
import { span } from './normalize-builder.ts';

const QUESTION = { role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] };
const TOOL_CALL = { type: 'tool_call', name: 'lookup_order', id: 'call_1', arguments: { order_id: 'A-1001' } };
const TOOL_RESULT = { type: 'tool_call_response', id: 'call_1', response: { status: 'shipped', carrier: 'DHL' } };

void test('matches the ai.* spans of ai 4-6 and the gen_ai-scope spans of ai 7, and nothing else', () => {
  const matched = (fixture: string) => capturedTrace(fixture).spans.map((s) => [s.name, vercelAi.matches(s)]);
  assert.deepEqual(matched('vercel-ai-v6-generate'), [['POST /ask', false], ['ai.generateText', true], ['ai.generateText.doGenerate', true]]);
  assert.deepEqual(matched('vercel-ai-v7-generate').filter(([, m]) => !m), [['POST /ask', false]]);
  assert.equal(capturedTrace('traceloop-plain').spans.some((s) => vercelAi.matches(s)), false);
});

void test('ai 4 generateText: the run (an agent invocation) and its model call, with OpenAI cache and reasoning from provider metadata', () => {
  const trace = capturedTrace('vercel-ai-v4-generate');
  const session = { sessionId: 'sess-9', userId: 'user-9' };
  const output = [{ role: 'assistant', parts: [{ type: 'text', content: 'Order A-1001 has shipped.' }], finish_reason: 'stop' }];
  const system = [{ type: 'text', content: 'Answer in one sentence.' }];
  const usage = { inputTokens: 42, outputTokens: 9, cacheReadInputTokens: 8, reasoningOutputTokens: 3 };
  assert.deepEqual(vercelAi.toSpanFacts(trace.span('ai.generateText'), []), {
    ...emptySpanFacts(), ...session, ...usage,
    operation: 'invoke_agent', provider: 'openai', requestModel: 'gpt-4o-mini', agentName: 'order-support',
    systemInstructions: system, inputMessages: [QUESTION], outputMessages: output, finishReasons: ['stop'],
  });
  assert.deepEqual(vercelAi.toSpanFacts(trace.span('ai.generateText.doGenerate'), []), {
    ...emptySpanFacts(), ...session, ...usage,
    operation: 'chat', provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', responseId: 'chatcmpl-plain',
    systemInstructions: system, inputMessages: [QUESTION], outputMessages: output, finishReasons: ['stop'],
  });
});

void test('ai 5 streamText: the newer token names and the call\'s time to first chunk in milliseconds', () => {
  const call = capturedTrace('vercel-ai-v5-stream').span('ai.streamText.doStream');
  const facts = vercelAi.toSpanFacts(call, []);
  assert.deepEqual(
    [facts.inputTokens, facts.outputTokens, facts.cacheReadInputTokens, facts.reasoningOutputTokens, facts.timeToFirstTokenMs],
    [42, 9, 8, 3, call.attributes['ai.response.msToFirstChunk']],
  );
});

void test('ai 5 generateText reports neither cached nor reasoning tokens: unknown, not 0', () => {
  const facts = vercelAi.toSpanFacts(capturedTrace('vercel-ai-v5-generate').span('ai.generateText.doGenerate'), []);
  assert.deepEqual([facts.inputTokens, facts.outputTokens, facts.cacheReadInputTokens, facts.reasoningOutputTokens], [42, 9, null, null]);
});

void test('ai 6 tool round trip: tool-call and tool-result parts converted, the tool span read', () => {
  const trace = capturedTrace('vercel-ai-v6-tool');
  const [ask, answer] = trace.spansNamed('ai.generateText.doGenerate');
  assert.deepEqual(vercelAi.toSpanFacts(ask!, []).outputMessages, [{ role: 'assistant', parts: [TOOL_CALL], finish_reason: 'tool_call' }]);
  assert.deepEqual(vercelAi.toSpanFacts(answer!, []).inputMessages, [
    QUESTION, { role: 'assistant', parts: [TOOL_CALL] }, { role: 'tool', parts: [TOOL_RESULT] },
  ]);
  const tool = vercelAi.toSpanFacts(trace.span('ai.toolCall'), []);
  assert.deepEqual(
    [tool.operation, tool.toolName, tool.toolCallId, tool.toolArguments, tool.toolResult],
    ['execute_tool', 'lookup_order', 'call_1', { order_id: 'A-1001' }, { status: 'shipped', carrier: 'DHL' }],
  );
});

void test('a run is one interaction whose tokens are its calls\' sum, even where the run span says otherwise (ai 4: last step only)', () => {
  const v4 = capturedTrace('vercel-ai-v4-tool');
  assert.deepEqual([v4.span('ai.generateText').attributes['ai.usage.promptTokens']], [42]);
  for (const fixture of ['vercel-ai-v4-tool', 'vercel-ai-v6-tool', 'vercel-ai-v7-tool']) {
    const trace = capturedTrace(fixture);
    const interactions = buildInteractions(trace.spans, trace.logs);
    assert.equal(interactions.length, 1, fixture);
    assert.deepEqual([interactions[0]?.operation, interactions[0]?.inputTokens, interactions[0]?.outputTokens], ['invoke_agent', 84, 18], fixture);
    assert.deepEqual(interactions[0]?.tools.map((t) => [t.name, t.callId]), [['lookup_order', 'call_1']], fixture);
  }
});

void test('embed over doEmbed: one embeddings interaction, the embedded value as input, tokens once', () => {
  const trace = capturedTrace('vercel-ai-v6-embed');
  assert.deepEqual(vercelAi.toSpanFacts(trace.span('ai.embed.doEmbed'), []), {
    ...emptySpanFacts(),
    operation: 'embeddings', provider: 'openai', requestModel: 'text-embedding-3-small', inputTokens: 7,
    sessionId: 'sess-9', userId: 'user-9',
    inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'refund policy' }] }],
  });
  const [interaction] = buildInteractions(trace.spans, trace.logs);
  assert.deepEqual([interaction?.name, interaction?.inputTokens], ['ai.embed', 7]);
});

void test('ai 7 semconv spans: time to first chunk from seconds, opt-in reasoning tokens', () => {
  const chat = capturedTrace('vercel-ai-v7-stream').span('chat gpt-4o-mini');
  assert.deepEqual(vercelAi.toSpanFacts(chat, []), {
    ...emptySpanFacts(),
    timeToFirstTokenMs: (chat.attributes['gen_ai.client.operation.time_to_first_chunk'] as number) * 1000,
    reasoningOutputTokens: 3,
  });
});

void test('a failed call reports its exception event\'s type', () => {
  const failed = span({
    id: 1, name: 'ai.generateText', start: 0, end: 5, status: { code: 2, message: 'Not Found' },
    attributes: { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-x', 'ai.model.provider': 'google.vertex.chat' },
    events: [{ name: 'exception', at: 4, attributes: { 'exception.type': 'AI_APICallError', 'exception.message': 'Not Found' } }],
  });
  const facts = vercelAi.toSpanFacts(failed, []);
  assert.deepEqual([facts.errorType, facts.provider], ['AI_APICallError', 'gcp.vertex_ai']);
  assert.deepEqual([buildInteractions([failed], [])[0]?.status, buildInteractions([failed], [])[0]?.errorType], ['error', 'AI_APICallError']);
});
