// The protobufjs reader our binary codec decodes with: protobufjs's BufferReader with the two
// reads OTLP is made of made cheaper, short strings and fixed64 timestamps. On a 512-span batch
// of GenAI spans (~20 attributes each) string reads were ~30% of decoding; with this reader
// decoding and building the records took 2.7 instead of 3.4 ms (measured in one process).
import protobuf from 'protobufjs';

/** Strings up to this many bytes go through the cache; longer ones (prompts...) are decoded. */
const MAX_CACHED_BYTES = 48;
const CACHE_SLOTS = 4096; // a power of two; at most 4096 * 48 characters held

/** Node's Buffer has these (Buffer#toString uses them), not in @types/node; protobufjs uses utf8Slice too. */
type NodeBuffer = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/**
 * Short ASCII strings recently decoded, by a hash of their bytes. Attribute keys and many values
 * ("chat", "gpt-4o-mini") repeat across the spans of a batch and across batches; a hit costs a
 * byte comparison instead of an allocation, and returns a string V8 has already internalized as
 * a property key. A miss or a collision only costs the ordinary decode.
 */
const cache = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

function readCachedString(buf: NodeBuffer, start: number, end: number): string {
  const length = end - start;
  // Hash the length and the first and last four bytes only: a collision costs a miss, never a
  // wrong string, since a hit is compared byte by byte.
  let hash = Math.imul(length, 0x9e3779b1);
  if (length >= 4) {
    hash = Math.imul(hash ^ buf.readInt32LE(start), 0x5bd1e995);
    hash = Math.imul(hash ^ buf.readInt32LE(end - 4), 0x5bd1e995);
  } else {
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x5bd1e995);
  }
  const slot = (hash ^ (hash >>> 15)) & (CACHE_SLOTS - 1);
  const cached = cache[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return cached;
  }
  let high = 0;
  for (let i = start; i < end; i++) high |= buf[i]!;
  // Only ASCII is cached: there a character is a byte, which the comparison above relies on.
  if (high >= 0x80) return buf.utf8Slice(start, end);
  const decoded = buf.latin1Slice(start, end);
  cache[slot] = decoded;
  return decoded;
}

/** Pass one to `Type.decode`; it reads a Buffer (other Uint8Arrays: wrap them first). */
export class OtlpReader extends protobuf.BufferReader {
  /**
   * Strings decode leniently, as the Collector's do: invalid UTF-8 becomes U+FFFD rather than
   * failing the batch (the schema turns protobufjs's verification off for the same reason).
   */
  override string(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    const buf = this.buf as NodeBuffer;
    return length <= MAX_CACHED_BYTES ? readCachedString(buf, start, end) : buf.utf8Slice(start, end);
  }

  /**
   * Timestamps (and histogram counts) straight to bigint, instead of protobufjs's LongBits and
   * Long objects that the record builders would convert anyway. wire.ts's WireInt64 includes
   * bigint; protobufjs's typings say Long, hence the cast.
   */
  override fixed64(): protobuf.Long {
    return this.readLittleEndian64(false) as unknown as protobuf.Long;
  }

  override sfixed64(): protobuf.Long {
    return this.readLittleEndian64(true) as unknown as protobuf.Long;
  }

  private readLittleEndian64(signed: boolean): bigint {
    const pos = this.pos;
    if (pos + 8 > this.len) throw new RangeError(`index out of range: ${pos} + 8 > ${this.len}`);
    this.pos = pos + 8;
    const buf = this.buf as NodeBuffer;
    return signed ? buf.readBigInt64LE(pos) : buf.readBigUInt64LE(pos);
  }
}
