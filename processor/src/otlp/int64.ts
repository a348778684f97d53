// 64-bit integers arrive as protobufjs Longs (protobuf) or as bigints and numbers (JSON); records
// carry nanosecond timestamps as bigint and other int64s as records.ts's AttributeValue rule says.
import type { WireInt64 } from './wire.ts';

const TWO_POW_32 = 4294967296;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** The exact value; absent reads as 0 (proto3 default). */
export function int64ToBigInt(v: WireInt64 | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? bits : BigInt.asIntN(64, bits);
}

/** A number while it is a safe integer, beyond that its exact decimal string. */
export function int64ToJson(v: WireInt64 | undefined): number | string {
  if (v === undefined) return 0;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : BigInt(v).toString();
  if (typeof v === 'bigint') return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
  // high * 2^32 is exact, and adding low stays exact whenever the true sum is a safe integer;
  // when it is not, the rounded sum is not safe either.
  const n = (v.unsigned ? v.high >>> 0 : v.high) * TWO_POW_32 + (v.low >>> 0);
  return Number.isSafeInteger(n) ? n : int64ToBigInt(v).toString();
}

/** The nearest number (exact up to 2^53), for fields typed `number` such as a point's value. */
export function int64ToNumber(v: WireInt64 | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return (v.unsigned ? v.high >>> 0 : v.high) * TWO_POW_32 + (v.low >>> 0);
}

/** Largest nanosecond timestamp a Postgres bigint holds (the year 2262). */
const MAX_TIMESTAMP = 2n ** 63n - 1n;

/**
 * A fixed64 nanosecond timestamp, or null when it cannot be stored: above int64 (fixed64 is
 * unsigned) or negative (a JSON sender's mistake).
 */
export function timestampToBigInt(v: WireInt64 | undefined): bigint | null {
  const n = int64ToBigInt(v);
  return n < 0n || n > MAX_TIMESTAMP ? null : n;
}

/** As timestampToBigInt, with an unstorable value read as 0 (the OTLP "unknown" time). */
export function timestampOrUnknown(v: WireInt64 | undefined): bigint {
  return timestampToBigInt(v) ?? 0n;
}
