import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import type { LogRecord, SpanRecord } from '../src/otlp/records.ts';
import type { Interaction } from '../src/normalize/interaction.ts';
import { buildInteractions, spanRoleOf } from '../src/normalize/index.ts';
import { readSpan } from '../src/normalize/registry.ts';
import { capturedTrace } from './peer-fixtures.ts';
import { at, log, shuffled, sid, span, TRACE_ID } from './normalize-builder.ts';

const SYSTEM_TEXT = 'You are the order-support agent. Answer in one sentence.';
const USER_TEXT = 'Where is order A-1001?';
const ANSWER_TEXT = 'A-1001 has shipped and should arrive on 2 May.';

/** invoke_agent -> chat (asks for a tool) + execute_tool (-> HTTP GET) + chat (answers). */
function latestAgentTrace(): SpanRecord[] {
  return [
    span({
      id: 1, name: 'invoke_agent order-agent', start: 0, end: 2000, status: { code: 1 },
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': 'openai',
        'gen_ai.agent.name': 'order-agent',
        'gen_ai.agent.id': 'agent_42',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.conversation.id': 'conv-7',
        'user.id': 'user-3',
        // Run totals of the children: must not be added to them.
        'gen_ai.usage.input_tokens': 250,
        'gen_ai.usage.output_tokens': 50,
        'flywheel.intent': 'order_status',
        'flywheel.confidence': 0.92,
        'flywheel.knowledge.sources': ['kb://orders/faq', 'kb://shipping/carriers'],
        'flywheel.prompt.version': 'v3',
      },
    }),
    span({
      id: 2, parent: 1, name: 'chat gpt-4o', kind: 3, start: 100, end: 900,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.response.id': 'chatcmpl-1',
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.response.time_to_first_chunk': 0.25,
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': 20,
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM_TEXT }]),
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: USER_TEXT }] }]),
        'gen_ai.output.messages': JSON.stringify([{
          role: 'assistant', finish_reason: 'tool_call',
          parts: [{ type: 'tool_call', id: 'call_7', name: 'lookup_order', arguments: { order_id: 'A-1001' } }],
        }]),
      },
    }),
    span({
      id: 3, parent: 1, name: 'execute_tool lookup_order', start: 950, end: 1200,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'lookup_order',
        'gen_ai.tool.call.id': 'call_7',
        'gen_ai.tool.call.arguments': '{"order_id":"A-1001"}',
        'gen_ai.tool.call.result': '{"status":"shipped","eta":"2026-05-02"}',
      },
    }),
    span({ id: 4, parent: 3, name: 'GET', kind: 3, start: 1000, end: 1150, attributes: { 'http.request.method': 'GET' } }),
    span({
      id: 5, parent: 1, name: 'chat gpt-4o', kind: 3, start: 1250, end: 1950,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.response.id': 'chatcmpl-2',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 150,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.usage.cache_read.input_tokens': 50,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: USER_TEXT }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_7', name: 'lookup_order', arguments: { order_id: 'A-1001' } }] },
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7', response: { status: 'shipped' } }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: ANSWER_TEXT }] },
        ]),
      },
    }),
  ];
}

function only(interactions: Interaction[]): Interaction {
  assert.equal(interactions.length, 1, `expected one interaction, got ${interactions.length}`);
  return interactions[0] as Interaction;
}

