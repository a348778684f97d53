import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraces } from '../src/otlp/decode.ts';
import { REJECT_REASONS, type RejectReason, type Rejection, type SpanRecord } from '../src/otlp/records.ts';
import { malformedSpans } from './fixtures/otlp/malformed-spans.ts';
import { otlpTypes } from '../src/otlp/schema.ts';
import { T0_NANOS, genAiSpans, sampleSpans } from './fixtures/otlp/sdk-spans.ts';

const EXAMPLES = new URL('./fixtures/otlp/spec-examples/', import.meta.url);
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const traceId = (n: number): string => n.toString(16).padStart(32, '0');
const spanId = (n: number): string => n.toString(16).padStart(16, '0');

describe('decodeTraces', () => {
  it('decodes the real JS exporter protobuf and JSON into the same records, field by field', async () => {
    const spans = await sampleSpans();
    const fromProtobuf = decodeTraces(ProtobufTraceSerializer.serializeRequest(spans)!, 'protobuf');
    const fromJson = decodeTraces(JsonTraceSerializer.serializeRequest(spans)!, 'json');
    assert.deepStrictEqual(fromProtobuf, fromJson);
    assert.deepStrictEqual(fromProtobuf.rejections, []);

    const resource = {
      attributes: { 'service.name': 'support-agent', 'deployment.environment': 'test' },
      droppedAttributesCount: 0,
      schemaUrl: '',
    };
    const scope = {
      name: '@agent-flywheel/test',
      version: '1.2.3',
      attributes: {},
      droppedAttributesCount: 0,
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
    };
    // The SDK asks its IdGenerator for the root's span id (1) before its trace id (2).
    const child: SpanRecord = {
      traceId: traceId(2),
      spanId: spanId(3),
      parentSpanId: spanId(1),
      traceState: '',
      name: 'chat gpt-4o-mini',
      kind: 3,
      startTimeUnixNano: T0_NANOS + 10_000_000n,
      endTimeUnixNano: T0_NANOS + 1_250_000_000n,
      attributes: {
        'a.string': 'chat',
        'a.bool': true,
        'a.int': 412,
        'a.negative': -7,
        'a.double': 0.25,
        'a.array': ['stop', 'length'],
        'a.mixed': ['x', 1, true, null],
        'a.map': { role: 'user', tokens: 3, nested: { deep: [1, 2] } },
        'a.bytes': '3q2+7w==',
        'a.empty': null,
      },
      droppedAttributesCount: 0,
      events: [
        {
          timeUnixNano: T0_NANOS + 20_000_000n,
          name: 'gen_ai.choice',
          attributes: { index: 0, 'finish.reason': 'stop' },
          droppedAttributesCount: 0,
        },
      ],
      droppedEventsCount: 0,
      links: [
        {
          traceId: 'a'.repeat(32),
          spanId: 'b'.repeat(16),
          traceState: '',
          attributes: { 'link.kind': 'follows' },
          droppedAttributesCount: 0,
          flags: 0x301, // sampled, "is remote" known, remote
        },
      ],
      droppedLinksCount: 0,
      status: { code: 2, message: 'rate limited' },
      flags: 0x101, // sampled, "is remote" known, parent local
      resource,
      scope,
    };
    const root: SpanRecord = {
      traceId: traceId(2),
      spanId: spanId(1),
      parentSpanId: null,
      traceState: '',
      name: 'invoke_agent support',
      kind: 2,
      startTimeUnixNano: T0_NANOS,
      endTimeUnixNano: T0_NANOS + 2_000_000_000n,
      attributes: { 'gen_ai.operation.name': 'invoke_agent' },
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 0, message: '' },
      flags: 0x101,
      resource,
      scope,
    };
    assert.deepStrictEqual(fromProtobuf.items, [child, root]);
  });

  it('decodes a 512-span GenAI batch identically from both encodings', async () => {
    const spans = await genAiSpans(512);
    const fromProtobuf = decodeTraces(ProtobufTraceSerializer.serializeRequest(spans)!, 'protobuf');
    const fromJson = decodeTraces(JsonTraceSerializer.serializeRequest(spans)!, 'json');
    assert.equal(fromProtobuf.items.length, 512);
    assert.deepStrictEqual(fromProtobuf, fromJson);
    const last = fromProtobuf.items[511]!;
    assert.equal(last.attributes['gen_ai.usage.input_tokens'], 412 + 511);
    assert.equal(last.attributes['flywheel.interaction.id'], 'int-511');
    assert.deepStrictEqual(last.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(Object.keys(last.attributes).length, 20);
  });

  it("decodes the specification's trace.json example", () => {
    const { items, rejections } = decodeTraces(readFileSync(new URL('trace.json', EXAMPLES)), 'json');
    assert.deepStrictEqual(rejections, []);
    assert.deepStrictEqual(items, [
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        traceState: '',
        name: "I'm a server span",
        kind: 2,
        startTimeUnixNano: 1544712660000000000n,
        endTimeUnixNano: 1544712661000000000n,
        attributes: { 'my.span.attr': 'some value' },
        droppedAttributesCount: 0,
        events: [],
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: { code: 0, message: '' },
        flags: 0,
        resource: { attributes: { 'service.name': 'my.service' }, droppedAttributesCount: 0, schemaUrl: '' },
        scope: {
          name: 'my.library',
          version: '1.0.0',
          attributes: { 'my.scope.attribute': 'some scope attribute' },
          droppedAttributesCount: 0,
          schemaUrl: '',
        },
      },
    ]);
  });

  it('treats an empty request, and empty wrappers, as no spans', () => {
    assert.deepStrictEqual(decodeTraces(new Uint8Array(0), 'protobuf'), { items: [], rejections: [] });
    assert.deepStrictEqual(decodeTraces(json({}), 'json'), { items: [], rejections: [] });
    const emptyWrappers = { resourceSpans: [{}, { scopeSpans: [{}, { spans: [] }] }] };
    assert.deepStrictEqual(decodeTraces(json(emptyWrappers), 'json'), { items: [], rejections: [] });
  });
});

