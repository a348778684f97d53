// Trace and span ids: bytes on the protobuf wire, hex text in OTLP/JSON (case-insensitive);
// lowercase hex in records. An id is valid when it has the right length and is not all zero.
import type { WireId } from './wire.ts';

/** Node's Buffer has this method (Buffer#toString uses it), not in @types/node: half the cost. */
type HexSliceable = Buffer & { hexSlice(start: number, end: number): string };

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

/** The id as lowercase hex, or null when it is not `size` bytes, not hex, or all zero. */
export function hexId(id: WireId | undefined, size: number): string | null {
  if (id === undefined) return null;
  if (typeof id === 'string') return hexIdFromText(id, size);
  if (id.length !== size) return null;
  let any = 0;
  for (let i = 0; i < size; i++) any |= id[i]!;
  if (any === 0) return null;
  const buffer = Buffer.isBuffer(id) ? id : Buffer.from(id.buffer, id.byteOffset, id.byteLength);
  return (buffer as HexSliceable).hexSlice(0, size);
}

function hexIdFromText(id: string, size: number): string | null {
  if (id.length !== size * 2) return null;
  let nonZero = false;
  let upper = false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (c !== 0x30) nonZero = true;
    } else if (c >= 0x61 && c <= 0x66) {
      nonZero = true;
    } else if (c >= 0x41 && c <= 0x46) {
      nonZero = true;
      upper = true;
    } else {
      return null;
    }
  }
  if (!nonZero) return null;
  return upper ? id.toLowerCase() : id;
}

/** Says why hexId(id, size) returned null, e.g. "traceId must be 16 bytes, got 12". */
export function idProblem(field: string, id: WireId | undefined, size: number): string {
  if (typeof id === 'string' && !/^(?:[0-9a-fA-F]{2})*$/.test(id)) {
    const shown = id.length > 40 ? `${id.slice(0, 40)}...` : id;
    return `${field} must be ${size * 2} hex characters, got ${JSON.stringify(shown)}`;
  }
  const bytes = id === undefined ? 0 : typeof id === 'string' ? id.length / 2 : id.length;
  if (bytes !== size) return `${field} must be ${size} bytes, got ${bytes}`;
  return `${field} must not be all zero`;
}

/** True when the id is absent or empty (an unset parent_span_id marks a root span). */
export function isEmptyId(id: WireId | undefined): boolean {
  return id === undefined || id.length === 0;
}

/** True when the id has the right length but is all zero: the "invalid" id of the W3C spec. */
export function isZeroId(id: WireId | undefined, size: number): boolean {
  if (id === undefined) return false;
  if (typeof id === 'string') return id.length === size * 2 && /^0+$/.test(id);
  return id.length === size && id.every((b) => b === 0);
}
