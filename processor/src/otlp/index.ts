// The public face of otlp/: decode request bodies into records, encode response bodies.
export { decodeLogs, decodeMetrics, decodeTraces, type OtlpEncoding } from './decode.ts';
export { OtlpDecodeError } from './decode-error.ts';
export { encodeExportResponse, encodeStatus, type OtlpSignal } from './response.ts';
export type * from './records.ts';