describe('decodeTraces span validity (trace.proto, Span.trace_id/span_id)', () => {
  const good = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) };
  // Each case: the ids of one span, and why it is rejected (null: kept).
  const cases: { ids: Record<string, string>; rejection: { reason: RejectReason; message: string } | null }[] = [
    { ids: { ...good, traceId: 'ab'.repeat(12) }, rejection: { reason: 'invalid_trace_id', message: 'traceId must be 16 bytes, got 12' } },
    { ids: { ...good, traceId: '00'.repeat(16) }, rejection: { reason: 'invalid_trace_id', message: 'traceId must not be all zero' } },
    { ids: { spanId: good.spanId }, rejection: { reason: 'invalid_trace_id', message: 'traceId must be 16 bytes, got 0' } },
    { ids: { ...good, spanId: 'cd'.repeat(7) }, rejection: { reason: 'invalid_span_id', message: 'spanId must be 8 bytes, got 7' } },
    { ids: { ...good, spanId: '00'.repeat(8) }, rejection: { reason: 'invalid_span_id', message: 'spanId must not be all zero' } },
    { ids: { ...good, parentSpanId: 'ef'.repeat(5) }, rejection: { reason: 'invalid_parent_span_id', message: 'parentSpanId must be 8 bytes, got 5' } },
    { ids: { ...good, parentSpanId: 'ef'.repeat(8) }, rejection: null },
    { ids: { ...good, parentSpanId: '' }, rejection: null },
    // The all-zero parent is the W3C "invalid" id senders use for "no parent": kept as a root.
    { ids: { ...good, parentSpanId: '00'.repeat(8) }, rejection: null },
  ];
  const expectedRejections: Rejection[] = cases.flatMap((c, index) => (c.rejection === null ? [] : [{ index, ...c.rejection }]));

  it('rejects each span with unusable ids from a JSON body, with its index, reason and message, and keeps the rest', () => {
    const spans = cases.map((c, i) => ({ ...c.ids, name: `span ${i}` }));
    const decoded = decodeTraces(json({ resourceSpans: [{ scopeSpans: [{ spans }] }] }), 'json');
    assert.deepStrictEqual(decoded.rejections, expectedRejections);
    assert.deepStrictEqual(
      decoded.items.map((s) => [s.name, s.parentSpanId]),
      [
        ['span 6', 'ef'.repeat(8)],
        ['span 7', null],
        ['span 8', null],
      ],
    );
  });

  it('rejects the same spans from a protobuf body', () => {
    const spans = cases.map((c, i) => ({
      trace_id: c.ids.traceId === undefined ? undefined : hex(c.ids.traceId),
      span_id: hex(c.ids.spanId!),
      parent_span_id: c.ids.parentSpanId === undefined ? undefined : hex(c.ids.parentSpanId),
      name: `span ${i}`,
    }));
    const body = otlpTypes.traceRequest.encode({ resource_spans: [{ scope_spans: [{ spans }] }] }).finish();
    const decoded = decodeTraces(body, 'protobuf');
    assert.deepStrictEqual(decoded.rejections, expectedRejections);
    assert.deepStrictEqual(
      decoded.items.map((s) => s.name),
      ['span 6', 'span 7', 'span 8'],
    );
  });

  it('numbers spans across resource and scope wrappers, and rejects non-hex ids and unstorable timestamps', () => {
    const body = {
      resourceSpans: [
        { scopeSpans: [{ spans: [{ ...good, name: 'a' }] }, { spans: [{ ...good, spanId: 'xyz', name: 'b' }] }] },
        { scopeSpans: [{ spans: [{ ...good, name: 'c', startTimeUnixNano: '18446744073709551615' }, { ...good, name: 'd' }] }] },
      ],
    };
    const decoded = decodeTraces(json(body), 'json');
    assert.deepStrictEqual(decoded.rejections, [
      { index: 1, reason: 'invalid_span_id', message: 'spanId must be 16 hex characters, got "xyz"' },
      { index: 2, reason: 'invalid_time', message: 'startTimeUnixNano must be from 0 to 2^63-1 nanoseconds, got 18446744073709551615' },
    ]);
    assert.deepStrictEqual(
      decoded.items.map((s) => s.name),
      ['a', 'd'],
    );
  });

  it('names the first failing check, in the order traceId, spanId, start, end, parentSpanId', () => {
    const bad = { traceId: 'ab', spanId: '00'.repeat(8), startTimeUnixNano: '9223372036854775808', endTimeUnixNano: '18446744073709551615', parentSpanId: 'ef' };
    const spans = [
      bad,
      { ...bad, traceId: good.traceId },
      { ...bad, ...good },
      { ...bad, ...good, startTimeUnixNano: '1' },
      { ...bad, ...good, startTimeUnixNano: '1', endTimeUnixNano: '2' },
    ];
    const decoded = decodeTraces(json({ resourceSpans: [{ scopeSpans: [{ spans }] }] }), 'json');
    assert.deepStrictEqual(decoded.rejections, [
      { index: 0, reason: 'invalid_trace_id', message: 'traceId must be 16 bytes, got 1' },
      { index: 1, reason: 'invalid_span_id', message: 'spanId must not be all zero' },
      { index: 2, reason: 'invalid_time', message: 'startTimeUnixNano must be from 0 to 2^63-1 nanoseconds, got 9223372036854775808' },
      { index: 3, reason: 'invalid_time', message: 'endTimeUnixNano must be from 0 to 2^63-1 nanoseconds, got 18446744073709551615' },
      { index: 4, reason: 'invalid_parent_span_id', message: 'parentSpanId must be 8 bytes, got 1' },
    ]);
    assert.deepStrictEqual(decoded.items, []);
  });

  it('keeps unknown span kinds and status codes as received: proto3 enums are open (trace/v1/trace.proto)', () => {
    const INT32_MAX = 2 ** 31 - 1;
    const INT32_MIN = -(2 ** 31);
    const values: [kind: number, code: number][] = [
      [99, 99],
      [INT32_MAX, INT32_MAX],
      [INT32_MIN, INT32_MIN],
      [-1, 3],
    ];
    const jsonBody = json({
      resourceSpans: [{ scopeSpans: [{ spans: values.map(([kind, code], i) => ({ ...good, name: `s${i}`, kind, status: { code, message: 'm' } })) }] }],
    });
    const protobufBody = otlpTypes.traceRequest
      .encode({
        resource_spans: [
          {
            scope_spans: [
              {
                spans: values.map(([kind, code], i) => ({
                  trace_id: hex(good.traceId),
                  span_id: hex(good.spanId),
                  name: `s${i}`,
                  kind,
                  status: { code, message: 'm' },
                })),
              },
            ],
          },
        ],
      })
      .finish();
    for (const decoded of [decodeTraces(jsonBody, 'json'), decodeTraces(protobufBody, 'protobuf')]) {
      assert.deepStrictEqual(decoded.rejections, []);
      assert.deepStrictEqual(
        decoded.items.map((s) => [s.name, s.kind, s.status]),
        values.map(([kind, code], i) => [`s${i}`, kind, { code, message: 'm' }]),
      );
    }
    // Also as a string, as proto3 JSON allows for an enum's number.
    const [fromString] = decodeTraces(json({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...good, kind: '99', status: { code: '99' } }] }] }] }), 'json').items;
    assert.deepStrictEqual([fromString!.kind, fromString!.status.code], [99, 99]);
  });

  it('gives 1000 distinct malformed spans only the known reasons, each with its own message', () => {
    const malformed = malformedSpans(1000);
    const decoded = decodeTraces(json({ resourceSpans: [{ scopeSpans: [{ spans: malformed.map((m) => m.span) }] }] }), 'json');
    assert.deepStrictEqual(decoded.items, []);
    assert.deepStrictEqual(
      decoded.rejections,
      malformed.map((m, index) => ({ index, reason: m.reason, message: m.message })),
    );
    assert.deepStrictEqual(new Set(decoded.rejections.map((r) => r.reason)), new Set(REJECT_REASONS));
    assert.ok(new Set(decoded.rejections.map((r) => r.message)).size > 500, 'the messages vary, the reasons do not');
  });

  it('drops links with unusable ids and counts them in droppedLinksCount', () => {
    const span = {
      ...good,
      droppedLinksCount: 1,
      links: [
        { traceId: 'ab'.repeat(16), spanId: '00'.repeat(8) },
        { traceId: 'ab'.repeat(16), spanId: '12'.repeat(8), traceState: 'k=v', flags: 1 },
        { spanId: '12'.repeat(8) },
      ],
    };
    const [record] = decodeTraces(json({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), 'json').items;
    assert.deepStrictEqual(record!.links, [
      { traceId: 'ab'.repeat(16), spanId: '12'.repeat(8), traceState: 'k=v', attributes: {}, droppedAttributesCount: 0, flags: 1 },
    ]);
    assert.equal(record!.droppedLinksCount, 3);
  });
});