void test('a latest-semconv agent trace becomes one interaction, field by field', () => {
  const interaction = only(buildInteractions(latestAgentTrace(), []));
  assert.deepEqual(interaction, {
    id: `${TRACE_ID}-${sid(1)}`,
    traceId: TRACE_ID,
    spanId: sid(1),
    operation: 'invoke_agent',
    name: 'invoke_agent order-agent',
    startTimeUnixNano: at(0),
    responseTimeMs: 2000,
    timeToFirstTokenMs: 250,
    sessionId: 'conv-7',
    userId: 'user-3',
    agentName: 'order-agent',
    agentId: 'agent_42',
    serviceName: 'order-agent',
    serviceVersion: '1.4.0',
    systemInstructions: [{ type: 'text', content: SYSTEM_TEXT }],
    userInput: [{ role: 'user', parts: [{ type: 'text', content: USER_TEXT }] }],
    response: [{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: ANSWER_TEXT }] }],
    requestModel: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    provider: 'openai',
    inputTokens: 250,
    outputTokens: 50,
    cacheReadInputTokens: 50,
    cacheCreationInputTokens: null,
    reasoningOutputTokens: null,
    finishReasons: ['stop'],
    tools: [{
      name: 'lookup_order',
      callId: 'call_7',
      spanId: sid(3),
      durationMs: 250,
      error: null,
      arguments: { order_id: 'A-1001' },
      result: { status: 'shipped', eta: '2026-05-02' },
    }],
    intent: 'order_status',
    confidence: 0.92,
    knowledgeSources: ['kb://orders/faq', 'kb://shipping/carriers'],
    promptVersion: 'v3',
    expectedOutput: null,
    status: 'ok',
    errorType: null,
    errorMessage: null,
    spanIds: [sid(1), sid(2), sid(3), sid(4), sid(5)],
    events: [],
    conventions: ['genai-semconv'],
    subAgents: [],
  } satisfies Interaction);
});

void test('a plain chat span without an agent is its own interaction', () => {
  const chat = span({
    id: 9, name: 'chat gpt-4o-mini', kind: 3, start: 0, end: 640,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'Hello!' }] }]),
    },
  });
  const parentHttp = span({ id: 8, name: 'POST /ask', kind: 2, start: -10, end: 700, attributes: { 'http.request.method': 'POST' } });
  const interaction = only(buildInteractions([parentHttp, chat], []));
  assert.equal(interaction.id, `${TRACE_ID}-${sid(9)}`);
  assert.equal(interaction.operation, 'chat');
  assert.equal(interaction.responseTimeMs, 640);
  assert.equal(interaction.timeToFirstTokenMs, null);
  assert.equal(interaction.agentName, null);
  assert.equal(interaction.requestModel, 'gpt-4o-mini');
  assert.equal(interaction.responseModel, null);
  assert.deepEqual(interaction.userInput, [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
  assert.deepEqual(interaction.response, [{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'Hello!' }] }]);
  assert.equal(interaction.inputTokens, 12);
  assert.equal(interaction.outputTokens, 7);
  assert.equal(interaction.cacheReadInputTokens, null);
  assert.deepEqual(interaction.finishReasons, ['stop']);
  assert.deepEqual(interaction.tools, []);
  assert.equal(interaction.status, 'unset');
  assert.deepEqual(interaction.spanIds, [sid(9)]);
});

void test('a trace of only HTTP and DB spans has no interactions', () => {
  const spans = [
    span({ id: 1, name: 'GET /health', start: 0, end: 5, attributes: { 'http.request.method': 'GET' } }),
    span({ id: 2, parent: 1, name: 'SELECT', start: 1, end: 3, attributes: { 'db.system.name': 'postgresql' } }),
  ];
  assert.deepEqual(buildInteractions(spans, []), []);
});

