import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLogs, decodeMetrics, decodeTraces } from '../src/otlp/decode.ts';
import { OtlpDecodeError } from '../src/otlp/decode-error.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const json = (value: unknown): Uint8Array => utf8(JSON.stringify(value));
const oneSpan = (span: Record<string, unknown>) => json({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
const ids = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) };

function decodeError(body: Uint8Array, decode: (body: Uint8Array, encoding: 'json') => unknown = decodeTraces): OtlpDecodeError {
  try {
    decode(body, 'json');
  } catch (err) {
    assert.ok(err instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an OtlpDecodeError');
}

describe('OTLP/JSON quirks (OTLP spec, "JSON Protobuf Encoding")', () => {
  it('accepts enum names as well as numbers', () => {
    const [span] = decodeTraces(oneSpan({ ...ids, kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR' } }), 'json').items;
    assert.equal(span!.kind, 3);
    assert.equal(span!.status.code, 2);
    const [numeric] = decodeTraces(oneSpan({ ...ids, kind: 3, status: { code: '2' } }), 'json').items;
    assert.equal(numeric!.kind, 3);
    assert.equal(numeric!.status.code, 2);
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'SEVERITY_NUMBER_WARN2' }] }] }] };
    const [log] = decodeLogs(json(logs), 'json').items;
    assert.equal(log!.severityNumber, 14);
    const [point] = decodeMetrics(
      json({
        resourceMetrics: [
          { scopeMetrics: [{ metrics: [{ sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA', dataPoints: [{}] } }] }] },
        ],
      }),
      'json',
    ).items;
    assert.equal(point!.aggregationTemporality, 1);
  });

  it('accepts int64 as strings or numbers, and 32-bit integers as numeric strings', () => {
    const [span] = decodeTraces(
      oneSpan({
        ...ids,
        startTimeUnixNano: 1767225600000000000, // a number: already rounded by JSON.parse, accepted as such
        endTimeUnixNano: '1767225600000000123',
        droppedAttributesCount: '3',
        flags: '257',
        attributes: [
          { key: 'n', value: { intValue: 7 } },
          { key: 's', value: { intValue: '7' } },
        ],
      }),
      'json',
    ).items;
    assert.equal(span!.startTimeUnixNano, 1767225600000000000n);
    assert.equal(span!.endTimeUnixNano, 1767225600000000123n);
    assert.equal(span!.droppedAttributesCount, 3);
    assert.equal(span!.flags, 257);
    assert.deepStrictEqual(span!.attributes, { n: 7, s: 7 });
  });

  it('accepts snake_case keys beside lowerCamelCase, as the Collector does', () => {
    const body = json({
      resource_spans: [
        {
          schema_url: 'https://example.com/r',
          scope_spans: [
            {
              spans: [
                {
                  trace_id: ids.traceId,
                  span_id: ids.spanId,
                  parent_span_id: 'ef'.repeat(8),
                  start_time_unix_nano: '5',
                  dropped_events_count: 2,
                  attributes: [{ key: 'k', value: { string_value: 'v' } }],
                },
              ],
            },
          ],
        },
      ],
    });
    const [span] = decodeTraces(body, 'json').items;
    assert.equal(span!.parentSpanId, 'ef'.repeat(8));
    assert.equal(span!.startTimeUnixNano, 5n);
    assert.equal(span!.droppedEventsCount, 2);
    assert.deepStrictEqual(span!.attributes, { k: 'v' });
    assert.equal(span!.resource.schemaUrl, 'https://example.com/r');
  });

  it('reads "NaN", "Infinity", "-Infinity" and numeric strings as doubles', () => {
    const [span] = decodeTraces(
      oneSpan({
        ...ids,
        attributes: ['NaN', 'Infinity', '-Infinity', '2.5'].map((d, i) => ({ key: `d${i}`, value: { doubleValue: d } })),
      }),
      'json',
    ).items;
    assert.deepStrictEqual(span!.attributes, { d0: NaN, d1: Infinity, d2: -Infinity, d3: 2.5 });
  });

  it('reads hex ids case-insensitively and records them lowercase', () => {
    const [span] = decodeTraces(oneSpan({ traceId: 'AB'.repeat(16), spanId: 'Cd'.repeat(8), parentSpanId: 'EF'.repeat(8) }), 'json').items;
    assert.equal(span!.traceId, 'ab'.repeat(16));
    assert.equal(span!.spanId, 'cd'.repeat(8));
    assert.equal(span!.parentSpanId, 'ef'.repeat(8));
  });

  it('ignores unknown fields and reads null as absent', () => {
    const [span] = decodeTraces(
      oneSpan({
        ...ids,
        name: null,
        kind: null,
        status: null,
        attributes: null,
        futureField: { anything: [1, 2, 3] },
        events: [{ name: 'e', unknown: true, attributes: null }],
      }),
      'json',
    ).items;
    assert.equal(span!.name, '');
    assert.equal(span!.kind, 0);
    assert.deepStrictEqual(span!.status, { code: 0, message: '' });
    assert.deepStrictEqual(span!.attributes, {});
    assert.deepStrictEqual(span!.events, [{ timeUnixNano: 0n, name: 'e', attributes: {}, droppedAttributesCount: 0 }]);
  });

  it('accepts a body that starts with a byte order mark', () => {
    const body = utf8(`\ufeff${JSON.stringify({ resourceSpans: [] })}`);
    assert.deepStrictEqual(decodeTraces(body, 'json'), { items: [], rejections: [] });
  });
});

describe('OTLP/JSON bodies that do not decode', () => {
  it('rejects malformed JSON', () => {
    assert.match(decodeError(utf8('{"resourceSpans": [')).message, /^malformed JSON: /);
    assert.match(decodeError(utf8('')).message, /^malformed JSON: /);
  });

  it('rejects a top level that is not an object', () => {
    assert.equal(decodeError(utf8('[]')).message, 'ExportTraceServiceRequest must be a JSON object, got an array');
    assert.equal(decodeError(utf8('"spans"')).message, 'ExportTraceServiceRequest must be a JSON object, got "spans"');
    assert.equal(decodeError(utf8('null')).message, 'ExportTraceServiceRequest must be a JSON object, got null');
    assert.equal(decodeError(utf8('12'), decodeLogs).message, 'ExportLogsServiceRequest must be a JSON object, got 12');
  });

  it('names the path and the expectation for a value of the wrong type', () => {
    const prefix = 'invalid ExportTraceServiceRequest: ';
    assert.equal(decodeError(json({ resourceSpans: {} })).message, `${prefix}resourceSpans: expected an array, got an object`);
    assert.equal(
      decodeError(json({ resourceSpans: [{ scopeSpans: [{ spans: ['x'] }] }] })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0]: expected an object, got "x"`,
    );
    assert.equal(
      decodeError(oneSpan({ ...ids, kind: 'CLIENT' })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].kind: expected one of SPAN_KIND_UNSPECIFIED, SPAN_KIND_INTERNAL, ` +
        'SPAN_KIND_SERVER, SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER or its number, got "CLIENT"',
    );
    assert.equal(
      decodeError(oneSpan({ ...ids, attributes: [{ key: 'k', value: { intValue: 1.5 } }] })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: ` +
        'expected an int64 as a decimal string or a number, got 1.5',
    );
    assert.equal(
      decodeError(oneSpan({ ...ids, startTimeUnixNano: '-1' })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected a uint64 as a decimal string or a number, got "-1"`,
    );
    assert.equal(
      decodeError(oneSpan({ ...ids, startTimeUnixNano: '18446744073709551616' })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: ` +
        'expected a uint64 as a decimal string or a number, got "18446744073709551616"',
    );
    assert.equal(
      decodeError(oneSpan({ traceId: 42, spanId: ids.spanId })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a string, got 42`,
    );
    assert.equal(
      decodeError(oneSpan({ ...ids, attributes: [{ key: 'b', value: { bytesValue: 'not base64!' } }] })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: expected base64, got "not base64!"`,
    );
    assert.equal(
      decodeError(oneSpan({ ...ids, flags: -1 })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].flags: expected an integer from 0 to 4294967295, got -1`,
    );
    assert.equal(
      decodeError(oneSpan({ ...ids, attributes: [{ key: 'b', value: { boolValue: 'true' } }] })).message,
      `${prefix}resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.boolValue: expected true or false, got "true"`,
    );
  });

  it('rejects nesting deeper than the protobuf codec accepts', () => {
    let value: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 200; i++) value = { arrayValue: { values: [value] } };
    assert.match(decodeError(oneSpan({ ...ids, attributes: [{ key: 'deep', value }] })).message, /nested deeper than 100 messages$/);
  });
});
