import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeLogs } from '../src/otlp/decode.ts';
import type { LogRecord } from '../src/otlp/records.ts';
import { otlpTypes } from '../src/otlp/schema.ts';
import { LOG_SPAN_ID, LOG_TRACE_ID, sampleLogRecords } from './fixtures/otlp/sdk-logs.ts';

const EXAMPLES = new URL('./fixtures/otlp/spec-examples/', import.meta.url);
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const T0_NANOS = 1767225600000000000n;

describe('decodeLogs', () => {
  it('decodes the real JS exporter protobuf and JSON into the same records, field by field', async () => {
    const logs = await sampleLogRecords();
    const fromProtobuf = decodeLogs(ProtobufLogsSerializer.serializeRequest(logs)!, 'protobuf');
    const fromJson = decodeLogs(JsonLogsSerializer.serializeRequest(logs)!, 'json');
    assert.deepStrictEqual(fromProtobuf, fromJson);
    const resource = { attributes: { 'service.name': 'support-agent' }, droppedAttributesCount: 0, schemaUrl: '' };
    const scope = {
      name: '@agent-flywheel/test',
      version: '1.2.3',
      attributes: { 'scope.kind': 'test' },
      droppedAttributesCount: 0,
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
    };
    const expected: LogRecord[] = [
      {
        timeUnixNano: T0_NANOS,
        observedTimeUnixNano: T0_NANOS + 5_000_000n,
        severityNumber: 9,
        severityText: 'INFO',
        body: { role: 'assistant', tokens: 12, ok: true, parts: ['a', 2.5, null], raw: 'AQID' },
        attributes: { 'gen_ai.operation.name': 'chat', 'a.int': 7 },
        droppedAttributesCount: 0,
        flags: 1,
        traceId: LOG_TRACE_ID,
        spanId: LOG_SPAN_ID,
        eventName: 'gen_ai.client.inference.operation.details',
        resource,
        scope,
      },
      {
        timeUnixNano: T0_NANOS + 1_000_000_000n,
        observedTimeUnixNano: T0_NANOS + 1_000_000_000n,
        severityNumber: 17,
        severityText: 'ERROR',
        body: 'tool call failed',
        attributes: { 'exception.type': 'TimeoutError' },
        droppedAttributesCount: 0,
        flags: 0,
        traceId: null,
        spanId: null,
        eventName: '',
        resource,
        scope,
      },
    ];
    assert.deepStrictEqual(fromProtobuf, { items: expected, rejections: [] });
  });

  it("decodes the specification's logs.json example, lowercasing its uppercase hex ids", () => {
    const { items, rejections } = decodeLogs(readFileSync(new URL('logs.json', EXAMPLES)), 'json');
    assert.deepStrictEqual(rejections, []);
    assert.deepStrictEqual(items, [
      {
        timeUnixNano: 1544712660300000000n,
        observedTimeUnixNano: 1544712660300000000n,
        severityNumber: 10,
        severityText: 'Information',
        body: 'Example log record',
        attributes: {
          'string.attribute': 'some string',
          'boolean.attribute': true,
          'int.attribute': 10,
          'double.attribute': 637.704,
          'array.attribute': ['many', 'values'],
          'map.attribute': { 'some.map.key': 'some value' },
        },
        droppedAttributesCount: 0,
        flags: 0,
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        eventName: '',
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

  it("decodes the specification's events.json example: eventName and a kvlist body", () => {
    const { items } = decodeLogs(readFileSync(new URL('events.json', EXAMPLES)), 'json');
    assert.equal(items.length, 1);
    const [event] = items;
    assert.equal(event!.eventName, 'browser.page_view');
    assert.equal(event!.severityNumber, 9);
    assert.deepStrictEqual(event!.body, {
      type: 0,
      url: 'https://www.guidgenerator.com/online-guid-generator.aspx',
      referrer: 'https://wwww.google.com',
      title: 'Free Online GUID Generator',
    });
    assert.deepStrictEqual(event!.attributes, { 'event.attribute': 'some event attribute' });
    assert.equal(event!.traceId, null);
    assert.equal(event!.spanId, null);
  });

  it('keeps log records with unusable ids, unlinked, in both encodings', () => {
    const traceId = 'ab'.repeat(16);
    const spanId = 'cd'.repeat(8);
    // [traceId, spanId] sent -> [traceId, spanId] recorded
    const cases: [string | undefined, string | undefined, string | null, string | null][] = [
      [traceId, spanId, traceId, spanId],
      [traceId, 'cd'.repeat(3), traceId, null],
      [traceId, '00'.repeat(8), traceId, null],
      ['ab'.repeat(10), spanId, null, null], // a span id means nothing without its trace
      ['00'.repeat(16), spanId, null, null],
      [undefined, undefined, null, null],
    ];
    const jsonBody = json({
      resourceLogs: [{ scopeLogs: [{ logRecords: cases.map(([t, s]) => ({ traceId: t, spanId: s })) }] }],
    });
    const protobufBody = otlpTypes.logsRequest
      .encode({
        resource_logs: [
          {
            scope_logs: [
              {
                log_records: cases.map(([t, s]) => ({
                  trace_id: t === undefined ? undefined : Buffer.from(t, 'hex'),
                  span_id: s === undefined ? undefined : Buffer.from(s, 'hex'),
                })),
              },
            ],
          },
        ],
      })
      .finish();
    for (const decoded of [decodeLogs(jsonBody, 'json'), decodeLogs(protobufBody, 'protobuf')]) {
      assert.deepStrictEqual(decoded.rejections, []);
      assert.deepStrictEqual(
        decoded.items.map((r) => [r.traceId, r.spanId]),
        cases.map(([, , t, s]) => [t, s]),
      );
    }
  });

  it('reads a missing body as null and a missing time as 0', () => {
    const [record] = decodeLogs(json({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}] }] }] }), 'json').items;
    assert.equal(record!.body, null);
    assert.equal(record!.timeUnixNano, 0n);
    assert.equal(record!.observedTimeUnixNano, 0n);
    const [fromProtobuf] = decodeLogs(
      otlpTypes.logsRequest.encode({ resource_logs: [{ scope_logs: [{ log_records: [{}] }] }] }).finish(),
      'protobuf',
    ).items;
    assert.deepStrictEqual(fromProtobuf, record);
  });
});