void test('per-message log events (event.name attribute, contrib openai style) feed userInput and response', () => {
  const chat = span({
    id: 2, name: 'chat gpt-4o-mini', kind: 3, start: 0, end: 800,
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.finish_reasons': ['stop'], 'gen_ai.usage.input_tokens': 40, 'gen_ai.usage.output_tokens': 9,
    },
  });
  const event = (name: string, ms: number, body: LogRecord['body']): LogRecord =>
    log({ span: 2, at: ms, attributes: { 'event.name': name, 'gen_ai.system': 'openai' }, body });
  const logs = [
    event('gen_ai.system.message', 1, { content: SYSTEM_TEXT }),
    event('gen_ai.user.message', 2, { content: USER_TEXT }),
    event('gen_ai.assistant.message', 3, {
      tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1001"}' } }],
    }),
    event('gen_ai.tool.message', 4, { id: 'call_7', content: '{"status":"shipped"}' }),
    event('gen_ai.choice', 790, { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: ANSWER_TEXT } }),
  ];
  const interaction = only(buildInteractions([chat], logs));
  assert.equal(interaction.provider, 'openai');
  assert.deepEqual(interaction.userInput, [
    { role: 'system', parts: [{ type: 'text', content: SYSTEM_TEXT }] },
    { role: 'user', parts: [{ type: 'text', content: USER_TEXT }] },
    { role: 'assistant', parts: [{ type: 'tool_call', name: 'lookup_order', id: 'call_7', arguments: { order_id: 'A-1001' } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7', response: { status: 'shipped' } }] },
  ]);
  assert.deepEqual(interaction.response, [{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: ANSWER_TEXT }] }]);
  assert.deepEqual(interaction.events.map((e) => [e.name, e.spanId, e.source]), [
    ['gen_ai.system.message', sid(2), 'log_record'],
    ['gen_ai.user.message', sid(2), 'log_record'],
    ['gen_ai.assistant.message', sid(2), 'log_record'],
    ['gen_ai.tool.message', sid(2), 'log_record'],
    ['gen_ai.choice', sid(2), 'log_record'],
  ]);
});

void test('gen_ai.choice log records (LogRecord.event_name) are ordered by choice index, tool_calls stored as tool_call', () => {
  const chat = span({ id: 2, name: 'chat gpt-4o', start: 0, end: 500, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai' } });
  const logs = [
    log({ span: 2, at: 400, eventName: 'gen_ai.choice', body: {
      index: 1, finish_reason: 'tool_calls',
      message: { tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    } }),
    log({ span: 2, at: 300, eventName: 'gen_ai.choice', body: { index: 0, finish_reason: 'stop', message: { content: 'first' } } }),
  ];
  const interaction = only(buildInteractions([chat], logs));
  assert.deepEqual(interaction.response, [
    { role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'first' }] },
    { role: 'assistant', finish_reason: 'tool_call', parts: [{ type: 'tool_call', name: 'f', id: 'c1', arguments: {} }] },
  ]);
  assert.deepEqual(interaction.finishReasons, ['stop', 'tool_call']);
});

void test('the gen_ai.client.inference.operation.details log event carries structured content', () => {
  const chat = span({
    id: 2, name: 'chat gpt-4o', start: 0, end: 500,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' },
  });
  const details = log({
    span: 2, at: 499, eventName: 'gen_ai.client.inference.operation.details',
    attributes: {
      'gen_ai.provider.name': 'openai',
      'gen_ai.system_instructions': [{ type: 'text', content: SYSTEM_TEXT }],
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: USER_TEXT }] }],
      'gen_ai.output.messages': [{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: ANSWER_TEXT }] }],
    },
  });
  const interaction = only(buildInteractions([chat], [details]));
  assert.deepEqual(interaction.systemInstructions, [{ type: 'text', content: SYSTEM_TEXT }]);
  assert.deepEqual(interaction.userInput, [{ role: 'user', parts: [{ type: 'text', content: USER_TEXT }] }]);
  assert.deepEqual(interaction.response, [{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: ANSWER_TEXT }] }]);
  assert.deepEqual(interaction.finishReasons, ['stop']);
  assert.equal(interaction.events.length, 1);
  assert.equal(interaction.events[0]?.name, 'gen_ai.client.inference.operation.details');
});

