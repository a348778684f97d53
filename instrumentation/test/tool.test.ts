// traceTool(): one execute_tool span per tool execution, with the real SDK exporting to memory.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { setCaptureContent } from '../src/capture.ts';
import { withInteraction } from '../src/interaction.ts';
import { traceTool } from '../src/tool.ts';
import { startTelemetry } from './telemetry.ts';

const telemetry = startTelemetry();
const tick = () => new Promise((resolve) => setImmediate(resolve));

after(() => telemetry.shutdown());
afterEach(() => {
  setCaptureContent(false);
  telemetry.reset();
});

test('traceTool runs the tool inside an INTERNAL "execute_tool {name}" span, a child of the interaction', async () => {
  const result = await withInteraction({ agent: 'support' }, () =>
    traceTool(
      { name: 'lookup_order', callId: 'call_7', description: 'Finds an order', arguments: { order_id: 'A-1001' } },
      async () => {
        await tick();
        return { status: 'shipped' };
      },
    ),
  );
  assert.deepEqual(result, { status: 'shipped' });
  await tick();
  const tool = telemetry.span('execute_tool lookup_order');
  assert.equal(tool.kind, SpanKind.INTERNAL);
  assert.equal(tool.parentSpanContext?.spanId, telemetry.span('invoke_agent support').spanContext().spanId);
  assert.deepEqual(tool.attributes, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'lookup_order',
    'gen_ai.tool.call.id': 'call_7',
    'gen_ai.tool.description': 'Finds an order',
    'gen_ai.tool.type': 'function',
  });
});

test('under content capture the arguments and the result are recorded, objects as JSON and strings as they are', async () => {
  setCaptureContent(true);
  traceTool({ name: 'search_kb', arguments: '{"query":"refunds"}', type: 'datastore' }, () => 'Refunds take 5 days.');
  await traceTool({ name: 'lookup_order', arguments: { order_id: 'A-1' } }, async () => ({ status: 'shipped', eta: 2 }));
  await tick();
  const search = telemetry.span('execute_tool search_kb');
  assert.equal(search.attributes['gen_ai.tool.type'], 'datastore');
  assert.equal(search.attributes['gen_ai.tool.call.arguments'], '{"query":"refunds"}');
  assert.equal(search.attributes['gen_ai.tool.call.result'], 'Refunds take 5 days.');
  const lookup = telemetry.span('execute_tool lookup_order');
  assert.equal(lookup.attributes['gen_ai.tool.call.arguments'], '{"order_id":"A-1"}');
  assert.equal(lookup.attributes['gen_ai.tool.call.result'], '{"status":"shipped","eta":2}');
});

test('with content capture off, neither arguments nor result are recorded', () => {
  traceTool({ name: 'lookup_order', arguments: { order_id: 'secret' } }, () => 'secret');
  const span = telemetry.span('execute_tool lookup_order');
  assert.equal(span.attributes['gen_ai.tool.call.arguments'], undefined);
  assert.equal(span.attributes['gen_ai.tool.call.result'], undefined);
});

test('a result that cannot be serialized is left out; the tool result still reaches the app', () => {
  setCaptureContent(true);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.equal(
    traceTool('lookup_order', () => circular),
    circular,
  );
  assert.equal(telemetry.span('execute_tool lookup_order').attributes['gen_ai.tool.call.result'], undefined);
});

test('a failing tool: the same error reaches the app, the span records it', async () => {
  const error = new RangeError('no such order');
  await assert.rejects(
    traceTool('lookup_order', async () => {
      throw error;
    }),
    (thrown) => thrown === error,
  );
  assert.throws(
    () =>
      traceTool('search_kb', () => {
        throw error;
      }),
    (thrown) => thrown === error,
  );
  await tick();
  for (const name of ['execute_tool lookup_order', 'execute_tool search_kb']) {
    const span = telemetry.span(name);
    assert.deepEqual(span.status, { code: SpanStatusCode.ERROR, message: 'no such order' });
    assert.equal(span.attributes['error.type'], 'RangeError');
  }
});
