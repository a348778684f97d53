import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { decodeMetrics, decodeTraces } from '../src/otlp/decode.ts';
import { OtlpDecodeError } from '../src/otlp/decode-error.ts';
import { otlpTypes } from '../src/otlp/schema.ts';
import { sampleSpans } from './fixtures/otlp/sdk-spans.ts';

const root = otlpTypes.traceRequest.root;
const SpanType = root.lookupType('opentelemetry.proto.trace.v1.Span');
const TRACE_ID = Buffer.from('ab'.repeat(16), 'hex');
const SPAN_ID = Buffer.from('cd'.repeat(8), 'hex');

/** Wraps encoded Span messages in ScopeSpans, ResourceSpans and the request, by hand. */
function requestWithSpans(...spans: Uint8Array[]): Uint8Array {
  const scope = protobuf.Writer.create();
  for (const span of spans) scope.uint32((2 << 3) | 2).bytes(span);
  const resource = protobuf.Writer.create().uint32((2 << 3) | 2).bytes(scope.finish());
  return protobuf.Writer.create().uint32((1 << 3) | 2).bytes(resource.finish()).finish();
}

function decodeError(body: Uint8Array): OtlpDecodeError {
  try {
    decodeTraces(body, 'protobuf');
  } catch (err) {
    assert.ok(err instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an OtlpDecodeError');
}

describe('protobuf bodies', () => {
  it('rejects a truncated body, an invalid wire type and runaway nesting as OtlpDecodeError', async () => {
    const body = ProtobufTraceSerializer.serializeRequest(await sampleSpans())!;
    assert.match(decodeError(body.subarray(0, body.length - 7)).message, /^malformed protobuf ExportTraceServiceRequest: index out of range/);
    assert.match(decodeError(Uint8Array.of(0x0f, 0x00)).message, /^malformed protobuf ExportTraceServiceRequest: invalid wire type 7/);
    // 150 nested array values: AnyValue{array_value{values{AnyValue{...}}}}
    let value: Uint8Array = Uint8Array.of(0x0a, 0x01, 0x78); // string_value "x"
    for (let i = 0; i < 150; i++) {
      const array = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(value).finish();
      value = protobuf.Writer.create().uint32((5 << 3) | 2).bytes(array).finish();
    }
    const keyValue = protobuf.Writer.create().uint32((1 << 3) | 2).string('deep').uint32((2 << 3) | 2).bytes(value).finish();
    const span = protobuf.Writer.create().uint32((9 << 3) | 2).bytes(keyValue).finish();
    assert.match(decodeError(requestWithSpans(span)).message, /max depth exceeded/);
  });

  it('skips unknown fields, including the profiles-only *_strindex ones', () => {
    const known = SpanType.encode({ trace_id: TRACE_ID, span_id: SPAN_ID, name: 'kept' }).finish();
    const attribute = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .string('k')
      .uint32((3 << 3) | 0) // KeyValue.key_strindex
      .uint32(5)
      .uint32((2 << 3) | 2)
      .bytes(Uint8Array.of((8 << 3) | 0, 3)) // AnyValue.string_value_strindex = 3
      .finish();
    const unknown = protobuf.Writer.create()
      .uint32((99 << 3) | 0)
      .uint32(1)
      .uint32((100 << 3) | 2)
      .string('future')
      .uint32((101 << 3) | 5)
      .fixed32(7)
      .uint32((9 << 3) | 2)
      .bytes(attribute)
      .finish();
    const span = Buffer.concat([known, unknown]);
    const [record] = decodeTraces(requestWithSpans(span), 'protobuf').items;
    assert.equal(record!.name, 'kept');
    assert.deepStrictEqual(record!.attributes, { k: null });
  });

  it('accepts repeated scalars unpacked as well as packed', () => {
    const point = { count: 3, bucket_counts: [1, 2], explicit_bounds: [10] };
    const packed = otlpTypes.metricsRequest
      .encode({ resource_metrics: [{ scope_metrics: [{ metrics: [{ name: 'h', histogram: { data_points: [point] } }] }] }] })
      .finish();
    // The same histogram point with bucket_counts as one fixed64 field per value.
    const pointBytes = protobuf.Writer.create()
      .uint32((4 << 3) | 1)
      .fixed64(3)
      .uint32((6 << 3) | 1)
      .fixed64(1)
      .uint32((6 << 3) | 1)
      .fixed64(2)
      .uint32((7 << 3) | 2)
      .bytes(protobuf.Writer.create().double(10).finish())
      .finish();
    const histogram = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(pointBytes).finish();
    const metric = protobuf.Writer.create().uint32((1 << 3) | 2).string('h').uint32((9 << 3) | 2).bytes(histogram).finish();
    const scope = protobuf.Writer.create().uint32((2 << 3) | 2).bytes(metric).finish();
    const resource = protobuf.Writer.create().uint32((2 << 3) | 2).bytes(scope).finish();
    const unpacked = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(resource).finish();
    const expected = { count: 3, bucketCounts: [1, 2], explicitBounds: [10] };
    assert.deepStrictEqual(decodeMetrics(packed, 'protobuf').items[0]!.data, expected);
    assert.deepStrictEqual(decodeMetrics(unpacked, 'protobuf').items[0]!.data, expected);
  });

  it('decodes invalid UTF-8 leniently, as U+FFFD, instead of failing the batch', () => {
    const name = Uint8Array.of(0x6f, 0x6b, 0xff, 0xfe); // "ok" then two bytes that are never UTF-8
    const span = Buffer.concat([
      SpanType.encode({ trace_id: TRACE_ID, span_id: SPAN_ID }).finish(),
      protobuf.Writer.create().uint32((5 << 3) | 2).bytes(name).finish(),
    ]);
    assert.equal(decodeTraces(requestWithSpans(span), 'protobuf').items[0]!.name, 'ok\ufffd\ufffd');
  });

  it('decodes repeated, similar and non-ASCII strings exactly (the short-string cache)', () => {
    // Same length and same first and last four bytes: the cache's hash cannot tell them apart.
    const keys = ['gen_ai.a.model', 'gen_ai.b.model', 'gen_ai.a.model', 'héllo wörld', '🙂 ok', 'x', '', 'x'.repeat(49)];
    const attributes = keys.map((key, i) => ({ key: `${key}#${i}`, value: { string_value: key } }));
    const span = SpanType.encode({ trace_id: TRACE_ID, span_id: SPAN_ID, attributes }).finish();
    for (let round = 0; round < 2; round++) {
      const [record] = decodeTraces(requestWithSpans(span, span), 'protobuf').items;
      assert.deepStrictEqual(record!.attributes, Object.fromEntries(keys.map((key, i) => [`${key}#${i}`, key])));
    }
  });
});
