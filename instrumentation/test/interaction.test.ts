// withInteraction(): the invoke_agent span of one agent turn, with the real SDK exporting to memory.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type OpenAI from 'openai-v7';
import * as openaiModule from 'openai-v7';
import { setCaptureContent } from '../src/capture.ts';
import { OpenAIInstrumentation } from '../src/instrumentation.ts';
import { withInteraction } from '../src/interaction.ts';
import { traceTool } from '../src/tool.ts';
import { MODEL, chatCompletion } from './openai-fixtures.ts';
import { type OpenAIServer, startOpenAIServer } from './openai-server.ts';
import { startTelemetry } from './telemetry.ts';

const telemetry = startTelemetry();
new OpenAIInstrumentation().patch(openaiModule);
let server: OpenAIServer;
let client: OpenAI;

before(async () => {
  server = await startOpenAIServer(() => chatCompletion('Shipped.'));
  client = new openaiModule.OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 });
});

after(async () => {
  await server.close();
  await telemetry.shutdown();
});

afterEach(() => {
  setCaptureContent(false);
  telemetry.reset();
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('withInteraction runs fn inside an INTERNAL "invoke_agent {agent}" span carrying the agent and flywheel attributes', () => {
  const result = withInteraction(
    {
      agent: 'support',
      agentId: 'support-v2',
      conversationId: 'conv-1',
      userId: 'user-7',
      intent: 'order_status',
      confidence: 0.8,
      knowledgeSources: ['kb://shipping', 'kb://orders'],
      promptVersion: 'p-12',
      expectedOutput: 'not recorded without capture',
      input: 'not recorded without capture',
    },
    (interaction) => {
      assert.equal(trace.getActiveSpan()?.spanContext().spanId, interaction.id.split('-')[1]);
      return 42;
    },
  );
  assert.equal(result, 42);
  const span = telemetry.span('invoke_agent support');
  assert.equal(span.kind, SpanKind.INTERNAL);
  assert.deepEqual(span.status, { code: SpanStatusCode.UNSET });
  assert.deepEqual(span.attributes, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': 'support',
    'gen_ai.agent.id': 'support-v2',
    'gen_ai.conversation.id': 'conv-1',
    'user.id': 'user-7',
    'flywheel.intent': 'order_status',
    'flywheel.confidence': 0.8,
    'flywheel.knowledge.sources': ['kb://shipping', 'kb://orders'],
    'flywheel.prompt.version': 'p-12',
  });
});

test('the handle gives the interaction id as traceId-spanId and a W3C traceparent', () => {
  const handle = withInteraction({ agent: 'support' }, (interaction) => interaction);
  const { traceId, spanId } = telemetry.span('invoke_agent support').spanContext();
  assert.equal(handle.id, `${traceId}-${spanId}`);
  assert.equal(handle.traceparent, `00-${traceId}-${spanId}-01`);
  assert.match(handle.id, /^[0-9a-f]{32}-[0-9a-f]{16}$/);
});

test('setters used inside fn record what is known late; bad values are ignored, never thrown', async () => {
  await withInteraction({ agent: 'support', knowledgeSources: ['kb://a'] }, async (interaction) => {
    await tick();
    interaction.setIntent('refund');
    interaction.setConfidence(0.35);
    interaction.setConfidence(7);
    interaction.setConfidence(Number.NaN);
    const { addKnowledgeSources } = interaction; // a destructured setter still works
    addKnowledgeSources('kb://b', 'kb://a');
    interaction.setPromptVersion('p-13');
  });
  await tick();
  const span = telemetry.span('invoke_agent support');
  assert.equal(span.attributes['flywheel.intent'], 'refund');
  assert.equal(span.attributes['flywheel.confidence'], 0.35);
  assert.deepEqual(span.attributes['flywheel.knowledge.sources'], ['kb://a', 'kb://b']);
  assert.equal(span.attributes['flywheel.prompt.version'], 'p-13');
});

test('an async fn: the same promise comes back, the span ends when it settles, context survives awaits', async () => {
  let inner: Promise<string> | undefined;
  const returned = withInteraction({ agent: 'support', conversationId: 'conv-9' }, (interaction) => {
    inner = (async () => {
      await tick();
      const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
      await tick();
      traceTool('lookup_order', () => 'ok');
      return `${interaction.id}:${completion.choices[0]?.message.content}`;
    })();
    return inner;
  });
  assert.equal(returned, inner, 'the very promise fn returned');
  assert.equal(telemetry.spans().length, 0, 'the span is open until the promise settles');
  const value = await returned;
  await tick();
  const agent = telemetry.span('invoke_agent support');
  const chat = telemetry.span(`chat ${MODEL}`);
  const tool = telemetry.span('execute_tool lookup_order');
  assert.equal(value, `${agent.spanContext().traceId}-${agent.spanContext().spanId}:Shipped.`);
  assert.equal(chat.parentSpanContext?.spanId, agent.spanContext().spanId);
  assert.equal(tool.parentSpanContext?.spanId, agent.spanContext().spanId);
  assert.equal(chat.attributes['gen_ai.conversation.id'], 'conv-9', 'the conversation id flows to model calls');
  assert.equal(agent.attributes['gen_ai.provider.name'], 'openai', 'the provider of the first model call');
});

test('a withInteraction inside another is a child invoke_agent span: a hand-off to a sub-agent', async () => {
  await withInteraction({ agent: 'triage' }, async () => {
    await withInteraction({ agent: 'billing' }, async () => {
      await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    });
  });
  await tick();
  const triage = telemetry.span('invoke_agent triage');
  const billing = telemetry.span('invoke_agent billing');
  const chat = telemetry.span(`chat ${MODEL}`);
  assert.equal(billing.parentSpanContext?.spanId, triage.spanContext().spanId);
  assert.equal(chat.parentSpanContext?.spanId, billing.spanContext().spanId);
  assert.equal(billing.attributes['gen_ai.provider.name'], 'openai');
  assert.equal(triage.attributes['gen_ai.provider.name'], undefined, 'triage made no model call itself');
});

test('a sync throw is rethrown as the same object and recorded on the span', () => {
  const error = new TypeError('bad order id');
  assert.throws(
    () =>
      withInteraction({ agent: 'support' }, () => {
        throw error;
      }),
    (thrown) => thrown === error,
  );
  const span = telemetry.span('invoke_agent support');
  assert.deepEqual(span.status, { code: SpanStatusCode.ERROR, message: 'bad order id' });
  assert.equal(span.attributes['error.type'], 'TypeError');
  assert.equal(span.events[0]?.name, 'exception');
  assert.equal(span.events[0]?.attributes?.['exception.message'], 'bad order id');
});

test('a rejection reaches the caller unchanged and is recorded on the span', async () => {
  class OrderNotFound extends Error {}
  const error = new OrderNotFound('A-404');
  await assert.rejects(
    withInteraction({ agent: 'support' }, async () => {
      await tick();
      throw error;
    }),
    (thrown) => thrown === error,
  );
  await tick();
  const span = telemetry.span('invoke_agent support');
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  assert.equal(span.attributes['error.type'], 'OrderNotFound');
});

test('an async generator agent: each step runs inside the span, which ends when the generator does', async () => {
  const stream = withInteraction({ agent: 'streamer' }, async function* () {
    yield 'thinking';
    await tick();
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    yield completion.choices[0]?.message.content ?? '';
  });
  assert.equal(telemetry.spans().length, 0, 'nothing ran yet');
  const pulled: string[] = [];
  for await (const piece of stream) pulled.push(piece); // pulled from outside the interaction's context
  await tick();
  assert.deepEqual(pulled, ['thinking', 'Shipped.']);
  const agent = telemetry.span('invoke_agent streamer');
  assert.equal(telemetry.span(`chat ${MODEL}`).parentSpanContext?.spanId, agent.spanContext().spanId);
});

test('breaking out of an async generator agent ends its span', async () => {
  const stream = withInteraction({ agent: 'streamer' }, async function* () {
    yield 1;
    yield 2;
  });
  for await (const _ of stream) break;
  await tick();
  assert.deepEqual(telemetry.span('invoke_agent streamer').status, { code: SpanStatusCode.UNSET });
});

test('under content capture the turn input, output and expected output are recorded in the semconv shapes', () => {
  setCaptureContent(true);
  withInteraction({ agent: 'support', input: 'Where is A-1001?', expectedOutput: 'It shipped.' }, (interaction) => {
    interaction.setOutput('It has shipped.');
  });
  const span = telemetry.span('invoke_agent support');
  assert.equal(
    span.attributes['gen_ai.input.messages'],
    JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is A-1001?' }] }]),
  );
  assert.equal(
    span.attributes['gen_ai.output.messages'],
    JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It has shipped.' }], finish_reason: 'stop' }]),
  );
  assert.equal(span.attributes['flywheel.expected_output'], 'It shipped.');
});

test('with content capture off, input, output and expected output are left out', () => {
  withInteraction({ agent: 'support', input: 'secret', expectedOutput: 'secret' }, (interaction) => {
    interaction.setOutput('secret');
    interaction.setExpectedOutput('secret');
  });
  assert.ok(!JSON.stringify(telemetry.span('invoke_agent support').attributes).includes('secret'));
});

test('called without an agent name (from plain JavaScript), fn still runs and its result comes back', () => {
  const result = withInteraction({} as { agent: string }, () => 'ran');
  assert.equal(result, 'ran');
  assert.equal(telemetry.spans()[0]?.name, 'invoke_agent');
});
