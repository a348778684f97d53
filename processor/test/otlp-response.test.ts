import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { encodeExportResponse, encodeStatus } from '../src/otlp/response.ts';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replaceAll(' ', ''), 'hex'));
const text = (body: Uint8Array): string => new TextDecoder().decode(body);

describe('encodeExportResponse (OTLP spec, "OTLP/HTTP Response")', () => {
  it('leaves partial_success unset when all was accepted: 0 bytes of protobuf, {} in JSON', () => {
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      assert.deepStrictEqual(encodeExportResponse(signal, 0, '', 'protobuf'), new Uint8Array(0));
      assert.equal(text(encodeExportResponse(signal, 0, '', 'json')), '{}');
    }
  });

  it('encodes rejected_<items> = 2, error_message = "bad"', () => {
    // Every signal's counter is field 1 of its partial-success message.
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      const body = encodeExportResponse(signal, 2, 'bad', 'protobuf');
      assert.deepStrictEqual(Uint8Array.from(body), bytes('0a 07 08 02 12 03 62 61 64'));
    }
    const jsonOf = (signal: 'traces' | 'logs' | 'metrics') => text(encodeExportResponse(signal, 2, 'bad', 'json'));
    assert.equal(jsonOf('traces'), '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad"}}');
    assert.equal(jsonOf('logs'), '{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"bad"}}');
    assert.equal(jsonOf('metrics'), '{"partialSuccess":{"rejectedDataPoints":"2","errorMessage":"bad"}}');
  });

  it('encodes a warning: nothing rejected, a message', () => {
    assert.deepStrictEqual(Uint8Array.from(encodeExportResponse('traces', 0, 'warn', 'protobuf')), bytes('0a 06 12 04 77 61 72 6e'));
    assert.equal(text(encodeExportResponse('traces', 0, 'warn', 'json')), '{"partialSuccess":{"errorMessage":"warn"}}');
  });

  it('is read back by the real JS exporters', () => {
    const body = encodeExportResponse('traces', 2, 'span 4: traceId must be 16 bytes, got 12', 'protobuf');
    assert.deepStrictEqual(ProtobufTraceSerializer.deserializeResponse(body), {
      partialSuccess: { rejectedSpans: 2, errorMessage: 'span 4: traceId must be 16 bytes, got 12' },
    });
    assert.deepStrictEqual(ProtobufLogsSerializer.deserializeResponse(encodeExportResponse('logs', 1, 'x', 'protobuf')), {
      partialSuccess: { rejectedLogRecords: 1, errorMessage: 'x' },
    });
    assert.deepStrictEqual(ProtobufMetricsSerializer.deserializeResponse(encodeExportResponse('metrics', 3, '', 'protobuf')), {
      partialSuccess: { rejectedDataPoints: 3 },
    });
  });
});

describe('encodeStatus', () => {
  it('encodes google.rpc.Status{code: 3, message: "bad"}', () => {
    assert.deepStrictEqual(Uint8Array.from(encodeStatus(3, 'bad', 'protobuf')), bytes('08 03 12 03 62 61 64'));
    assert.equal(text(encodeStatus(3, 'bad', 'json')), '{"code":3,"message":"bad"}');
  });

  it('encodes a developer-facing message with any characters', () => {
    const message = 'span 4: traceId must be 16 bytes, got 12 — "quoted"';
    assert.deepStrictEqual(JSON.parse(text(encodeStatus(3, message, 'json'))), { code: 3, message });
    const proto = encodeStatus(14, message, 'protobuf');
    const encodedMessage = Buffer.from(message);
    assert.deepStrictEqual(Uint8Array.from(proto), Uint8Array.from([0x08, 14, 0x12, encodedMessage.length, ...encodedMessage]));
  });
});
