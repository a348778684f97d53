// Binary OTLP: protobufjs decodes the request against our schema (schema.ts), reading through
// OtlpReader. The records are built from its messages directly (no toObject): bigints and
// Longs, Buffers and prototype defaults are what the builders expect (wire.ts).
import type protobuf from 'protobufjs';
import { OtlpDecodeError } from './decode-error.ts';
import { OtlpReader } from './protobuf-reader.ts';

/** Decodes `body` as one `type` message; anything protobufjs cannot read is an OtlpDecodeError. */
export function readProtobuf(type: protobuf.Type, body: Uint8Array): unknown {
  // A Buffer view, not a copy: bytes fields come out as zero-copy slices of the body.
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  try {
    return type.decode(new OtlpReader(buffer));
  } catch (err) {
    // Every throw inside decode is about the input: truncation, bad wire type, depth limit.
    const reason = err instanceof Error ? err.message : String(err);
    throw new OtlpDecodeError(`malformed protobuf ${type.name}: ${reason}`, { cause: err });
  }
}