void test('a gen_ai.evaluation.result record joins its span by span id, else by gen_ai.response.id', () => {
  const evaluation = {
    'gen_ai.evaluation.name': 'Relevance',
    'gen_ai.evaluation.score.value': 0.8,
    'gen_ai.evaluation.score.label': 'relevant',
    'gen_ai.evaluation.explanation': 'Answers the question.',
  };
  const bySpanId = log({ span: 5, at: 2500, eventName: 'gen_ai.evaluation.result', attributes: evaluation });
  const byResponseId = log({
    span: null, at: 2600, eventName: 'gen_ai.evaluation.result',
    attributes: { ...evaluation, 'gen_ai.evaluation.name': 'Correctness', 'gen_ai.response.id': 'chatcmpl-2' },
  });
  const unrelated = log({ span: 5, at: 2700, body: 'plain application log' });
  const interaction = only(buildInteractions(latestAgentTrace(), [byResponseId, unrelated, bySpanId]));
  assert.deepEqual(interaction.events, [
    { spanId: sid(5), name: 'gen_ai.evaluation.result', timeUnixNano: at(2500), attributes: evaluation, body: null, source: 'log_record' },
    {
      spanId: sid(5), name: 'gen_ai.evaluation.result', timeUnixNano: at(2600),
      attributes: { ...evaluation, 'gen_ai.evaluation.name': 'Correctness', 'gen_ai.response.id': 'chatcmpl-2' },
      body: null, source: 'log_record',
    },
  ]);
});

void test('a nested invoke_agent (hand-off) folds into the outer one and its tokens count once', () => {
  const spans = [
    span({ id: 1, name: 'invoke_agent triage', start: 0, end: 3000, attributes: {
      'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.usage.input_tokens': 999,
    } }),
    span({ id: 2, parent: 1, name: 'chat gpt-4o', start: 10, end: 500, attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1,
    } }),
    span({ id: 3, parent: 1, name: 'invoke_agent billing', start: 600, end: 2900, attributes: {
      'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'billing',
      // The sub-agent reports the totals of its own calls.
      'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 30,
    } }),
    span({ id: 4, parent: 3, name: 'chat gpt-4o', start: 700, end: 1500, attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10,
    } }),
    span({ id: 5, parent: 3, name: 'chat gpt-4o', start: 1600, end: 2800, attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 200, 'gen_ai.usage.output_tokens': 20,
    } }),
  ];
  const interaction = only(buildInteractions(spans, []));
  assert.equal(interaction.spanId, sid(1));
  assert.equal(interaction.agentName, 'triage');
  assert.equal(interaction.inputTokens, 310);
  assert.equal(interaction.outputTokens, 31);
  assert.deepEqual(interaction.spanIds, [sid(1), sid(2), sid(3), sid(4), sid(5)]);
});

void test('nested invoke_agent spans are the sub-agents of the interaction, each with the agent it ran beneath', () => {
  const spans = [
    span({ id: 1, name: 'invoke_agent supervisor', start: 0, end: 3000, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'supervisor' } }),
    span({ id: 2, parent: 1, name: 'invoke_agent research', start: 100, end: 1000, status: { code: 1 }, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'research' } }),
    span({ id: 3, parent: 2, name: 'execute_tool search', start: 200, end: 400, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } }),
    // A sub-agent of the sub-agent, named only by its span, beneath a plain span.
    span({ id: 4, parent: 3, name: 'step', start: 250, end: 390 }),
    span({ id: 5, parent: 4, name: 'summariser run', start: 260, end: 380, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span({ id: 6, parent: 1, name: 'invoke_agent writer', start: 1100, end: 2900, status: { code: 2, message: 'boom' }, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'writer' } }),
  ];
  const interaction = only(buildInteractions(spans, []));
  assert.equal(interaction.agentName, 'supervisor');
  assert.deepEqual(interaction.subAgents, [
    { name: 'research', spanId: sid(2), parent: 'supervisor', status: 'ok', durationMs: 900 },
    { name: 'summariser run', spanId: sid(5), parent: 'research', status: 'unset', durationMs: 120 },
    { name: 'writer', spanId: sid(6), parent: 'supervisor', status: 'error', durationMs: 1800 },
  ]);
});

