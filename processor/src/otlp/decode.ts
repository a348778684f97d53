// The decoding door: request body in, plain records out, whichever the encoding. Both codecs
// produce the same decoded tree (wire.ts), so one builder per signal makes identical records.
import type protobuf from 'protobufjs';
import type { Decoded, LogRecord, MetricPointRecord, SpanRecord } from './records.ts';
import { readJson } from './json-codec.ts';
import { logsFromRequest } from './logs.ts';
import { metricPointsFromRequest } from './metrics.ts';
import { readProtobuf } from './protobuf-codec.ts';
import { otlpTypes } from './schema.ts';
import { spansFromRequest } from './traces.ts';
import type { WireLogsRequest, WireMetricsRequest, WireTraceRequest } from './wire.ts';

/** The two OTLP/HTTP body encodings: `application/x-protobuf` and `application/json`. */
export type OtlpEncoding = 'protobuf' | 'json';

function read(type: protobuf.Type, body: Uint8Array, encoding: OtlpEncoding): unknown {
  return encoding === 'protobuf' ? readProtobuf(type, body) : readJson(type, body);
}

/** Decodes an ExportTraceServiceRequest; throws OtlpDecodeError when the body is not one. */
export function decodeTraces(body: Uint8Array, encoding: OtlpEncoding): Decoded<SpanRecord> {
  return spansFromRequest(read(otlpTypes.traceRequest, body, encoding) as WireTraceRequest);
}

/** Decodes an ExportLogsServiceRequest; throws OtlpDecodeError when the body is not one. */
export function decodeLogs(body: Uint8Array, encoding: OtlpEncoding): Decoded<LogRecord> {
  return logsFromRequest(read(otlpTypes.logsRequest, body, encoding) as WireLogsRequest);
}

/** Decodes an ExportMetricsServiceRequest; throws OtlpDecodeError when the body is not one. */
export function decodeMetrics(body: Uint8Array, encoding: OtlpEncoding): Decoded<MetricPointRecord> {
  return metricPointsFromRequest(read(otlpTypes.metricsRequest, body, encoding) as WireMetricsRequest);
}
