// The openai patch, for every supported major (4, 5, 6, 7, installed side by side as npm
// aliases): the real client against a local OpenAI-compatible server, the real SDK exporting
// to memory, every span attribute asserted.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type OpenAI7 from 'openai-v7';
import { setCaptureContent } from '../src/capture.ts';
import { OpenAIInstrumentation } from '../src/instrumentation.ts';
import {
  CHAT_USAGE,
  EMBEDDING_MODEL,
  MODEL,
  RESPONSE_MODEL,
  apiError,
  chatCompletion,
  chatStreamEvents,
  chatStreamToolCallEvents,
  chatToolCallCompletion,
  embeddingsReply,
  responseFunctionCallReply,
  responseReply,
  responseStreamEvents,
} from './openai-fixtures.ts';
import { type OpenAIServer, startOpenAIServer } from './openai-server.ts';
import { startTelemetry } from './telemetry.ts';

type Client = OpenAI7;
type ClientClass = new (options: { apiKey: string; baseURL: string; maxRetries: number }) => Client;

const MAJORS: [string, () => Promise<{ OpenAI: unknown }>][] = [
  ['4', () => import('openai-v4')],
  ['5', () => import('openai-v5')],
  ['6', () => import('openai-v6')],
  ['7', () => import('openai-v7')],
];

const CONTENT_KEYS = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
];

const telemetry = startTelemetry();
const instrumentation = new OpenAIInstrumentation();
let server: OpenAIServer;
let port: number;

before(async () => {
  server = await startOpenAIServer();
  port = Number(new URL(server.baseURL).port);
});

after(async () => {
  await server.close();
  await telemetry.shutdown();
});

afterEach(() => {
  setCaptureContent(false);
  telemetry.reset();
});

/** The attributes every openai span starts with. */
function base(operation: string, model: string): Record<string, unknown> {
  return {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': model,
    'server.address': '127.0.0.1',
    'server.port': port,
  };
}

const CHAT_USAGE_ATTRIBUTES = {
  'gen_ai.usage.input_tokens': CHAT_USAGE.prompt_tokens,
  'gen_ai.usage.output_tokens': CHAT_USAGE.completion_tokens,
  'gen_ai.usage.cache_read.input_tokens': CHAT_USAGE.prompt_tokens_details.cached_tokens,
  'gen_ai.usage.reasoning.output_tokens': CHAT_USAGE.completion_tokens_details.reasoning_tokens,
};

const CHAT_RESPONSE_ATTRIBUTES = {
  'gen_ai.response.model': RESPONSE_MODEL,
  'openai.response.service_tier': 'default',
  'openai.response.system_fingerprint': 'fp_test',
};

