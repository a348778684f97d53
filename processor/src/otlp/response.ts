// Response bodies (opentelemetry-proto docs/specification.md, "OTLP/HTTP Response"), encoded like
// the request was: Export*ServiceResponse for a 200, google.rpc.Status for every 4xx/5xx.
import type { OtlpEncoding } from './decode.ts';
import { otlpTypes } from './schema.ts';

export type OtlpSignal = 'traces' | 'logs' | 'metrics';

const RESPONSES = {
  traces: { type: otlpTypes.traceResponse, counter: 'rejected_spans', jsonCounter: 'rejectedSpans' },
  logs: { type: otlpTypes.logsResponse, counter: 'rejected_log_records', jsonCounter: 'rejectedLogRecords' },
  metrics: { type: otlpTypes.metricsResponse, counter: 'rejected_data_points', jsonCounter: 'rejectedDataPoints' },
} as const;

const encoder = new TextEncoder();

/**
 * The 200 answer. partial_success stays unset when nothing was rejected and there is no message
 * (proto: 0 bytes, JSON: `{}`); otherwise it carries the count and the message (a warning when
 * the count is 0). Fields at their defaults are omitted, as proto3 does.
 */
export function encodeExportResponse(
  signal: OtlpSignal,
  rejected: number,
  errorMessage: string,
  encoding: OtlpEncoding,
): Uint8Array {
  const { type, counter, jsonCounter } = RESPONSES[signal];
  if (rejected === 0 && errorMessage === '') return encoding === 'protobuf' ? new Uint8Array(0) : encoder.encode('{}');
  if (encoding === 'json') {
    const partialSuccess: Record<string, string> = {};
    if (rejected !== 0) partialSuccess[jsonCounter] = String(rejected); // int64 as a string
    if (errorMessage !== '') partialSuccess.errorMessage = errorMessage;
    return encoder.encode(JSON.stringify({ partialSuccess }));
  }
  const partial: Record<string, unknown> = {};
  if (rejected !== 0) partial[counter] = rejected;
  if (errorMessage !== '') partial.error_message = errorMessage;
  return type.encode({ partial_success: partial }).finish();
}

/** The body of an error answer: google.rpc.Status with `code` and a developer-facing `message`. */
export function encodeStatus(code: number, message: string, encoding: OtlpEncoding): Uint8Array {
  if (encoding === 'json') {
    const status: { code?: number; message?: string } = {};
    if (code !== 0) status.code = code;
    if (message !== '') status.message = message;
    return encoder.encode(JSON.stringify(status));
  }
  const status: Record<string, unknown> = {};
  if (code !== 0) status.code = code;
  if (message !== '') status.message = message;
  return otlpTypes.status.encode(status).finish();
}