void test("an agent span's own tokens count when no span beneath it reports any", () => {
  const spans = [
    span({ id: 1, name: 'invoke_agent a', start: 0, end: 100, attributes: {
      'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 42, 'gen_ai.usage.output_tokens': 4,
    } }),
    span({ id: 2, parent: 1, name: 'chat m', start: 10, end: 90, attributes: { 'gen_ai.operation.name': 'chat' } }),
  ];
  const interaction = only(buildInteractions(spans, []));
  assert.equal(interaction.inputTokens, 42);
  assert.equal(interaction.outputTokens, 4);
});

void test('tokens are null, not zero, when no span reports them', () => {
  const spans = [
    span({ id: 1, name: 'invoke_agent a', start: 0, end: 100, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span({ id: 2, parent: 1, name: 'chat m', start: 10, end: 90, attributes: { 'gen_ai.operation.name': 'chat' } }),
    span({ id: 3, parent: 1, name: 'execute_tool t', start: 91, end: 95, attributes: { 'gen_ai.operation.name': 'execute_tool' } }),
  ];
  const interaction = only(buildInteractions(spans, []));
  assert.deepEqual(
    [interaction.inputTokens, interaction.outputTokens, interaction.cacheReadInputTokens,
      interaction.cacheCreationInputTokens, interaction.reasoningOutputTokens],
    [null, null, null, null, null],
  );
  assert.deepEqual(interaction.tools.map((t) => t.name), ['t']);
});

void test('with content capture off there are no messages: userInput and response are null', () => {
  const spans = latestAgentTrace().map((s) => {
    const attributes = { ...s.attributes };
    for (const key of ['gen_ai.system_instructions', 'gen_ai.input.messages', 'gen_ai.output.messages',
      'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result']) delete attributes[key];
    return { ...s, attributes };
  });
  // contrib openai with capture off still sends the per-message records, minus content.
  const logs = [
    log({ span: 2, at: 101, attributes: { 'event.name': 'gen_ai.user.message' }, body: {} }),
    log({ span: 2, at: 899, attributes: { 'event.name': 'gen_ai.choice' }, body: {
      index: 0, finish_reason: 'tool_calls', message: { tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'lookup_order' } }] },
    } }),
  ];
  const interaction = only(buildInteractions(spans, logs));
  assert.equal(interaction.systemInstructions, null);
  assert.equal(interaction.userInput, null);
  assert.equal(interaction.response, null);
  assert.deepEqual(interaction.finishReasons, ['stop']);
  assert.deepEqual(interaction.tools.map((t) => [t.name, t.arguments, t.result]), [['lookup_order', null, null]]);
});

void test('a failed tool makes the interaction an error, with its error.type', () => {
  const spans = latestAgentTrace();
  const tool = spans[2] as SpanRecord;
  tool.status = { code: 2, message: 'upstream timed out' };
  tool.attributes['error.type'] = 'TimeoutError';
  const interaction = only(buildInteractions(spans, []));
  assert.equal(interaction.status, 'error');
  assert.equal(interaction.errorType, 'TimeoutError');
  assert.equal(interaction.errorMessage, 'upstream timed out');
  assert.equal(interaction.tools[0]?.error, 'TimeoutError');
});

void test("the interaction span's own error comes before its children's", () => {
  const spans = [
    span({ id: 1, name: 'chat gpt-4o', start: 0, end: 30, status: { code: 2, message: 'Connection error.' }, attributes: {
      'gen_ai.operation.name': 'chat', 'error.type': 'APIConnectionError',
    } }),
    span({ id: 2, parent: 1, name: 'POST', start: 1, end: 29, status: { code: 2 }, attributes: { 'error.type': 'ECONNREFUSED' } }),
  ];
  const interaction = only(buildInteractions(spans, []));
  assert.equal(interaction.status, 'error');
  assert.equal(interaction.errorType, 'APIConnectionError');
  assert.equal(interaction.errorMessage, 'Connection error.');
});