/** Waits for the span to end: openai spans end in side chains, a tick after the app's await. */
async function finishedSpan(name: string): Promise<ReadableSpan> {
  for (let i = 0; i < 50 && !telemetry.spans().some((s) => s.name === name); i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return telemetry.span(name);
}

function parse(span: ReadableSpan, key: string): unknown {
  const value = span.attributes[key];
  assert.equal(typeof value, 'string', `${key} is a JSON string`);
  return JSON.parse(value as string);
}

for (const [major, load] of MAJORS) {
  describe(`openai ${major}`, () => {
    let client: Client;

    before(async () => {
      const module = await load();
      instrumentation.patch(module);
      client = new (module.OpenAI as ClientClass)({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 });
    });

    test('a chat completion becomes a CLIENT span "chat {model}" with request, response and usage attributes, and no content', async () => {
      server.respond(() => chatCompletion('A-1001 has shipped.'));
      const completion = await client.chat.completions.create({
        model: MODEL,
        messages: [
          { role: 'system', content: 'You are the order-support agent.' },
          { role: 'user', content: 'Where is order A-1001?' },
        ],
        max_tokens: 100,
        temperature: 0.2,
        top_p: 0.9,
        frequency_penalty: 0.1,
        presence_penalty: 0.3,
        stop: 'END',
        seed: 7,
        n: 1,
        response_format: { type: 'text' },
      });
      assert.equal(completion.choices[0]?.message.content, 'A-1001 has shipped.');
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.equal(span.kind, SpanKind.CLIENT);
      assert.deepEqual(span.status, { code: SpanStatusCode.UNSET });
      assert.deepEqual(span.attributes, {
        ...base('chat', MODEL),
        'openai.api.type': 'chat_completions',
        'gen_ai.request.max_tokens': 100,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.top_p': 0.9,
        'gen_ai.request.frequency_penalty': 0.1,
        'gen_ai.request.presence_penalty': 0.3,
        'gen_ai.request.stop_sequences': ['END'],
        'gen_ai.request.seed': 7,
        'gen_ai.output.type': 'text',
        'gen_ai.response.id': 'chatcmpl-test1',
        'gen_ai.response.finish_reasons': ['stop'],
        ...CHAT_RESPONSE_ATTRIBUTES,
        ...CHAT_USAGE_ATTRIBUTES,
      });
    });

    test('under content capture, chat messages, tool names and the answer are recorded in the semconv JSON shapes', async () => {
      setCaptureContent(true);
      server.respond(() => chatCompletion('It shipped on 1 May.'));
      await client.chat.completions.create({
        model: MODEL,
        max_completion_tokens: 50,
        messages: [
          { role: 'system', content: 'Answer in one sentence.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Where is order A-1001?' },
              { type: 'image_url', image_url: { url: 'https://example.invalid/receipt.png' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1001"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_7', content: '{"status":"shipped"}' },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'lookup_order',
              description: 'Finds an order',
              parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
            },
          },
        ],
      });
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.equal(span.attributes['gen_ai.request.max_tokens'], 50);
      assert.deepEqual(parse(span, 'gen_ai.input.messages'), [
        { role: 'system', parts: [{ type: 'text', content: 'Answer in one sentence.' }] },
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'Where is order A-1001?' },
            { type: 'uri', modality: 'image', uri: 'https://example.invalid/receipt.png' },
            { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0K' },
          ],
        },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_7', name: 'lookup_order', arguments: { order_id: 'A-1001' } }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7', response: '{"status":"shipped"}' }] },
      ]);
      assert.deepEqual(
        parse(span, 'gen_ai.tool.definitions'),
        [{ type: 'function', name: 'lookup_order' }],
        'type and name only: the semconv default',
      );
      assert.deepEqual(parse(span, 'gen_ai.output.messages'), [
        { role: 'assistant', parts: [{ type: 'text', content: 'It shipped on 1 May.' }], finish_reason: 'stop' },
      ]);
      assert.equal(span.attributes['gen_ai.system_instructions'], undefined, 'chat system messages stay in the input');
    });

    test('a tool call answer has finish reason tool_calls and, under capture, a tool_call part with parsed arguments', async () => {
      setCaptureContent(true);
      server.respond(() => chatToolCallCompletion());
      const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'A-1001?' }] });
      assert.equal(completion.choices[0]?.message.tool_calls?.[0]?.id, 'call_1');
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], ['tool_calls']);
      assert.deepEqual(parse(span, 'gen_ai.output.messages'), [
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { order_id: 'A-1001' } }],
          finish_reason: 'tool_call',
        },
      ]);
    });

    test('a stream is passed through chunk for chunk; its span has time to first chunk, usage and the reassembled answer', async () => {
      setCaptureContent(true);
      const events = chatStreamEvents(['Your order ', 'has ', 'shipped.']);
      server.respond(() => ({ sse: events }));
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Where is my order?' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      assert.equal(telemetry.spans().length, 0, 'the span stays open while the stream is read');
      const received: unknown[] = [];
      for await (const chunk of stream) received.push(chunk);
      assert.deepEqual(
        received,
        events.filter((e) => e.data !== '[DONE]').map((e) => e.data),
      );
      const span = await finishedSpan(`chat ${MODEL}`);
      const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'];
      assert.ok(typeof ttfc === 'number' && ttfc > 0 && ttfc < 5, `time to first chunk in seconds, got ${String(ttfc)}`);
      const { 'gen_ai.response.time_to_first_chunk': _, 'gen_ai.input.messages': __, ...rest } = span.attributes;
      assert.deepEqual(rest, {
        ...base('chat', MODEL),
        'openai.api.type': 'chat_completions',
        'gen_ai.request.stream': true,
        'gen_ai.response.id': 'chatcmpl-stream1',
        'gen_ai.response.finish_reasons': ['stop'],
        ...CHAT_RESPONSE_ATTRIBUTES,
        ...CHAT_USAGE_ATTRIBUTES,
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'Your order has shipped.' }], finish_reason: 'stop' },
        ]),
      });
    });

    test('a streamed tool call is reassembled from its argument fragments', async () => {
      setCaptureContent(true);
      server.respond(() => ({ sse: chatStreamToolCallEvents() }));
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'refunds?' }], stream: true });
      for await (const _ of stream);
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], ['tool_calls']);
      assert.equal(span.attributes['gen_ai.usage.input_tokens'], undefined, 'no usage unless the app asked for it');
      assert.deepEqual(parse(span, 'gen_ai.output.messages'), [
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_9', name: 'search_kb', arguments: { query: 'refund policy' } }],
          finish_reason: 'tool_call',
        },
      ]);
    });

    test('tee() gives both branches every chunk, and the call still makes one span', async () => {
      const events = chatStreamEvents(['a', 'b', 'c']);
      server.respond(() => ({ sse: events }));
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const [left, right] = stream.tee();
      const read = async (s: AsyncIterable<unknown>) => {
        const out: unknown[] = [];
        for await (const c of s) out.push(c);
        return out;
      };
      const [a, b] = await Promise.all([read(left), read(right)]);
      assert.equal(a.length, events.length - 1);
      assert.deepEqual(a, b);
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], ['stop']);
      assert.equal(span.attributes['gen_ai.usage.output_tokens'], CHAT_USAGE.completion_tokens);
    });

    test('breaking out of a stream early ends its span without an error and without partial output', async () => {
      setCaptureContent(true);
      server.respond(() => ({ sse: chatStreamEvents(['one ', 'two ', 'three']) }));
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
      let seen = 0;
      for await (const _ of stream) {
        if (++seen === 2) break;
      }
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.deepEqual(span.status, { code: SpanStatusCode.UNSET });
      assert.equal(span.attributes['gen_ai.response.id'], 'chatcmpl-stream1');
      assert.equal(span.attributes['gen_ai.output.messages'], undefined);
      assert.equal(typeof span.attributes['gen_ai.response.time_to_first_chunk'], 'number');
    });

    test('iterating a stream twice fails as openai makes it fail, and the first reading still closes the span', async () => {
      server.respond(() => ({ sse: chatStreamEvents(['only once']) }));
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
      for await (const _ of stream);
      await assert.rejects(
        async () => {
          for await (const _ of stream);
        },
        /Cannot iterate over a consumed stream/,
      );
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.deepEqual(span.status, { code: SpanStatusCode.UNSET });
    });

    test('a stream cut off mid-way reaches the app as the same error, and the span records it', async () => {
      server.respond(() => ({ sse: chatStreamEvents(['partial ', 'answer ', 'never ', 'finished']), cutAfter: 2 }));
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
      let caught: unknown;
      let chunks = 0;
      try {
        for await (const _ of stream) chunks++;
      } catch (error) {
        caught = error;
      }
      assert.equal(chunks, 2);
      assert.ok(caught instanceof Error, 'the app sees the failure');
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.equal(span.status.message, caught.message);
      assert.equal(span.attributes['error.type'], caught.constructor.name);
      assert.equal(span.events[0]?.name, 'exception');
    });

    for (const [status, code, errorClass] of [
      [400, 'invalid_value', 'BadRequestError'],
      [500, 'server_error', 'InternalServerError'],
    ] as const) {
      test(`an API error ${status} reaches the app unchanged, and the span gets error.type ${errorClass}`, async () => {
        server.respond(() => apiError(status, code, `the model said no (${status})`));
        let caught: unknown;
        try {
          await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
        } catch (error) {
          caught = error;
        }
        assert.ok(caught instanceof Error);
        assert.equal(caught.constructor.name, errorClass);
        assert.equal((caught as Error & { status?: number }).status, status);
        const span = await finishedSpan(`chat ${MODEL}`);
        assert.deepEqual(span.status, { code: SpanStatusCode.ERROR, message: caught.message });
        assert.equal(span.attributes['error.type'], errorClass);
        assert.equal(span.attributes['gen_ai.response.id'], undefined);
      });
    }

    test('withResponse() and asResponse() work as without instrumentation; asResponse() leaves the body to the app', async () => {
      server.respond(() => chatCompletion('raw'));
      const { data, response } = await client.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
        .withResponse();
      assert.equal(data.choices[0]?.message.content, 'raw');
      assert.equal(response.headers.get('x-request-id'), 'req_test');
      await finishedSpan(`chat ${MODEL}`);
      telemetry.reset();
      const raw = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }).asResponse();
      const body = (await raw.json()) as { id: string };
      assert.equal(body.id, 'chatcmpl-test1');
    });

    test('the Responses API becomes a "chat {model}" span with openai.api.type responses, instructions kept apart', async () => {
      setCaptureContent(true);
      server.respond(() => responseReply('A-1001 has shipped.'));
      const response = await client.responses.create({
        model: MODEL,
        instructions: 'Answer in one sentence.',
        input: 'Where is order A-1001?',
        max_output_tokens: 200,
        temperature: 0.2,
        top_p: 1,
      });
      assert.equal(response.output_text, 'A-1001 has shipped.');
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.deepEqual(span.attributes, {
        ...base('chat', MODEL),
        'openai.api.type': 'responses',
        'gen_ai.request.max_tokens': 200,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.top_p': 1,
        'gen_ai.response.id': 'resp_test1',
        'gen_ai.response.model': RESPONSE_MODEL,
        'gen_ai.response.finish_reasons': ['stop'],
        'openai.response.service_tier': 'default',
        'gen_ai.usage.input_tokens': 30,
        'gen_ai.usage.output_tokens': 12,
        'gen_ai.usage.cache_read.input_tokens': 4,
        'gen_ai.usage.reasoning.output_tokens': 2,
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Answer in one sentence.' }]),
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'A-1001 has shipped.' }], finish_reason: 'stop' },
        ]),
      });
    });

    test('a Responses function call: finish reason tool_call, the call_id as the tool call id, tool results in the input', async () => {
      setCaptureContent(true);
      server.respond(() => responseFunctionCallReply());
      await client.responses.create({
        model: MODEL,
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'Where is A-7?' }] },
          { type: 'function_call', call_id: 'call_r0', name: 'lookup_order', arguments: '{"order_id":"A-6"}' },
          { type: 'function_call_output', call_id: 'call_r0', output: 'delivered' },
        ],
        tools: [{ type: 'function', name: 'lookup_order', parameters: { type: 'object' }, strict: false }],
      });
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], ['tool_call']);
      assert.deepEqual(parse(span, 'gen_ai.input.messages'), [
        { role: 'user', parts: [{ type: 'text', content: 'Where is A-7?' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_r0', name: 'lookup_order', arguments: { order_id: 'A-6' } }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_r0', response: 'delivered' }] },
      ]);
      assert.deepEqual(parse(span, 'gen_ai.tool.definitions'), [{ type: 'function', name: 'lookup_order' }]);
      assert.deepEqual(parse(span, 'gen_ai.output.messages'), [
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_r1', name: 'lookup_order', arguments: { order_id: 'A-7' } }],
          finish_reason: 'tool_call',
        },
      ]);
    });

    test('a Responses stream passes every event through; the span takes the final response from response.completed', async () => {
      setCaptureContent(true);
      const events = responseStreamEvents(['Shipped ', 'yesterday.']);
      server.respond(() => ({ sse: events }));
      const stream = await client.responses.create({ model: MODEL, input: 'Where?', stream: true });
      const types: unknown[] = [];
      for await (const event of stream) types.push(event.type);
      assert.deepEqual(
        types,
        events.map((e) => e.event),
      );
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.equal(span.attributes['gen_ai.request.stream'], true);
      assert.equal(span.attributes['gen_ai.response.id'], 'resp_test1');
      assert.equal(span.attributes['gen_ai.usage.output_tokens'], 12);
      assert.equal(typeof span.attributes['gen_ai.response.time_to_first_chunk'], 'number');
      assert.deepEqual(parse(span, 'gen_ai.output.messages'), [
        { role: 'assistant', parts: [{ type: 'text', content: 'Shipped yesterday.' }], finish_reason: 'stop' },
      ]);
    });

    test('embeddings become an "embeddings {model}" span with the requested format and input tokens', async () => {
      server.respond((request) => embeddingsReply(request.body));
      const result = await client.embeddings.create({
        model: EMBEDDING_MODEL,
        input: ['refund policy'],
        encoding_format: 'float',
        dimensions: 4,
      });
      assert.deepEqual(Array.from(result.data[0]!.embedding), [0.25, -0.5, 0.125, 1]);
      const span = await finishedSpan(`embeddings ${EMBEDDING_MODEL}`);
      assert.equal(span.kind, SpanKind.CLIENT);
      assert.deepEqual(span.attributes, {
        ...base('embeddings', EMBEDDING_MODEL),
        'gen_ai.request.encoding_formats': ['float'],
        'gen_ai.embeddings.dimension.count': 4,
        'gen_ai.response.model': EMBEDDING_MODEL,
        'gen_ai.usage.input_tokens': 7,
      });
    });

    test('with content capture off, no span carries message content', async () => {
      server.respond((request) => {
        if (request.path.endsWith('/embeddings')) return embeddingsReply(request.body);
        if (request.path.endsWith('/responses')) return responseReply('secret answer');
        return request.body.stream ? { sse: chatStreamEvents(['secret ', 'answer']) } : chatCompletion('secret answer');
      });
      const messages = [{ role: 'user' as const, content: 'my secret question' }];
      const tools = [{ type: 'function' as const, function: { name: 'f', parameters: {} } }];
      await client.chat.completions.create({ model: MODEL, messages, tools });
      for await (const _ of await client.chat.completions.create({ model: MODEL, messages, stream: true }));
      await client.responses.create({ model: MODEL, instructions: 'secret rules', input: 'my secret question' });
      await client.embeddings.create({ model: EMBEDDING_MODEL, input: 'my secret question' });
      await finishedSpan(`embeddings ${EMBEDDING_MODEL}`);
      assert.equal(telemetry.spans().length, 4);
      for (const span of telemetry.spans()) {
        for (const key of CONTENT_KEYS) assert.equal(span.attributes[key], undefined, `${span.name} has no ${key}`);
        assert.ok(!JSON.stringify(span.attributes).includes('secret'), `${span.name} carries no content`);
      }
    });

    test('a call inside an active span becomes its child, and the HTTP request runs with the call span active', async () => {
      server.respond(() => chatCompletion('child'));
      let activeDuringFetch: string | undefined;
      const observed = new (client.constructor as new (options: object) => Client)({
        apiKey: 'sk-test',
        baseURL: server.baseURL,
        maxRetries: 0,
        fetch: (url: string, init: object) => {
          activeDuringFetch = trace.getActiveSpan()?.spanContext().spanId;
          return fetch(url, init);
        },
      });
      const parent = trace.getTracer('test').startSpan('parent');
      await context.with(trace.setSpan(context.active(), parent), () =>
        observed.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
      );
      parent.end();
      const span = await finishedSpan(`chat ${MODEL}`);
      assert.equal(span.parentSpanContext?.spanId, parent.spanContext().spanId);
      assert.equal(span.spanContext().traceId, parent.spanContext().traceId);
      assert.equal(activeDuringFetch, span.spanContext().spanId);
    });

    test('when the instrumentation is disabled, calls go straight to openai and make no span', async () => {
      server.respond(() => chatCompletion('plain'));
      instrumentation.disable();
      try {
        const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
        assert.equal(completion.choices[0]?.message.content, 'plain');
      } finally {
        instrumentation.enable();
      }
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(telemetry.spans().length, 0);
    });
  });
}