void test('a failed tool span without error.type reports its status message, else _OTHER', () => {
  const spans = [
    span({ id: 1, name: 'invoke_agent a', start: 0, end: 100, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span({ id: 2, parent: 1, name: 'execute_tool x', start: 1, end: 2, status: { code: 2, message: 'bad input' }, attributes: { 'gen_ai.operation.name': 'execute_tool' } }),
    span({ id: 3, parent: 1, name: 'execute_tool y', start: 3, end: 4, status: { code: 2 }, attributes: { 'gen_ai.operation.name': 'execute_tool' } }),
  ];
  const interaction = only(buildInteractions(spans, []));
  assert.deepEqual(interaction.tools.map((t) => [t.name, t.error]), [['x', 'bad input'], ['y', '_OTHER']]);
  assert.equal(interaction.errorType, null);
  assert.equal(interaction.errorMessage, 'bad input');
});

void test('a span whose parent has not arrived is a top; the full trace folds it in', () => {
  const spans = latestAgentTrace();
  const withoutAgent = spans.slice(1);
  const partial = buildInteractions(withoutAgent, []);
  assert.deepEqual(partial.map((i) => [i.spanId, i.operation]), [
    [sid(2), 'chat'], [sid(3), 'execute_tool'], [sid(5), 'chat'],
  ]);
  assert.deepEqual(partial[1]?.spanIds, [sid(3), sid(4)]);
  assert.deepEqual(buildInteractions(spans, []).map((i) => i.spanId), [sid(1)]);
});

void test('an invoke_workflow over two agents yields one interaction per agent, plus a chat outside them', () => {
  const spans = [
    span({ id: 1, name: 'invoke_workflow crew', start: 0, end: 1000, attributes: { 'gen_ai.operation.name': 'invoke_workflow' } }),
    span({ id: 2, parent: 1, name: 'invoke_agent researcher', start: 10, end: 400, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span({ id: 3, parent: 2, name: 'chat m', start: 20, end: 300, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 5 } }),
    span({ id: 4, parent: 1, name: 'invoke_agent writer', start: 500, end: 900, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span({ id: 5, parent: 1, name: 'chat m', start: 950, end: 990, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 7 } }),
  ];
  const interactions = buildInteractions(spans, []);
  assert.deepEqual(interactions.map((i) => [i.spanId, i.spanIds, i.inputTokens]), [
    [sid(2), [sid(2), sid(3)], 5],
    [sid(4), [sid(4)], null],
    [sid(5), [sid(5)], 7],
  ]);
});

void test('shuffled spans and logs give deep-equal output', () => {
  const spans = [
    ...latestAgentTrace(),
    span({ id: 6, parent: 1, name: 'invoke_agent billing', start: 1960, end: 1990, attributes: { 'gen_ai.operation.name': 'invoke_agent' } }),
    span({ id: 7, parent: 6, name: 'chat gpt-4o', start: 1961, end: 1989, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.output_tokens': 3 } }),
    span({ id: 8, parent: 99, name: 'chat orphan', start: 5, end: 6, attributes: { 'gen_ai.operation.name': 'chat' } }),
  ];
  const logs = [
    // Two records with the same timestamps: their order must not depend on arrival order.
    log({ span: 7, at: 1962, attributes: { 'event.name': 'gen_ai.user.message' }, body: { content: 'first?' } }),
    log({ span: 7, at: 1962, attributes: { 'event.name': 'gen_ai.user.message' }, body: { content: 'second?' } }),
    log({ span: 7, at: 1988, eventName: 'gen_ai.choice', body: { index: 0, finish_reason: 'stop', message: { content: 'ok' } } }),
    log({ span: 5, at: 2500, eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'Relevance' } }),
    log({ span: null, at: 2501, eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'X', 'gen_ai.response.id': 'chatcmpl-1' } }),
  ];
  const expected = buildInteractions(spans, logs);
  assert.equal(expected.length, 2);
  for (let seed = 1; seed <= 25; seed++) {
    assert.deepEqual(buildInteractions(shuffled(spans, seed), shuffled(logs, seed * 7)), expected, `seed ${seed}`);
  }
});

void test('a span repeated by a retried export and a parent cycle do not break assembly', () => {
  const chat = span({ id: 2, parent: 3, name: 'chat m', start: 10, end: 20, attributes: { 'gen_ai.operation.name': 'chat' } });
  const loop = span({ id: 3, parent: 2, name: 'invoke_agent a', start: 0, end: 30, attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
  const interactions = buildInteractions([chat, loop, chat], []);
  assert.deepEqual(interactions.map((i) => [i.spanId, i.spanIds]), [[sid(3), [sid(3), sid(2)]]]);
});

void test('spanRoleOf reads a span alone as assembly reads it with its events (every captured peer trace)', () => {
  const names = readdirSync(new URL('./fixtures/peers/', import.meta.url)).filter((f) => f.endsWith('.json'));
  assert.ok(names.length >= 20);
  let withEvents = 0;
  for (const name of names) {
    const trace = capturedTrace(name.replace(/\.json$/, ''));
    for (const s of trace.spans) {
      const events = trace.eventsOf(s);
      if (events.length > 0) withEvents++;
      const reading = readSpan(s, events);
      const expected = reading === null ? 'none' : reading.facts.operation === 'invoke_agent' ? 'agent' : 'genai';
      assert.equal(spanRoleOf(s), expected, `${name}: ${s.name}`);
    }
  }
  assert.ok(withEvents > 0);
});

void test('spanRoleOf: agent, other GenAI span, non-GenAI span', () => {
  const [agent, chat] = latestAgentTrace();
  assert.deepEqual([spanRoleOf(agent!), spanRoleOf(chat!), spanRoleOf(span({ id: 9, name: 'GET /orders', start: 0, end: 1 }))], ['agent', 'genai', 'none']);
});

void test('one model call traced by two instrumentations (same response id, overlapping in time, different scopes) counts its tokens once', () => {
  const scope = (name: string) => ({ name, version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
  const call = (id: number, start: number, end: number, scopeName: string, responseId: string) => ({
    ...span({
      id, parent: 1, name: `chat ${id}`, start, end,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.id': responseId, 'gen_ai.usage.input_tokens': 42, 'gen_ai.usage.output_tokens': 9 },
    }),
    scope: scope(scopeName),
  });
  const agent = span({ id: 1, name: 'invoke_agent a', start: 0, end: 1000, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a' } });
  const twice = [agent, call(2, 100, 400, 'framework', 'chatcmpl-1'), call(3, 120, 390, 'client', 'chatcmpl-1')];
  const [once] = buildInteractions(twice, []);
  assert.deepEqual([once!.inputTokens, once!.outputTokens], [42, 9]);
  // The two end in callbacks of their own: the request's span may end after the framework's.
  const overlapping = [agent, call(2, 100, 400, 'framework', 'chatcmpl-1'), call(3, 120, 405, 'client', 'chatcmpl-1')];
  for (const seed of [1, 2, 3]) {
    const [one] = buildInteractions(shuffled(overlapping, seed), []);
    assert.deepEqual([one!.inputTokens, one!.outputTokens], [42, 9]);
  }
  // Two calls: another response id, or the same scope, or side by side in time, are all counted.
  for (const spans of [
    [agent, call(2, 100, 400, 'framework', 'chatcmpl-1'), call(3, 120, 390, 'client', 'chatcmpl-2')],
    [agent, call(2, 100, 400, 'client', 'chatcmpl-1'), call(3, 120, 390, 'client', 'chatcmpl-1')],
    [agent, call(2, 100, 400, 'framework', 'chatcmpl-1'), call(3, 500, 700, 'client', 'chatcmpl-1')],
  ]) {
    const [both] = buildInteractions(shuffled(spans, 7), []);
    assert.deepEqual([both!.inputTokens, both!.outputTokens], [84, 18]);
  }
});
